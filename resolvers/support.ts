import type { RequestContext } from '../context/context';
import type { SupportRequestInput, SupportStatus } from '../domain/support/support-rules';
import { SupportService, type SupportPage } from '../domain/support/support-service';
import type { Subscriber } from '../domain/subscription/subscriber';
import { acting } from './adapt';


function connection(page: SupportPage) {
  const last = page.rows.at(-1);
  return {
    edges: page.rows.map((node) => ({ cursor: SupportService.cursorOf(node), node })),
    nodes: page.rows,
    pageInfo: { hasNextPage: page.hasNextPage, endCursor: last ? SupportService.cursorOf(last) : null },
  };
}

export const supportResolvers = {
  Query: {
    supportRequests: async (_: unknown, args: { status?: SupportStatus | null; first: number; after?: string | null }, ctx: RequestContext) =>
      connection(await ctx.services.support.queue(ctx.viewer!, args.status ?? null, args.first, args.after ?? null)),
  },
  Mutation: {
    openSupportRequest: (_: unknown, args: { subscriberId: string; input: SupportRequestInput }, ctx: RequestContext) =>
      ctx.services.support.open(acting(ctx), args.subscriberId, args.input),
    changeSupportRequestStatus: (_: unknown, args: { id: string; status: SupportStatus }, ctx: RequestContext) =>
      ctx.services.support.changeStatus(acting(ctx), args.id, args.status),
  },
  Subscriber: {
    supportRequests: async (s: Subscriber, args: { first: number; after?: string | null }, ctx: RequestContext) =>
      connection(await ctx.services.support.ofSubscriber(ctx.viewer!, s, args.first, args.after ?? null)),
  },
};
