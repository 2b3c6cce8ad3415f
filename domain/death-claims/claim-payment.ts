import type { InterestSegment, LegalInterestRate, LegalRateCategory } from './legal-interest';

export type ClaimPaymentStatus = 'sent' | 'paid' | 'rejected';

/** One beneficiary's part of a claim, with the late interest owed, sent to the payment provider. */
export interface DeathClaimPayment {
  id: string;
  claimId: string;
  policyId: string;
  beneficiaryId: string;
  status: ClaimPaymentStatus;
  /** The claim's value x the beneficiary's share, minor units (docs/DEATH-CLAIMS.md for the rounding). */
  capitalAmount: number;
  /** L132-23-1 late interest to `interestTo`, paid by the insurer with the capital; 0 when on time. */
  interestAmount: number;
  currency: string;
  iban: string;
  holderName: string;
  fileCompletedAt: Date;
  /** YYYY-MM-DD: the last day the capital may be paid without interest. */
  dueDate: string;
  /** YYYY-MM-DD (Paris): the day the payment was sent; interest runs to it. */
  interestTo: string;
  daysLate: number;
  interestSegments: InterestSegment[];
  rateCategory: LegalRateCategory;
  sentByKind: string;
  sentById: string | null;
  requestId: string | null;
  sentAt: Date;
  paidAt: Date | null;
  rejectedAt: Date | null;
  rejectionReason: string | null;
}

/** What back-office sends: whom to pay and to which account in their name. */
export interface ClaimPaymentInput {
  beneficiaryId: string;
  iban: string;
  holderName: string;
}

/** Where one beneficiary stands on the payment clock, as of `today` (Paris). */
export interface BeneficiaryClock {
  beneficiaryId: string;
  firstName: string | null;
  lastName: string | null;
  rank: number;
  /** Their part of the claim's value; null while their share is not known. */
  capitalAmount: number | null;
  fileCompletedAt: Date | null;
  /** Null while the file is not complete: the clock has not started. */
  daysSinceFileComplete: number | null;
  dueDate: string | null;
  /** Past the due date and not paid (nor sent for payment). */
  overdue: boolean;
  /** Late interest owed were it paid today; null when a day's rate is not loaded yet. */
  interestAccrued: number | null;
  /** The payment on its way or made, if any. */
  paymentId: string | null;
  paymentStatus: ClaimPaymentStatus | null;
}

/** A claim's payment clocks: each payable beneficiary's. */
export interface ClaimClocks {
  today: string;
  /** Every beneficiary to pay is paid. */
  settled: boolean;
  overdue: boolean;
  /** Interest accrued to today over the beneficiaries not yet paid; null if any figure is unknown. */
  interestAccrued: number | null;
  beneficiaries: BeneficiaryClock[];
}

export type { LegalInterestRate };
