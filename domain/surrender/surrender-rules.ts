import { AppError } from '../../errors/app-error';
import { addDays, endOfParisDay, parisDate } from '../shared/paris-calendar';

/**
 * A declaration moves received -> processing -> paid, or -> rejected with a reason (docs/DOMAIN.md). A PER
 * early release starts `awaiting_documents` and becomes `received` once its supporting documents are
 * accepted: nothing is sent for payment before.
 */
export type SurrenderStatus = 'awaiting_documents' | 'received' | 'processing' | 'paid' | 'rejected';
/** What the payment provider reports about a declaration. */
export type PaymentOutcome = 'processing' | 'paid' | 'rejected';

/**
 * Statuses in which a declaration is still open: it holds its policy (total) or its amount (partial).
 * A declaration awaiting its documents is open: once they are accepted it is paid without asking again.
 */
export const OPEN_STATUSES: readonly SurrenderStatus[] = ['awaiting_documents', 'received', 'processing'];

/** Statuses the payment provider's events may move: what was sent for payment and is not settled yet. */
export const PAYABLE_STATUSES: readonly SurrenderStatus[] = ['received', 'processing'];

/** Contractual parameters of a product, in minor units; zero where the contract sets none. */
export interface SurrenderTerms {
  minPartialAmount: number;
  minRemainingBalance: number;
}

export const NO_TERMS: SurrenderTerms = { minPartialAmount: 0, minRemainingBalance: 0 };

/** The parts of a declaration the rules look at. */
export interface OpenDeclaration {
  kind: 'total' | 'partial';
  compartmentId: string | null;
  amount: number;
}

/** A surrender only applies to a policy in force (not withdrawn, not already closed): 409 naming its status. */
export function checkPolicySurrenderable(status: string): void {
  if (status !== 'active') throw new AppError('conflict', `CANNOT_SURRENDER_POLICY_IN_STATE_${status.toUpperCase()}`);
}

/** One open total surrender per policy, and no partial one while it is open: 409 `TOTAL_SURRENDER_ALREADY_OPEN`. */
export function checkNoOpenTotalSurrender(open: readonly OpenDeclaration[]): void {
  if (open.some((d) => d.kind === 'total')) throw new AppError('conflict', 'TOTAL_SURRENDER_ALREADY_OPEN');
}

/**
 * No total surrender while a partial one is still open (409 `PARTIAL_SURRENDER_OPEN`): the partial
 * payment may already be on its way, and the total one pays out whatever is left after it.
 */
export function checkNoOpenPartialSurrender(open: readonly OpenDeclaration[]): void {
  if (open.some((d) => d.kind === 'partial')) throw new AppError('conflict', 'PARTIAL_SURRENDER_OPEN');
}

/**
 * Which compartments money may leave: a partial surrender needs an `active` compartment; a total one
 * is blocked by a `suspended` or `liquidating` compartment (money held for a reason) but ignores `open`
 * and `closed` ones. 409 naming the state, like every lifecycle refusal (`..._IN_STATE_SUSPENDED`).
 */
export function checkCompartmentSurrenderable(kind: 'total' | 'partial', status: string): void {
  const refused = kind === 'partial' ? status !== 'active' : status === 'suspended' || status === 'liquidating';
  if (refused) throw new AppError('conflict', `CANNOT_SURRENDER_FROM_COMPARTMENT_IN_STATE_${status.toUpperCase()}`);
}

/** Amounts are integer minor units, positive and exact as JavaScript numbers: 400 otherwise. */
export function checkSurrenderAmount(amount: number): void {
  if (!Number.isSafeInteger(amount) || amount <= 0) throw new AppError('parameter_invalid', 'AMOUNT_NOT_POSITIVE_MINOR_UNITS', { field: 'amount.value' });
}

/** What open partial surrenders already take from a compartment: a second one may not spend it again. */
export function reservedOn(compartmentId: string, open: readonly OpenDeclaration[]): number {
  return open.filter((d) => d.kind === 'partial' && d.compartmentId === compartmentId).reduce((sum, d) => sum + d.amount, 0);
}

