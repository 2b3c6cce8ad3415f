import { AppError } from '../../../errors/app-error';
import type { CatalogueFund, Valuation } from '../../../domain/investments/fund';
import { readValuationCsv } from '../../../domain/investments/valuation-csv';
import { decideLoad, navProblems } from '../../../domain/investments/valuation-rules';

const FUND: CatalogueFund = { isin: 'FR0010315770', name: 'Actions', kind: 'unit_linked', currency: 'EUR', assetClass: 'equity', riskIndicator: 5 };
const PATH = { value: 'nav.value', scale: 'nav.scale', currency: 'nav.currency', valuedOn: 'valuedOn' };
const loaded = (value: number, scale: number): Valuation => ({ isin: FUND.isin, valuedOn: '2026-01-05', nav: { value, scale, currency: 'EUR' }, loadedAt: new Date(), correctedAt: null, correctionReason: null });
const reasonOf = (work: () => unknown) => {
  try {
    work();
  } catch (error) {
    return error instanceof AppError ? [error.code, error.reason, error.extra.field, ...(error.extra.details ?? []).map((d) => `${d.field}:${d.reason}`)] : error;
  }
  return 'no error';
};

describe('valuation rules', () => {
  it('names every bad field of a NAV at once', () => {
    expect(navProblems({ value: 0, scale: 9, currency: 'USD' }, FUND, '2026-02-30', '2026-06-01', PATH)).toEqual([
      { field: 'nav.value', reason: 'NAV_VALUE_NOT_POSITIVE_INTEGER' },
      { field: 'nav.scale', reason: 'NAV_SCALE_OUT_OF_RANGE' },
      { field: 'nav.currency', reason: 'NAV_CURRENCY_NOT_FUND_CURRENCY' },
      { field: 'valuedOn', reason: 'VALUATION_DATE_INVALID' },
    ]);
    expect(navProblems({ value: 1, scale: 0, currency: 'EUR' }, FUND, '2026-06-02', '2026-06-01', PATH)).toEqual([{ field: 'valuedOn', reason: 'VALUATION_DATE_IN_THE_FUTURE' }]);
    expect(navProblems({ value: 1234567, scale: 4, currency: 'EUR' }, FUND, '2026-06-01', '2026-06-01', PATH)).toEqual([]);
  });

  it('is idempotent per fund and date: the same NAV at any scale is a no-op, another one a 409 unless corrected', () => {
    expect(decideLoad(undefined, loaded(1230, 2).nav, null)).toBe('create');
    expect(decideLoad(loaded(1230, 2), loaded(123, 1).nav, null)).toBe('unchanged');
    expect(decideLoad(loaded(1230, 2), loaded(123, 1).nav, 'feed resent')).toBe('unchanged');
    expect(reasonOf(() => decideLoad(loaded(1230, 2), loaded(1231, 2).nav, null))).toEqual(['conflict', 'VALUATION_ALREADY_LOADED_WITH_ANOTHER_NAV', 'nav']);
    expect(decideLoad(loaded(1230, 2), loaded(1231, 2).nav, 'provider fixed a typo')).toBe('correct');
  });
});

describe('valuation files (CSV)', () => {
  it('reads rows in any column order, NAVs exactly, with an optional correction reason', () => {
    const rows = readValuationCsv('\ufeffvaluedOn,isin,currency,nav,correctionReason\r\n2026-01-05,FR0010315770,EUR,123.4567,\n2026-01-06,FR0010315770,EUR,"124.5",late fix\n');
    expect(rows).toEqual([
      { line: 2, isin: 'FR0010315770', valuedOn: '2026-01-05', nav: { value: 1234567, scale: 4, currency: 'EUR' }, correctionReason: null },
      { line: 3, isin: 'FR0010315770', valuedOn: '2026-01-06', nav: { value: 1245, scale: 1, currency: 'EUR' }, correctionReason: 'late fix' },
    ]);
  });

  it('refuses unreadable files as a whole, naming the line and column', () => {
    expect(reasonOf(() => readValuationCsv(''))).toEqual(['parameter_invalid', 'CSV_EMPTY', 'csv']);
    expect(reasonOf(() => readValuationCsv('isin,valuedOn,nav,currency\n'))).toEqual(['parameter_invalid', 'CSV_EMPTY', 'csv']);
    expect(reasonOf(() => readValuationCsv('isin,date,nav,currency\nX,2026-01-01,1,EUR'))).toEqual(['parameter_invalid', 'CSV_HEADER_INVALID', 'csv']);
    expect(reasonOf(() => readValuationCsv('isin,valuedOn,nav,currency,isin\nX,2026-01-01,1,EUR,X'))).toEqual(['parameter_invalid', 'CSV_HEADER_INVALID', 'csv']);
    expect(reasonOf(() => readValuationCsv('isin,valuedOn,nav,currency\nX,2026-01-01,"1,EUR'))).toEqual(['parameter_invalid', 'CSV_MALFORMED', 'csv']);
    expect(reasonOf(() => readValuationCsv('isin,valuedOn,nav,currency\nX,2026-01-01,1\n'))).toEqual(['parameter_invalid', 'CSV_MALFORMED', 'csv']);
    expect(reasonOf(() => readValuationCsv('isin,valuedOn,nav,currency\nX,2026-01-01,1.5e3,EUR\nY,2026-01-01,-2,EUR'))).toEqual([
      'parameter_invalid', 'NAV_NOT_A_DECIMAL', 'csv.line2.nav', 'csv.line3.nav:NAV_NOT_A_DECIMAL',
    ]);
    const many = `isin,valuedOn,nav,currency\n${'X,2026-01-01,1,EUR\n'.repeat(10_001)}`;
    expect(reasonOf(() => readValuationCsv(many))).toEqual(['parameter_invalid', 'CSV_TOO_MANY_ROWS', 'csv']);
  });
});
