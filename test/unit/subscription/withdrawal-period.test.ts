import { AppError } from '../../../errors/app-error';
import { transition, visibleStatus, type SubscriptionAction, type SubscriptionStatus, type VisibleStatus } from '../../../domain/subscription/lifecycle';
import { parisDate } from '../../../domain/shared/paris-calendar';
import { refundDueBy, withdrawalDeadline, withdrawalNoticeAt, WITHDRAWAL_DAYS } from '../../../domain/subscription/withdrawal-period';

// ---- helper builders -------------------------------------------------------------------------------

/** An instant given as Paris wall-clock time; `offset` is Paris's UTC offset on that date (+01:00 winter, +02:00 summer). */
const paris = (local: string, offset: '+01:00' | '+02:00') => new Date(`${local}${offset}`);
const utc = (iso: string) => new Date(iso);
const ms = (date: Date) => date.getTime();

/** The error `work` throws (fails the test when it throws nothing). */
function thrown(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error, none was thrown');
}

describe('withdrawal period (Code des assurances L132-5-1)', () => {
  it('is 30 calendar days', () => {
    expect(WITHDRAWAL_DAYS).toBe(30);
  });

  describe('a contract concluded 2026-01-10 10:00 Paris (winter time)', () => {
    const concluded = paris('2026-01-10T10:00:00', '+01:00');
    const deadline = withdrawalDeadline(concluded);

    it('ends at 24:00 Paris on day 30 (2026-02-09), i.e. 2026-02-09T23:00:00Z', () => {
      expect(deadline.toISOString()).toBe('2026-02-09T23:00:00.000Z');
    });

    it('still accepts a withdrawal on day 30 at 23:59 Paris', () => {
      const lastMinute = paris('2026-02-09T23:59:00', '+01:00');
      expect(ms(lastMinute)).toBeLessThan(ms(deadline));
      expect(visibleStatus('signed', deadline, paris('2026-02-09T23:59:59', '+01:00'))).toBe('signed');
    });

    it('is over on day 31 at 00:00 Paris', () => {
      const day31 = paris('2026-02-10T00:00:00', '+01:00');
      expect(ms(day31)).toBeGreaterThanOrEqual(ms(deadline));
      expect(ms(day31) < ms(deadline)).toBe(false);
      expect(visibleStatus('signed', deadline, new Date(ms(day31) + 1))).toBe('active');
    });

    it('does not depend on the hour of conclusion within the Paris day', () => {
      expect(withdrawalDeadline(paris('2026-01-10T00:00:00', '+01:00')).toISOString()).toBe('2026-02-09T23:00:00.000Z');
      expect(withdrawalDeadline(paris('2026-01-10T23:59:59', '+01:00')).toISOString()).toBe('2026-02-09T23:00:00.000Z');
    });
  });

  it('counts calendar days across a month end: concluded 2026-01-31 -> last day 2026-03-02 (February 2026 has 28 days)', () => {
    const deadline = withdrawalDeadline(paris('2026-01-31T15:00:00', '+01:00'));
    expect(parisDate(new Date(ms(deadline) - 1))).toBe('2026-03-02');
    expect(deadline.toISOString()).toBe('2026-03-02T23:00:00.000Z');
  });

  it('follows the switch to summer time: concluded 2026-03-01 -> 24:00 Paris on 2026-03-31 is 22:00Z', () => {
    const deadline = withdrawalDeadline(paris('2026-03-01T11:00:00', '+01:00'));
    expect(deadline.toISOString()).toBe('2026-03-31T22:00:00.000Z');
    expect(visibleStatus('signed', deadline, paris('2026-03-31T23:59:00', '+02:00'))).toBe('signed');
    expect(visibleStatus('signed', deadline, paris('2026-04-01T00:00:01', '+02:00'))).toBe('active');
  });

  it('ends right when the last day is the day of the change itself (2026-03-29, spring forward)', () => {
    // Concluded 2026-02-27: day 30 is 2026-03-29, which ends at 00:00 CEST on 2026-03-30.
    expect(withdrawalDeadline(paris('2026-02-27T12:00:00', '+01:00')).toISOString()).toBe('2026-03-29T22:00:00.000Z');
  });

  it('follows the switch back to winter time (2026-10-25)', () => {
    // Concluded in summer, ends in winter: 24:00 Paris on 2026-10-31 is 23:00Z.
    expect(withdrawalDeadline(paris('2026-10-01T09:00:00', '+02:00')).toISOString()).toBe('2026-10-31T23:00:00.000Z');
    // The last day is the day of the change itself.
    expect(withdrawalDeadline(paris('2026-09-25T09:00:00', '+02:00')).toISOString()).toBe('2026-10-25T23:00:00.000Z');
  });

  it('takes the day of conclusion in Paris: 23:30 UTC is already the next day there', () => {
    // 2026-01-10T23:30Z is 2026-01-11 00:30 in Paris: day 30 is 2026-02-10.
    const winter = utc('2026-01-10T23:30:00Z');
    expect(parisDate(winter)).toBe('2026-01-11');
    expect(withdrawalDeadline(winter).toISOString()).toBe('2026-02-10T23:00:00.000Z');
    // Same in summer, where Paris is two hours ahead: 22:30Z on 2026-06-30 is 2026-07-01 00:30 Paris.
    const summer = utc('2026-06-30T22:30:00Z');
    expect(parisDate(summer)).toBe('2026-07-01');
    expect(withdrawalDeadline(summer).toISOString()).toBe('2026-07-31T22:00:00.000Z');
    // One minute before Paris midnight is still the same Paris day.
    expect(withdrawalDeadline(utc('2026-01-10T22:59:00Z')).toISOString()).toBe('2026-02-09T23:00:00.000Z');
  });

  it('the refund is due 30 days after the notice, at 24:00 Paris', () => {
    expect(refundDueBy(paris('2026-02-05T16:00:00', '+01:00')).toISOString()).toBe('2026-03-07T23:00:00.000Z');
  });
});

