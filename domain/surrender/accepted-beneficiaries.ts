import type { Queryable } from '../../store/db';

/**
 * The accepted beneficiaries of a policy's current designation (the death-settlement domain, wired in
 * app.ts). Once a beneficiary has accepted, the subscriber may no longer surrender without their
 * written consent (Code des assurances L132-9 I).
 */
export interface AcceptedBeneficiaryConsents {
  /**
   * In the declaration's transaction: 409 `ACCEPTED_BENEFICIARY_CONSENT_REQUIRED` unless every accepted
   * beneficiary has a written consent on file that back-office accepted and nothing relied on yet; those
   * consents are then relied on by `declarationId` (a consent agrees to one operation). Returns their ids.
   */
  relyOnConsents(tx: Queryable, policyId: string, declarationId: string): Promise<string[]>;
}

/** No designation to look at (services built without death settlement). */
export const NO_ACCEPTED_BENEFICIARIES: AcceptedBeneficiaryConsents = { relyOnConsents: async () => [] };
