import type { RequestContext } from '../context/context';
import type { PartialSurrenderInput, TotalSurrenderInput } from '../domain/surrender/surrender-service';
import type { Policy } from '../domain/policy/policy';
import type { DeclaredSurrender, SurrenderDeclaration, SurrenderKind } from '../domain/surrender/surrender-declaration';
import { acting, money } from './adapt';
import { surrenderReasonOf } from '../domain/surrender/surrender-rules';


export const surrenderResolvers = {
  Query: {
    surrenderDeclaration: (_: unknown, args: { policyId: string; id: string; kind?: SurrenderKind | null; compartmentId?: string | null }, ctx: RequestContext) =>
      ctx.services.surrender.declaration(ctx.viewer!, args.policyId, args.id, { kind: args.kind, compartmentId: args.compartmentId }),
  },
  Mutation: {
    declareTotalSurrender: (_: unknown, args: { policyId: string; input?: TotalSurrenderInput | null }, ctx: RequestContext) =>
      ctx.services.surrender.declareTotal(acting(ctx), args.policyId, args.input ?? {}),
    declarePartialSurrender: (_: unknown, args: { policyId: string; compartmentId: string; input: PartialSurrenderInput }, ctx: RequestContext) =>
      ctx.services.surrender.declarePartial(acting(ctx), args.policyId, args.compartmentId, args.input),
  },
  Policy: {
    surrenderDeclarations: (p: Policy, _: unknown, ctx: RequestContext) => ctx.services.surrender.declarations(ctx.viewer!, p.id),
  },
  SurrenderDeclaration: {
    amount: (d: SurrenderDeclaration) => money(d.amount, d.currency),
    paidAmount: (d: SurrenderDeclaration) => (d.paidAmount === null ? null : money(d.paidAmount, d.currency)),
    history: (d: SurrenderDeclaration | DeclaredSurrender, _: unknown, ctx: RequestContext) => ('history' in d ? d.history : ctx.services.surrender.history([d.id])),
    requiredDocuments: (d: SurrenderDeclaration, _: unknown, ctx: RequestContext) => ctx.services.surrender.requiredDocuments(d),
    reason: (d: SurrenderDeclaration) => surrenderReasonOf(d.reason),
    // REST spells enum values with '-' (`client-request`), as the public docs do.
    sale: async (d: SurrenderDeclaration, _: unknown, ctx: RequestContext) => {
      if (d.saleStatus === null) return null;
      const orders = await ctx.services.orders.ofCause('surrender_declaration', [d.id]);
      return { status: d.saleStatus, proceeds: d.saleStatus === 'executed' ? money(orders.reduce((sum, o) => sum + (o.proceeds ?? 0), 0), d.currency) : null, orders };
    },
    reasonCode: (d: SurrenderDeclaration) => surrenderReasonOf(d.reason)?.replaceAll('_', '-') ?? null,
  },
};
