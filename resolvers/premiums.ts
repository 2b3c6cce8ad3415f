import DataLoader from 'dataloader';
import type { RequestContext } from '../context/context';
import type { PayoutIbanInput } from '../domain/pay-out/payout-rules';
import type { Payer, PayerIban, PayerInput } from '../domain/premiums/payer';
import type { SinglePremiumRequest } from '../domain/premiums/single-premium';
import type { PremiumSchedule, ScheduledCollection } from '../domain/premiums/premium-schedule';
import type { ScheduleChangeInput, ScheduleInput } from '../domain/premiums/premium-schedule-service';
import type { SinglePremiumInput } from '../domain/premiums/single-premium-service';
import { acting, money } from './adapt';
import { rejectionLabel } from '../domain/premiums/rejection-codes';

const rejectionOf = (r: { rejectedAt: Date | null; rejectionCode: string | null; rejectionReason: string | null }) =>
  r.rejectedAt && r.rejectionCode ? { at: r.rejectedAt, code: r.rejectionCode, label: rejectionLabel(r.rejectionCode), reason: r.rejectionReason } : null;

// Per-request batching of `ibans` under a list of payers: keyed by the context, so it lives exactly as long as the request.
const loaders = new WeakMap<RequestContext, DataLoader<string, PayerIban[]>>();

function ibansByPayer(ctx: RequestContext): DataLoader<string, PayerIban[]> {
  let loader = loaders.get(ctx);
  if (!loader) {
    loader = new DataLoader(async (payerIds) => {
      const ibans = await ctx.services.payers.ibansOfReached(ctx.viewer!, payerIds);
      return payerIds.map((id) => ibans.filter((iban) => iban.payerId === id));
    });
    loaders.set(ctx, loader);
  }
  return loader;
}

export const premiumsResolvers = {
  Query: {
    payers: (_: unknown, args: { subscriberId: string }, ctx: RequestContext) => ctx.services.payers.list(ctx.viewer!, args.subscriberId),
    payer: (_: unknown, args: { id: string }, ctx: RequestContext) => ctx.services.payers.payer(ctx.viewer!, args.id),
    singlePremiumRequest: (_: unknown, args: { id: string }, ctx: RequestContext) => ctx.services.singlePremiums.get(ctx.viewer!, args.id),
    singlePremiumRequests: (_: unknown, args: { policyId: string }, ctx: RequestContext) => ctx.services.singlePremiums.ofPolicy(ctx.viewer!, args.policyId),
    premiumSchedule: (_: unknown, args: { policyId: string }, ctx: RequestContext) => ctx.services.premiumSchedules.get(ctx.viewer!, args.policyId),
  },
  Mutation: {
    createPayer: (_: unknown, args: { subscriberId: string; input: PayerInput }, ctx: RequestContext) => ctx.services.payers.create(acting(ctx), args.subscriberId, args.input),
    addPayerIban: (_: unknown, args: { payerId: string; input: PayoutIbanInput }, ctx: RequestContext) => ctx.services.payers.addIban(acting(ctx), args.payerId, args.input),
    makePayerIbanDefault: (_: unknown, args: { payerId: string; iban: string }, ctx: RequestContext) => ctx.services.payers.makeDefault(acting(ctx), args.payerId, args.iban),
    deletePayerIban: (_: unknown, args: { payerId: string; iban: string }, ctx: RequestContext) => ctx.services.payers.deleteIban(acting(ctx), args.payerId, args.iban),
    createSinglePremiumRequest: (_: unknown, args: { input: SinglePremiumInput }, ctx: RequestContext) => ctx.services.singlePremiums.request(acting(ctx), args.input),
    cancelSinglePremiumRequest: (_: unknown, args: { id: string }, ctx: RequestContext) => ctx.services.singlePremiums.cancel(acting(ctx), args.id),
    createPremiumSchedule: (_: unknown, args: { policyId: string; input: ScheduleInput }, ctx: RequestContext) => ctx.services.premiumSchedules.create(acting(ctx), args.policyId, args.input),
    changePremiumSchedule: (_: unknown, args: { policyId: string; input: ScheduleChangeInput }, ctx: RequestContext) => ctx.services.premiumSchedules.change(acting(ctx), args.policyId, args.input),
    suspendPremiumSchedule: (_: unknown, args: { policyId: string }, ctx: RequestContext) => ctx.services.premiumSchedules.suspend(acting(ctx), args.policyId),
    resumePremiumSchedule: (_: unknown, args: { policyId: string }, ctx: RequestContext) => ctx.services.premiumSchedules.resume(acting(ctx), args.policyId),
  },
  // The payer was reached through its own access check; its IBANs follow it.
  Payer: {
    ibans: (p: Payer, _: unknown, ctx: RequestContext) => ibansByPayer(ctx).load(p.id),
  },

  SinglePremiumRequest: {
    amount: (r: SinglePremiumRequest) => money(r.amount, r.currency),
    rejection: (r: SinglePremiumRequest) => rejectionOf(r),
  },

  // The schedule was reached through its policy's access check; its collections follow it.
  PremiumSchedule: {
    amount: (s: PremiumSchedule) => money(s.amount, s.currency),
    collections: (s: PremiumSchedule, _: unknown, ctx: RequestContext) => ctx.services.premiumSchedules.collectionsOfReached([s.id]),
  },
  ScheduledPremiumCollection: {
    amount: (c: ScheduledCollection) => money(c.amount, c.currency),
    rejection: (c: ScheduledCollection) => rejectionOf(c),
  },
};
