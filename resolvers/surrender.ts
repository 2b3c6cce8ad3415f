import type { RequestContext } from '../context/context';
import type { PartialSurrenderInput, TotalSurrenderInput } from '../domain/surrender/surrender-service';
import type { PolicyRow } from '../store/policy-store';
import type { SurrenderDeclarationRow, SurrenderEventRow, SurrenderKind } from '../store/surrender-store';
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
    surrenderDeclarations: (p: PolicyRow, _: unknown, ctx: RequestContext) => ctx.services.surrender.declarations(ctx.viewer!, p.id),
  },
  SurrenderDeclaration: {
    policyId: (d: SurrenderDeclarationRow) => d.policy_id,
    compartmentId: (d: SurrenderDeclarationRow) => d.compartment_id,
    amount: (d: SurrenderDeclarationRow) => money(d.amount, d.currency),
    paidAmount: (d: SurrenderDeclarationRow) => (d.paid_amount === null ? null : money(d.paid_amount, d.currency)),
    payoutIban: (d: SurrenderDeclarationRow) => d.payout_iban_masked,
    payoutIbanSource: (d: SurrenderDeclarationRow) => d.payout_iban_source,
    requestedAt: (d: SurrenderDeclarationRow) => d.requested_at,
    paymentDueBy: (d: SurrenderDeclarationRow) => d.due_by,
    paidAt: (d: SurrenderDeclarationRow) => d.paid_at,
    rejectionReason: (d: SurrenderDeclarationRow) => d.rejection_reason,
    reason: (d: SurrenderDeclarationRow) => surrenderReasonOf(d.reason),
    // REST spells enum values with '-' (`client-request`), as the public docs do.
    reasonCode: (d: SurrenderDeclarationRow) => surrenderReasonOf(d.reason)?.replaceAll('_', '-') ?? null,
    earlyReleaseCase: (d: SurrenderDeclarationRow) => d.early_release_case,
    declaredBy: (d: SurrenderDeclarationRow) => d.declared_by_kind,
    history: (d: SurrenderDeclarationRow, _: unknown, ctx: RequestContext) => ctx.services.surrender.history([d.id]),
    requiredDocuments: (d: SurrenderDeclarationRow, _: unknown, ctx: RequestContext) => ctx.services.surrender.requiredDocuments(d),
  },
  SurrenderEvent: {
    fromStatus: (e: SurrenderEventRow) => e.from_status,
    toStatus: (e: SurrenderEventRow) => e.to_status,
    actorKind: (e: SurrenderEventRow) => e.actor_kind,
  },
};
