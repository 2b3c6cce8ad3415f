import type { RequestContext } from '../context/context';
import type { CatalogueFund, Decimal, ScaledMoney, Valuation } from '../domain/investments/fund';
import type { FundInput, ValuationInput } from '../domain/investments/fund-service';
import type { Position, ValuePoint } from '../domain/investments/position';
import type { Fund } from '../domain/subscription/catalogue';
import type { Compartment, ManagedCompartment, Policy } from '../domain/policy/policy';
import { acting, money } from './adapt';

type History = { from?: string | null; to?: string | null };
/** A fund as the catalogue has it, or as a product lists it (without currency and asset class). */
type AnyFund = CatalogueFund | Fund;

const decimal = (d: Decimal | null) => d && { value: d.value, scale: d.scale };
const scaledMoney = (m: ScaledMoney | null) => m && { value: m.value, scale: m.scale, currency: m.currency };
const fundOf = (f: AnyFund, ctx: RequestContext) => ('currency' in f ? f : ctx.loaders.fundByIsin.load(f.isin));

export const investmentResolvers = {
  Query: {
    funds: (_: unknown, __: unknown, ctx: RequestContext) => ctx.services.funds.catalogue(),
    fund: (_: unknown, args: { isin: string }, ctx: RequestContext) => ctx.services.funds.fund(args.isin),
    // Its value and positions come through the request's loaders, in one holdings read.
    compartment: (_: unknown, args: { policyId: string; id: string }, ctx: RequestContext) => ctx.services.policies.compartment(ctx.viewer!, args.policyId, args.id),
  },
  Mutation: {
    registerFund: (_: unknown, args: { input: FundInput }, ctx: RequestContext) => ctx.services.funds.registerFund(acting(ctx), args.input),
    loadFundValuation: (_: unknown, args: { isin: string; input: ValuationInput }, ctx: RequestContext) => ctx.services.funds.loadValuation(acting(ctx), args.isin, args.input),
    loadFundValuationFile: (_: unknown, args: { csv: string }, ctx: RequestContext) => ctx.services.funds.loadValuationFile(acting(ctx), args.csv),
  },
  Fund: {
    currency: async (f: AnyFund, _: unknown, ctx: RequestContext) => (await fundOf(f, ctx))?.currency,
    assetClass: async (f: AnyFund, _: unknown, ctx: RequestContext) => (await fundOf(f, ctx))?.assetClass,
    latestValuation: (f: AnyFund, _: unknown, ctx: RequestContext) => (f.kind === 'euro' ? null : ctx.loaders.latestValuationByIsin.load(f.isin)),
    valuations: (f: AnyFund, args: History, ctx: RequestContext) => ctx.services.funds.valuationsOf(f.isin, args.from ?? null, args.to ?? null),
  },
  FundValuation: {
    nav: (v: Valuation) => scaledMoney(v.nav),
  },
  Position: {
    fund: (p: Position, _: unknown, ctx: RequestContext) => ctx.loaders.fundByIsin.load(p.isin),
    shares: (p: Position) => decimal(p.shares),
    nav: (p: Position) => scaledMoney(p.nav),
    value: (p: Position) => (p.value === null ? null : money(p.value, p.currency)),
  },
  Compartment: {
    // A compartment holding positions is worth their sum; before it holds any, what its record says.
    value: async (c: Compartment, _: unknown, ctx: RequestContext) => money((await ctx.loaders.valuationByCompartment.load(c)).value, c.currency),
    // A compartment read with its policy knows already (PolicyService.compartment); a linked one asks.
    management: (c: Compartment & Partial<Pick<ManagedCompartment, 'management'>>, _: unknown, ctx: RequestContext) => c.management ?? ctx.loaders.managementByCompartment.load(c.id),
    positions: async (c: Compartment, _: unknown, ctx: RequestContext) => (await ctx.loaders.valuationByCompartment.load(c)).positions,
    valuedOn: async (c: Compartment, _: unknown, ctx: RequestContext) => (await ctx.loaders.valuationByCompartment.load(c)).valuedOn,
    valueHistory: async (c: Compartment, args: History, ctx: RequestContext) => points(await ctx.services.positions.valueHistoryOf([c], args.from ?? null, args.to ?? null), c.currency),
  },
  Policy: {
    value: async (p: Policy, _: unknown, ctx: RequestContext) => {
      const compartments = await ctx.loaders.compartmentsByPolicy.load(p.id);
      const valued = await ctx.loaders.valuationByCompartment.loadMany(compartments);
      return money(ctx.services.positions.sumOf(valued), compartments[0]?.currency ?? (await ctx.loaders.productById.load(p.productId))?.currency ?? 'EUR');
    },
    valueHistory: async (p: Policy, args: History, ctx: RequestContext) => {
      const compartments = await ctx.loaders.compartmentsByPolicy.load(p.id);
      const currency = compartments[0]?.currency ?? (await ctx.loaders.productById.load(p.productId))?.currency ?? 'EUR';
      return points(await ctx.services.positions.valueHistoryOf(compartments, args.from ?? null, args.to ?? null), currency);
    },
  },
};

function points(history: ValuePoint[], currency: string) {
  return history.map((p) => ({ date: p.date, value: money(p.value, currency) }));
}
