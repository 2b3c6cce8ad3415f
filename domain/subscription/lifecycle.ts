import { AppError } from '../../errors/app-error';

/** Stored states of a subscription (docs/DOMAIN.md). `active` is derived: signed and past the withdrawal period. */
export type SubscriptionStatus = 'draft' | 'documents_ready' | 'signing' | 'signed' | 'withdrawn' | 'cancelled';
export type VisibleStatus = SubscriptionStatus | 'active';

export type SubscriptionAction = 'generate_documents' | 'request_signature' | 'complete_signature' | 'abandon_signature' | 'withdraw' | 'cancel';

// Which stored states each action may start from, and where it leads.
const TRANSITIONS: Record<SubscriptionAction, { from: SubscriptionStatus[]; to: SubscriptionStatus }> = {
  generate_documents: { from: ['draft', 'documents_ready'], to: 'documents_ready' },
  request_signature: { from: ['documents_ready'], to: 'signing' },
  complete_signature: { from: ['signing'], to: 'signed' },
  abandon_signature: { from: ['signing'], to: 'documents_ready' },
  withdraw: { from: ['signed'], to: 'withdrawn' },
  cancel: { from: ['draft', 'documents_ready', 'signing'], to: 'cancelled' },
};

/**
 * The state `action` leads to, or a 409 `conflict` whose reason names the current state, e.g.
 * `CANNOT_REQUEST_SIGNATURE_IN_STATE_DRAFT`.
 */
export function transition(current: VisibleStatus, action: SubscriptionAction): SubscriptionStatus {
  const rule = TRANSITIONS[action];
  if (current !== 'active' && rule.from.includes(current)) return rule.to;
  throw new AppError('conflict', `CANNOT_${action.toUpperCase()}_IN_STATE_${current.toUpperCase()}`);
}

/** What clients see: a signed subscription becomes `active` once its withdrawal period is over. */
export function visibleStatus(status: SubscriptionStatus, withdrawalDeadline: Date | null, now: Date): VisibleStatus {
  return status === 'signed' && withdrawalDeadline !== null && now > withdrawalDeadline ? 'active' : status;
}
