import type { StatusChange } from '../shared/status-change';

export interface AllocationLine {
  isin: string;
  basisPoints: number;
}

export type SubscriptionStatus = 'draft' | 'documents_ready' | 'signing' | 'signed' | 'withdrawn' | 'cancelled';

/** A subscription contract on its way to a policy; amounts in minor units of `currency`. */
export interface Subscription {
  id: string;
  subscriberId: string;
  insureeId: string;
  productId: string;
  status: SubscriptionStatus;
  currency: string;
  initialPayment: number;
  scheduledPayment: number | null;
  scheduledFrequency: 'monthly' | 'quarterly' | 'annual' | null;
  allocation: AllocationLine[];
  standardClauseId: string | null;
  customClause: string | null;
  debitIban: string;
  debitHolder: string;
  signedAt: Date | null;
  withdrawalDeadline: Date | null;
  withdrawnAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** One step of a subscription's status history. */
export interface SubscriptionEvent extends StatusChange {
  subscriptionId: string;
  note: string | null;
}
