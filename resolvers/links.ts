import type { RequestContext } from '../context/context';

/**
 * Fields that follow an id to its object (issue 10, item 6), beside the ids kept for older clients.
 * Each goes through the same access-checked service call as the root field that reads the object, so a
 * link never shows what the caller could not read by its id: such a link is null with the field's error.
 */
// Batched per request (context/loaders.ts): a page of items linking to policies costs one query.
const policy = (id: string, ctx: RequestContext) => ctx.loaders.policyById.load(id);
const subscriber = (id: string, ctx: RequestContext) => ctx.services.subscription.subscriber(ctx.viewer!, id);
const compartment = (policyId: string, id: string | null, ctx: RequestContext) => (id === null ? null : ctx.services.policies.compartment(ctx.viewer!, policyId, id));

type OfPolicy = { policyId: string };
type OfSubscriber = { subscriberId: string };

export const linkResolvers = {
  Policy: {
    subscriber: (p: OfSubscriber, _: unknown, ctx: RequestContext) => subscriber(p.subscriberId, ctx),
    subscription: (p: { subscriptionId: string }, _: unknown, ctx: RequestContext) => ctx.services.subscription.subscription(ctx.viewer!, p.subscriptionId),
  },
  Compartment: {
    policy: (c: OfPolicy, _: unknown, ctx: RequestContext) => policy(c.policyId, ctx),
  },
  MoneyMovement: {
    compartment: (m: OfPolicy & { compartmentId: string | null }, _: unknown, ctx: RequestContext) => compartment(m.policyId, m.compartmentId, ctx),
  },
  SurrenderDeclaration: {
    policy: (d: OfPolicy, _: unknown, ctx: RequestContext) => policy(d.policyId, ctx),
    compartment: (d: OfPolicy & { compartmentId: string | null }, _: unknown, ctx: RequestContext) => compartment(d.policyId, d.compartmentId, ctx),
  },
  BeneficiaryDesignation: {
    policy: (d: OfPolicy, _: unknown, ctx: RequestContext) => policy(d.policyId, ctx),
  },
  Evidence: {
    subscriber: (e: OfSubscriber, _: unknown, ctx: RequestContext) => subscriber(e.subscriberId, ctx),
    policy: (e: { policyId: string | null }, _: unknown, ctx: RequestContext) => (e.policyId === null ? null : policy(e.policyId, ctx)),
  },
  SupportRequest: {
    subscriber: (r: OfSubscriber, _: unknown, ctx: RequestContext) => subscriber(r.subscriberId, ctx),
  },
  CommissionLine: {
    policy: (l: OfPolicy, _: unknown, ctx: RequestContext) => policy(l.policyId, ctx),
  },
  BeneficiaryClause: {
    // The published clauses are a short catalogue, the same for every caller (the `standardClauses` root field).
    standardClause: async (c: { standardClauseId: string | null }, _: unknown, ctx: RequestContext) =>
      c.standardClauseId === null ? null : ((await ctx.services.subscription.standardClauses()).find((s) => s.id === c.standardClauseId) ?? null),
  },
  Insuree: {
    subscriber: (i: OfSubscriber, _: unknown, ctx: RequestContext) => subscriber(i.subscriberId, ctx),
  },
};
