import { AppError } from '../../errors/app-error';
import type { Db, Queryable } from '../../store/db';
import type { EvidenceRow, EvidenceStore } from '../../store/evidence-store';
import type { Viewer } from '../auth/viewer';
import { canReachSubscriber, notFound } from '../shared/access';
import type { Acting } from '../shared/acting';
import type { AuditTrail } from '../shared/audit-trail';
import type { Clock } from '../shared/clock';
import { newUuid } from '../shared/ids';
import { checkUpload, type UploadInput } from '../shared/uploaded-file';
import type { SubscriptionService } from '../subscription/subscription-service';
import { fromRow, type Evidence, type EvidenceKind } from './evidence';
import type { EvidenceKinds } from './evidence-kinds';

/** A subject rarely needs more than a few files; the cap bounds what one caller can store. */
export const MAX_EVIDENCE_PER_SUBJECT = 20;
const MAX_REVIEW_REASON = 500;
const MAX_ITEM = 100;

export interface EvidenceUpload extends UploadInput {
  kind: EvidenceKind;
  subjectId: string;
  /** Which item of the subject it proves; the kind's handler says whether it needs one and which. */
  item?: string | null;
}

export interface EvidenceReview {
  decision: 'accept' | 'refuse';
  reason?: string | null;
}

/**
 * Proofs about a subscriber's subjects. Whoever reaches the subscriber may upload and read them (the
 * subscriber, their distributor's broker or partner platform, back-office); only back-office decides
 * whether a proof holds, once, and the domain that owns the subject hears of it in the same transaction.
 */
export class EvidenceService {
  constructor(
    private readonly db: Db,
    private readonly store: EvidenceStore,
    private readonly kinds: EvidenceKinds,
    private readonly subscriptions: SubscriptionService,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
  ) {}

  async upload(acting: Acting, subscriberId: string, input: EvidenceUpload): Promise<Evidence> {
    const { viewer, requestId } = acting;
    const file = checkUpload(input);
    const item = input.item?.trim() || null;
    if (item !== null && item.length > MAX_ITEM) throw new AppError('invalid_request', 'TOO_LONG', { field: 'item' });
    const handler = this.kinds.handler(input.kind);
    return this.db.transaction(async (tx) => {
      const subscriber = await this.subscriptions.subscriber(viewer, subscriberId, tx);
      const subject = await handler.subject(tx, subscriber.id, input.subjectId);
      if (!subject) throw new AppError('not_found', 'EVIDENCE_SUBJECT_NOT_FOUND', { field: 'subjectId' });
      if ((await this.store.ofSubject(input.kind, input.subjectId, tx)).length >= MAX_EVIDENCE_PER_SUBJECT) {
        throw new AppError('unprocessable', 'EVIDENCE_LIMIT_REACHED', { field: 'subjectId' });
      }
      const row: EvidenceRow = {
        id: newUuid(), subscriber_id: subscriber.id, policy_id: subject.policyId, kind: input.kind, subject_id: input.subjectId, item,
        file_name: file.fileName, content_type: file.contentType, size_bytes: file.content.length, sha256: file.sha256,
        status: 'received', review_reason: null, reviewed_by_kind: null, reviewed_by_id: null, reviewed_at: null,
        uploaded_by_kind: viewer.kind, uploaded_by_id: viewer.id, created_at: this.clock.now(),
      };
      await this.store.insert(tx, { ...row, content: file.content });
      await this.audit.record(tx, {
        actor: viewer, action: 'evidence.uploaded', target: { type: 'evidence', id: row.id }, requestId,
        details: { subscriberId: subscriber.id, kind: row.kind, subjectId: row.subject_id, item, sizeBytes: row.size_bytes, sha256: row.sha256 },
      });
      const evidence = fromRow(row);
      await handler.onUploaded?.(tx, evidence, acting);
      return evidence;
    });
  }

