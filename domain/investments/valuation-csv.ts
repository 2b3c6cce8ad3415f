import { parse } from 'csv-parse/sync';
import { AppError, invalidFields } from '../../errors/app-error';
import { parseDecimal } from './decimal';
import type { FieldProblem } from './valuation-rules';

/** The columns of a valuation file; `correctionReason` is optional (empty: no correction). */
export const VALUATION_CSV_COLUMNS = ['isin', 'valuedOn', 'nav', 'currency'] as const;
const OPTIONAL_COLUMNS = ['correctionReason'] as const;

/** The most rows one file may carry (a year of daily prices for about forty funds). */
export const MAX_VALUATION_ROWS = 10_000;

/** One row of a valuation file, its NAV read exactly; `line` counts the header as line 1. */
export interface ValuationLine {
  line: number;
  isin: string;
  valuedOn: string;
  nav: { value: number; scale: number; currency: string };
  correctionReason: string | null;
}

/** Where a problem of a row is reported: `csv.line3.nav`. */
export const rowField = (line: number, column: string) => `csv.line${line}.${column}`;

/**
 * Reads a valuation file (RFC 4180 CSV, by csv-parse): a header naming the columns (any order), then
 * one valuation per row with the NAV as a plain decimal (`123.4567`, a dot, no thousands separator).
 * Every unreadable row is reported at once (400, each field named by line); nothing is loaded then.
 */
export function readValuationCsv(text: string): ValuationLine[] {
  let records: string[][];
  try {
    // Files pass through editors and spreadsheets: line ends may be CRLF or LF, even mixed.
    records = parse(text.replace(/^\ufeff/, ''), { skip_empty_lines: true, trim: true, record_delimiter: ['\r\n', '\n'] });
  } catch {
    throw new AppError('parameter_invalid', 'CSV_MALFORMED', { field: 'csv' });
  }
  const [header, ...rows] = records;
  if (!header) throw new AppError('parameter_invalid', 'CSV_EMPTY', { field: 'csv' });
  const known: readonly string[] = [...VALUATION_CSV_COLUMNS, ...OPTIONAL_COLUMNS];
  if (!VALUATION_CSV_COLUMNS.every((c) => header.includes(c)) || header.some((c) => !known.includes(c)) || new Set(header).size !== header.length) {
    throw new AppError('parameter_invalid', 'CSV_HEADER_INVALID', { field: 'csv' });
  }
  if (!rows.length) throw new AppError('parameter_invalid', 'CSV_EMPTY', { field: 'csv' });
  if (rows.length > MAX_VALUATION_ROWS) throw new AppError('parameter_invalid', 'CSV_TOO_MANY_ROWS', { field: 'csv' });
  const at = (row: string[], column: string) => row[header.indexOf(column)] ?? '';
  const problems: FieldProblem[] = [];
  const out = rows.map((row, index): ValuationLine => {
    const line = index + 2;
    const nav = parseDecimal(at(row, 'nav'));
    if (!nav) problems.push({ field: rowField(line, 'nav'), reason: 'NAV_NOT_A_DECIMAL' });
    const reason = header.includes('correctionReason') ? at(row, 'correctionReason') : '';
    return { line, isin: at(row, 'isin'), valuedOn: at(row, 'valuedOn'), nav: { value: nav?.value ?? 0, scale: nav?.scale ?? 0, currency: at(row, 'currency') }, correctionReason: reason === '' ? null : reason };
  });
  if (problems.length) throw invalidFields(problems.slice(0, 50));
  return out;
}
