import type { PayOutStore } from '../../store/pay-out-store';
import type { EvidenceKindHandler } from '../evidence/evidence-kinds';
import type { PayOutService } from './pay-out-service';

/**
 * A RIB (relevé d'identité bancaire) proving who holds one of the subscriber's pay-out IBANs. Every IBAN
 * that receives money needs one accepted by back-office (README, "Pay-out IBANs"), except the debit IBAN
 * checked at subscription.
 */
export function ibanProofHandler(store: PayOutStore, payOut: Pick<PayOutService, 'proofAccepted'>): EvidenceKindHandler {
  return {
    async subject(tx, subscriberId, payoutIbanId) {
      const rows = await store.ofSubscribers([subscriberId], tx);
      return rows.some((row) => row.id === payoutIbanId) ? { policyId: null } : undefined;
    },
    // An accepted proof may complete the IBAN's confirmation; a refused one changes nothing (another may come).
    async onReviewed(tx, evidence, { viewer, requestId }) {
      if (evidence.status === 'accepted') await payOut.proofAccepted(tx, evidence.subscriberId, evidence.subjectId, { actor: viewer, requestId });
    },
  };
}
