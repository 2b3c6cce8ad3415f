import { createHash } from 'node:crypto';
import { PDFDocument } from 'pdf-lib';
import { basisPointsOf } from '../shared/basis-points';
import { INSURER_NAME } from '../shared/insurer';
import { formatBasisPoints, formatMoney } from '../shared/money-format';
import { FlowLayout, type TableColumn } from '../shared/pdf-layout';

export type ContractDocumentKind = 'subscription_form' | 'key_information' | 'general_terms';

type Civility = 'M' | 'MME';

/** Everything the three contract documents print about one subscription. */
export interface ContractData {
  subscriptionId: string;
  productName: string;
  productKind: 'assurance_vie' | 'per';
  subscriber: {
    civility: Civility;
    firstName: string;
    lastName: string;
    birthDate: string /* YYYY-MM-DD */;
    birthPlace: string;
    nationality: string /* ISO alpha-2 */;
    address: { line1: string; line2?: string | null; postalCode: string; city: string; country: string };
    email: string;
    phone: string;
    taxResidence: string;
  };
  insuree: { civility: Civility; firstName: string; lastName: string; birthDate: string; sameAsSubscriber: boolean };
  initialPayment: { amount: number; currency: string };
  scheduledPayment: { amount: number; currency: string; frequency: 'monthly' | 'quarterly' | 'annual' } | null;
  allocation: Array<{ fundName: string; isin: string; basisPoints: number /* 10000 = 100% */ }>;
  beneficiaryClause: string;
  debitIbanMasked: string;
  fees: { entryFeeBasisPoints: number; managementFeeBasisPoints: number };
  generatedAt: Date;
}

/** One rendered PDF, ready to store or send. */
export interface GeneratedDocument {
  kind: ContractDocumentKind;
  title: string;
  fileName: string;
  contentType: 'application/pdf';
  bytes: Buffer;
  sha256: string;
}


const PRODUCER = 'insurance-gateway contract documents (pdf-lib)';
const CREATOR = 'insurance-gateway';
const BASIS_POINTS_TOTAL = 10_000;

interface DocumentSpec {
  kind: ContractDocumentKind;
  title: string;
  slug: string;
  render: (layout: FlowLayout, data: ContractData) => void;
}

/** Renders the subscription form, the key information document and the general terms, in that order. */
export async function generateContractDocuments(data: ContractData): Promise<GeneratedDocument[]> {
  assertPrintable(data);
  return Promise.all(DOCUMENTS.map((spec) => renderDocument(spec, data)));
}

/** 'YYYY-MM-DD' -> 'DD/MM/YYYY'; anything else is printed as given. */
function formatDate(isoDate: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  return match ? `${match[3]}/${match[2]}/${match[1]}` : isoDate;
}

function formatUtc(date: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  const day = `${two(date.getUTCDate())}/${two(date.getUTCMonth() + 1)}/${date.getUTCFullYear()}`;
  return `${day} à ${two(date.getUTCHours())}:${two(date.getUTCMinutes())} UTC`;
}

let regionNames: Intl.DisplayNames | undefined;

// Documents print "France (FR)" rather than a bare code, but keep the code as the authority.
function countryLabel(code: string): string {
  if (!/^[A-Z]{2}$/.test(code)) return code;
  const name = (regionNames ??= new Intl.DisplayNames(['fr'], { type: 'region', fallback: 'none' })).of(code);
  return name === undefined ? code : `${name} (${code})`;
}

function civilityLabel(civility: Civility): string {
  return civility === 'MME' ? 'Madame' : 'Monsieur';
}

function productKindLabel(kind: ContractData['productKind']): string {
  return kind === 'per' ? "Plan d'épargne retraite individuel (PER), contrat d'assurance de groupe" : "Contrat individuel d'assurance sur la vie";
}

const FREQUENCY_LABELS = { monthly: 'mensuel', quarterly: 'trimestriel', annual: 'annuel' } as const;

