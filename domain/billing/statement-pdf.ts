import { PDFDocument } from 'pdf-lib';
import type { CommissionLine, CommissionStatement, StatementBroker } from './commission-statement';
import { INSURER_NAME } from '../shared/insurer';
import { formatBasisPoints, formatMoney } from '../shared/money-format';
import { FlowLayout, type TableColumn } from '../shared/pdf-layout';
import { periodLabel } from './period';

const COLUMNS: readonly TableColumn[] = [
  { header: 'Contrat', share: 0.2 },
  { header: 'Souscripteur et produit', share: 0.35 },
  { header: 'Primes', share: 0.17, align: 'right' },
  { header: 'Taux', share: 0.11, align: 'right' },
  { header: 'Commission', share: 0.17, align: 'right' },
];

/**
 * The statement as an A4 PDF. Deterministic: every date printed or stamped comes from the statement,
 * so the same statement always yields the same bytes (a broker can compare two downloads).
 */
export async function statementPdf(statement: CommissionStatement, lines: readonly CommissionLine[], broker: StatementBroker | undefined): Promise<Buffer> {
  const title = `Relevé de commissions - ${periodLabel(statement.period)}`;
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.setTitle(title, { showInWindowTitleBar: true });
  doc.setAuthor(INSURER_NAME);
  doc.setSubject(`Relevé ${statement.id}, période ${statement.period}`);
  doc.setKeywords([statement.id, statement.period, 'commissions']);
  doc.setProducer('insurance-gateway billing (pdf-lib)');
  doc.setCreator('insurance-gateway');
  doc.setCreationDate(statement.issuedAt);
  doc.setModificationDate(statement.issuedAt);
  doc.setLanguage('fr-FR');
  const layout = await FlowLayout.create(doc, { headerLeft: INSURER_NAME, headerRight: `Relevé de commissions ${statement.period}`, footer: `Relevé ${statement.id} - document confidentiel destiné au courtier` });
  layout.title('Relevé de commissions', [periodLabel(statement.period), `Émis le ${formatDay(statement.issuedAt)}`]);
  layout.fields([
    ['Référence', statement.id],
    ['Période', statement.period],
    ['Courtier', broker?.email ?? statement.brokerId],
    ['Distributeur', broker?.distributorName ?? '-'],
    ['Nombre de contrats', String(lines.length)],
  ]);
  layout.heading('Détail par contrat');
  const money = (amount: number) => formatMoney(amount, statement.currency);
  layout.table(
    COLUMNS,
    [
      ...lines.map((l) => [l.policyId, l.policyLabel, money(l.premium), formatBasisPoints(l.rateBasisPoints), money(l.commission)]),
      ['Total', '', money(statement.premiumTotal), '', money(statement.commissionTotal)],
    ],
    true,
  );
  layout.paragraph(`Montants en ${statement.currency}, primes encaissées sur la période. La commission de chaque contrat est la prime multipliée par le taux, arrondie au plus proche à la plus petite unité de la devise (le centime pour l'euro).`, { size: 8.5 });
  layout.finish();
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

function formatDay(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(date.getUTCDate())}/${two(date.getUTCMonth() + 1)}/${date.getUTCFullYear()}`;
}
