import { commissionOf, issueStatement } from '../../../domain/billing/commission-rules';
import { endOf, isPeriod, monthsBefore, periodLabel } from '../../../domain/billing/period';
import { decimal, quote, text } from '../../../domain/billing/statement-csv';
import { testId } from '../../support/ids';

describe('commissionOf', () => {
  it('rounds half up to the minor unit, exactly, and mirrors clawbacks', () => {
    expect(commissionOf(12_345, 300)).toBe(370); // 370.35
    expect(commissionOf(100, 250)).toBe(3); // 2.5
    expect(commissionOf(-100, 250)).toBe(-3);
    expect(commissionOf(0, 10_000)).toBe(0);
    // premium x rate beyond 2^53 stays exact.
    expect(commissionOf(9_007_199_254_740_991, 10_000)).toBe(9_007_199_254_740_991);
    expect(commissionOf(9_007_199_254_740_991, 1)).toBe(900_719_925_474);
  });

  it('refuses floats and rates outside 0-10000 basis points', () => {
    expect(() => commissionOf(10.5, 100)).toThrow(RangeError);
    expect(() => commissionOf(100, 10_001)).toThrow(RangeError);
    expect(() => commissionOf(100, -1)).toThrow(RangeError);
    expect(() => commissionOf(100, 2.5)).toThrow(RangeError);
  });

  it('issues a statement with numbered lines and totals', () => {
    const issued = issueStatement(testId('usr_b'), '2026-10', 'EUR', endOf('2026-10'), [
      { policyId: 'p1', policyLabel: 'A', premium: 10_000, rateBasisPoints: 250 },
      { policyId: 'p2', policyLabel: 'B', premium: 12_345, rateBasisPoints: 300 },
    ]);
    expect(issued.statement).toMatchObject({ brokerId: testId('usr_b'), period: '2026-10', premiumTotal: 22_345, commissionTotal: 620, issuedAt: new Date('2026-11-01T00:00:00Z') });
    expect(issued.lines.map((l) => [l.lineNo, l.commission])).toEqual([[1, 250], [2, 370]]);
  });
});

describe('periods', () => {
  it('are YYYY-MM months', () => {
    expect(['2026-01', '2026-12', '1999-09'].every(isPeriod)).toBe(true);
    expect(['2026-00', '2026-13', '2026-1', '26-01', '2026-01-01', ' 2026-01'].some(isPeriod)).toBe(false);
  });

  it('the 12 months before the current one, across a year end', () => {
    expect(monthsBefore(new Date('2026-01-15T12:00:00Z'), 12)).toEqual([
      '2025-01', '2025-02', '2025-03', '2025-04', '2025-05', '2025-06', '2025-07', '2025-08', '2025-09', '2025-10', '2025-11', '2025-12',
    ]);
    expect(monthsBefore(new Date('2026-03-31T23:59:59Z'), 2)).toEqual(['2026-01', '2026-02']);
  });

  it('print in French', () => {
    expect(periodLabel('2026-08')).toBe('août 2026');
    expect(endOf('2026-12').toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });
});

describe('CSV cells', () => {
  it('amounts are decimals in the currency unit, with the currency’s digits', () => {
    expect(decimal(123_456, 'EUR')).toBe('1234.56');
    expect(decimal(5, 'EUR')).toBe('0.05');
    expect(decimal(-5, 'EUR')).toBe('-0.05');
    expect(decimal(0, 'EUR')).toBe('0.00');
    expect(decimal(500, 'JPY')).toBe('500');
    expect(decimal(1_234, 'KWD')).toBe('1.234');
  });

  it('text that a spreadsheet would evaluate gets a leading quote', () => {
    for (const danger of ['=1+1', '+33', '-2', '@SUM(A1)', '\tx', '\rx']) expect(text(danger)).toBe(`'${danger}`);
    for (const safe of ['Alice', ' =not first', '1+1', "'quoted"]) expect(text(safe)).toBe(safe);
  });

  it('quotes RFC 4180 style only when needed', () => {
    expect(quote('plain')).toBe('plain');
    expect(quote('a,b')).toBe('"a,b"');
    expect(quote('say "hi"')).toBe('"say ""hi"""');
    expect(quote('two\nlines')).toBe('"two\nlines"');
    expect(quote('semi;colon')).toBe('semi;colon');
  });
});
