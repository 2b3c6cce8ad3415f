import { AppError } from '../../errors/app-error';

export type ClaimPaymentOutcome = 'paid' | 'rejected';

/** The `payments` webhook event types for death claim payments, and the outcome each reports (as surrender's). */
export const CLAIM_PAYMENT_EVENTS: ReadonlyArray<readonly [type: string, outcome: ClaimPaymentOutcome]> = [
  ['death_claim_payment.paid', 'paid'],
  ['death_claim_payment.rejected', 'rejected'],
];

const MAX_REASON_LENGTH = 500;

/**
 * Reads `data` of a death claim payment event: `payment_id`, and `reason` for a rejection. A malformed
 * event is a 400, so it is not recorded and the provider's corrected retry is processed.
 */
export function parseClaimPaymentEvent(data: unknown, outcome: ClaimPaymentOutcome): { paymentId: string; reason: string | null } {
  const fields = (typeof data === 'object' && data !== null ? data : {}) as { payment_id?: unknown; reason?: unknown };
  if (typeof fields.payment_id !== 'string' || fields.payment_id === '') throw new AppError('parameter_invalid', 'PAYMENT_ID_MISSING', { field: 'data.payment_id' });
  if (outcome !== 'rejected') return { paymentId: fields.payment_id, reason: null };
  if (typeof fields.reason !== 'string' || fields.reason.trim() === '') throw new AppError('parameter_invalid', 'REJECTION_REASON_MISSING', { field: 'data.reason' });
  return { paymentId: fields.payment_id, reason: fields.reason.trim().slice(0, MAX_REASON_LENGTH) };
}
