import type { EvidenceRow } from '../../store/evidence-store';

/**
 * What a document proves: who owns a pay-out IBAN (a RIB), the case of a PER early release, the signed
 * endorsement of a beneficiary's acceptance, or an accepted beneficiary's written consent to a change.
 */
export const EVIDENCE_KINDS = ['iban_proof', 'early_release_proof', 'acceptance_endorsement', 'beneficiary_consent'] as const;
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
  fileName: string;
  contentType: string;
  sizeBytes: number;
  sha256: string;
  status: EvidenceStatus;
  /** Why back-office refused it (or a note on acceptance). */
  reviewReason: string | null;
  reviewedAt: Date | null;
  uploadedByKind: string;
  createdAt: Date;
}

export function fromRow(row: EvidenceRow): Evidence {
  return {
    id: row.id,
    subscriberId: row.subscriber_id,
    policyId: row.policy_id,
    kind: row.kind as EvidenceKind,
    subjectId: row.subject_id,
    fileName: row.file_name,
    contentType: row.content_type,
    sizeBytes: row.size_bytes,
    sha256: row.sha256,
    status: row.status,
    reviewReason: row.review_reason,
    reviewedAt: row.reviewed_at,
    uploadedByKind: row.uploaded_by_kind,
    createdAt: row.created_at,
  };
}
