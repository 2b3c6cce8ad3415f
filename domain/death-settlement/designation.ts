import type { StandardClause } from '../subscription/catalogue';
import { STANDARD_CLAUSE_IDS } from '../shared/standard-clauses';

/** One named beneficiary of a designation. */
export interface Beneficiary {
  /** `bnf_...`, kept across versions so an accepted beneficiary can be recognised. */
  id: string;
  firstName: string;
  lastName: string;
  /** YYYY-MM-DD. */
  birthDate: string;
  address: { line1: string; line2: string | null; postalCode: string; city: string; country: string };
  /** 1 = first rank; a rank takes the capital only when every beneficiary of the ranks before is missing. */
  rank: number;
  /** Share of its rank in basis points (10000 = 100%). */
  shareBasisPoints: number;
  /** YYYY-MM-DD the beneficiary accepted the benefit; null when they have not. */
  acceptedAt: string | null;
}

/** Who receives the capital at the insured's death: a published standard clause, or named beneficiaries. */
export interface Designation {
  policyId: string;
  /** 0 for the product's default (never changed), then +1 on every change: the REST ETag. */
  version: number;
  kind: 'standard' | 'custom';
  standardClauseId: string | null;
  /** Empty for a standard clause. */
  beneficiaries: Beneficiary[];
  /** Null while the policy still has the product's default. */
  updatedAt: Date | null;
}

/** A past state of a designation, kept at every change with who made it. */
export interface DesignationVersion extends Omit<Designation, 'updatedAt'> {
  /** Consents this change relied on: the consent documents (evidence ids) of the accepted beneficiaries it removed or altered. */
  consents: Array<{ beneficiaryId: string; evidenceId: string }>;
  actorKind: string;
  actorId: string | null;
  requestId: string | null;
  createdAt: Date;
}

/** Back-office's record that a beneficiary accepted the benefit. */
export interface BeneficiaryAcceptance {
  policyId: string;
  beneficiaryId: string;
  /** YYYY-MM-DD. */
  acceptedOn: string;
  endorsementId: string;
  designationVersion: number;
  recordedByKind: string;
  recordedById: string | null;
  requestId: string | null;
  recordedAt: Date;
}

/** An operation that relied on an accepted beneficiary's consent document; each document serves once. */
export interface ConsentUse {
  evidenceId: string;
  policyId: string;
  beneficiaryId: string;
  usedByType: 'surrender_declaration' | 'beneficiary_designation';
  usedById: string;
  usedAt: Date;
}

/** A designation with the text of its standard clause, as read by clients. */
export interface DesignationView extends Designation {
  standardClause: StandardClause | null;
}

/**
 * The products' default clause, in force until a designation is made: the first of the published list
 * (spouse, then PACS partner, then children, then heirs). No product chooses another one today.
 */
export const DEFAULT_STANDARD_CLAUSE_ID: string = STANDARD_CLAUSE_IDS.spouseChildren;

export function defaultDesignation(policyId: string): Designation {
  return { policyId, version: 0, kind: 'standard', standardClauseId: DEFAULT_STANDARD_CLAUSE_ID, beneficiaries: [], updatedAt: null };
}

/** One named beneficiary as a client sends it. */
export interface BeneficiaryInput {
  /** The id of a beneficiary of the current designation, to keep them (required to keep an accepted one unchanged). */
  id?: string | null;
  firstName: string;
  lastName: string;
  birthDate: string;
  address: { line1: string; line2?: string | null; postalCode: string; city: string; country: string };
  rank: number;
  shareBasisPoints: number;
  /**
   * Refused when set (400 naming the field): an acceptance is recorded by back-office from the signed
   * endorsement (`recordBeneficiaryAcceptance`), and a kept beneficiary keeps it.
   */
  accepted?: boolean | null;
  acceptedAt?: string | null;
}

/**
 * An accepted beneficiary's agreement to a change that removes or alters them (Code des assurances
 * L132-9): their signed consent, uploaded as evidence (`beneficiary_consent` of the policy, `item` = the
 * beneficiary's id) and accepted by back-office.
 */
export interface ConsentInput {
  beneficiaryId: string;
  evidenceId: string;
}

/** Back-office records that a beneficiary accepted the benefit, from the signed endorsement. */
export interface AcceptanceInput {
  beneficiaryId: string;
  /** YYYY-MM-DD, as dated on the endorsement. */
  acceptedAt: string;
  /** The endorsement (evidence `acceptance_endorsement` of the policy). */
  endorsementId: string;
}

/** The whole new designation (PUT semantics): exactly one of a standard clause or beneficiaries. */
export interface DesignationInput {
  standardClauseId?: string | null;
  beneficiaries?: BeneficiaryInput[] | null;
  consents?: ConsentInput[] | null;
}
