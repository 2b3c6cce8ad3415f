import { addDays, endOfParisDay, parisDate } from '../shared/paris-calendar';

/**
 * Withdrawal (renonciation), Code des assurances L132-5-1: 30 calendar days from the day the contract is
 * concluded, ending at 24:00 on the last day, not extended for weekends or holidays. Days are French
 * calendar days, so the day of conclusion and the end of the period are taken in Europe/Paris time.
 */
export const WITHDRAWAL_DAYS = 30;
/** The insurer refunds all sums paid within 30 days of the withdrawal notice. */
export const REFUND_DAYS = 30;

/** The last instant a withdrawal is accepted for a contract concluded at `concludedAt`. */
export function withdrawalDeadline(concludedAt: Date): Date {
  return endOfParisDay(addDays(parisDate(concludedAt), WITHDRAWAL_DAYS));
}

/** When a refund recorded at `noticeAt` must have been paid. */
export function refundDueBy(noticeAt: Date): Date {
  return endOfParisDay(addDays(parisDate(noticeAt), REFUND_DAYS));
}
