import type { SurrenderStatus } from './surrender-rules';
import type { StatusChange } from '../shared/status-change';

export type SurrenderKind = 'total' | 'partial';

/** A product's limits on partial surrenders, in minor units. */
export interface SurrenderTerms {
  minPartialAmount: number;
  minRemainingBalance: number;
}

/** A declared surrender, total or of one compartment; amounts in minor units of `currency`. */
export interface SurrenderDeclaration {
  id: string;
  policyId: string;
  kind: SurrenderKind;
  compartmentId: string | null;
  status: SurrenderStatus;
  amount: number;
  currency: string;
  reason: string | null;
  /** PER: the early-release case, which says the supporting documents due; null for an assurance-vie. */
  earlyReleaseCase: string | null;
  /** Masked: the declaration never keeps the full IBAN. */
  payoutIban: string;
  payoutIbanSource: 'registered' | 'subscription_debit';
  payoutIbanId: string | null;
  requestedAt: Date;
  /** L132-21 deadline, from the complete file: null while documents are awaited. */
  paymentDueBy: Date | null;
  /** Who declared it: subscriber, broker, machine or backoffice. */
  declaredBy: string;
  declaredById: string | null;
  paidAmount: number | null;
  paidAt: Date | null;
  rejectionReason: string | null;
  updatedAt: Date;
  /**
   * A surrender of positions waits for their sale (position orders, forward pricing): `pending`, then
   * `executed`, when `amount` becomes what the sale produced, or `cancelled` when the declaration was
   * rejected while it waited. Null: nothing to sell (money not in funds).
   */
  saleStatus: 'pending' | 'executed' | 'cancelled' | null;
}

/** A declaration as its declaration wrote it, with the history it wrote (one step): nothing to read again. */
export interface DeclaredSurrender extends SurrenderDeclaration {
  history: SurrenderEvent[];
}

/** One step of a declaration's status history. */
export interface SurrenderEvent extends StatusChange {
  declarationId: string;
  note: string | null;
}

/** The variables of the REST read of a declaration: the total route's, or the partial route's with its compartment. */
export function declarationResource(d: Pick<SurrenderDeclaration, 'id' | 'policyId' | 'kind' | 'compartmentId'>): Record<string, string> {
  return d.kind === 'partial' && d.compartmentId !== null ? { policyId: d.policyId, compartmentId: d.compartmentId, declarationId: d.id } : { policyId: d.policyId, declarationId: d.id };
}
