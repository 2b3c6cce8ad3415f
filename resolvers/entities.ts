import type { RequestContext } from '../context/context';

/**
 * `__resolveReference` of each entity of schema/federation.graphql: the same service call as the root
 * field that reads the object, so a representation the caller may not see fails as that field would
 * (404 `resource_not_found`, the item null in `_entities`), never with data. `_entities` guarantees a viewer
 * (schema/federation.ts) and that each key field is an id-shaped string.
 */
export const entityResolvers = {
  Policy: {
    // Batched: every Policy of one `_entities` call is read in one query, each with its own 404.
    __resolveReference: (ref: { id: string }, ctx: RequestContext) => ctx.loaders.policyById.load(ref.id),
  },
  Subscriber: {
    __resolveReference: (ref: { id: string }, ctx: RequestContext) => ctx.services.subscription.subscriber(ctx.viewer!, ref.id),
  },
  SubscriptionContract: {
    __resolveReference: (ref: { id: string }, ctx: RequestContext) => ctx.services.subscription.subscription(ctx.viewer!, ref.id),
  },
  Compartment: {
    __resolveReference: (ref: { policyId: string; id: string }, ctx: RequestContext) => ctx.services.policies.compartment(ctx.viewer!, ref.policyId, ref.id),
  },
  SurrenderDeclaration: {
    __resolveReference: (ref: { policyId: string; id: string }, ctx: RequestContext) => ctx.services.surrender.declaration(ctx.viewer!, ref.policyId, ref.id),
  },
};
