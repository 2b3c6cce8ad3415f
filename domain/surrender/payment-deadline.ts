import { endOfParisDay, parisDate } from '../shared/paris-calendar';

/**
 * Code des assurances L132-21: the insurer pays the surrender value within two months of the request.
 * Months are calendar months of the French calendar (Europe/Paris), ending at 24:00 on the last day.
 */
export const PAYMENT_MONTHS = 2;

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * Adds calendar months to a YYYY-MM-DD date. A day the target month lacks falls on its last day
 * (2026-12-31 + 2 months = 2027-02-28): the period may not run into the month after.
 */
export function addCalendarMonths(date: string, months: number): string {
  const [year, month, day] = date.split('-').map(Number);
  const index = year * 12 + (month - 1) + months;
  const targetYear = Math.floor(index / 12);
  const targetMonth = index - targetYear * 12;
  // Day 0 of the following month is the last day of the target month.
  const lastDay = new Date(Date.UTC(targetYear, targetMonth + 1, 0)).getUTCDate();
  return `${targetYear}-${pad(targetMonth + 1)}-${pad(Math.min(day, lastDay))}`;
}

/** The last instant the surrender value of a request made at `requestedAt` may be paid. */
export function surrenderPaymentDueBy(requestedAt: Date): Date {
  return endOfParisDay(addCalendarMonths(parisDate(requestedAt), PAYMENT_MONTHS));
}
