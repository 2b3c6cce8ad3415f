import type { PolicyStore } from '../../store/policy-store';
import type { SurrenderStore } from '../../store/surrender-store';
import type { EvidenceKindHandler } from '../evidence/evidence-kinds';
import type { EarlyReleaseFile } from './early-release-file';

/**
 * A document proving the L224-4 case of a PER early-release declaration (its subject): uploaded for
 * one required item while the declaration awaits its documents; accepting the last one sends it for
 * payment.
 */
export function earlyReleaseProofHandler(surrenders: SurrenderStore, policies: PolicyStore, file: EarlyReleaseFile): EvidenceKindHandler {
  return {
    async subject(tx, subscriberId, declarationId) {
      const declaration = await surrenders.byId(declarationId, tx);
      const policy = declaration && (await policies.policy(declaration.policyId, tx));
      return policy && policy.subscriberId === subscriberId ? { policyId: policy.id } : undefined;
    },
    onUploaded: (tx, evidence) => file.checkUpload(tx, evidence.subjectId, evidence.item),
    onReviewed: (tx, evidence, acting) => file.proofReviewed(tx, evidence, acting),
  };
}
