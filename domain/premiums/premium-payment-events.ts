import { AppError } from '../../errors/app-error';

export type CollectionOutcome = 'collected' | 'rejected';

/** The `payments` webhook event types premiums handle, and the outcome each reports. */
export const PREMIUM_PAYMENT_EVENTS: ReadonlyArray<readonly [type: string, outcome: CollectionOutcome]> = [
  ['premium.collected', 'collected'],
  ['premium.rejected', 'rejected'],
];

/** What the provider collected: a single-premium request, or one collection of a premium schedule. */
export type CollectionType = 'single_premium_request' | 'scheduled_premium_collection';
const COLLECTION_TYPES: readonly CollectionType[] = ['single_premium_request', 'scheduled_premium_collection'];

export interface PremiumPaymentEvent {
  collectionType: CollectionType;
  collectionId: string;
  /** ISO 20022 reason code of a rejection (AM04, MD01...), null when collected. */
  reasonCode: string | null;
  /** The provider's words about a rejection, if any. */
  reason: string | null;
}

const MAX_REASON_LENGTH = 500;
// ISO 20022 external code sets: four upper-case letters or digits.
const REASON_CODE = /^[A-Z0-9]{4}$/;

/**
 * Reads `data` of a premium payment event: `collection_type` and `collection_id`, and for a rejection
 * `reason_code` (and an optional `reason`). A malformed event is a 400, so it is not recorded and the
 * provider's corrected retry is processed.
 */
export function parsePremiumPaymentEvent(data: unknown, outcome: CollectionOutcome): PremiumPaymentEvent {
  const fields = (typeof data === 'object' && data !== null ? data : {}) as { collection_type?: unknown; collection_id?: unknown; reason_code?: unknown; reason?: unknown };
  if (!COLLECTION_TYPES.includes(fields.collection_type as CollectionType)) throw new AppError('parameter_invalid', 'COLLECTION_TYPE_INVALID', { field: 'data.collection_type' });
  if (typeof fields.collection_id !== 'string' || fields.collection_id === '') throw new AppError('parameter_invalid', 'COLLECTION_ID_MISSING', { field: 'data.collection_id' });
  const base = { collectionType: fields.collection_type as CollectionType, collectionId: fields.collection_id };
  if (outcome === 'collected') return { ...base, reasonCode: null, reason: null };
  if (typeof fields.reason_code !== 'string' || !REASON_CODE.test(fields.reason_code)) throw new AppError('parameter_invalid', 'REJECTION_CODE_INVALID', { field: 'data.reason_code' });
  if (fields.reason !== undefined && fields.reason !== null && typeof fields.reason !== 'string') throw new AppError('parameter_invalid', 'REJECTION_REASON_INVALID', { field: 'data.reason' });
  const reason = typeof fields.reason === 'string' && fields.reason.trim() !== '' ? fields.reason.trim().slice(0, MAX_REASON_LENGTH) : null;
  return { ...base, reasonCode: fields.reason_code, reason };
}
