import type { RequestContext } from '../context/context';
import type { WebhookDelivery, WebhookEndpointChanges, WebhookEndpointInput } from '../domain/webhook-endpoints/webhook-endpoint';
import { WebhookEndpointService, type Page } from '../domain/webhook-endpoints/webhook-endpoint-service';
import { acting } from './adapt';
import { connection } from './connection';

const page = <T extends { id: string }>(rows: Page<T>, after: string | null | undefined) => connection(rows, WebhookEndpointService.cursorOf, Boolean(after));
type Paging = { first: number; after?: string | null };

export const webhookEndpointResolvers = {
  Query: {
    webhookEndpoints: async (_: unknown, args: Paging, ctx: RequestContext) => page(await ctx.services.webhookEndpoints.list(ctx.viewer!, args.first, args.after ?? null), args.after),
    webhookEndpoint: (_: unknown, args: { id: string }, ctx: RequestContext) => ctx.services.webhookEndpoints.endpoint(ctx.viewer!, args.id),
    webhookEventTypes: (_: unknown, __: unknown, ctx: RequestContext) => ctx.services.webhookEndpoints.eventTypes(ctx.viewer!),
    webhookDeliveries: async (_: unknown, args: Paging & { endpointId: string }, ctx: RequestContext) =>
      page(await ctx.services.webhookEndpoints.deliveries(ctx.viewer!, args.endpointId, args.first, args.after ?? null), args.after),
  },
  Mutation: {
    createWebhookEndpoint: (_: unknown, args: { input: WebhookEndpointInput }, ctx: RequestContext) => ctx.services.webhookEndpoints.create(acting(ctx), args.input),
    // An absent field of the input is no change; a field sent as null is one (eventTypes: every type).
    updateWebhookEndpoint: (_: unknown, args: { id: string; input: WebhookEndpointChanges & { url?: string | null; enabled?: boolean | null } }, ctx: RequestContext) => {
      const { url, enabled, ...rest } = args.input;
      return ctx.services.webhookEndpoints.update(acting(ctx), args.id, { ...rest, ...(url != null ? { url } : {}), ...(enabled != null ? { enabled } : {}) });
    },
    deleteWebhookEndpoint: (_: unknown, args: { id: string }, ctx: RequestContext) => ctx.services.webhookEndpoints.delete(acting(ctx), args.id),
    rotateWebhookEndpointSecret: (_: unknown, args: { id: string }, ctx: RequestContext) => ctx.services.webhookEndpoints.rotateSecret(acting(ctx), args.id),
    replayWebhookDelivery: (_: unknown, args: { endpointId: string; deliveryId: string }, ctx: RequestContext) => ctx.services.webhookEndpoints.replay(acting(ctx), args.endpointId, args.deliveryId),
  },
  WebhookDelivery: {
    nextAttemptAt: (d: WebhookDelivery) => (d.status === 'pending' ? d.nextAttemptAt : null),
  },
};
