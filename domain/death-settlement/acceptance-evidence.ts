import { AppError } from '../../errors/app-error';
import type { BeneficiaryStore } from '../../store/beneficiary-store';
import type { PolicyStore } from '../../store/policy-store';
import type { EvidenceKindHandler } from '../evidence/evidence-kinds';

/**
 * Proofs about a policy's beneficiaries (its subject is the policy): the signed endorsement recording a
 * beneficiary's acceptance, and an accepted beneficiary's written consent to a change (L132-9). `item`
 * names the beneficiary: required for a consent (it is that beneficiary's), optional for an endorsement.
 */
export function policyEvidenceHandler(policies: PolicyStore, designations: BeneficiaryStore): EvidenceKindHandler {
  return {
    async subject(tx, subscriberId, policyId) {
      const policy = await policies.policy(policyId, tx);
      return policy && policy.subscriberId === subscriberId ? { policyId: policy.id } : undefined;
    },
    async onUploaded(tx, evidence) {
      if (evidence.item === null) {
        if (evidence.kind === 'beneficiary_consent') throw new AppError('parameter_invalid', 'CONSENT_MUST_NAME_BENEFICIARY', { field: 'item' });
        return;
      }
      const current = await designations.current(evidence.subjectId, tx);
      const beneficiary = current?.beneficiaries.find((b) => b.id === evidence.item);
      if (!beneficiary) throw new AppError('unprocessable_content', 'UNKNOWN_BENEFICIARY', { field: 'item' });
      if (evidence.kind === 'beneficiary_consent' && beneficiary.acceptedAt === null) throw new AppError('unprocessable_content', 'NOT_AN_ACCEPTED_BENEFICIARY', { field: 'item' });
    },
  };
}
