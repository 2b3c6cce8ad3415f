import { AppError } from '../../../errors/app-error';
import { daysBetween, lateInterest, paymentDueDate, type LegalInterestRate } from '../../../domain/death-claims/legal-interest';

// Consumer rates of the arrêtés for 2024 to the first half of 2026 (as in migration 032), and one "other" rate.
const RATES: LegalInterestRate[] = [
  { category: 'consumer', validFrom: '2024-01-01', validTo: '2024-06-30', rateBasisPoints: 801 },
  { category: 'consumer', validFrom: '2025-07-01', validTo: '2025-12-31', rateBasisPoints: 665 },
  { category: 'consumer', validFrom: '2026-01-01', validTo: '2026-06-30', rateBasisPoints: 667 },
  { category: 'other', validFrom: '2026-01-01', validTo: '2026-06-30', rateBasisPoints: 262 },
];
const CAPITAL = 10_000_000; // 100,000.00 EUR

describe('the payment deadline (L132-23-1: one month from the complete file)', () => {
  it('is the same day number a calendar month later', () => {
    expect(paymentDueDate('2026-04-01')).toBe('2026-05-01');
    expect(paymentDueDate('2026-12-15')).toBe('2027-01-15');
  });

  it('falls on the last day of a shorter month (a file complete on the 31st)', () => {
    expect(paymentDueDate('2026-01-31')).toBe('2026-02-28');
    expect(paymentDueDate('2028-01-31')).toBe('2028-02-29');
    expect(paymentDueDate('2026-03-31')).toBe('2026-04-30');
  });
});

describe('late interest', () => {
  it('owes nothing when paid on day 30 after a file complete on 1 April (the due day itself)', () => {
    expect(daysBetween('2026-04-01', '2026-05-01')).toBe(30);
    expect(lateInterest(CAPITAL, paymentDueDate('2026-04-01'), '2026-05-01', RATES)).toEqual({ daysLate: 0, amount: 0, segments: [] });
  });

  it('owes one day at twice the legal rate when paid on day 31: 100,000 x 2 x 6.67 % / 365 = 36.55 EUR', () => {
    const interest = lateInterest(CAPITAL, paymentDueDate('2026-04-01'), '2026-05-02', RATES);
    // 10,000,000 x 1334 / 3,650,000 = 3654.79 -> 3655
    expect(interest).toEqual({ daysLate: 1, amount: 3655, segments: [{ from: '2026-05-02', to: '2026-05-02', days: 1, rateBasisPoints: 667, multiplier: 2, yearDays: 365 }] });
  });

  it('doubles for two calendar months after the due date, then triples', () => {
    // Due 1 September: doubled 2 September to 1 November (61 days), tripled from 2 November; paid 3 November.
    const interest = lateInterest(CAPITAL, '2025-09-01', '2025-11-03', RATES);
    expect(interest.segments).toEqual([
      { from: '2025-09-02', to: '2025-11-01', days: 61, rateBasisPoints: 665, multiplier: 2, yearDays: 365 },
      { from: '2025-11-02', to: '2025-11-03', days: 2, rateBasisPoints: 665, multiplier: 3, yearDays: 365 },
    ]);
    // 10,000,000 x 665 x (2 x 61 + 3 x 2) / 3,650,000 = 233,205.479 -> 233,205
    expect(interest).toMatchObject({ daysLate: 63, amount: 233_205 });
  });

  it('changes rate at the half-year: 11 days at 6.65 % then 10 at 6.67 %, all doubled', () => {
    const interest = lateInterest(CAPITAL, '2025-12-20', '2026-01-10', RATES);
    expect(interest.segments.map((s) => [s.from, s.to, s.days, s.rateBasisPoints, s.multiplier])).toEqual([
      ['2025-12-21', '2025-12-31', 11, 665, 2],
      ['2026-01-01', '2026-01-10', 10, 667, 2],
    ]);
    // 10,000,000 x 2 x (11 x 665 + 10 x 667) / 3,650,000 = 76,630.137 -> 76,630
    expect(interest.amount).toBe(76_630);
  });

  it('counts a day of a leap year as 1/366 of the annual rate', () => {
    // 3,660,000 x 2 x 8.01 % / 366 = 16.02 EUR exactly (16.06 on a 365-day year).
    expect(lateInterest(3_660_000, '2024-03-01', '2024-03-02', RATES)).toMatchObject({ amount: 1602, segments: [expect.objectContaining({ yearDays: 366 })] });
  });

  it('rounds once, half up to the cent', () => {
    // 912,500 x 1334 / 3,650,000 = 333.5 exactly -> 334; 912,499 -> 333.49... -> 333
    expect(lateInterest(912_500, '2026-05-01', '2026-05-02', RATES).amount).toBe(334);
    expect(lateInterest(912_499, '2026-05-01', '2026-05-02', RATES).amount).toBe(333);
  });

  it('uses the rate of the category asked for', () => {
    // 10,000,000 x 2 x 2.62 % / 365 = 14.36 EUR
    expect(lateInterest(CAPITAL, '2026-05-01', '2026-05-02', RATES, 'other').amount).toBe(1436);
  });

  it('refuses a day without a published rate (409 LEGAL_INTEREST_RATE_MISSING)', () => {
    let error: unknown;
    try {
      lateInterest(CAPITAL, '2026-06-29', '2026-07-02', RATES);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).reason).toBe('LEGAL_INTEREST_RATE_MISSING');
    expect((error as AppError).code).toBe('conflict');
  });
});
