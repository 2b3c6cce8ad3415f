/** Who told us of the death. */
export const DEATH_NOTICE_SOURCES = ['backoffice', 'partner_platform', 'agira', 'family'] as const;
export type DeathNoticeSource = (typeof DEATH_NOTICE_SOURCES)[number];

/**
 * One line of the beneficiaries found from the designation in force at the date of death: a named person
 * with their share of the rank, or a class clause ("my children") still to be resolved into persons.
 */
export interface ClaimBeneficiary {
  rank: number;
  kind: 'named' | 'class_clause';
  /** The designation's beneficiary id (named lines). */
  beneficiaryId: string | null;
  firstName: string | null;
  lastName: string | null;
  birthDate: string | null;
  /** Share of its rank in basis points (named lines); null for a class clause, shared once identified. */
  shareBasisPoints: number | null;
  /** The standard clause's text (class clause lines). */
  clause: string | null;
  /** `found` for a named person; `to_identify` for a class clause. */
  status: 'found' | 'to_identify';
  /** YYYY-MM-DD the beneficiary accepted the benefit: an accepted designation binds. */
  acceptedAt: string | null;
}

/** The claim of one policy of a deceased insured, from the notice of death on. */
export interface DeathClaim {
  id: string;
  policyId: string;
  subscriberId: string;
  noticeId: string;
  status: 'notified';
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
