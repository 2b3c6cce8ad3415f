import type { RequestContext } from '../context/context';
import { seesFullIban } from '../domain/shared/access';
import { visibleStatus } from '../domain/subscription/lifecycle';
import type { InsureeInput, SubscriberInput, SubscriptionInput } from '../domain/subscription/subscription-input';
import { maskIban } from '../domain/shared/iban';
import type { Product } from '../domain/subscription/catalogue';
import type { HistoryRow, InsureeRow, SubscriberRow, SubscriptionRow } from '../store/subscription-store';
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
    firstName: (s: SubscriberRow) => s.first_name,
    lastName: (s: SubscriberRow) => s.last_name,
    birthDate: (s: SubscriberRow) => s.birth_date,
    birthPlace: (s: SubscriberRow) => s.birth_place,
    taxResidence: (s: SubscriberRow) => s.tax_residence,
    createdAt: (s: SubscriberRow) => s.created_at,
    subscriptions: (s: SubscriberRow, _: unknown, ctx: RequestContext) => ctx.services.subscription.subscriptionsOf(s.id),
  },
  Insuree: {
    subscriberId: (i: InsureeRow) => i.subscriber_id,
    sameAsSubscriber: (i: InsureeRow) => i.same_as_subscriber,
    firstName: (i: InsureeRow) => i.first_name,
    lastName: (i: InsureeRow) => i.last_name,
    birthDate: (i: InsureeRow) => i.birth_date,
    birthPlace: (i: InsureeRow) => i.birth_place,
  },
  Product: {
    minimumInitialPayment: (p: Product) => money(p.minimumInitialPayment, p.currency),
    minimumScheduledPayment: (p: Product) => money(p.minimumScheduledPayment, p.currency),
    funds: (p: Product, _: unknown, ctx: RequestContext) => ctx.services.subscription.fundsOf([p.id]),
  },
  SubscriptionContract: {
    status: (s: SubscriptionRow, _: unknown, ctx: RequestContext) => visibleStatus(s.status, s.withdrawal_deadline, ctx.services.clock.now()),
    subscriber: async (s: SubscriptionRow, _: unknown, ctx: RequestContext) => (await ctx.services.subscription.subscribersByIds([s.subscriber_id]))[0],
    insuree: async (s: SubscriptionRow, _: unknown, ctx: RequestContext) => (await ctx.services.subscription.insureesByIds([s.insuree_id]))[0],
    product: (s: SubscriptionRow, _: unknown, ctx: RequestContext) => ctx.loaders.productById.load(s.product_id),
    initialPayment: (s: SubscriptionRow) => money(s.initial_payment, s.currency),
    scheduledPayment: (s: SubscriptionRow) =>
      s.scheduled_payment === null ? null : { amount: money(s.scheduled_payment, s.currency), frequency: s.scheduled_frequency },
    beneficiaryClause: async (s: SubscriptionRow, _: unknown, ctx: RequestContext) => {
      if (s.custom_clause !== null) return { standardClauseId: null, text: s.custom_clause };
      const clauses = await ctx.services.subscription.standardClauses();
      return { standardClauseId: s.standard_clause_id, text: clauses.find((c) => c.id === s.standard_clause_id)?.text ?? '' };
    },
    debitIban: (s: SubscriptionRow, _: unknown, ctx: RequestContext) => (seesFullIban(ctx.viewer!) ? s.debit_iban : maskIban(s.debit_iban)),
    debitHolder: (s: SubscriptionRow) => s.debit_holder,
    signedAt: (s: SubscriptionRow) => s.signed_at,
    withdrawalDeadline: (s: SubscriptionRow) => s.withdrawal_deadline,
    withdrawnAt: (s: SubscriptionRow) => s.withdrawn_at,
    createdAt: (s: SubscriptionRow) => s.created_at,
    updatedAt: (s: SubscriptionRow) => s.updated_at,
    history: (s: SubscriptionRow, _: unknown, ctx: RequestContext) => ctx.services.subscription.history(s.id),
  },
  SubscriptionEvent: {
    fromStatus: (h: HistoryRow) => h.from_status,
    toStatus: (h: HistoryRow) => h.to_status,
    actorKind: (h: HistoryRow) => h.actor_kind,
  },
};