  /** Back-office accepts or refuses a proof that has not been reviewed yet (a refusal says why). */
  async review(acting: Acting, id: string, input: EvidenceReview): Promise<Evidence> {
    const { viewer } = acting;
    if (viewer.kind !== 'backoffice') throw new AppError('forbidden', 'ROLE_NOT_ALLOWED');
    const reason = input.reason?.trim() || null;
    if (input.decision === 'refuse' && reason === null) throw new AppError('invalid_request', 'REFUSAL_REASON_REQUIRED', { field: 'reason' });
    if (reason !== null && reason.length > MAX_REVIEW_REASON) throw new AppError('invalid_request', 'TOO_LONG', { field: 'reason' });
    return this.db.transaction(async (tx) => {
      const row = await this.store.byId(id, tx, { forUpdate: true });
      if (!row) throw notFound('evidence');
      return this.decide(tx, acting, row, input.decision === 'accept' ? 'accepted' : 'refused', reason);
    });
  }

  /**
   * For the domain that owns the subject, inside its own transaction: back-office accepts a `received`
   * proof as part of an act that rests on it (recording a beneficiary's acceptance from its endorsement).
   */
  async acceptWithin(tx: Queryable, acting: Acting, id: string): Promise<Evidence> {
    if (acting.viewer.kind !== 'backoffice') throw new AppError('forbidden', 'ROLE_NOT_ALLOWED');
    const row = await this.store.byId(id, tx, { forUpdate: true });
    if (!row) throw notFound('evidence');
    return this.decide(tx, acting, row, 'accepted', null);
  }

  /** Records the verdict once, audits it and tells the subject's domain, in the caller's transaction. */
  private async decide(tx: Queryable, acting: Acting, row: EvidenceRow, status: 'accepted' | 'refused', reason: string | null): Promise<Evidence> {
    const { viewer, requestId } = acting;
    if (row.status !== 'received') throw new AppError('conflict', 'EVIDENCE_ALREADY_REVIEWED');
    const at = this.clock.now();
    if (!(await this.store.review(tx, row.id, { status, reason, byKind: viewer.kind, byId: viewer.id, at }))) throw new AppError('conflict', 'EVIDENCE_ALREADY_REVIEWED');
    await this.audit.record(tx, {
      actor: viewer, action: `evidence.${status}`, target: { type: 'evidence', id: row.id }, requestId,
      details: { subscriberId: row.subscriber_id, kind: row.kind, subjectId: row.subject_id, reason },
    });
    const evidence = fromRow({ ...row, status, review_reason: reason, reviewed_by_kind: viewer.kind, reviewed_by_id: viewer.id, reviewed_at: at });
    await this.kinds.handler(evidence.kind).onReviewed?.(tx, evidence, acting);
    return evidence;
  }

  /** One proof of a subscriber the viewer reaches; 404 otherwise. */
  async evidence(viewer: Viewer, id: string): Promise<Evidence> {
    const row = await this.store.owned(id);
    if (!row || !canReachSubscriber(viewer, row)) throw notFound('evidence');
    return fromRow(row);
  }

  async download(viewer: Viewer, id: string): Promise<Evidence & { content: Buffer }> {
    const evidence = await this.evidence(viewer, id);
    return { ...evidence, content: (await this.store.content(evidence.id))! };
  }

  /** A reachable subscriber's proofs, oldest first, optionally of one kind and subject. */
  async list(viewer: Viewer, subscriberId: string, filter: { kind?: EvidenceKind | null; subjectId?: string | null } = {}): Promise<Evidence[]> {
    const subscriber = await this.subscriptions.subscriber(viewer, subscriberId);
    return (await this.store.ofSubscriber(subscriber.id, { kind: filter.kind ?? null, subjectId: filter.subjectId ?? null })).map(fromRow);
  }

  /** For the domain that owns the subject, inside its own transaction: it has already reached the subject. */
  async ofSubject(tx: Queryable, kind: EvidenceKind, subjectId: string): Promise<Evidence[]> {
    return (await this.store.ofSubject(kind, subjectId, tx)).map(fromRow);
  }
}
