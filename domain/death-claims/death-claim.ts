/** Who told us of the death. */
export const DEATH_NOTICE_SOURCES = ['backoffice', 'partner_platform', 'agira', 'family'] as const;
export type DeathNoticeSource = (typeof DEATH_NOTICE_SOURCES)[number];

/**
 * Where a beneficiary line stands: `found` (a known person), `to_identify` (a class clause not resolved
 * yet), `identified` (a class clause resolved into persons, who carry its share), `searching` (a person
 * who cannot be found yet: the search's steps are kept), `renounced` (their share passes on).
 */
export const CLAIM_BENEFICIARY_STATUSES = ['found', 'to_identify', 'identified', 'searching', 'renounced'] as const;
export type ClaimBeneficiaryStatus = (typeof CLAIM_BENEFICIARY_STATUSES)[number];

/**
 * One line of the beneficiaries of a claim: a named person with their share of the rank, or a class clause
 * ("my children") to be resolved into persons. Stored one row per line (death_claim_beneficiaries).
 */
export interface ClaimBeneficiary {
  id: string;
  rank: number;
  /** `named`: a person (named by the designation, or identified from a class clause); `class_clause`: the clause. */
  kind: 'named' | 'class_clause';
  /** The designation's beneficiary id (named lines of the designation). */
  beneficiaryId: string | null;
  /** The class-clause line this person was identified from; null for the designation's own lines. */
  clauseLineId: string | null;
  firstName: string | null;
  lastName: string | null;
  birthDate: string | null;
  /** How a person identified from a clause relates to the insured ("child", "spouse"). */
  relationship: string | null;
  /** Share of its rank in basis points (named lines); null for a class clause, whose persons carry it. */
  shareBasisPoints: number | null;
  /**
   * Share of the claim's capital in basis points once renunciations are applied (beneficiary-shares.ts):
   * the lines that take add up to 10000; null for a line that does not take, or while a clause is unresolved.
   */
  shareOfClaimBasisPoints: number | null;
  /** The standard clause's text (class clause lines). */
  clause: string | null;
  status: ClaimBeneficiaryStatus;
  /** YYYY-MM-DD the beneficiary accepted the benefit: an accepted designation binds. */
  acceptedAt: string | null;
  /** YYYY-MM-DD the beneficiary renounced the benefit (status `renounced`). */
  renouncedOn: string | null;
  /** When every required document of the beneficiary's file was accepted: starts the one-month payment clock. */
  fileCompletedAt: Date | null;
}

/**
 * `notified` from the notice on, while beneficiaries are established and paid; `closed` once every
 * beneficiary who takes a part of the capital is paid (the policy ends with it).
 */
export type DeathClaimStatus = 'notified' | 'closed';

/** The claim of one policy of a deceased insured, from the notice of death on. */
export interface DeathClaim {
  id: string;
  policyId: string;
  subscriberId: string;
  noticeId: string;
  status: DeathClaimStatus;
  /** YYYY-MM-DD. */
  dateOfDeath: string;
  source: DeathNoticeSource;
  certificateReference: string;
  /** Value fixed by the product rule (recorded value of the compartments at notice), minor units. */
  valueAmount: number;
  valueCurrency: string;
  valueBasis: 'recorded_value_at_notice';
  designationVersion: number;
  beneficiaries: ClaimBeneficiary[];
  notifiedByKind: string;
  notifiedById: string | null;
  requestId: string | null;
  notifiedAt: Date;
  /** When the last part was paid and the claim (and its policy) closed. */
  closedAt: Date | null;
}

/** A claim with who can see it decided: the distributor of the insured. */
export interface OwnedDeathClaim extends DeathClaim {
  userId: string | null;
  distributorId: string | null;
}

/** The notice as back-office or a partner platform sends it. */
export interface DeathNoticeInput {
  /** The insured: in our products the subscriber is the insured person. */
  subscriberId: string;
  dateOfDeath: string;
  source: DeathNoticeSource;
  /** The death certificate: an uploaded document's id or the reference of one held elsewhere. */
  deathCertificateReference: string;
}

/**
 * One step of the search for a beneficiary who cannot be found (L132-8): a query to AGIRA and its answer,
 * a search of the civil registry, a letter, and the outcome. Every step is kept, in the order recorded.
 */
export const SEARCH_STEP_KINDS = ['agira_query_sent', 'agira_answered', 'registry_search', 'letter_sent', 'other', 'found', 'not_found'] as const;
export type SearchStepKind = (typeof SEARCH_STEP_KINDS)[number];

export interface ClaimSearchStep {
  id: string;
  beneficiaryId: string;
  kind: SearchStepKind;
  /** YYYY-MM-DD the step happened (a letter's date, AGIRA's answer...). */
  happenedOn: string;
  note: string | null;
  recordedByKind: string;
  recordedById: string | null;
  recordedAt: Date;
}
