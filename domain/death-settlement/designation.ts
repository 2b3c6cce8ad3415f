import type { BeneficiaryRecord } from '../../store/beneficiary-store';
import type { StandardClauseRow } from '../../store/catalogue-store';
import { STANDARD_CLAUSE_IDS } from '../shared/standard-clauses';

export type Beneficiary = BeneficiaryRecord;

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

/** A designation with the text of its standard clause, as read by clients. */
export interface DesignationView extends Designation {
  standardClause: StandardClauseRow | null;
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
