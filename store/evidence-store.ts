import type { Evidence, EvidenceKind } from '../domain/evidence/evidence';
import type { SubscriberOwnership } from '../domain/shared/access';
import type { Queryable } from './db';

interface EvidenceRow {
  id: string;
  subscriber_id: string;
  policy_id: string | null;
  kind: string;
  subject_id: string;
  item: string | null;
  file_name: string;
  content_type: string;
  size_bytes: number;
  sha256: string;
  status: 'received' | 'accepted' | 'refused';
  review_reason: string | null;
  reviewed_by_kind: string | null;
  reviewed_by_id: string | null;
  reviewed_at: Date | null;
  uploaded_by_kind: string;
  uploaded_by_id: string | null;
  created_at: Date;
}

function toEvidence(row: EvidenceRow): Evidence {
  return {
    id: row.id, subscriberId: row.subscriber_id, policyId: row.policy_id, kind: row.kind as EvidenceKind, subjectId: row.subject_id, item: row.item,
    fileName: row.file_name, contentType: row.content_type, sizeBytes: row.size_bytes, sha256: row.sha256, status: row.status,
    reviewReason: row.review_reason, reviewedByKind: row.reviewed_by_kind, reviewedById: row.reviewed_by_id, reviewedAt: row.reviewed_at,
    uploadedByKind: row.uploaded_by_kind, uploadedById: row.uploaded_by_id, createdAt: row.created_at,
  };
}

const COLUMNS = `id, subscriber_id, policy_id, kind, subject_id, file_name, content_type, size_bytes, sha256, status, review_reason,
  reviewed_by_kind, reviewed_by_id, reviewed_at, uploaded_by_kind, uploaded_by_id, created_at, item`;

/** Evidence documents; their bytes are read only when downloaded. */
export class EvidenceStore {
  constructor(private readonly db: Queryable) {}

  async insert(tx: Queryable, evidence: Evidence, content: Buffer): Promise<void> {
    await tx.query(
      `insert into evidence_documents (${COLUMNS}, content) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
      [
        evidence.id, evidence.subscriberId, evidence.policyId, evidence.kind, evidence.subjectId, evidence.fileName, evidence.contentType, evidence.sizeBytes,
        evidence.sha256, evidence.status, evidence.reviewReason, evidence.reviewedByKind, evidence.reviewedById, evidence.reviewedAt, evidence.uploadedByKind,
        evidence.uploadedById, evidence.createdAt, evidence.item, content,
      ],
    );
  }

  async byId(id: string, tx: Queryable = this.db, options: { forUpdate?: boolean } = {}): Promise<Evidence | undefined> {
    const [row] = await tx.query<EvidenceRow>(`select ${COLUMNS} from evidence_documents where id = $1${options.forUpdate ? ' for update' : ''}`, [id]);
    return row && toEvidence(row);
  }

  /** With who owns its subscriber, for the object-level check in one query. */
  async owned(id: string): Promise<{ evidence: Evidence; owner: SubscriberOwnership } | undefined> {
    const columns = COLUMNS.split(',').map((c) => `e.${c.trim()}`).join(', ');
    const [row] = await this.db.query<EvidenceRow & { user_id: string | null; distributor_id: string | null }>(
      `select ${columns}, s.user_id, s.distributor_id from evidence_documents e join subscribers s on s.id = e.subscriber_id where e.id = $1`,
      [id],
    );
    return row && { evidence: toEvidence(row), owner: { userId: row.user_id, distributorId: row.distributor_id } };
  }

  async content(id: string): Promise<Buffer | undefined> {
    const rows = await this.db.query<{ content: Uint8Array }>('select content from evidence_documents where id = $1', [id]);
    // PGlite returns bytea as Uint8Array, pg as Buffer.
    return rows[0] ? Buffer.from(rows[0].content) : undefined;
  }

  /** Oldest first. */
  async ofSubject(kind: string, subjectId: string, tx: Queryable = this.db): Promise<Evidence[]> {
    return (await tx.query<EvidenceRow>(`select ${COLUMNS} from evidence_documents where kind = $1 and subject_id = $2 order by created_at, id`, [kind, subjectId])).map(toEvidence);
  }

  /** A subscriber's evidence, oldest first, optionally of one kind and subject. */
  async ofSubscriber(subscriberId: string, filter: { kind: string | null; subjectId: string | null }): Promise<Evidence[]> {
    const rows = await this.db.query<EvidenceRow>(
      `select ${COLUMNS} from evidence_documents
        where subscriber_id = $1 and ($2::text is null or kind = $2) and ($3::text is null or subject_id = $3)
        order by created_at, id`,
      [subscriberId, filter.kind, filter.subjectId],
    );
    return rows.map(toEvidence);
  }

  /** Records the review only if nobody reviewed it meanwhile; false otherwise. */
  async review(tx: Queryable, id: string, review: { status: 'accepted' | 'refused'; reason: string | null; byKind: string; byId: string | null; at: Date }): Promise<boolean> {
    const rows = await tx.query(
      `update evidence_documents set status = $2, review_reason = $3, reviewed_by_kind = $4, reviewed_by_id = $5, reviewed_at = $6
        where id = $1 and status = 'received' returning id`,
      [id, review.status, review.reason, review.byKind, review.byId, review.at],
    );
    return rows.length === 1;
  }
}
