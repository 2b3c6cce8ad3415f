import { AppError } from '../../errors/app-error';
import { basisPointsOf } from '../shared/basis-points';

/**
 * The policy money ledger's rules, as pure functions: every sum paid into or out of a policy is one
 * movement (store/migrations/011-policy-money.sql), and every money decision reads the totals computed
 * here rather than a figure copied on the subscription.
 */

/**
 * `death_benefit_payout`: a beneficiary's part of a death claim, out of the policy's value;
 * `late_interest`: the late interest paid with it (L132-23-1), out of the insurer's own funds, so it is in
 * the books but in none of the policy's totals below.
 */
export type MovementKind = 'premium' | 'entry_fee' | 'entry_fee_refund' | 'surrender_payout' | 'refund' | 'death_benefit_payout' | 'late_interest';
export type MovementCause = 'subscription' | 'payment' | 'surrender_declaration' | 'refund' | 'death_claim_payment';

/** One ledger row. `amount` is signed from the policy's point of view: + into it, - out of it. */
export interface MoneyMovement {
  policyId: string;
  compartmentId: string | null;
  kind: MovementKind;
  amount: number;
  currency: string;
  causeType: MovementCause;
  causeId: string;
  at: Date;
}

/** Which way each kind moves money; the table's check constraint says the same. */
const SIGN: Record<MovementKind, 1 | -1> = { premium: 1, entry_fee: -1, entry_fee_refund: 1, surrender_payout: -1, refund: -1, death_benefit_payout: -1, late_interest: -1 };

/** A movement of `kind` for a positive sum; the sign comes from the kind. */
export function movement(kind: MovementKind, sum: number, m: Omit<MoneyMovement, 'kind' | 'amount'>): MoneyMovement {
  if (!Number.isSafeInteger(sum) || sum <= 0) throw new RangeError(`a ${kind} must be a positive integer of minor units, got ${sum}`);
  return { ...m, kind, amount: SIGN[kind] * sum };
}

/** A policy's money, totals in minor units of `currency`, all >= 0 except `netInvested`. */
export interface PolicyMoney {
  currency: string;
  /** Every premium the subscriber paid in. */
  premiumsPaid: number;
  /** Entry fees kept by the insurer (net of fees given back on a withdrawal). */
  entryFees: number;
  /** Paid to the subscriber on surrenders. */
  surrendered: number;
  /** Paid back to the subscriber after a withdrawal. */
  refunded: number;
  /** Everything paid to the subscriber: surrenders and refunds. */
  paidOut: number;
  /** Premiums net of fees, minus what was paid out; negative once surrenders paid out gains. */
  netInvested: number;
  /** The most any refund may still be: premiums paid minus what was already paid out, never below 0. */
  refundable: number;
}

/** Totals of a policy's movements. Sums in BigInt, so no total ever loses a cent. */
export function policyMoney(movements: readonly MoneyMovement[], currency: string): PolicyMoney {
  const total = (...kinds: MovementKind[]) => movements.filter((m) => kinds.includes(m.kind)).reduce((sum, m) => sum + BigInt(m.amount), 0n);
  const premiumsPaid = total('premium');
  const entryFees = -total('entry_fee', 'entry_fee_refund');
  const surrendered = -total('surrender_payout');
  const refunded = -total('refund');
  const paidOut = surrendered + refunded;
  const net = premiumsPaid - entryFees - paidOut;
  const refundable = premiumsPaid - paidOut > 0n ? premiumsPaid - paidOut : 0n;
  return {
    currency: movements[0]?.currency ?? currency,
    premiumsPaid: safe(premiumsPaid),
    entryFees: safe(entryFees),
    surrendered: safe(surrendered),
    refunded: safe(refunded),
    paidOut: safe(paidOut),
    netInvested: safe(net),
    refundable: safe(refundable),
  };
}

function safe(value: bigint): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`ledger total ${value} is beyond exact integers`);
  return n;
}

/**
 * What a premium moves: the payment in, the entry fee out of it (rate in basis points, rounded half up
 * to the cent, `basisPointsOf`), and what is left invested in its compartment. The first premium is
 * caused by the subscription (issue); later ones by their payment.
 */
export function premiumMovements(premium: {
  policyId: string;
  compartmentId: string;
  cause: { type: 'subscription' | 'payment'; id: string };
  amount: number;
  entryFeeBasisPoints: number;
  currency: string;
  at: Date;
}): { movements: MoneyMovement[]; invested: number } {
  const base = { policyId: premium.policyId, compartmentId: premium.compartmentId, currency: premium.currency, causeType: premium.cause.type, causeId: premium.cause.id, at: premium.at };
  const fee = basisPointsOf(premium.amount, premium.entryFeeBasisPoints);
  const movements = [movement('premium', premium.amount, base)];
  if (fee > 0) movements.push(movement('entry_fee', fee, base));
  return { movements, invested: premium.amount - fee };
}

/** No refund ever exceeds the premiums paid minus what the policy already paid out (409 otherwise). */
export function checkRefund(amount: number, money: PolicyMoney): void {
  if (!Number.isSafeInteger(amount) || amount <= 0) throw new RangeError(`a refund must be a positive integer of minor units, got ${amount}`);
  if (amount > money.refundable) throw new AppError('conflict', 'REFUND_EXCEEDS_PREMIUMS_NET_OF_PAYOUTS');
}

/**
 * A withdrawal voids the contract and refunds every sum paid, so it is only possible while no money
 * has left the policy and none is on its way out: a surrender declared (still open) or paid refuses
 * it (409 WITHDRAWAL_AFTER_SURRENDER), otherwise the subscriber would get the premiums back on top of
 * the surrender. Returns the refund: all premiums paid, checked against the ledger.
 */
export function withdrawalRefund(money: PolicyMoney, openSurrenders: number): number {
  if (openSurrenders > 0 || money.surrendered > 0) throw new AppError('conflict', 'WITHDRAWAL_AFTER_SURRENDER');
  if (money.refunded > 0) throw new AppError('conflict', 'WITHDRAWAL_ALREADY_REFUNDED');
  if (money.premiumsPaid === 0) throw new AppError('conflict', 'NO_PREMIUM_TO_REFUND');
  checkRefund(money.premiumsPaid, money);
  return money.premiumsPaid;
}

/** The movements of a withdrawal: the entry fee given back (the contract is void), then the refund. */
export function withdrawalMovements(money: PolicyMoney, refund: { policyId: string; subscriptionId: string; refundId: string; amount: number; at: Date }): MoneyMovement[] {
  const base = { policyId: refund.policyId, compartmentId: null, currency: money.currency, at: refund.at };
  const movements: MoneyMovement[] = [];
  if (money.entryFees > 0) movements.push(movement('entry_fee_refund', money.entryFees, { ...base, causeType: 'subscription', causeId: refund.subscriptionId }));
  movements.push(movement('refund', refund.amount, { ...base, causeType: 'refund', causeId: refund.refundId }));
  return movements;
}