describe('subscription lifecycle', () => {
  const LEGAL: Array<[VisibleStatus, SubscriptionAction, SubscriptionStatus]> = [
    ['draft', 'generate_documents', 'documents_ready'],
    ['documents_ready', 'generate_documents', 'documents_ready'],
    ['documents_ready', 'request_signature', 'signing'],
    ['signing', 'complete_signature', 'signed'],
    ['signing', 'abandon_signature', 'documents_ready'],
    ['signed', 'withdraw', 'withdrawn'],
    ['draft', 'cancel', 'cancelled'],
    ['documents_ready', 'cancel', 'cancelled'],
    ['signing', 'cancel', 'cancelled'],
  ];

  it.each(LEGAL)('%s --%s--> %s', (from, action, to) => {
    expect(transition(from, action)).toBe(to);
  });

  const ALL_STATES: VisibleStatus[] = ['draft', 'documents_ready', 'signing', 'signed', 'active', 'withdrawn', 'cancelled'];
  const ALL_ACTIONS: SubscriptionAction[] = ['generate_documents', 'request_signature', 'complete_signature', 'abandon_signature', 'withdraw', 'cancel'];
  const ILLEGAL = ALL_STATES.flatMap((state) => ALL_ACTIONS.filter((action) => !LEGAL.some(([f, a]) => f === state && a === action)).map((action) => [state, action] as const));

  it('has the illegal transitions this table expects', () => {
    // Cancel after signature, withdraw before it or after the period, anything from a final state.
    expect(ILLEGAL).toEqual(expect.arrayContaining([
      ['signed', 'cancel'],
      ['draft', 'withdraw'],
      ['active', 'withdraw'],
      ['withdrawn', 'withdraw'],
      ['cancelled', 'generate_documents'],
      ['draft', 'request_signature'],
      ['documents_ready', 'complete_signature'],
    ]));
    expect(ILLEGAL).toHaveLength(ALL_STATES.length * ALL_ACTIONS.length - LEGAL.length);
  });

  it.each(ILLEGAL)('%s --%s--> 409 conflict naming the current state', (state, action) => {
    const error = thrown(() => transition(state, action));
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('conflict');
    expect((error as AppError).reason).toBe(`CANNOT_${action.toUpperCase()}_IN_STATE_${state.toUpperCase()}`);
  });

  it('names the current state, e.g. CANNOT_REQUEST_SIGNATURE_IN_STATE_DRAFT', () => {
    expect(thrown(() => transition('draft', 'request_signature'))).toMatchObject({ code: 'conflict', reason: 'CANNOT_REQUEST_SIGNATURE_IN_STATE_DRAFT' });
    expect(thrown(() => transition('active', 'withdraw'))).toMatchObject({ code: 'conflict', reason: 'CANNOT_WITHDRAW_IN_STATE_ACTIVE' });
  });

  describe('visibleStatus', () => {
    const concluded = paris('2026-01-10T10:00:00', '+01:00');
    const deadline = withdrawalDeadline(concluded);

    it('a signed subscription within its withdrawal period is signed', () => {
      expect(visibleStatus('signed', deadline, concluded)).toBe('signed');
      expect(visibleStatus('signed', deadline, new Date(ms(deadline) - 1))).toBe('signed');
    });

    it('a signed subscription past its withdrawal deadline is active', () => {
      expect(visibleStatus('signed', deadline, new Date(ms(deadline) + 1))).toBe('active');
      expect(visibleStatus('signed', deadline, utc('2027-01-01T00:00:00Z'))).toBe('active');
    });

    it('an active subscription can no longer be withdrawn', () => {
      const status = visibleStatus('signed', deadline, new Date(ms(deadline) + 60_000));
      expect(thrown(() => transition(status, 'withdraw'))).toMatchObject({ code: 'conflict', reason: 'CANNOT_WITHDRAW_IN_STATE_ACTIVE' });
    });

    it('other states show as stored, whatever the date', () => {
      const late = utc('2027-01-01T00:00:00Z');
      for (const status of ['draft', 'documents_ready', 'signing', 'withdrawn', 'cancelled'] as const) {
        expect(visibleStatus(status, deadline, late)).toBe(status);
      }
      expect(visibleStatus('signed', null, late)).toBe('signed');
    });
  });
});

