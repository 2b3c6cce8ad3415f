/**
 * French legal periods count calendar days in Europe/Paris time: the day something happens and the
 * instant a period ends are taken on the Paris calendar, across daylight-saving changes.
 */

const PARIS = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });

/** The Paris calendar date (YYYY-MM-DD) of an instant. */
export function parisDate(instant: Date): string {
  const parts = Object.fromEntries(PARIS.formatToParts(instant).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** Milliseconds Paris is ahead of UTC at `instant` (1 h in winter, 2 h in summer). */
function parisOffsetMs(instant: Date): number {
  const parts = Object.fromEntries(PARIS.formatToParts(instant).map((p) => [p.type, Number(p.value)]));
  const asUtc = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/** The instant Paris date `date` ends (24:00 Paris, i.e. 00:00 of the next day), as a UTC Date. */
export function endOfParisDay(date: string): Date {
  const [y, m, d] = date.split('-').map(Number);
  const nextMidnightAsIfUtc = Date.UTC(y, m - 1, d + 1);
  // The offset at that moment decides; one correction step is enough around DST changes.
  const guess = new Date(nextMidnightAsIfUtc - parisOffsetMs(new Date(nextMidnightAsIfUtc)));
  return new Date(nextMidnightAsIfUtc - parisOffsetMs(guess));
}

/** Adds calendar days to a YYYY-MM-DD date. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}
