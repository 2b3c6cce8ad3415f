import { firstDueDate, nextDueDate } from '../../../domain/premiums/premium-schedule';
import { checkPayer } from '../../../domain/premiums/payer';
import { checkAllocation, needsFundsOriginProof } from '../../../domain/premiums/single-premium-rules';
import type { Compartment } from '../../../domain/policy/policy';

describe('premium due dates', () => {
  it('the first due date is the day itself when not passed, else next month (across the year end)', () => {
    expect(firstDueDate('2026-03-05', 5)).toBe('2026-03-05');
    expect(firstDueDate('2026-03-06', 5)).toBe('2026-04-05');
    expect(firstDueDate('2026-12-29', 28)).toBe('2027-01-28');
    expect(firstDueDate('2026-12-01', 1)).toBe('2026-12-01');
  });

  it('moves on by one, three or twelve months', () => {
    expect(nextDueDate('2026-11-28', 'monthly')).toBe('2026-12-28');
    expect(nextDueDate('2026-12-28', 'monthly')).toBe('2027-01-28');
    expect(nextDueDate('2026-11-05', 'quarterly')).toBe('2027-02-05');
    expect(nextDueDate('2026-02-05', 'annual')).toBe('2027-02-05');
  });
});

describe('payer identity', () => {
  const today = new Date('2026-03-10T12:00:00Z');
  it('a person needs a name and a birth date not in the future; a company its name; self nothing', () => {
    expect(checkPayer({ relationship: 'parent', firstName: ' Jeanne ', lastName: 'Martin', birthDate: '1950-04-02' }, today)).toEqual({
      ok: true, payer: { relationship: 'parent', firstName: 'Jeanne', lastName: 'Martin', birthDate: '1950-04-02', companyName: null, email: null },
    });
    expect(checkPayer({ relationship: 'child', firstName: 'A', lastName: 'B', birthDate: '2026-03-11' }, today)).toEqual({ ok: false, problems: [{ field: 'birthDate', reason: 'BIRTH_DATE_IN_FUTURE' }] });
    expect(checkPayer({ relationship: 'company', companyName: 'X', lastName: 'Y' }, today)).toEqual({ ok: false, problems: [{ field: 'lastName', reason: 'NOT_ALLOWED_FOR_RELATIONSHIP' }] });
    expect(checkPayer({ relationship: 'self' }, today).ok).toBe(true);
  });
});

describe('single premium rules', () => {
  const compartment = (id: string, code: string, status: string): Compartment => ({ id, policyId: 'p', code, status, value: 0, currency: 'EUR', createdAt: new Date() });
  const per = [compartment('c1', 'C1', 'active'), compartment('c3', 'C3', 'active')];
  const offered = new Set(['FR0000000001', 'FR0010315770']);

  it('takes voluntary compartments only, offered funds once each, 10000 basis points in all', () => {
    expect(checkAllocation([{ compartmentId: 'c1', isin: 'FR0000000001', basisPoints: 10_000 }], per, 'per', offered)).toEqual([]);
    expect(checkAllocation([{ compartmentId: 'c3', isin: 'FR0000000001', basisPoints: 10_000 }], per, 'per', offered)).toEqual([{ field: 'allocation.0.compartmentId', reason: 'COMPARTMENT_TAKES_NO_PREMIUMS' }]);
    expect(checkAllocation([
      { compartmentId: 'c1', isin: 'FR0000000001', basisPoints: 5_000 },
      { compartmentId: 'c1', isin: 'FR0000000001', basisPoints: 5_000 },
    ], per, 'per', offered)).toEqual([{ field: 'allocation.1.isin', reason: 'FUND_LISTED_TWICE' }]);
    expect(checkAllocation([], per, 'per', offered)).toEqual([{ field: 'allocation', reason: 'ALLOCATION_NOT_100_PERCENT' }]);
    // A line out of range is named; the total is only judged once every line is valid.
    expect(checkAllocation([{ compartmentId: 'c1', isin: 'FR0000000001', basisPoints: 0 }], per, 'per', offered)).toEqual([{ field: 'allocation.0.basisPoints', reason: 'SHARE_OUT_OF_RANGE' }]);
    expect(checkAllocation([{ compartmentId: 'c1', isin: 'FR0000000001', basisPoints: 9_999 }], per, 'per', offered)).toEqual([{ field: 'allocation', reason: 'ALLOCATION_NOT_100_PERCENT' }]);
  });

  it('needs a proof of the origin of funds strictly above the threshold', () => {
    const terms = { minSinglePremium: 50_000, fundsOriginProofThreshold: 15_000_000 };
    expect(needsFundsOriginProof(15_000_000, terms)).toBe(false);
    expect(needsFundsOriginProof(15_000_001, terms)).toBe(true);
  });
});
