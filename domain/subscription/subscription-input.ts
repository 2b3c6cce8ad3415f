import type { CivilIdentity } from './subscriber';

/** A subscriber's civil identity as a client sends it. */
export interface SubscriberInput extends CivilIdentity {
  /** Back-office only: the distributor selling to this subscriber. */
  distributorId?: string | null;
}

/** The insured person: the subscriber themself, or another person whose identity is given. */
export interface InsureeInput {
  subscriberId: string;
  sameAsSubscriber: boolean;
  civility?: 'M' | 'MME' | null;
  firstName?: string | null;
  lastName?: string | null;
  birthDate?: string | null;
  birthPlace?: string | null;
}

export interface MoneyInput {
  amount: number;
  currency: string;
}

export interface SubscriptionInput {
  insureeId: string;
  productId: string;
  initialPayment: MoneyInput;
  scheduledPayment?: { amount: number; currency: string; frequency: 'monthly' | 'quarterly' | 'annual' } | null;
  /** Fund shares in basis points (10000 = 100%). */
  allocation: Array<{ isin: string; basisPoints: number }>;
  /** Exactly one: a published clause, or the subscriber's own wording. */
  beneficiaryClause: { standardClauseId?: string | null; customClause?: string | null };
  debitIban: string;
  debitHolder: string;
}
