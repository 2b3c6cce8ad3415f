import { AppError } from '../../../errors/app-error';
import { checkAcceptanceDate, earliestAcceptanceDate } from '../../../domain/death-settlement/acceptance-rules';

function refusal(work: () => unknown): { code: string; reason: string; field: unknown } | undefined {
  try {
    work();
    return undefined;
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return { code: error.code, reason: error.reason, field: error.extra.field };
  }
}

describe('beneficiary acceptance dates (L132-9 Code des assurances)', () => {
  // Issued 15 January 2025 at 11:00 Paris.
  const issuedAt = new Date('2025-01-15T10:00:00Z');
  const now = new Date('2026-06-15T10:00:00Z');

  it('the earliest date is 30 days after the Paris date of the contract’s conclusion', () => {
    expect(earliestAcceptanceDate(issuedAt)).toBe('2025-02-14');
    // 23:30 UTC on 31 March is already 1 April in Paris.
    expect(earliestAcceptanceDate(new Date('2025-03-31T23:30:00Z'))).toBe('2025-05-01');
  });

  it('accepts the earliest date and today', () => {
    expect(refusal(() => checkAcceptanceDate('2025-02-14', issuedAt, now))).toBeUndefined();
    expect(refusal(() => checkAcceptanceDate('2026-06-15', issuedAt, now))).toBeUndefined();
  });

  it('refuses a date inside the withdrawal period, and a date in the future (422 naming acceptedAt)', () => {
    expect(refusal(() => checkAcceptanceDate('2025-02-13', issuedAt, now))).toEqual({ code: 'unprocessable_content', reason: 'ACCEPTANCE_BEFORE_END_OF_WITHDRAWAL_PERIOD', field: 'acceptedAt' });
    expect(refusal(() => checkAcceptanceDate('2026-06-16', issuedAt, now))).toEqual({ code: 'unprocessable_content', reason: 'ACCEPTANCE_DATE_IN_FUTURE', field: 'acceptedAt' });
  });
});
