import type { RequestContext } from '../context/context';
import { seesFullIban } from '../domain/shared/access';
import { visibleStatus } from '../domain/subscription/lifecycle';
import type { InsureeInput, SubscriberInput, SubscriptionInput } from '../domain/subscription/subscription-input';
import { maskIban } from '../domain/shared/iban';
import type { Product } from '../domain/subscription/catalogue';
import type { Subscription } from '../domain/subscription/subscription';
import type { Subscriber } from '../domain/subscription/subscriber';
import { acting, money } from './adapt';


export const subscriptionResolvers = {
  Query: {
    subscriber: (_: unknown, args: { id: string }, ctx: RequestContext) => ctx.services.subscription.subscriber(ctx.viewer!, args.id),
    mySubscriberProfile: (_: unknown, __: unknown, ctx: RequestContext) => ctx.services.subscription.subscriberOfUser(ctx.viewer!.id),
    subscription: (_: unknown, args: { id: string }, ctx: RequestContext) => ctx.services.subscription.subscription(ctx.viewer!, args.id),
    products: (_: unknown, __: unknown, ctx: RequestContext) => ctx.services.subscription.products(),
    standardClauses: (_: unknown, __: unknown, ctx: RequestContext) => ctx.services.subscription.standardClauses(),
  },
  Mutation: {
    createSubscriber: (_: unknown, args: { input: SubscriberInput }, ctx: RequestContext) => ctx.services.subscription.createSubscriber(acting(ctx), args.input),
    createInsuree: (_: unknown, args: { input: InsureeInput }, ctx: RequestContext) => ctx.services.subscription.createInsuree(acting(ctx), args.input),
    createSubscription: (_: unknown, args: { subscriberId: string; input: SubscriptionInput }, ctx: RequestContext) =>
      ctx.services.subscription.createSubscription(acting(ctx), args.subscriberId, args.input),
  },
  Subscriber: {
    subscriptions: (s: Subscriber, _: unknown, ctx: RequestContext) => ctx.services.subscription.subscriptionsOf(s.id),
  },
  Product: {
    minimumInitialPayment: (p: Product) => money(p.minimumInitialPayment, p.currency),
    minimumScheduledPayment: (p: Product) => money(p.minimumScheduledPayment, p.currency),
    funds: (p: Product, _: unknown, ctx: RequestContext) => ctx.services.subscription.fundsOf([p.id]),
  },
  SubscriptionContract: {
    status: (s: Subscription, _: unknown, ctx: RequestContext) => visibleStatus(s.status, s.withdrawalDeadline, ctx.services.clock.now()),
    subscriber: async (s: Subscription, _: unknown, ctx: RequestContext) => (await ctx.services.subscription.subscribersByIds([s.subscriberId]))[0],
    insuree: async (s: Subscription, _: unknown, ctx: RequestContext) => (await ctx.services.subscription.insureesByIds([s.insureeId]))[0],
    product: (s: Subscription, _: unknown, ctx: RequestContext) => ctx.loaders.productById.load(s.productId),
    initialPayment: (s: Subscription) => money(s.initialPayment, s.currency),
    scheduledPayment: (s: Subscription) =>
      s.scheduledPayment === null ? null : { amount: money(s.scheduledPayment, s.currency), frequency: s.scheduledFrequency },
    beneficiaryClause: async (s: Subscription, _: unknown, ctx: RequestContext) => {
      if (s.customClause !== null) return { standardClauseId: null, text: s.customClause };
      const clauses = await ctx.services.subscription.standardClauses();
      return { standardClauseId: s.standardClauseId, text: clauses.find((c) => c.id === s.standardClauseId)?.text ?? '' };
    },
    debitIban: (s: Subscription, _: unknown, ctx: RequestContext) => (seesFullIban(ctx.viewer!) ? s.debitIban : maskIban(s.debitIban)),
    history: (s: Subscription, _: unknown, ctx: RequestContext) => ctx.services.subscription.history(s.id),
  },
};
