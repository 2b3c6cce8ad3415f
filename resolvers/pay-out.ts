import DataLoader from 'dataloader';
import type { RequestContext } from '../context/context';
import type { PayoutIban } from '../domain/pay-out/payout-iban';
import type { PayoutIbanInput } from '../domain/pay-out/payout-rules';
import type { PayoutIbanReview } from '../domain/pay-out/pay-out-service';
import type { Policy } from '../domain/policy/policy';
import type { Subscriber } from '../domain/subscription/subscriber';
import { acting } from './adapt';


// Per-request batching for `payoutIbans` under a page of policies: keyed by the context object, so it
// lives exactly as long as the request (context/loaders.ts is the place for it once it can take one).
const loaders = new WeakMap<RequestContext, DataLoader<string, PayoutIban[]>>();

function ibansBySubscriber(ctx: RequestContext): DataLoader<string, PayoutIban[]> {
  let loader = loaders.get(ctx);
  if (!loader) {
    loader = new DataLoader(async (subscriberIds) => {
      const ibans = await ctx.services.payOut.ofReachedSubscribers(ctx.viewer!, subscriberIds);
      return subscriberIds.map((id) => ibans.filter((iban) => iban.subscriberId === id));
    });
    loaders.set(ctx, loader);
  }
  return loader;
}

export const payOutResolvers = {
  Query: {
    payoutIbans: (_: unknown, args: { subscriberId: string }, ctx: RequestContext) => ctx.services.payOut.list(ctx.viewer!, args.subscriberId),
    payoutIban: (_: unknown, args: { subscriberId: string; iban: string }, ctx: RequestContext) => ctx.services.payOut.one(ctx.viewer!, args.subscriberId, args.iban),
  },
  Mutation: {
    registerPayoutIban: (_: unknown, args: { subscriberId: string; input: PayoutIbanInput }, ctx: RequestContext) =>
      ctx.services.payOut.register(acting(ctx), args.subscriberId, args.input),
    sendPayoutIbanConfirmationCode: (_: unknown, args: { subscriberId: string; iban: string }, ctx: RequestContext) =>
      ctx.services.payOut.sendConfirmationCode(acting(ctx), args.subscriberId, args.iban),
    confirmPayoutIban: (_: unknown, args: { subscriberId: string; iban: string; code?: string | null }, ctx: RequestContext) =>
      ctx.services.payOut.confirm(acting(ctx), args.subscriberId, args.iban, args.code ?? null),
    reviewPayoutIban: (_: unknown, args: { subscriberId: string; iban: string; input: PayoutIbanReview }, ctx: RequestContext) =>
      ctx.services.payOut.review(acting(ctx), args.subscriberId, args.iban, args.input),
    makePayoutIbanDefault: (_: unknown, args: { subscriberId: string; iban: string }, ctx: RequestContext) =>
      ctx.services.payOut.makeDefault(acting(ctx), args.subscriberId, args.iban),
  },
  // The parent was reached through its own access check; its subscriber's IBANs follow the same rule.
  Subscriber: {
    payoutIbans: (s: Subscriber, _: unknown, ctx: RequestContext) => ibansBySubscriber(ctx).load(s.id),
  },
  Policy: {
    payoutIbans: (p: Policy, _: unknown, ctx: RequestContext) => ibansBySubscriber(ctx).load(p.subscriberId),
  },
};
