import type { RequestContext } from '../context/context';
import type { SupportRequestInput, SupportStatus } from '../domain/support/support-rules';
import { SupportService, type SupportPage } from '../domain/support/support-service';
import type { Subscriber } from '../domain/subscription/subscriber';
import { acting } from './adapt';
import { connection } from './connection';


const requests = (page: SupportPage, after: string | null | undefined) => connection(page, SupportService.cursorOf, Boolean(after));

export const supportResolvers = {
  Query: {
    supportRequest: (_: unknown, args: { id: string }, ctx: RequestContext) => ctx.services.support.request(ctx.viewer!, args.id),
    supportRequests: async (_: unknown, args: { status?: SupportStatus | null; first: number; after?: string | null }, ctx: RequestContext) =>
      requests(await ctx.services.support.queue(ctx.viewer!, args.status ?? null, args.first, args.after ?? null), args.after),
  },
  Mutation: {
    openSupportRequest: (_: unknown, args: { subscriberId: string; input: SupportRequestInput }, ctx: RequestContext) =>
      ctx.services.support.open(acting(ctx), args.subscriberId, args.input),
    changeSupportRequestStatus: (_: unknown, args: { id: string; status: SupportStatus }, ctx: RequestContext) =>
      ctx.services.support.changeStatus(acting(ctx), args.id, args.status),
  },
  Subscriber: {
    supportRequests: async (s: Subscriber, args: { first: number; after?: string | null }, ctx: RequestContext) =>
      requests(await ctx.services.support.ofSubscriber(ctx.viewer!, s, args.first, args.after ?? null), args.after),
  },
};
