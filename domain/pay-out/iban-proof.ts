import type { PayOutStore } from '../../store/pay-out-store';
import type { EvidenceKindHandler } from '../evidence/evidence-kinds';

/** A RIB (relevé d'identité bancaire) proving who holds one of the subscriber's pay-out IBANs. */
export function ibanProofHandler(store: PayOutStore): EvidenceKindHandler {
  return {
    async subject(tx, subscriberId, payoutIbanId) {
      const rows = await store.ofSubscribers([subscriberId], tx);
      return rows.some((row) => row.id === payoutIbanId) ? { policyId: null } : undefined;
    },
  };
}
