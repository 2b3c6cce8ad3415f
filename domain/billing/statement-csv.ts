import { minorUnitDigits } from '../shared/money-format';
import type { CommissionLine, CommissionStatement } from './commission-statement';

/**
 * The CSV flavour, chosen to open cleanly in a spreadsheet and parse with any RFC 4180 reader:
 * UTF-8 with a byte-order mark (Excel otherwise guesses a legacy code page and garbles "é"), a header
 * row, comma-separated (RFC 4180; amounts use a dot, so a comma cannot be confused with a decimal
 * separator), CRLF line ends, fields quoted only when they hold a comma, a quote or a line break.
 */
export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8';
const BOM = '\ufeff';
const SEPARATOR = ',';
const EOL = '\r\n';

export const CSV_HEADER = ['statement_id', 'period', 'line', 'policy_id', 'policy_label', 'premium', 'commission_rate_bp', 'commission', 'currency'] as const;

/** One row per line; amounts as decimals in the currency's unit (`1234.56`), the rate in basis points. */
export function statementCsv(statement: CommissionStatement, lines: readonly CommissionLine[]): Buffer {
  const rows: string[][] = [
    [...CSV_HEADER],
    ...lines.map((l) => [
      text(statement.id),
      text(statement.period),
      String(l.lineNo),
      text(l.policyId),
      text(l.policyLabel),
      decimal(l.premium, statement.currency),
      String(l.rateBasisPoints),
      decimal(l.commission, statement.currency),
      text(statement.currency),
    ]),
  ];
  return Buffer.from(BOM + rows.map((row) => row.map(quote).join(SEPARATOR)).join(EOL) + EOL, 'utf8');
}

/**
 * Text from data (a policy label could be anything a subscriber's name holds) must not run as a formula
 * (OWASP CSV injection): a cell starting with = + - @, a tab or a carriage return gets a leading quote,
 * which spreadsheets show as text. Numbers we format ourselves skip this, so a negative amount stays a number.
 */
export function text(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** RFC 4180: quote a field holding the separator, a double quote or a line break; double inner quotes. */
export function quote(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

/** Minor units as a decimal in the currency's unit: 123456 EUR -> "1234.56", -5 EUR -> "-0.05", 500 JPY -> "500". */
export function decimal(amount: number, currency: string): string {
  if (!Number.isSafeInteger(amount)) throw new RangeError(`amount must be integer minor units, got ${amount}`);
  const digits = minorUnitDigits(currency);
  if (digits === 0) return String(amount);
  const absolute = String(Math.abs(amount)).padStart(digits + 1, '0');
  return `${amount < 0 ? '-' : ''}${absolute.slice(0, -digits)}.${absolute.slice(-digits)}`;
}