describe('withdrawalNoticeAt: when a withdrawal took effect', () => {
  const signedAt = paris('2026-01-10T10:00:00', '+01:00');
  const reasonOf = (work: () => unknown) => {
    const error = thrown(work);
    return error instanceof AppError ? `${error.code} ${error.reason} ${error.extra.field}` : error;
  };

  it("the subscriber's own request: now", () => {
    const now = utc('2026-01-20T08:00:00Z');
    expect(withdrawalNoticeAt(null, signedAt, now)).toEqual(now);
  });

  it('a letter: the last instant of the Paris day it was received, or now when it arrived today', () => {
    // 24:00 Paris (CET) on 9 February is 23:00 UTC.
    expect(withdrawalNoticeAt('2026-02-09', signedAt, utc('2026-02-16T10:00:00Z'))).toEqual(utc('2026-02-09T22:59:59.999Z'));
    expect(withdrawalNoticeAt('2026-01-20', signedAt, utc('2026-01-20T08:00:00Z'))).toEqual(utc('2026-01-20T08:00:00Z'));
    // A letter of the period's last day still counts weeks later; one of the day after does not (the lifecycle decides).
    expect(visibleStatus('signed', withdrawalDeadline(signedAt), withdrawalNoticeAt('2026-02-09', signedAt, utc('2026-03-01T10:00:00Z')))).toBe('signed');
    expect(visibleStatus('signed', withdrawalDeadline(signedAt), withdrawalNoticeAt('2026-02-10', signedAt, utc('2026-03-01T10:00:00Z')))).toBe('active');
  });

  it('refuses a letter dated before the contract was concluded, or after today (Paris dates), naming the field', () => {
    expect(reasonOf(() => withdrawalNoticeAt('2026-01-09', signedAt, utc('2026-01-20T08:00:00Z')))).toBe('unprocessable_content LETTER_RECEIVED_BEFORE_SIGNATURE letterReceivedOn');
    // 23:30 UTC on 20 January is already 21 January in Paris: the 21st is today, the 22nd is not.
    expect(withdrawalNoticeAt('2026-01-21', signedAt, utc('2026-01-20T23:30:00Z'))).toEqual(utc('2026-01-20T23:30:00Z'));
    expect(reasonOf(() => withdrawalNoticeAt('2026-01-22', signedAt, utc('2026-01-20T23:30:00Z')))).toBe('unprocessable_content LETTER_RECEIVED_IN_THE_FUTURE letterReceivedOn');
  });
});
