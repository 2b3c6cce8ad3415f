import type { PolicyStore } from '../../store/policy-store';
import type { SurrenderStore } from '../../store/surrender-store';
import type { EvidenceKindHandler } from '../evidence/evidence-kinds';

/** A document proving the L224-4 case of a PER early-release declaration (its subject). */
export function earlyReleaseProofHandler(surrenders: SurrenderStore, policies: PolicyStore): EvidenceKindHandler {
  return {
    async subject(tx, subscriberId, declarationId) {
      const declaration = await surrenders.byId(declarationId, tx);
      const policy = declaration && (await policies.policy(declaration.policy_id, tx));
      return policy && policy.subscriber_id === subscriberId ? { policyId: policy.id } : undefined;
    },
  };
}
