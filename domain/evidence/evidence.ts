/**
 * What a document proves: who owns a pay-out IBAN (a RIB), the case of a PER early release, the signed
 * endorsement of a beneficiary's acceptance, an accepted beneficiary's written consent to a change, or
 * the origin of the funds of a single premium above the anti-money-laundering threshold, or a document of a
 * death claim beneficiary's file (its item: identity_document, iban_proof, tax_990i_statement, tax_757b_certificate).
 */
export const EVIDENCE_KINDS = ['iban_proof', 'early_release_proof', 'acceptance_endorsement', 'beneficiary_consent', 'funds_origin_proof', 'death_claim_document'] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];
export type EvidenceStatus = 'received' | 'accepted' | 'refused';

/** An uploaded proof about one subject of a subscriber, and back-office's verdict on it. */
export interface Evidence {
  id: string;
  subscriberId: string;
  policyId: string | null;
  kind: EvidenceKind;
  /** The thing it proves something about: a pay-out IBAN, a surrender declaration, a policy. */
  subjectId: string;
  /** Which item of the subject it proves (an early release's required document, a beneficiary id); null when the kind has none. */
  item: string | null;
  fileName: string;
  contentType: string;
  sizeBytes: number;
  sha256: string;
  status: EvidenceStatus;
  /** Why back-office refused it (or a note on acceptance). */
  reviewReason: string | null;
  reviewedByKind: string | null;
  reviewedById: string | null;
  reviewedAt: Date | null;
  uploadedByKind: string;
  uploadedById: string | null;
  createdAt: Date;
}
