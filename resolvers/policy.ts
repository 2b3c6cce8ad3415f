import type { RequestContext } from '../context/context';
import type { CompartmentAction } from '../domain/policy/compartment-lifecycle';
import type { MoneyMovement, PolicyMoney } from '../domain/policy/policy-money';
import type { Compartment, Policy } from '../domain/policy/policy';
import { PolicyService } from '../domain/policy/policy-service';
import { acting } from './adapt';
import { connection } from './connection';


export const policyResolvers = {
  Query: {
    async policies(_: unknown, args: { first: number; after?: string | null }, ctx: RequestContext) {
      const page = await ctx.services.policies.page(ctx.viewer!, args.first, args.after ?? null);
      ctx.loaders.primePolicies(page.rows);
      return connection({ rows: page.rows.map((r) => r.policy), hasNextPage: page.hasNextPage }, PolicyService.cursorOf, Boolean(args.after));
    },
    policy: async (_: unknown, args: { id: string }, ctx: RequestContext) => {
      const read = await ctx.services.policies.policyWithCompartments(ctx.viewer!, args.id);
      ctx.loaders.primePolicies([read]);
      return read.policy;
    },
    policyCompartment: (_: unknown, args: { policyId: string; id: string }, ctx: RequestContext) => ctx.services.policies.compartment(ctx.viewer!, args.policyId, args.id),
    policyCompartments: async (_: unknown, args: { policyId: string }, ctx: RequestContext) => {
      const policy = await ctx.services.policies.policy(ctx.viewer!, args.policyId);
      return ctx.loaders.compartmentsByPolicy.load(policy.id);
    },
  },
  Mutation: {
    openCompartment: (_: unknown, args: { policyId: string; code: string; reason: string }, ctx: RequestContext) =>
      ctx.services.policies.openCompartment(acting(ctx), args.policyId, args.code, args.reason),
    transitionCompartment: (_: unknown, args: { policyId: string; compartmentId: string; action: CompartmentAction; reason: string }, ctx: RequestContext) =>
      ctx.services.policies.changeCompartment(acting(ctx), args.policyId, args.compartmentId, args.action, args.reason),
  },
  Policy: {
    compartments: (p: Policy, _: unknown, ctx: RequestContext) => ctx.loaders.compartmentsByPolicy.load(p.id),
    product: (p: Policy, _: unknown, ctx: RequestContext) => ctx.loaders.productById.load(p.productId),
    money: (p: Policy, _: unknown, ctx: RequestContext) => ctx.loaders.moneyByPolicy.load(p),
    movements: (p: Policy, _: unknown, ctx: RequestContext) => ctx.loaders.movementsByPolicy.load(p.id),
  },
  PolicyMoney: Object.fromEntries(
    (['premiumsPaid', 'entryFees', 'surrendered', 'refunded', 'paidOut', 'netInvested', 'refundable'] as const).map((field) => [field, (m: PolicyMoney) => ({ amount: m[field], currency: m.currency })]),
  ),
  MoneyMovement: {
    amount: (m: MoneyMovement) => ({ amount: m.amount, currency: m.currency }),
  },
  Compartment: {
    events: (c: Compartment, _: unknown, ctx: RequestContext) => ctx.services.policies.compartmentEvents([c.id]),
  },
};
