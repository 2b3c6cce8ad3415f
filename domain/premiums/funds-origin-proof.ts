import type { EvidenceKindHandler } from '../evidence/evidence-kinds';
import type { SinglePremiumService } from './single-premium-service';

/**
 * A document proving where the money of a single premium above the product's anti-money-laundering
 * threshold comes from (a sale deed, an inheritance, a bank statement); its subject is the request.
 * Accepted by back-office, it lets the request be collected; a refused one changes nothing.
 */
export function fundsOriginProofHandler(premiums: Pick<SinglePremiumService, 'subjectOf' | 'fundsOriginProofAccepted'>): EvidenceKindHandler {
  return {
    subject: (tx, subscriberId, requestId) => premiums.subjectOf(tx, subscriberId, requestId),
    async onReviewed(tx, evidence, { viewer, requestId }) {
      if (evidence.status === 'accepted') await premiums.fundsOriginProofAccepted(tx, evidence.subjectId, { actor: viewer, requestId });
    },
  };
}
