import { AppError } from '../../errors/app-error';
import { addCalendarMonths } from '../surrender/payment-deadline';
import { addDays } from '../shared/paris-calendar';

/**
 * Late interest on a death benefit (Code des assurances L132-23-1): past the one-month deadline, the
 * capital not paid bears interest of right at twice the legal rate for two months, then three times it.
 *
 * The legal rate (Code monétaire et financier L313-2) is fixed each half-year by an arrêté published in
 * the Journal officiel, with two rates: one for creditors who are natural persons not acting for their
 * professional needs (`consumer`), one for every other creditor (`other`). Rates are data (the
 * `legal_interest_rates` table), never constants in code.
 *
 * Day count, as French practice computes the legal interest: each day of lateness is 1/365 of the annual
 * rate, 1/366 in a leap year (actual/actual by calendar year). The sum over every day is kept as an exact
 * fraction and rounded once, at the end, half up to the cent.
 */

export const LEGAL_RATE_CATEGORIES = ['consumer', 'other'] as const;
export type LegalRateCategory = (typeof LEGAL_RATE_CATEGORIES)[number];

/** One published legal rate: from `validFrom` to `validTo` (YYYY-MM-DD, both included). */
export interface LegalInterestRate {
  category: LegalRateCategory;
  validFrom: string;
  validTo: string;
  /** Annual rate in basis points: 6.67 % = 667. */
  rateBasisPoints: number;
}

/** Days of lateness charged alike: same legal rate, same multiple, same length of year. */
export interface InterestSegment {
  /** First and last day (YYYY-MM-DD, both included). */
  from: string;
  to: string;
  days: number;
  rateBasisPoints: number;
  /** 2 for the first two months of lateness, 3 after. */
  multiplier: 2 | 3;
  /** 365, or 366 for a day of a leap year. */
  yearDays: 365 | 366;
}

export interface LateInterest {
  /** Days from the day after the due date to the payment date, both included; 0 when paid on time. */
  daysLate: number;
  /** Minor units, rounded half up once at the end. */
  amount: number;
  segments: InterestSegment[];
}

/** Number of months at twice the legal rate before it becomes three times. */
export const DOUBLED_MONTHS = 2;

// 365 x 366: every day's fraction of a year over one common denominator, so the sum stays exact.
const YEAR_LCM = 365n * 366n;

const isLeap = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/**
 * Late interest owed on `capital` (minor units) due on `dueDate` and paid on `paidOn` (Paris dates).
 * Interest runs from the day after the due date to the payment date included. A day without a published
 * rate among `rates` is a 409 `LEGAL_INTEREST_RATE_MISSING` (back-office loads the rate first).
 */
export function lateInterest(capital: number, dueDate: string, paidOn: string, rates: readonly LegalInterestRate[], category: LegalRateCategory = 'consumer'): LateInterest {
  if (!Number.isSafeInteger(capital) || capital < 0) throw new RangeError(`capital must be integer minor units, got ${capital}`);
  const segments: InterestSegment[] = [];
  if (paidOn <= dueDate || capital === 0) return { daysLate: paidOn <= dueDate ? 0 : daysBetween(dueDate, paidOn), amount: 0, segments };
  const ofCategory = rates.filter((r) => r.category === category).sort((a, b) => (a.validFrom < b.validFrom ? -1 : 1));
  const lastDoubled = addCalendarMonths(dueDate, DOUBLED_MONTHS);
  let numerator = 0n;
  for (let day = addDays(dueDate, 1); day <= paidOn; day = addDays(day, 1)) {
    const rate = ofCategory.find((r) => r.validFrom <= day && day <= r.validTo);
    if (!rate) throw new AppError('conflict', 'LEGAL_INTEREST_RATE_MISSING', { detail: `no ${category} legal rate for ${day}` });
    const multiplier: 2 | 3 = day <= lastDoubled ? 2 : 3;
    const yearDays: 365 | 366 = isLeap(Number(day.slice(0, 4))) ? 366 : 365;
    numerator += BigInt(rate.rateBasisPoints) * BigInt(multiplier) * (YEAR_LCM / BigInt(yearDays));
    const last = segments.at(-1);
    if (last && last.rateBasisPoints === rate.rateBasisPoints && last.multiplier === multiplier && last.yearDays === yearDays && addDays(last.to, 1) === day) {
      last.to = day;
      last.days += 1;
    } else {
      segments.push({ from: day, to: day, days: 1, rateBasisPoints: rate.rateBasisPoints, multiplier, yearDays });
    }
  }
  // capital x sum(rate_bp x multiplier / yearDays) / 10000, rounded half up once.
  const exact = BigInt(capital) * numerator;
  const denominator = 10_000n * YEAR_LCM;
  const amount = Number((2n * exact + denominator) / (2n * denominator));
  return { daysLate: daysBetween(dueDate, paidOn), amount, segments };
}

/** Whole days from `from` to `to` (YYYY-MM-DD): 0 for the same day, negative when `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/**
 * The payment deadline of L132-23-1: one month from the day the file became complete (Paris date), a
 * calendar month as French law counts it: the same day number of the next month, or its last day when it
 * has no such day (a file complete on 31 January is due by 28 or 29 February). The whole due day counts.
 */
export function paymentDueDate(fileCompletedOn: string): string {
  return addCalendarMonths(fileCompletedOn, 1);
}
