import type { Viewer } from '../auth/viewer';
import { seesFullIban } from '../shared/access';
import { maskIban } from '../shared/iban';

/**
 * awaiting_funds_origin_proof -> pending_collection -> submitted (in a SEPA batch) -> collected or rejected;
 * cancelled until submitted. A rejection the product retries makes a new request (`retryOf`).
 * Above the product's anti-money-laundering threshold a request starts awaiting an accepted proof of the
 * origin of funds (evidence kind funds_origin_proof) and cannot be collected before.
 */
export type SinglePremiumStatus = 'awaiting_funds_origin_proof' | 'pending_collection' | 'submitted' | 'collected' | 'rejected' | 'cancelled';

/** How a premium is paid in. Only SEPA direct debit from the payer's IBAN is supported (no cash, no cheque). */
export type PremiumMethod = 'sepa_direct_debit';

/** Where a premium goes: a share, in basis points, of one fund in one compartment of the policy. */
export interface PremiumAllocationLine {
  compartmentId: string;
  isin: string;
  basisPoints: number;
}

/** What the payment provider's outcome records on a collection attempt, and which attempt it is. */
export interface CollectionOutcome {
  collectedAt: Date | null;
  rejectedAt: Date | null;
  /** ISO 20022 reason code of the rejection (AM04...), and the provider's words. */
  rejectionCode: string | null;
  rejectionReason: string | null;
  /** The rejected attempt this one retries (null for the first), and its number from 1. */
  retryOf: string | null;
  attempt: number;
}

/** An attempt not settled yet: the first one, or the retry of the rejected attempt `of`. */
export function unsettledAttempt(of?: { id: string; attempt: number }): CollectionOutcome {
  return { collectedAt: null, rejectedAt: null, rejectionCode: null, rejectionReason: null, retryOf: of?.id ?? null, attempt: (of?.attempt ?? 0) + 1 };
}

/** A single premium a payer pays into a policy; `amount` in integer minor units of `currency`. */
export interface SinglePremiumRequest extends CollectionOutcome {
  id: string;
  policyId: string;
  payerId: string;
  method: PremiumMethod;
  amount: number;
  currency: string;
  /** Electronic format, copied from the payer's IBANs when the request was made. */
  iban: string;
  holderName: string;
  allocation: PremiumAllocationLine[];
  status: SinglePremiumStatus;
  fundsOriginProofRequired: boolean;
  createdByKind: string;
  createdById: string | null;
  createdAt: Date;
  updatedAt: Date;
  cancelledAt: Date | null;
  /** YYYY-MM-DD a retry may be collected from; null: at once. */
  dueDate: string | null;
}

/** The contractual premium figures of a product, in minor units of its currency. */
export interface PremiumTerms {
  minSinglePremium: number;
  fundsOriginProofThreshold: number;
}

/** Full IBANs for the subscriber and back-office only, as everywhere else. */
export function presentRequest(request: SinglePremiumRequest, viewer: Viewer): SinglePremiumRequest {
  return seesFullIban(viewer) ? request : { ...request, iban: maskIban(request.iban) };
}