// Generation refuses data that would print a wrong contract: a full IBAN, money as floats, an allocation that is not 100 %.
function assertPrintable(data: ContractData): void {
  if (Number.isNaN(data.generatedAt.getTime())) throw new RangeError('generatedAt is not a valid date');
  if (/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/i.test(data.debitIbanMasked.replace(/\s/g, ''))) {
    throw new Error('debitIbanMasked holds a full IBAN: documents must only show a masked IBAN');
  }
  formatMoney(data.initialPayment.amount, data.initialPayment.currency);
  if (data.scheduledPayment) formatMoney(data.scheduledPayment.amount, data.scheduledPayment.currency);
  const total = data.allocation.reduce((sum, line) => sum + line.basisPoints, 0);
  if (data.allocation.some((line) => !Number.isSafeInteger(line.basisPoints) || line.basisPoints < 0) || total !== BASIS_POINTS_TOTAL) {
    throw new RangeError(`allocation must be non-negative integer basis points adding up to ${BASIS_POINTS_TOTAL}, got ${total}`);
  }
  for (const fee of [data.fees.entryFeeBasisPoints, data.fees.managementFeeBasisPoints]) formatBasisPoints(fee);
}

async function renderDocument(spec: DocumentSpec, data: ContractData): Promise<GeneratedDocument> {
  // updateMetadata: false keeps pdf-lib from stamping the current time; the dates below come from the data.
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.setTitle(spec.title, { showInWindowTitleBar: true });
  doc.setAuthor(INSURER_NAME);
  doc.setSubject(`${spec.title} - ${data.productName} - souscription ${data.subscriptionId}`);
  doc.setKeywords([data.subscriptionId, data.productKind, spec.kind]);
  doc.setProducer(PRODUCER);
  doc.setCreator(CREATOR);
  doc.setCreationDate(data.generatedAt);
  doc.setModificationDate(data.generatedAt);
  doc.setLanguage('fr-FR');
  const layout = await FlowLayout.create(doc, {
    headerLeft: INSURER_NAME,
    headerRight: `${spec.title} - souscription ${data.subscriptionId}`,
    footer: `${INSURER_NAME} - entreprise régie par le Code des assurances - document établi le ${formatUtc(data.generatedAt)}`,
  });
  titleBlock(layout, spec.title, data);
  spec.render(layout, data);
  layout.finish();
  // pdf-lib writes no trailer /ID and names font resources from an RNG seeded per document, so the bytes depend on the data only.
  const bytes = Buffer.from(await doc.save({ useObjectStreams: false }));
  return {
    kind: spec.kind,
    title: spec.title,
    fileName: `${spec.slug}-${data.subscriptionId.replace(/[^A-Za-z0-9_-]/g, '-')}.pdf`,
    contentType: 'application/pdf',
    bytes,
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
}

function titleBlock(layout: FlowLayout, title: string, data: ContractData): void {
  layout.title(title, [
    `${data.productName} - ${productKindLabel(data.productKind)}`,
    `Assureur : ${INSURER_NAME} - Référence de souscription : ${data.subscriptionId}`,
  ]);
}

function allocationTable(layout: FlowLayout, data: ContractData): void {
  const columns: TableColumn[] = [
    { header: "Support d'investissement", share: 0.55 },
    { header: 'Code ISIN', share: 0.25 },
    { header: 'Répartition', share: 0.2, align: 'right' },
  ];
  const rows = data.allocation.map((line) => [line.fundName, line.isin, formatBasisPoints(line.basisPoints)]);
  layout.table(columns, [...rows, ['Total', '', formatBasisPoints(BASIS_POINTS_TOTAL)]], true);
}

function personName(person: { civility: Civility; firstName: string; lastName: string }): string {
  return `${civilityLabel(person.civility)} ${person.firstName} ${person.lastName.toUpperCase()}`;
}

function renderSubscriptionForm(layout: FlowLayout, data: ContractData): void {
  const { subscriber, insuree } = data;
  layout.heading('Souscripteur');
  const address = subscriber.address;
  layout.fields([
    ['Civilité, prénom, nom', personName(subscriber)],
    ['Né(e) le', `${formatDate(subscriber.birthDate)} à ${subscriber.birthPlace}`],
    ['Nationalité', countryLabel(subscriber.nationality)],
    ['Adresse', [address.line1, address.line2 ?? '', `${address.postalCode} ${address.city}`, countryLabel(address.country)].filter((l) => l !== '').join('\n')],
    ['Adresse électronique', subscriber.email],
    ['Téléphone', subscriber.phone],
    ['Résidence fiscale', countryLabel(subscriber.taxResidence)],
  ]);
  layout.heading('Assuré');
  if (insuree.sameAsSubscriber) layout.paragraph("L'assuré est le souscripteur.", { font: 'italic' });
  layout.fields([
    ['Civilité, prénom, nom', personName(insuree)],
    ['Né(e) le', formatDate(insuree.birthDate)],
  ]);
  layout.heading('Versements');
  const scheduled = data.scheduledPayment;
  layout.fields([
    ['Versement initial', formatMoney(data.initialPayment.amount, data.initialPayment.currency)],
    ['Versements programmés', scheduled ? `${formatMoney(scheduled.amount, scheduled.currency)}, ${FREQUENCY_LABELS[scheduled.frequency]}` : 'Aucun'],
    ['Compte de prélèvement (IBAN)', data.debitIbanMasked],
    ["Frais d'entrée sur versements", formatBasisPoints(data.fees.entryFeeBasisPoints)],
    ['Frais de gestion annuels', formatBasisPoints(data.fees.managementFeeBasisPoints)],
  ]);
  layout.heading('Répartition des versements');
  allocationTable(layout, data);
  layout.heading('Clause bénéficiaire en cas de décès', layout.paragraphHeight(data.beneficiaryClause));
  layout.paragraph(data.beneficiaryClause, { keepTogether: true });
  layout.notice('Faculté de renonciation (article L132-5-1 du Code des assurances)', WITHDRAWAL_NOTICE);
  layout.heading('Déclarations et signature');
  layout.paragraph(
    "Le souscripteur reconnaît avoir reçu, avant de signer, le document d'informations clés et les conditions générales valant note d'information, " +
      'et certifie exactes les informations ci-dessus.',
  );
  layout.signatureBox('Fait le ....................... à ........................... - Signature du souscripteur, précédée de la mention « Lu et approuvé » :');
  if (!insuree.sameAsSubscriber) {
    layout.signatureBox(`Consentement de l'assuré (article L132-2 du Code des assurances) - signature de ${personName(insuree)} :`);
  }
}

const WITHDRAWAL_NOTICE =
  'Vous pouvez renoncer au présent contrat pendant trente jours calendaires révolus à compter du moment où vous êtes informé que le contrat est conclu, ' +
  'par lettre recommandée ou envoi recommandé électronique avec demande d\'avis de réception adressé à Assureur Démo S.A., Service Souscriptions, ' +
  '10 rue de l\'Exemple, 75009 Paris. Modèle de lettre : « Je soussigné(e) [nom, prénom, adresse] déclare renoncer au contrat [référence] souscrit le [date] ' +
  'et demande le remboursement intégral des sommes versées. Date et signature. » L\'assureur rembourse l\'intégralité des sommes versées dans un délai ' +
  'maximal de trente jours calendaires révolus à compter de la réception de votre demande.';

function renderKeyInformation(layout: FlowLayout, data: ContractData): void {
  const per = data.productKind === 'per';
  layout.heading('Objectif');
  layout.paragraph(
    "Le présent document contient des informations essentielles sur ce produit d'investissement. Il ne s'agit pas d'un document à caractère commercial. " +
      'Ces informations vous sont fournies conformément à une obligation légale, afin de vous aider à comprendre en quoi consiste ce produit et quels ' +
      'risques, coûts, gains et pertes potentiels y sont associés, et de vous aider à le comparer à d\'autres produits.',
  );
  layout.heading('Produit');
  layout.fields([
    ['Produit', data.productName],
    ['Type', productKindLabel(data.productKind)],
    ['Initiateur', `${INSURER_NAME}, entreprise régie par le Code des assurances`],
    ['Référence de souscription', data.subscriptionId],
    ['Date du document', formatUtc(data.generatedAt)],
  ]);
  layout.heading('Quels sont les risques et qu\'est-ce que cela pourrait me rapporter ?');
  layout.paragraph(
    "Indicateur synthétique de risque : sur une échelle de 1 (risque le plus faible) à 7 (risque le plus élevé), le risque de ce produit varie de 1 à 6 " +
      "selon les supports d'investissement choisis. Il suppose que vous conservez le produit pendant toute la durée de détention recommandée.",
  );
  layout.paragraph(
    'Les sommes investies sur des supports en unités de compte ne sont pas garanties : leur valeur, sujette à des fluctuations à la hausse comme ' +
      "à la baisse, dépend de l'évolution des marchés financiers. La performance de ces supports n'est pas garantie et vous pourriez perdre tout " +
      'ou partie de votre investissement. Seul le fonds en euros, le cas échéant, bénéficie d\'une garantie du capital versé net de frais.',
    { font: 'bold' },
  );
  layout.paragraph('Répartition choisie pour cette souscription :');
  allocationTable(layout, data);
  layout.heading('Que va me coûter cet investissement ?');
  const initial = data.initialPayment;
  const entryFee = basisPointsOf(initial.amount, data.fees.entryFeeBasisPoints);
  layout.fields([
    ["Frais d'entrée", `${formatBasisPoints(data.fees.entryFeeBasisPoints)} de chaque versement`],
    ['Sur le versement initial', `${formatMoney(entryFee, initial.currency)} sur ${formatMoney(initial.amount, initial.currency)}`],
    ['Frais de gestion', `${formatBasisPoints(data.fees.managementFeeBasisPoints)} par an de l'épargne gérée`],
  ]);
  layout.heading('Combien de temps dois-je le conserver, et puis-je retirer de l\'argent de façon anticipée ?');
  layout.fields([['Durée de détention recommandée', per ? "Jusqu'à la date de départ à la retraite" : '8 ans minimum']]);
  layout.paragraph(
    per
      ? "L'épargne est indisponible jusqu'au départ à la retraite, sauf dans les cas de déblocage anticipé prévus à l'article L224-4 du Code monétaire et financier."
      : "Vous pouvez racheter tout ou partie de votre épargne à tout moment ; l'assureur verse la valeur de rachat dans un délai de deux mois (article L132-21 du Code des assurances).",
  );
  layout.heading('Comment puis-je formuler une réclamation ?');
  layout.paragraph(
    `${INSURER_NAME}, Service Réclamations, 10 rue de l'Exemple, 75009 Paris. En cas de désaccord persistant, vous pouvez saisir La Médiation de l'Assurance, ` +
      'TSA 50110, 75441 Paris Cedex 09.',
  );
}

function renderGeneralTerms(layout: FlowLayout, data: ContractData): void {
  // Product-specific availability rules come right after the withdrawal right, before beneficiary and death settlement.
  const sections = [...COMMON_TERMS.slice(0, 3), ...(data.productKind === 'per' ? PER_TERMS : LIFE_TERMS), ...COMMON_TERMS.slice(3)];
  sections.forEach(([heading, body], index) => {
    layout.heading(`Article ${index + 1} - ${heading}`);
    for (const paragraph of body) layout.paragraph(paragraph);
  });
  layout.heading(`Article ${sections.length + 1} - Frais`);
  layout.paragraph(
    `Frais d'entrée : ${formatBasisPoints(data.fees.entryFeeBasisPoints)} de chaque versement. Frais de gestion : ` +
      `${formatBasisPoints(data.fees.managementFeeBasisPoints)} par an de l'épargne gérée.`,
  );
}

type TermsSection = readonly [string, readonly string[]];

const COMMON_TERMS: readonly TermsSection[] = [
  ['Objet du contrat', [
    `Le contrat est souscrit auprès de ${INSURER_NAME}, entreprise régie par le Code des assurances. Il a pour objet la constitution d'une épargne ` +
      "exprimée en euros et/ou en unités de compte, et le versement d'un capital ou d'une rente au terme ou en cas de décès de l'assuré. Le bulletin de " +
      "souscription, le document d'informations clés et les présentes conditions générales, qui valent note d'information, forment ensemble le contrat.",
  ]],
  ['Versements et supports', [
    "Le souscripteur effectue un versement initial puis, s'il le souhaite, des versements libres ou programmés, prélevés sur le compte désigné au bulletin. " +
      "Chaque versement net de frais est investi selon la répartition choisie. Les supports en unités de compte sont convertis en nombre de parts sur la base " +
      "de la valeur liquidative suivant l'encaissement ; l'assureur ne s'engage que sur le nombre de parts, non sur leur valeur, qui n'est pas garantie.",
  ]],
  ['Faculté de renonciation', [
    "Conformément à l'article L132-5-1 du Code des assurances, le souscripteur peut renoncer au contrat pendant trente jours calendaires révolus à compter " +
      "du moment où il est informé que le contrat est conclu, par lettre recommandée ou envoi recommandé électronique avec demande d'avis de réception. " +
      "L'assureur rembourse l'intégralité des sommes versées dans un délai maximal de trente jours calendaires révolus à compter de la réception de la demande.",
    "Conformément à l'article L132-5-2, le défaut de remise des documents et informations prévus proroge de plein droit le délai de renonciation jusqu'au trentième jour " +
      'calendaire révolu suivant la date de leur remise effective, dans la limite de huit ans à compter de la date où le souscripteur est informé que le contrat est conclu.',
  ]],
  ['Clause bénéficiaire', [
    "Le souscripteur désigne au bulletin de souscription le ou les bénéficiaires du capital en cas de décès de l'assuré (article L132-8 du Code des assurances). " +
      "Il peut modifier cette désignation à tout moment par avenant ou par acte sous seing privé ou authentique, lorsque celle-ci n'est plus appropriée.",
    "Le bénéficiaire peut accepter le bénéfice du contrat avec l'accord du souscripteur (article L132-9). L'acceptation rend la désignation irrévocable : " +
      "le souscripteur ne peut plus alors exercer son droit de rachat ni modifier la clause sans l'accord du bénéficiaire acceptant.",
  ]],
  ['Règlement en cas de décès', [
    "Dès qu'il a connaissance du décès de l'assuré, l'assureur informe le bénéficiaire et lui demande les pièces nécessaires au paiement. " +
      "Conformément à l'article L132-23-1 du Code des assurances, il verse le capital dans un délai qui ne peut excéder un mois à compter de la réception " +
      'de ces pièces. Au-delà, le capital non versé produit de plein droit intérêts au double du taux légal durant deux mois, puis au triple du taux légal.',
  ]],
  ['Information, réclamations et médiation', [
    "Le souscripteur reçoit chaque année un relevé de situation indiquant la valeur de son épargne, les versements et les frais de l'année (article L132-22). " +
      `Toute réclamation peut être adressée au Service Réclamations de ${INSURER_NAME}, 10 rue de l'Exemple, 75009 Paris. En cas de désaccord persistant, ` +
      "le souscripteur peut saisir La Médiation de l'Assurance, TSA 50110, 75441 Paris Cedex 09, sans préjudice d'une action en justice.",
    "Les actions dérivant du contrat se prescrivent dans les conditions des articles L114-1 et suivants du Code des assurances. Le contrat est régi par la loi " +
      "française ; l'assureur est soumis au contrôle de l'Autorité de contrôle prudentiel et de résolution (ACPR), 4 place de Budapest, 75436 Paris Cedex 09.",
  ]],
];

const LIFE_TERMS: readonly TermsSection[] = [
  ['Rachat', [
    "Le souscripteur peut à tout moment demander le rachat total ou partiel de son contrat. Conformément à l'article L132-21 du Code des assurances, " +
      "l'assureur verse la valeur de rachat dans un délai qui ne peut excéder deux mois à compter de la réception de la demande complète. Au-delà, " +
      'les sommes non versées produisent de plein droit intérêts au taux légal majoré de moitié durant deux mois, puis au double du taux légal.',
  ]],
];

const PER_TERMS: readonly TermsSection[] = [
  ['Indisponibilité et cas de déblocage anticipé', [
    "L'épargne est indisponible jusqu'à la liquidation de la pension dans un régime obligatoire d'assurance vieillesse ou l'âge légal de départ à la retraite. " +
      "Conformément à l'article L224-4 du Code monétaire et financier, elle peut toutefois être débloquée par anticipation dans les cas suivants :",
    '1. le décès du conjoint ou du partenaire lié par un pacte civil de solidarité ;',
    '2. l\'invalidité du titulaire, de ses enfants, de son conjoint ou de son partenaire lié par un pacte civil de solidarité ;',
    '3. la situation de surendettement du titulaire ;',
    "4. l'expiration des droits à l'assurance chômage du titulaire ;",
    "5. la cessation d'activité non salariée du titulaire à la suite d'un jugement de liquidation judiciaire ;",
    "6. l'acquisition de la résidence principale, sauf pour les droits issus de versements obligatoires.",
    "Dans ces cas, l'assureur verse la valeur de rachat dans un délai qui ne peut excéder deux mois à compter de la réception de la demande complète " +
      '(article L132-21 du Code des assurances).',
  ]],
];

const DOCUMENTS: readonly DocumentSpec[] = [
  { kind: 'subscription_form', title: 'Bulletin de souscription', slug: 'subscription-form', render: renderSubscriptionForm },
  { kind: 'key_information', title: "Document d'informations clés", slug: 'key-information', render: renderKeyInformation },
  { kind: 'general_terms', title: 'Conditions générales', slug: 'general-terms', render: renderGeneralTerms },
];
