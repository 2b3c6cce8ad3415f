import { inflateSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { PDFArray, PDFDocument, PDFName, PDFRawStream, PDFRef, type PDFObject } from 'pdf-lib';
import { INSURER_NAME } from '../../../domain/shared/insurer';
import { formatBasisPoints, formatMoney } from '../../../domain/shared/money-format';
import {
  generateContractDocuments,
  type ContractData,
  type GeneratedDocument,
} from '../../../domain/subscription/contract-documents';
import { EACH_DATABASE } from '../../support/databases';
import { DEMO_IDS } from '../../support/ids';

const NBSP = '\u00a0';

const CLAUSE =
  "Mon conjoint, à défaut mes enfants nés ou à naître, vivants ou représentés, par parts égales entre eux, à défaut mes héritiers. " +
  "Cette clause est volontairement longue afin de vérifier qu'elle est bien répartie sur plusieurs lignes dans la largeur de la page du bulletin.";

function sampleData(overrides: Partial<ContractData> = {}): ContractData {
  return {
    subscriptionId: 'sub_2Lh0n4rWv7Y1x9bQ',
    productName: 'Démo Vie Patrimoine',
    productKind: 'assurance_vie',
    subscriber: {
      civility: 'MME',
      firstName: 'Hélène',
      lastName: 'Lefèvre',
      birthDate: '1984-03-15',
      birthPlace: 'Lyon',
      nationality: 'FR',
      address: { line1: '12 rue des Lilas', line2: 'Bâtiment B', postalCode: '69003', city: 'Lyon', country: 'FR' },
      email: 'helene.lefevre@example.test',
      phone: '+33 6 12 34 56 78',
      taxResidence: 'FR',
    },
    insuree: { civility: 'MME', firstName: 'Hélène', lastName: 'Lefèvre', birthDate: '1984-03-15', sameAsSubscriber: true },
    initialPayment: { amount: 125_000, currency: 'EUR' },
    scheduledPayment: { amount: 15_000, currency: 'EUR', frequency: 'monthly' },
    allocation: [
      { fundName: 'Fonds en euros Démo', isin: 'FR0000000001', basisPoints: 6_000 },
      { fundName: 'Démo Actions Europe ISR', isin: 'FR0010000002', basisPoints: 4_000 },
    ],
    beneficiaryClause: CLAUSE,
    debitIbanMasked: 'FR76 **** **** **** **** ***0 189',
    fees: { entryFeeBasisPoints: 200, managementFeeBasisPoints: 85 },
    generatedAt: new Date('2025-05-12T14:03:27Z'),
    ...overrides,
  };
}

/** Text drawn on each page: pdf-lib writes every line as one `<hex> Tj` in a Flate-compressed content stream. */
async function pageTexts(bytes: Buffer): Promise<string[]> {
  const doc = await PDFDocument.load(bytes);
  return doc.getPages().map((page) => {
    const contents = page.node.get(PDFName.of('Contents'));
    const refs: PDFObject[] = contents instanceof PDFArray ? contents.asArray() : contents ? [contents] : [];
    return refs.map((ref) => streamText(doc.context.lookup(ref as PDFRef))).join('\n');
  });
}

function streamText(stream: PDFObject | undefined): string {
  if (!(stream instanceof PDFRawStream)) return '';
  const operators = inflateSync(Buffer.from(stream.contents)).toString('latin1');
  const lines = [...operators.matchAll(/<([0-9A-Fa-f]*)>\s*Tj/g)].map((m) => decodeWinAnsi(Buffer.from(m[1] ?? '', 'hex')));
  return lines.join('\n');
}

// WinAnsi is Latin-1 except for 0x80-0x9F (Jest's realm has no windows-1252 TextDecoder).
const WIN_ANSI_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';

function decodeWinAnsi(bytes: Buffer): string {
  return [...bytes].map((b) => (b >= 0x80 && b <= 0x9f ? WIN_ANSI_HIGH[b - 0x80] : String.fromCharCode(b))).join('');
}

// Headers and footers are drawn last on each page: leave them out so that text flowing over a page break reads on.
async function allText(document: GeneratedDocument): Promise<string> {
  const chrome = (line: string): boolean => (line.startsWith(INSURER_NAME) && line.includes(' - ')) || /^Page \d+ \/ \d+$/.test(line);
  const lines = (await pageTexts(document.bytes)).flatMap((page) => page.split('\n'));
  return lines.filter((line) => line !== INSURER_NAME && !chrome(line)).join('\n');
}

// Wrapped text is split across lines: compare with line breaks and space runs collapsed (no-break spaces kept).
function flatten(text: string): string {
  return text.replace(/[ \n]+/g, ' ');
}

describe('formatMoney', () => {
  it.each([
    [0, 'EUR', `0,00${NBSP}€`],
    [5, 'EUR', `0,05${NBSP}€`],
    [125_000, 'EUR', `1${NBSP}250,00${NBSP}€`],
    [100_000_000, 'EUR', `1${NBSP}000${NBSP}000,00${NBSP}€`],
    [-125_000, 'EUR', `-1${NBSP}250,00${NBSP}€`],
    [1_200, 'USD', `12,00${NBSP}USD`],
    [1_200, 'usd', `12,00${NBSP}USD`],
    [1_500, 'JPY', `1${NBSP}500${NBSP}JPY`],
    [1_234, 'KWD', `1,234${NBSP}KWD`],
  ])('formats %p %s as %p', (amount, currency, expected) => {
    expect(formatMoney(amount, currency)).toBe(expected);
  });

  it('refuses fractional amounts and malformed currency codes', () => {
    expect(() => formatMoney(12.5, 'EUR')).toThrow(RangeError);
    expect(() => formatMoney(100, 'EURO')).toThrow(RangeError);
    expect(() => formatMoney(Number.MAX_SAFE_INTEGER + 1, 'EUR')).toThrow(RangeError);
  });
});

describe('formatBasisPoints', () => {
  it.each([
    [4_000, `40,00${NBSP}%`],
    [10_000, `100,00${NBSP}%`],
    [85, `0,85${NBSP}%`],
    [0, `0,00${NBSP}%`],
  ])('formats %p as %p', (basisPoints, expected) => {
    expect(formatBasisPoints(basisPoints)).toBe(expected);
  });
});

describe('generateContractDocuments', () => {
  let documents: GeneratedDocument[];

  beforeAll(async () => {
    documents = await generateContractDocuments(sampleData());
  });

  it('returns the three documents in order, named after the subscription', () => {
    expect(documents.map((d) => [d.kind, d.title, d.fileName, d.contentType])).toEqual([
      ['subscription_form', 'Bulletin de souscription', 'subscription-form-sub_2Lh0n4rWv7Y1x9bQ.pdf', 'application/pdf'],
      ['key_information', "Document d'informations clés", 'key-information-sub_2Lh0n4rWv7Y1x9bQ.pdf', 'application/pdf'],
      ['general_terms', 'Conditions générales', 'general-terms-sub_2Lh0n4rWv7Y1x9bQ.pdf', 'application/pdf'],
    ]);
  });

  it('produces well-formed PDF files with a matching sha256', async () => {
    for (const document of documents) {
      expect(document.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(document.bytes.toString('latin1').trimEnd().endsWith('%%EOF')).toBe(true);
      expect(document.sha256).toBe(createHash('sha256').update(document.bytes).digest('hex'));
      const pdf = await PDFDocument.load(document.bytes, { updateMetadata: false });
      expect(pdf.getPageCount()).toBeGreaterThanOrEqual(1);
      const [width, height] = [pdf.getPage(0).getWidth(), pdf.getPage(0).getHeight()];
      expect([Math.round(width), Math.round(height)]).toEqual([595, 842]);
    }
  });

  it('sets the metadata from the data, not from the clock', async () => {
    for (const document of documents) {
      const pdf = await PDFDocument.load(document.bytes, { updateMetadata: false });
      expect(pdf.getTitle()).toBe(document.title);
      expect(pdf.getAuthor()).toBe(INSURER_NAME);
      expect(pdf.getSubject()).toContain('sub_2Lh0n4rWv7Y1x9bQ');
      expect(pdf.getCreator()).toBe('insurance-gateway');
      expect(pdf.getProducer()).toContain('insurance-gateway');
      expect(pdf.getCreationDate()?.toISOString()).toBe('2025-05-12T14:03:27.000Z');
      expect(pdf.getModificationDate()?.toISOString()).toBe('2025-05-12T14:03:27.000Z');
    }
  });

  it('prints the subscription data on the subscription form', async () => {
    const text = await allText(documents[0] as GeneratedDocument);
    for (const expected of [
      'Bulletin de souscription', INSURER_NAME, 'sub_2Lh0n4rWv7Y1x9bQ', 'Démo Vie Patrimoine',
      'Madame Hélène LEFÈVRE', '15/03/1984 à Lyon', 'France (FR)', '12 rue des Lilas', 'Bâtiment B', '69003 Lyon',
      'helene.lefevre@example.test', '+33 6 12 34 56 78', "L'assuré est le souscripteur.",
      `1${NBSP}250,00${NBSP}€`, `150,00${NBSP}€, mensuel`, 'FR76 **** **** **** **** ***0 189',
      'Fonds en euros Démo', 'FR0000000001', `60,00${NBSP}%`, 'Démo Actions Europe ISR', `40,00${NBSP}%`, `100,00${NBSP}%`,
      `2,00${NBSP}%`, `0,85${NBSP}%`, 'L132-5-1', 'trente jours calendaires', '« Lu et approuvé »',
    ]) {
      expect(text).toContain(expected);
    }
    expect(flatten(text)).toContain(CLAUSE);
  });

  it('wraps the beneficiary clause within the page width', async () => {
    const text = await allText(documents[0] as GeneratedDocument);
    const clauseLines = text.split('\n').filter((line) => CLAUSE.includes(line) && line.length > 20);
    expect(clauseLines.length).toBeGreaterThanOrEqual(2);
  });

  it('prints product, fees, risk and holding period on the key information document', async () => {
    const text = flatten(await allText(documents[1] as GeneratedDocument));
    for (const expected of [
      "Document d'informations clés", 'sub_2Lh0n4rWv7Y1x9bQ', 'Démo Vie Patrimoine', `2,00${NBSP}% de chaque versement`,
      `25,00${NBSP}€ sur 1${NBSP}250,00${NBSP}€`, `0,85${NBSP}% par an`, 'Indicateur synthétique de risque', '8 ans minimum',
      "La performance de ces supports n'est pas garantie",
    ]) {
      expect(text).toContain(expected);
    }
  });

  it('prints the legal sections of the general terms over several pages', async () => {
    const pages = await pageTexts((documents[2] as GeneratedDocument).bytes);
    expect(pages.length).toBeGreaterThanOrEqual(2);
    pages.forEach((page, index) => expect(page).toContain(`Page ${index + 1} / ${pages.length}`));
    const text = flatten(pages.join('\n'));
    for (const expected of ['L132-5-1', 'L132-21', 'deux mois', 'L132-8', 'L132-23-1', 'un mois', 'Clause bénéficiaire']) {
      expect(text).toContain(expected);
    }
    expect(text).not.toContain('L224-4');
  });

  it('describes PER availability and early release cases for a PER', async () => {
    const [, kid, terms] = await generateContractDocuments(sampleData({ productKind: 'per' }));
    expect(flatten(await allText(kid as GeneratedDocument))).toContain("Jusqu'à la date de départ à la retraite");
    const text = flatten(await allText(terms as GeneratedDocument));
    for (const expected of ['L224-4', 'surendettement', 'résidence principale', "Plan d'épargne retraite individuel"]) {
      expect(text).toContain(expected);
    }
  });

  it('asks for the insuree consent when the insuree is not the subscriber', async () => {
    const insuree = { civility: 'M' as const, firstName: 'Paul', lastName: 'Martin', birthDate: '1950-01-02', sameAsSubscriber: false };
    const [form] = await generateContractDocuments(sampleData({ insuree }));
    const text = await allText(form as GeneratedDocument);
    expect(text).toContain('Monsieur Paul MARTIN');
    expect(text).toContain('02/01/1950');
    expect(text).toContain('L132-2');
    expect(text).not.toContain("L'assuré est le souscripteur.");
  });

  it('is deterministic: the same data gives byte-identical documents', async () => {
    const again = await generateContractDocuments(sampleData());
    expect(again.map((d) => d.sha256)).toEqual(documents.map((d) => d.sha256));
    again.forEach((document, index) => expect(document.bytes.equals((documents[index] as GeneratedDocument).bytes)).toBe(true));
  });

  it('changes the bytes when the generation time changes', async () => {
    const later = await generateContractDocuments(sampleData({ generatedAt: new Date('2025-05-12T14:04:00Z') }));
    later.forEach((document, index) => expect(document.sha256).not.toBe((documents[index] as GeneratedDocument).sha256));
  });

  it('draws characters the standard fonts cannot encode with a stand-in instead of failing', async () => {
    const [form] = await generateContractDocuments(sampleData({ beneficiaryClause: 'Mon épouse Ana Ștefănescu\u202fet Łukasz 😀, par parts égales.' }));
    expect(await allText(form as GeneratedDocument)).toContain(`Mon épouse Ana Stefanescu${NBSP}et ?ukasz ?, par parts égales.`);
  });

  it('refuses a full IBAN, an allocation that is not 100 % and fractional amounts', async () => {
    await expect(generateContractDocuments(sampleData({ debitIbanMasked: 'FR76 3000 6000 0112 3456 7890 189' }))).rejects.toThrow(/masked IBAN/);
    const allocation = [{ fundName: 'Fonds', isin: 'FR0000000001', basisPoints: 9_000 }];
    await expect(generateContractDocuments(sampleData({ allocation }))).rejects.toThrow(/adding up to 10000/);
    await expect(generateContractDocuments(sampleData({ initialPayment: { amount: 1250.5, currency: 'EUR' } }))).rejects.toThrow(RangeError);
  });

  it('paginates a long allocation table, repeating its header', async () => {
    const allocation = Array.from({ length: 80 }, (_, i) => ({ fundName: `Support n° ${i + 1}`, isin: `FR${String(i).padStart(10, '0')}`, basisPoints: 125 }));
    const [form] = await generateContractDocuments(sampleData({ allocation }));
    const pages = await pageTexts((form as GeneratedDocument).bytes);
    const withHeader = pages.filter((page) => page.includes('Code ISIN'));
    expect(withHeader.length).toBeGreaterThanOrEqual(2);
    expect(pages.join('\n')).toContain('Support n° 80');
  });
});

describe.each(EACH_DATABASE)('the standard beneficiary clauses as migrated on %s', (_name, database) => {
  it('are in French and print word for word on the subscription form (WinAnsi, no stand-in)', async () => {
    const { db, drop } = await database.open();
    try {
      const clauses = await db.query<{ id: string; title: string; text: string }>('select id, title, text from standard_clauses order by id');
      expect(clauses.map((c) => c.id)).toEqual([DEMO_IDS.standardClauses.children, DEMO_IDS.standardClauses.heirs, DEMO_IDS.standardClauses.spouseChildren]);
      expect(clauses.find((c) => c.id === DEMO_IDS.standardClauses.spouseChildren)).toEqual({
        id: DEMO_IDS.standardClauses.spouseChildren,
        title: 'Conjoint, à défaut enfants, à défaut héritiers',
        text: 'Mon conjoint, non divorcé ni séparé de corps, à défaut mon partenaire lié par un PACS, à défaut mes enfants nés ou à naître, vivants ou représentés, par parts égales, à défaut mes héritiers.',
      });
      for (const clause of clauses) {
        expect(clause.text).toMatch(/^(Mon|Mes) /);
        const [form] = await generateContractDocuments(sampleData({ beneficiaryClause: clause.text }));
        expect(flatten(await allText(form as GeneratedDocument))).toContain(clause.text);
      }
    } finally {
      await drop();
    }
  }, 120_000);
});
