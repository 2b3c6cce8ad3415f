import { AppError } from '../../errors/app-error';
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

/**
 * When a withdrawal took effect. The subscriber's own request takes effect now; a letter recorded by
 * back-office takes effect the day it was received (a Paris date), so a letter that arrived within the
 * period still counts when it is keyed in later. The letter's day cannot be before the contract was
 * concluded nor after today (422); whether it is within the period is the lifecycle's question, asked
 * at the returned instant: the last instant of that day, or now when the letter arrived today.
 */
export function withdrawalNoticeAt(letterReceivedOn: string | null, signedAt: Date | null, now: Date): Date {
  if (letterReceivedOn === null) return now;
  if (letterReceivedOn > parisDate(now)) throw new AppError('unprocessable_content', 'LETTER_RECEIVED_IN_THE_FUTURE', { field: 'letterReceivedOn' });
  if (signedAt !== null && letterReceivedOn < parisDate(signedAt)) throw new AppError('unprocessable_content', 'LETTER_RECEIVED_BEFORE_SIGNATURE', { field: 'letterReceivedOn' });
  const lastInstant = new Date(endOfParisDay(letterReceivedOn).getTime() - 1);
  return lastInstant < now ? lastInstant : now;
}
