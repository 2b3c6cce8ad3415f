import type { RequestContext } from '../context/context';
import type { Compartment } from '../domain/policy/policy';
import type { PositionOrder } from '../domain/investments/position-order';
import type { ExecutedLeg, SwitchLeg } from '../domain/investments/switch-request';
import { money } from './adapt';

/** The causes the schema names; any other reads `other`. */
const CAUSES = new Set(['issue', 'premium', 'surrender_declaration']);

export const positionOrderResolvers = {
  Compartment: {
    // The compartment was reached through its policy: its orders need no check of their own.
    // Read with the compartment's positions (one round trip for a whole page).
    pendingOrders: async (c: Compartment, _: unknown, ctx: RequestContext) => (await ctx.loaders.valuationByCompartment.load(c)).pendingOrders,
    pendingCash: async (c: Compartment, _: unknown, ctx: RequestContext) => money((await ctx.loaders.valuationByCompartment.load(c)).pendingCash, c.currency),
  },
  PositionOrder: {
    amount: (o: PositionOrder) => (o.amount === null ? null : money(o.amount, o.currency)),
    lines: (o: PositionOrder) => o.lines.map((l: SwitchLeg) => ({ ...l, amount: l.amount === null ? null : money(l.amount, o.currency) })),
    causeType: (o: PositionOrder) => (CAUSES.has(o.cause.type) ? o.cause.type : 'other'),
    causeId: (o: PositionOrder) => o.cause.id,
    execution: (o: PositionOrder) => o.execution?.map((e: ExecutedLeg) => ({ ...e, amount: money(e.amount, o.currency) })) ?? null,
    proceeds: (o: PositionOrder) => (o.proceeds === null ? null : money(o.proceeds, o.currency)),
  },
};
