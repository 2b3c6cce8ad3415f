import type { RequestContext } from '../context/context';
import type { ClaimBeneficiary, DeathNoticeInput, OwnedDeathClaim } from '../domain/death-claims/death-claim';
import type { IdentifiedPersonInput, RenunciationInput, SearchStepInput } from '../domain/death-claims/claim-beneficiary-service';
import type { ClaimFileItem } from '../domain/death-claims/claim-file';
import type { EvidenceReview } from '../domain/evidence/evidence-service';
import type { UploadInput } from '../domain/shared/uploaded-file';
import { DeathClaimService } from '../domain/death-claims/death-claim-service';
import { acting } from './adapt';
import { connection } from './connection';

/** A beneficiary line of a claim, as the routes name it. */
interface Line {
  claimId: string;
  beneficiaryId: string;
}

export const deathClaimResolvers = {
  Query: {
    deathClaim: (_: unknown, args: { id: string }, ctx: RequestContext) => ctx.services.deathClaims.claim(ctx.viewer!, args.id),
    deathClaims: async (_: unknown, args: { first: number; after?: string | null }, ctx: RequestContext) =>
      connection(await ctx.services.deathClaims.page(ctx.viewer!, args.first, args.after ?? null), DeathClaimService.cursorOf, Boolean(args.after)),
    deathClaimBeneficiaryFile: (_: unknown, args: Line, ctx: RequestContext) => ctx.services.claimBeneficiaries.file(ctx.viewer!, args.claimId, args.beneficiaryId),
  },
  Mutation: {
    notifyDeath: async (_: unknown, args: { input: DeathNoticeInput }, ctx: RequestContext) => {
      const claims = await ctx.services.deathClaims.notify(acting(ctx), args.input);
      return { noticeId: claims[0]!.noticeId, claims };
    },
    identifyClauseBeneficiaries: (_: unknown, args: Line & { input: { persons: IdentifiedPersonInput[] } }, ctx: RequestContext) =>
      ctx.services.claimBeneficiaries.identify(acting(ctx), args.claimId, args.beneficiaryId, args.input.persons),
    recordDeathClaimSearchStep: (_: unknown, args: Line & { input: SearchStepInput }, ctx: RequestContext) =>
      ctx.services.claimBeneficiaries.addSearchStep(acting(ctx), args.claimId, args.beneficiaryId, args.input),
    recordDeathClaimRenunciation: (_: unknown, args: Line & { input: RenunciationInput }, ctx: RequestContext) =>
      ctx.services.claimBeneficiaries.renounce(acting(ctx), args.claimId, args.beneficiaryId, args.input),
    uploadDeathClaimDocument: (_: unknown, args: Line & { input: UploadInput & { item: ClaimFileItem; iban?: string | null } }, ctx: RequestContext) =>
      ctx.services.claimBeneficiaries.upload(acting(ctx), args.claimId, args.beneficiaryId, args.input),
    reviewDeathClaimDocument: (_: unknown, args: Line & { documentId: string; input: EvidenceReview }, ctx: RequestContext) =>
      ctx.services.claimBeneficiaries.review(acting(ctx), args.claimId, args.beneficiaryId, args.documentId, args.input),
  },
  // Lines are read through their claim, whose access check already ran.
  DeathClaimBeneficiary: {
    searchSteps: (b: ClaimBeneficiary, _: unknown, ctx: RequestContext) => ctx.services.claimBeneficiaries.searchSteps(b.id),
  },
  DeathClaim: {
    deathCertificateReference: (c: OwnedDeathClaim) => c.certificateReference,
    value: (c: OwnedDeathClaim) => ({ amount: c.valueAmount, currency: c.valueCurrency }),
  },
};
