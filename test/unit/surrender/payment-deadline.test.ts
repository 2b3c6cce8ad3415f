import { addCalendarMonths, PAYMENT_MONTHS, surrenderPaymentDueBy } from '../../../domain/surrender/payment-deadline';

/** An instant given as Paris wall-clock time; `offset` is Paris's UTC offset on that date. */
const paris = (local: string, offset: '+01:00' | '+02:00') => new Date(`${local}${offset}`);

describe('surrender payment deadline (Code des assurances L132-21)', () => {
  it('is two months', () => {
    expect(PAYMENT_MONTHS).toBe(2);
  });

  describe('calendar months', () => {
    it.each([
      ['2026-03-15', 2, '2026-05-15'],
      ['2026-11-30', 2, '2027-01-30'],
      ['2026-12-31', 2, '2027-02-28'],
      ['2027-12-31', 2, '2028-02-29'],
      ['2026-08-31', 2, '2026-10-31'],
      ['2026-07-31', 2, '2026-09-30'],
      ['2026-01-31', 1, '2026-02-28'],
      ['2026-05-10', 12, '2027-05-10'],
    ])('%s + %i months = %s (clamped to the month’s last day)', (from, months, expected) => {
      expect(addCalendarMonths(from, months)).toBe(expected);
    });
  });

  it('a request on 2026-12-31 is due by the end of 2027-02-28, 24:00 Paris (23:00Z in winter)', () => {
    expect(surrenderPaymentDueBy(paris('2026-12-31T15:00:00', '+01:00')).toISOString()).toBe('2027-02-28T23:00:00.000Z');
  });

  it('takes the request’s day in Paris, not in UTC: 2026-12-31T23:30Z is already 1 January in Paris', () => {
    expect(surrenderPaymentDueBy(new Date('2026-12-31T23:30:00Z')).toISOString()).toBe('2027-03-01T23:00:00.000Z');
  });

  it('ends at 24:00 Paris summer time when the deadline falls in summer (22:00Z)', () => {
    expect(surrenderPaymentDueBy(paris('2026-04-30T09:00:00', '+02:00')).toISOString()).toBe('2026-06-30T22:00:00.000Z');
  });

  it('follows the Paris offset across the DST change: a winter request due in spring time', () => {
    // Requested 2026-01-31 (UTC+1), due 2026-03-31 (UTC+2 since 29 March).
    expect(surrenderPaymentDueBy(paris('2026-01-31T10:00:00', '+01:00')).toISOString()).toBe('2026-03-31T22:00:00.000Z');
  });
});
