import { AppError } from '../../errors/app-error';
import { addDays, parisDate } from '../shared/paris-calendar';

/**
 * L132-9 Code des assurances: a beneficiary may accept the benefit only once the subscriber's 30-day
 * withdrawal period (L132-5-1) has run from the contract's conclusion.
 */
export const ACCEPTANCE_WAIT_DAYS = 30;

/** The first Paris date a beneficiary may accept on, for a contract concluded (issued) at `issuedAt`. */
export function earliestAcceptanceDate(issuedAt: Date): string {
  return addDays(parisDate(issuedAt), ACCEPTANCE_WAIT_DAYS);
}

/**
 * The date on the endorsement: not before the earliest acceptance date and not after today (Paris),
 * each a 422 naming `acceptedAt`. Dates are YYYY-MM-DD, so they compare as strings.
 */
export function checkAcceptanceDate(acceptedAt: string, issuedAt: Date, now: Date): void {
  if (acceptedAt > parisDate(now)) throw new AppError('unprocessable_content', 'ACCEPTANCE_DATE_IN_FUTURE', { field: 'acceptedAt' });
  if (acceptedAt < earliestAcceptanceDate(issuedAt)) throw new AppError('unprocessable_content', 'ACCEPTANCE_BEFORE_END_OF_WITHDRAWAL_PERIOD', { field: 'acceptedAt' });
}
