/** A calendar month, `YYYY-MM`: what a commission statement covers. */
export type Period = string;

const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function isPeriod(value: string): boolean {
  return PERIOD.test(value);
}

/**
 * The `count` months before the month of `now` (UTC), oldest first: in October 2026, 12 gives 2025-10
 * to 2026-09. Statements are issued for closed months only, so the current month is never included.
 */
export function monthsBefore(now: Date, count: number): Period[] {
  const months: Period[] = [];
  for (let back = count; back >= 1; back -= 1) {
    const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1));
    months.push(`${month.getUTCFullYear()}-${String(month.getUTCMonth() + 1).padStart(2, '0')}`);
  }
  return months;
}

/** The first instant of the month after `period` (UTC): when its statement is issued. */
export function endOf(period: Period): Date {
  const match = PERIOD.exec(period);
  if (!match) throw new RangeError(`not a period: ${period}`);
  return new Date(Date.UTC(Number(match[1]), Number(match[2]), 1));
}

const MONTHS_FR = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'];

/** '2026-10' -> 'octobre 2026', as printed on the statement. */
export function periodLabel(period: Period): string {
  const match = PERIOD.exec(period);
  return match ? `${MONTHS_FR[Number(match[2]) - 1]} ${match[1]}` : period;
}
