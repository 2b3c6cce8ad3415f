import { AppError } from '../../../errors/app-error';
import { rejectionOutcome } from '../../../domain/premiums/collection-rejection';
import { amountsByCompartment } from '../../../domain/premiums/premium-investment';
import { parsePremiumPaymentEvent, PREMIUM_PAYMENT_EVENTS } from '../../../domain/premiums/premium-payment-events';

const reasonOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return `${error.code} ${error.reason} ${error.extra.field}`;
    throw error;
  }
  return undefined;
};

describe('premium payment events', () => {
  it('maps the event types to outcomes', () => {
    expect(PREMIUM_PAYMENT_EVENTS).toEqual([['premium.collected', 'collected'], ['premium.rejected', 'rejected']]);
  });

  it('reads the collection, and for a rejection its ISO 20022 code and optional reason', () => {
    expect(parsePremiumPaymentEvent({ collection_type: 'single_premium_request', collection_id: 'r1', reason_code: 'AM04' }, 'collected'))
      .toEqual({ collectionType: 'single_premium_request', collectionId: 'r1', reasonCode: null, reason: null });
    expect(parsePremiumPaymentEvent({ collection_type: 'scheduled_premium_collection', collection_id: 'c1', reason_code: 'MD01', reason: '  pas de mandat  ' }, 'rejected'))
      .toEqual({ collectionType: 'scheduled_premium_collection', collectionId: 'c1', reasonCode: 'MD01', reason: 'pas de mandat' });
    expect(parsePremiumPaymentEvent({ collection_type: 'single_premium_request', collection_id: 'r1', reason_code: 'AC04', reason: ' ' }, 'rejected').reason).toBeNull();
  });

  it('refuses malformed data with a 400 naming the field', () => {
    expect(reasonOf(() => parsePremiumPaymentEvent(null, 'collected'))).toBe('parameter_invalid COLLECTION_TYPE_INVALID data.collection_type');
    expect(reasonOf(() => parsePremiumPaymentEvent({ collection_type: 'cheque', collection_id: 'x' }, 'collected'))).toBe('parameter_invalid COLLECTION_TYPE_INVALID data.collection_type');
    expect(reasonOf(() => parsePremiumPaymentEvent({ collection_type: 'single_premium_request', collection_id: '' }, 'collected'))).toBe('parameter_invalid COLLECTION_ID_MISSING data.collection_id');
    for (const code of [undefined, 'am04', 'AM0', 'AM045', 4]) {
      expect(reasonOf(() => parsePremiumPaymentEvent({ collection_type: 'single_premium_request', collection_id: 'r', reason_code: code }, 'rejected'))).toBe('parameter_invalid REJECTION_CODE_INVALID data.reason_code');
    }
    expect(reasonOf(() => parsePremiumPaymentEvent({ collection_type: 'single_premium_request', collection_id: 'r', reason_code: 'AM04', reason: 3 }, 'rejected'))).toBe('parameter_invalid REJECTION_REASON_INVALID data.reason');
  });
});

describe('rejection outcome', () => {
  const am04 = { retryAfterDays: 7, maxRetries: 1, suspendsSchedule: false };
  it('retries while attempts remain, after the rule days (calendar days, across months)', () => {
    expect(rejectionOutcome(am04, 1, '2026-11-28')).toEqual({ retryOn: '2026-12-05', suspendsSchedule: false });
    expect(rejectionOutcome(am04, 2, '2026-12-05')).toEqual({ retryOn: null, suspendsSchedule: false });
    expect(rejectionOutcome({ retryAfterDays: 3, maxRetries: 2, suspendsSchedule: false }, 2, '2026-12-30')).toEqual({ retryOn: '2027-01-02', suspendsSchedule: false });
  });
  it('a code without a rule is neither retried nor suspends; a suspending rule says so', () => {
    expect(rejectionOutcome(undefined, 1, '2026-11-28')).toEqual({ retryOn: null, suspendsSchedule: false });
    expect(rejectionOutcome({ retryAfterDays: null, maxRetries: 0, suspendsSchedule: true }, 1, '2026-11-28')).toEqual({ retryOn: null, suspendsSchedule: true });
  });
});

describe('amountsByCompartment', () => {
  it('shares by basis points, the cents left going line by line, always adding up', () => {
    const lines = [
      { compartmentId: 'a', isin: 'X1', basisPoints: 3_333 },
      { compartmentId: 'b', isin: 'X2', basisPoints: 3_333 },
      { compartmentId: 'a', isin: 'X3', basisPoints: 3_334 },
    ];
    expect(amountsByCompartment(lines, 100)).toEqual(new Map([['a', 67], ['b', 33]]));
    for (const amount of [1, 7, 99_999, 150_001]) {
      expect([...amountsByCompartment(lines, amount).values()].reduce((x, y) => x + y, 0)).toBe(amount);
    }
    expect(amountsByCompartment([{ compartmentId: 'm', isin: 'X', basisPoints: 10_000 }], 150_000)).toEqual(new Map([['m', 150_000]]));
  });
});
