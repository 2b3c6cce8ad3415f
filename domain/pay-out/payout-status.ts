import type { PayoutIbanRow, PayoutIbanStatus } from '../../store/pay-out-store';

/**
 * Where an IBAN stands once a step is done (README, "Pay-out IBANs"). The subscriber confirms first
 * (signed in, or by the code sent to their phone), then a RIB proof must be accepted, then, when the
 * holder name is not the subscriber's, back-office approves it with the proof in hand. Refused and
 * confirmed are final.
 */
export function nextStatus(row: Pick<PayoutIbanRow, 'status' | 'subscriber_confirmed_at' | 'proof_accepted_at' | 'holder_matches' | 'holder_approved_at'>): PayoutIbanStatus {
  if (row.status === 'refused' || row.status === 'confirmed') return row.status;
  if (!row.subscriber_confirmed_at) return 'pending_confirmation';
  if (!row.proof_accepted_at) return 'awaiting_proof';
  if (!row.holder_matches && !row.holder_approved_at) return 'awaiting_review';
  return 'confirmed';
}

/** Still waiting for something: back-office may refuse it. */
export const isOpen = (status: PayoutIbanStatus): boolean => status !== 'confirmed' && status !== 'refused';
