import { AppError } from '../../errors/app-error';
import type { PaymentOutcome } from './surrender-rules';

/** The `payments` webhook event types surrender handles, and the outcome each reports. */
export const SURRENDER_PAYMENT_EVENTS: ReadonlyArray<readonly [type: string, outcome: PaymentOutcome]> = [
  ['surrender.processing', 'processing'],
  ['surrender.paid', 'paid'],
  ['surrender.rejected', 'rejected'],
];

export interface SurrenderPaymentEvent {
  declarationId: string;
  /** Why the payment was refused (`surrender.rejected` only). */
  reason: string | null;
}

const MAX_REASON_LENGTH = 500;

/**
 * Reads `data` of a surrender payment event: `declaration_id`, and `reason` for a rejection. A malformed
 * event is a 400, so it is not recorded and the provider's corrected retry is processed.
 */
export function parseSurrenderPaymentEvent(data: unknown, outcome: PaymentOutcome): SurrenderPaymentEvent {
  const fields = (typeof data === 'object' && data !== null ? data : {}) as { declaration_id?: unknown; reason?: unknown };
  if (typeof fields.declaration_id !== 'string' || fields.declaration_id === '') throw new AppError('parameter_invalid', 'DECLARATION_ID_MISSING', { field: 'data.declaration_id' });
  if (outcome !== 'rejected') return { declarationId: fields.declaration_id, reason: null };
  if (typeof fields.reason !== 'string' || fields.reason.trim() === '') throw new AppError('parameter_invalid', 'REJECTION_REASON_MISSING', { field: 'data.reason' });
  return { declarationId: fields.declaration_id, reason: fields.reason.trim().slice(0, MAX_REASON_LENGTH) };
}
