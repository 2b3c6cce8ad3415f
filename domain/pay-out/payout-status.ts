import type { PayoutIbanRecord, PayoutIbanStatus } from './payout-iban';

/**
 * Where an IBAN stands once a step is done (README, "Pay-out IBANs"). The subscriber confirms first
 * (signed in, or by the code sent to their phone), then a RIB proof must be accepted, then, when the
 * holder name is not the subscriber's, back-office approves it with the proof in hand. Refused and
 * confirmed are final.
 */
export function nextStatus(row: Pick<PayoutIbanRecord, 'status' | 'subscriberConfirmedAt' | 'proofAcceptedAt' | 'holderMatches' | 'holderApprovedAt'>): PayoutIbanStatus {
  if (row.status === 'refused' || row.status === 'confirmed') return row.status;
  if (!row.subscriberConfirmedAt) return 'pending_confirmation';
  if (!row.proofAcceptedAt) return 'awaiting_proof';
  if (!row.holderMatches && !row.holderApprovedAt) return 'awaiting_review';
  return 'confirmed';
}

/** Still waiting for something: back-office may refuse it. */
export const isOpen = (status: PayoutIbanStatus): boolean => status !== 'confirmed' && status !== 'refused';
