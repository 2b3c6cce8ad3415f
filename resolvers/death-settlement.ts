import DataLoader from 'dataloader';
import type { RequestContext } from '../context/context';
import type { AcceptanceInput, Beneficiary, DesignationInput, DesignationView } from '../domain/death-settlement/designation';
import type { Policy } from '../domain/policy/policy';
import { acting } from './adapt';


// One loader per request (keyed by its context, so nothing cached outlives it): a page of policies with
// their designations costs one designations query, not one per policy.
const designationLoaders = new WeakMap<RequestContext, DataLoader<string, DesignationView>>();
function designationLoader(ctx: RequestContext): DataLoader<string, DesignationView> {
  let loader = designationLoaders.get(ctx);
  if (!loader) {
    loader = new DataLoader<string, DesignationView>((policyIds) => ctx.services.deathSettlement.designationsOf(policyIds));
    designationLoaders.set(ctx, loader);
  }
  return loader;
}

export const deathSettlementResolvers = {
  Query: {
    standardBeneficiaryDesignations: (_: unknown, args: { policyId: string }, ctx: RequestContext) => ctx.services.deathSettlement.standardClauses(ctx.viewer!, args.policyId),
    beneficiaryDesignation: (_: unknown, args: { policyId: string }, ctx: RequestContext) => ctx.services.deathSettlement.designation(ctx.viewer!, args.policyId),
  },
  Mutation: {
    designateBeneficiaries: (_: unknown, args: { policyId: string; expectedVersion: number; input: DesignationInput }, ctx: RequestContext) =>
      ctx.services.deathSettlement.designate(acting(ctx), args.policyId, args.expectedVersion, args.input),
    recordBeneficiaryAcceptance: (_: unknown, args: { policyId: string; input: AcceptanceInput }, ctx: RequestContext) =>
      ctx.services.deathSettlement.recordAcceptance(acting(ctx), args.policyId, args.input),
  },
  Policy: {
    // The parent policy was reached through an access-checked field (policy, policies, subscription).
    beneficiaryDesignation: (p: Policy, _: unknown, ctx: RequestContext) => designationLoader(ctx).load(p.id),
  },
  BeneficiaryDesignation: {
    isDefault: (d: DesignationView) => d.version === 0,
  },
  Beneficiary: {
    accepted: (b: Beneficiary) => b.acceptedAt !== null,
  },
};
