import type { RequestContext } from '../context/context';
import type { Compartment } from '../domain/policy/policy';
import type { MandateInput, MandatePatch, TargetAllocationLine } from '../domain/investments/mandate';
import { acting } from './adapt';

export const mandateResolvers = {
  Query: {
    mandates: (_: unknown, _args: unknown, ctx: RequestContext) => ctx.services.mandates.list(),
    mandate: (_: unknown, args: { id: string }, ctx: RequestContext) => ctx.services.mandates.get(args.id),
  },
  Mutation: {
    createMandate: (_: unknown, args: { input: MandateInput }, ctx: RequestContext) => ctx.services.mandates.create(acting(ctx), args.input),
    updateMandate: (_: unknown, args: { id: string; input: MandatePatch }, ctx: RequestContext) => ctx.services.mandates.update(acting(ctx), args.id, args.input),
    setMandateTargetAllocation: (_: unknown, args: { id: string; lines: TargetAllocationLine[] }, ctx: RequestContext) => ctx.services.mandates.setTargetAllocation(acting(ctx), args.id, args.lines),
    delegateCompartmentToMandate: (_: unknown, args: { policyId: string; compartmentId: string; mandateId: string }, ctx: RequestContext) =>
      ctx.services.mandates.delegate(acting(ctx), args.policyId, args.compartmentId, args.mandateId),
    revokeCompartmentDelegation: (_: unknown, args: { policyId: string; compartmentId: string }, ctx: RequestContext) =>
      ctx.services.mandates.revokeDelegation(acting(ctx), args.policyId, args.compartmentId),
  },
  Compartment: {
    mandateId: (c: Compartment, _: unknown, ctx: RequestContext) => ctx.services.mandates.ofCompartment(ctx.viewer!, c.policyId, c.id),
  },
};
