import fc from 'fast-check';
import { AppError } from '../../../errors/app-error';
import { basisPointsOf } from '../../../domain/shared/basis-points';
import {
  checkRefund,
  movement,
  premiumMovements,
  policyMoney,
  withdrawalMovements,
  withdrawalRefund,
  type MoneyMovement,
  type MovementKind,
} from '../../../domain/policy/policy-money';
import { testId } from '../../support/ids';

const at = new Date('2026-01-10T09:00:00Z');
const base = { policyId: testId('pol_1'), compartmentId: testId('cmp_1'), currency: 'EUR', causeType: 'subscription' as const, causeId: testId('sbs_1'), at };
const line = (kind: MovementKind, sum: number): MoneyMovement => movement(kind, sum, base);

function reasonOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return `${error.code} ${error.reason}`;
    throw error;
  }
  return undefined;
}

describe('basisPointsOf: a rate applied to money, in integers', () => {
  it('rounds half away from zero to the minor unit', () => {
    expect(basisPointsOf(100_010, 200)).toBe(2_000); // 2 000.2
    expect(basisPointsOf(100_025, 200)).toBe(2_001); // 2 000.5
    expect(basisPointsOf(-100_025, 200)).toBe(-2_001);
    expect(basisPointsOf(12_345, 0)).toBe(0);
    expect(basisPointsOf(12_345, 10_000)).toBe(12_345);
  });

  it('stays exact where amount x rate passes 2^53 (a float product would not)', () => {
    const amount = 9_007_199_254_740_991; // Number.MAX_SAFE_INTEGER
    expect(basisPointsOf(amount, 200)).toBe(Number((BigInt(amount) * 200n + 5_000n) / 10_000n));
    expect(basisPointsOf(1_234_567_890_123_45, 9_999)).toBe(Number((123_456_789_012_345n * 9_999n + 5_000n) / 10_000n));
  });

  it('refuses fractions of a cent, rates outside 0-10000 bp, and unsafe integers', () => {
    expect(() => basisPointsOf(10.5, 100)).toThrow(RangeError);
    expect(() => basisPointsOf(100, 10_001)).toThrow(RangeError);
    expect(() => basisPointsOf(100, 2.5)).toThrow(RangeError);
    expect(() => basisPointsOf(2 ** 53, 100)).toThrow(RangeError);
  });
});

describe('premiumMovements', () => {
  it('records the premium in and the entry fee out; the fee and what is invested add up to the premium', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 0, max: 10_000 }), (premium, bp) => {
        const { movements, invested } = premiumMovements({ policyId: testId('pol_1'), compartmentId: testId('cmp_1'), cause: { type: 'subscription', id: testId('sbs_1') }, amount: premium, entryFeeBasisPoints: bp, currency: 'EUR', at });
        const fee = movements.filter((m) => m.kind === 'entry_fee').reduce((sum, m) => sum - m.amount, 0);
        expect(movements[0]).toMatchObject({ kind: 'premium', amount: premium });
        expect(invested + fee).toBe(premium);
        expect(fee).toBe(basisPointsOf(premium, bp));
      }),
    );
  });

  it('a product without entry fee records the premium alone', () => {
    expect(premiumMovements({ policyId: testId('pol_1'), compartmentId: testId('cmp_1'), cause: { type: 'payment', id: testId('pay_1') }, amount: 100_000, entryFeeBasisPoints: 0, currency: 'EUR', at }).movements).toEqual([{ ...base, causeType: 'payment', causeId: testId('pay_1'), kind: 'premium', amount: 100_000 }]);
  });
});

