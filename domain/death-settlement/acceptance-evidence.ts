import type { PolicyStore } from '../../store/policy-store';
import type { EvidenceKindHandler } from '../evidence/evidence-kinds';

/**
 * Proofs about a policy's beneficiaries (its subject is the policy): the signed endorsement recording a
 * beneficiary's acceptance, and an accepted beneficiary's written consent to a change (L132-9).
 */
export function policyEvidenceHandler(policies: PolicyStore): EvidenceKindHandler {
  return {
    async subject(tx, subscriberId, policyId) {
      const policy = await policies.policy(policyId, tx);
      return policy && policy.subscriber_id === subscriberId ? { policyId: policy.id } : undefined;
    },
  };
}