/**
 * A partial surrender: in the compartment's currency, at least the product's minimum amount, within
 * what the compartment holds (less what open declarations reserve), leaving at least the product's
 * minimum remaining balance. Each refusal is a 422 naming its rule.
 */
export function checkPartialAmount(
  requested: { amount: number; currency: string },
  compartment: { value: number; currency: string; reserved: number },
  terms: SurrenderTerms,
): void {
  checkSurrenderAmount(requested.amount);
  if (requested.currency !== compartment.currency) throw new AppError('unprocessable_content', 'SURRENDER_CURRENCY_MISMATCH', { field: 'amount.currency' });
  if (requested.amount < terms.minPartialAmount) throw new AppError('unprocessable_content', 'PARTIAL_SURRENDER_BELOW_PRODUCT_MINIMUM', { field: 'amount.value' });
  const available = compartment.value - compartment.reserved;
  if (requested.amount > available) throw new AppError('unprocessable_content', 'PARTIAL_SURRENDER_EXCEEDS_COMPARTMENT_VALUE', { field: 'amount.value' });
  // Emptying a compartment is not a partial surrender when the contract keeps a minimum in it.
  if (available - requested.amount < terms.minRemainingBalance) throw new AppError('unprocessable_content', 'PARTIAL_SURRENDER_BELOW_MINIMUM_REMAINING_BALANCE', { field: 'amount.value' });
}

/** A total surrender pays what the policy holds; with nothing in it there is nothing to surrender (422). */
export function totalSurrenderValue(compartments: ReadonlyArray<{ status: string; value: number }>): number {
  const value = compartments.filter((c) => c.status !== 'closed').reduce((sum, c) => sum + c.value, 0);
  if (value <= 0) throw new AppError('unprocessable_content', 'NOTHING_TO_SURRENDER');
  return value;
}

/**
 * The status a provider's outcome leads to, or undefined when it changes nothing: a declaration that
 * is already paid or rejected stays so, a repeated `processing` is no step, and a declaration still
 * awaiting its documents was never sent for payment, so no outcome can apply to it.
 */
export function paymentTransition(current: SurrenderStatus, outcome: PaymentOutcome): SurrenderStatus | undefined {
  if (!PAYABLE_STATUSES.includes(current)) return undefined;
  if (outcome === current) return undefined;
  return outcome;
}

/** Why a surrender is asked for (the public REST docs' list; REST writes `client-request`). */
export const SURRENDER_REASONS = ['client_request', 'regulatory', 'compliance'] as const;
export type SurrenderReason = (typeof SURRENDER_REASONS)[number];

/** A stored reason, or null for what declarations recorded before reasons were asked for hold (free text, a PER case). */
export function surrenderReasonOf(stored: string | null): SurrenderReason | null {
  return SURRENDER_REASONS.find((r) => r === stored) ?? null;
}

/** The currencies a partial surrender may be asked in (the REST contract: EUR only). */
export const SURRENDER_CURRENCIES: readonly string[] = ['EUR'];

/**
 * The instant a surrender was asked for, from the Paris date the caller gives (`requestedAt`): not after
 * today, not before the policy was issued (422 naming `requestedAt`). Today, or no date, is now; an
 * earlier day is its first instant, Paris time, so the L132-21 deadline counts from that day.
 */
export function requestInstant(requestedOn: string | null, issuedAt: Date, now: Date): Date {
  const today = parisDate(now);
  if (requestedOn === null || requestedOn === today) return now;
  if (requestedOn > today) throw new AppError('unprocessable_content', 'REQUESTED_AT_IN_THE_FUTURE', { field: 'requestedAt' });
  if (requestedOn < parisDate(issuedAt)) throw new AppError('unprocessable_content', 'REQUESTED_AT_BEFORE_POLICY_ISSUE', { field: 'requestedAt' });
  return endOfParisDay(addDays(requestedOn, -1));
}