describe('policyMoney', () => {
  it('totals the ledger: premiums, fees, payouts, net invested, refundable', () => {
    const money = policyMoney([line('premium', 300_000), line('entry_fee', 6_000), line('premium', 100_000), line('entry_fee', 2_000), line('surrender_payout', 50_000)], 'EUR');
    expect(money).toEqual({ currency: 'EUR', premiumsPaid: 400_000, entryFees: 8_000, surrendered: 50_000, refunded: 0, paidOut: 50_000, netInvested: 342_000, refundable: 350_000 });
  });

  it('an empty ledger is all zeros in the given currency; payouts beyond the premiums leave nothing refundable', () => {
    expect(policyMoney([], 'EUR')).toMatchObject({ currency: 'EUR', premiumsPaid: 0, refundable: 0 });
    expect(policyMoney([line('premium', 100_000), line('surrender_payout', 130_000)], 'EUR')).toMatchObject({ netInvested: -30_000, refundable: 0 });
  });

  it('each kind has its sign: a movement is built from a positive sum only', () => {
    expect(line('entry_fee_refund', 6_000).amount).toBe(6_000);
    expect(line('refund', 6_000).amount).toBe(-6_000);
    expect(() => line('premium', 0)).toThrow(RangeError);
    expect(() => line('refund', -5)).toThrow(RangeError);
    expect(() => line('premium', 0.5)).toThrow(RangeError);
  });
});

describe('checkRefund: no refund exceeds the premiums paid minus what was already paid out', () => {
  it('accepts up to the limit and refuses a cent more (409)', () => {
    const money = policyMoney([line('premium', 300_000), line('entry_fee', 6_000), line('surrender_payout', 50_000)], 'EUR');
    expect(reasonOf(() => checkRefund(250_000, money))).toBeUndefined();
    expect(reasonOf(() => checkRefund(250_001, money))).toBe('conflict REFUND_EXCEEDS_PREMIUMS_NET_OF_PAYOUTS');
  });

  it('holds for any ledger: whatever was paid in and out, an accepted refund never takes more than premiums minus payouts', () => {
    const kinds = fc.constantFrom<MovementKind>('premium', 'entry_fee', 'surrender_payout', 'refund');
    fc.assert(
      fc.property(fc.array(fc.tuple(kinds, fc.integer({ min: 1, max: 10_000_000 })), { maxLength: 12 }), fc.integer({ min: 1, max: 50_000_000 }), (lines, amount) => {
        const money = policyMoney(lines.map(([kind, sum]) => line(kind, sum)), 'EUR');
        const accepted = reasonOf(() => checkRefund(amount, money)) === undefined;
        expect(accepted).toBe(amount <= money.premiumsPaid - money.paidOut);
      }),
    );
  });
});

describe('withdrawalRefund', () => {
  const issued = [line('premium', 300_000), line('entry_fee', 6_000)];

  it('refunds every premium paid while nothing left the policy', () => {
    expect(withdrawalRefund(policyMoney(issued, 'EUR'), 0)).toBe(300_000);
  });

  it('refuses once a surrender was paid (double payout) or is declared and open: 409 WITHDRAWAL_AFTER_SURRENDER', () => {
    expect(reasonOf(() => withdrawalRefund(policyMoney([...issued, line('surrender_payout', 294_000)], 'EUR'), 0))).toBe('conflict WITHDRAWAL_AFTER_SURRENDER');
    expect(reasonOf(() => withdrawalRefund(policyMoney([...issued, line('surrender_payout', 1)], 'EUR'), 0))).toBe('conflict WITHDRAWAL_AFTER_SURRENDER');
    expect(reasonOf(() => withdrawalRefund(policyMoney(issued, 'EUR'), 1))).toBe('conflict WITHDRAWAL_AFTER_SURRENDER');
  });

  it('never refunds twice, nor a policy with no premium on its ledger', () => {
    expect(reasonOf(() => withdrawalRefund(policyMoney([...issued, line('refund', 300_000)], 'EUR'), 0))).toBe('conflict WITHDRAWAL_ALREADY_REFUNDED');
    expect(reasonOf(() => withdrawalRefund(policyMoney([], 'EUR'), 0))).toBe('conflict NO_PREMIUM_TO_REFUND');
  });

  it('its movements give the fee back and pay the refund: the ledger balances to zero', () => {
    const money = policyMoney(issued, 'EUR');
    const after = [...issued, ...withdrawalMovements(money, { policyId: testId('pol_1'), subscriptionId: testId('sbs_1'), refundId: testId('rfd_1'), amount: withdrawalRefund(money, 0), at })];
    expect(policyMoney(after, 'EUR')).toMatchObject({ netInvested: 0, entryFees: 0, refunded: 300_000, refundable: 0 });
  });
});
