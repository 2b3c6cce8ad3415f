import type { RequestContext } from '../context/context';
import type { Compartment } from '../domain/policy/policy';
import type { SwitchInput } from '../domain/investments/switch-service';
import type { ExecutedLeg, SwitchLeg, SwitchRequest } from '../domain/investments/switch-request';
import { acting, money } from './adapt';

type Ids = { policyId: string; compartmentId: string };

export const switchResolvers = {
  Query: {
    switchRequest: (_: unknown, args: Ids & { id: string }, ctx: RequestContext) => ctx.services.switches.get(ctx.viewer!, args.policyId, args.compartmentId, args.id),
  },
  Mutation: {
    requestSwitch: (_: unknown, args: Ids & { input: SwitchInput }, ctx: RequestContext) => ctx.services.switches.request(acting(ctx), args.policyId, args.compartmentId, args.input),
  },
  Compartment: {
    switchRequests: (c: Compartment, _: unknown, ctx: RequestContext) => ctx.services.switches.ofCompartment(ctx.viewer!, c.policyId, c.id),
  },
  SwitchRequest: {
    requestedBy: (s: SwitchRequest) => s.requestedBy.kind,
    legs: (s: SwitchRequest) => s.legs.map((l: SwitchLeg) => ({ ...l, amount: l.amount === null ? null : money(l.amount, s.currency) })),
    execution: (s: SwitchRequest) => s.execution?.map((e: ExecutedLeg) => ({ ...e, amount: money(e.amount, s.currency) })) ?? null,
  },
};
