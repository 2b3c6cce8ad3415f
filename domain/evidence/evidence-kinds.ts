import type { Queryable } from '../../store/db';
import type { Acting } from '../shared/acting';
import type { Evidence, EvidenceKind } from './evidence';
import type { EvidenceUpload } from './evidence-service';

/**
 * What one kind of evidence means to the domain that owns its subject. The evidence domain stores and
 * reviews files; whether a subject exists, and what an accepted proof unlocks, belongs to that domain.
 */
export interface EvidenceKindHandler {
  /** The subject `subjectId` if it belongs to `subscriberId`; undefined answers 404 for the subject. */
  subject(tx: Queryable, subscriberId: string, subjectId: string): Promise<{ policyId: string | null } | undefined>;
  /** In the upload's transaction, after the row is written; `upload` is what was sent. */
  onUploaded?(tx: Queryable, evidence: Evidence, acting: Acting, upload: EvidenceUpload): Promise<void>;
  /** In the review's transaction, after the evidence is accepted or refused. */
  onReviewed?(tx: Queryable, evidence: Evidence, acting: Acting): Promise<void>;
}

/** One handler per kind, registered at composition (app.ts); a kind without one cannot be uploaded. */
export class EvidenceKinds {
  private readonly handlers = new Map<EvidenceKind, EvidenceKindHandler>();

  register(kind: EvidenceKind, handler: EvidenceKindHandler): void {
    if (this.handlers.has(kind)) throw new Error(`evidence kind ${kind} registered twice`);
    this.handlers.set(kind, handler);
  }

  handler(kind: EvidenceKind): EvidenceKindHandler {
    const handler = this.handlers.get(kind);
    if (!handler) throw new Error(`no handler for evidence kind ${kind}`);
    return handler;
  }
}
