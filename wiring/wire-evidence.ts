import type { ClaimBeneficiaryService } from '../domain/death-claims/claim-beneficiary-service';
import { policyEvidenceHandler } from '../domain/death-settlement/acceptance-evidence';
import { EvidenceKinds } from '../domain/evidence/evidence-kinds';
import { ibanProofHandler } from '../domain/pay-out/iban-proof';
import type { PayOutService } from '../domain/pay-out/pay-out-service';
import { fundsOriginProofHandler } from '../domain/premiums/funds-origin-proof';
import type { SinglePremiumService } from '../domain/premiums/single-premium-service';
import { earlyReleaseProofHandler } from '../domain/surrender/early-release-proof';
import type { EarlyReleaseFile } from '../domain/surrender/early-release-file';
import { BeneficiaryStore } from '../store/beneficiary-store';
import type { Db } from '../store/db';
import { PayOutStore } from '../store/pay-out-store';
import { PolicyStore } from '../store/policy-store';
import { SurrenderStore } from '../store/surrender-store';

/** Each kind of evidence, handled by the domain that owns its subject. */
export function evidenceKinds(db: Db, payOut: PayOutService, earlyReleaseFile: EarlyReleaseFile, singlePremiums: SinglePremiumService, claimBeneficiaries: ClaimBeneficiaryService): EvidenceKinds {
  const kinds = new EvidenceKinds();
  kinds.register('iban_proof', ibanProofHandler(new PayOutStore(db), payOut));
  kinds.register('early_release_proof', earlyReleaseProofHandler(new SurrenderStore(db), new PolicyStore(db), earlyReleaseFile));
  const policyEvidence = policyEvidenceHandler(new PolicyStore(db), new BeneficiaryStore(db));
  kinds.register('acceptance_endorsement', policyEvidence);
  kinds.register('beneficiary_consent', policyEvidence);
  kinds.register('funds_origin_proof', fundsOriginProofHandler(singlePremiums));
  kinds.register('death_claim_document', claimBeneficiaries.evidenceHandler());
  return kinds;
}
