import { AppError, insufficientRoles } from '../../errors/app-error';
import type { Db, Queryable } from '../../store/db';
import type { EvidenceStore } from '../../store/evidence-store';
import type { Viewer } from '../auth/viewer';
import { canReachSubscriber, notFound } from '../shared/access';
import type { Acting } from '../shared/acting';
import type { AuditTrail } from '../shared/audit-trail';
import type { Clock } from '../shared/clock';
import { newUuid } from '../shared/ids';
import { checkUpload, type UploadInput } from '../shared/uploaded-file';
import type { SubscriptionService } from '../subscription/subscription-service';
import type { Evidence, EvidenceKind } from './evidence';
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
  /** The account a RIB shows, as the uploader reads it (a death claim beneficiary's iban_proof); checked by the kind's handler. */
  iban?: string | null;
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
    if (item !== null && item.length > MAX_ITEM) throw new AppError('parameter_invalid', 'TOO_LONG', { field: 'item' });
    const handler = this.kinds.handler(input.kind);
    return this.db.transaction(async (tx) => {
      const subscriber = await this.subscriptions.subscriber(viewer, subscriberId, tx);
      const subject = await handler.subject(tx, subscriber.id, input.subjectId);
      if (!subject) throw new AppError('resource_not_found', 'EVIDENCE_SUBJECT_NOT_FOUND', { field: 'subjectId' });
      if ((await this.store.ofSubject(input.kind, input.subjectId, tx)).length >= MAX_EVIDENCE_PER_SUBJECT) {
        throw new AppError('unprocessable_content', 'EVIDENCE_LIMIT_REACHED', { field: 'subjectId' });
      }
      const evidence: Evidence = {
        id: newUuid(), subscriberId: subscriber.id, policyId: subject.policyId, kind: input.kind, subjectId: input.subjectId, item,
        fileName: file.fileName, contentType: file.contentType, sizeBytes: file.content.length, sha256: file.sha256,
        status: 'received', reviewReason: null, reviewedByKind: null, reviewedById: null, reviewedAt: null,
        uploadedByKind: viewer.kind, uploadedById: viewer.id, createdAt: this.clock.now(),
      };
      await this.store.insert(tx, evidence, file.content);
      await this.audit.record(tx, {
        actor: viewer, action: 'evidence.uploaded', target: { type: 'evidence', id: evidence.id }, requestId,
        details: { subscriberId: subscriber.id, kind: evidence.kind, subjectId: evidence.subjectId, item, sizeBytes: evidence.sizeBytes, sha256: evidence.sha256 },
      });
      await handler.onUploaded?.(tx, evidence, acting, input);
      return evidence;
    });
  }

  /** Back-office accepts or refuses a proof that has not been reviewed yet (a refusal says why). */
  async review(acting: Acting, id: string, input: EvidenceReview): Promise<Evidence> {
    const { viewer } = acting;
    if (viewer.kind !== 'backoffice') throw insufficientRoles();
    const reason = input.reason?.trim() || null;
    if (input.decision === 'refuse' && reason === null) throw new AppError('parameter_invalid', 'REFUSAL_REASON_REQUIRED', { field: 'reason' });
    if (reason !== null && reason.length > MAX_REVIEW_REASON) throw new AppError('parameter_invalid', 'TOO_LONG', { field: 'reason' });
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
    if (acting.viewer.kind !== 'backoffice') throw insufficientRoles();
    const row = await this.store.byId(id, tx, { forUpdate: true });
    if (!row) throw notFound('evidence');
    return this.decide(tx, acting, row, 'accepted', null);
  }

  /** Records the verdict once, audits it and tells the subject's domain, in the caller's transaction. */
  private async decide(tx: Queryable, acting: Acting, row: Evidence, status: 'accepted' | 'refused', reason: string | null): Promise<Evidence> {
    const { viewer, requestId } = acting;
    if (row.status !== 'received') throw new AppError('conflict', 'EVIDENCE_ALREADY_REVIEWED');
    const at = this.clock.now();
    if (!(await this.store.review(tx, row.id, { status, reason, byKind: viewer.kind, byId: viewer.id, at }))) throw new AppError('conflict', 'EVIDENCE_ALREADY_REVIEWED');
    await this.audit.record(tx, {
      actor: viewer, action: `evidence.${status}`, target: { type: 'evidence', id: row.id }, requestId,
      details: { subscriberId: row.subscriberId, kind: row.kind, subjectId: row.subjectId, reason },
    });
    const evidence: Evidence = { ...row, status, reviewReason: reason, reviewedByKind: viewer.kind, reviewedById: viewer.id, reviewedAt: at };
    await this.kinds.handler(evidence.kind).onReviewed?.(tx, evidence, acting);
    return evidence;
  }

  /** One proof of a subscriber the viewer reaches; 404 otherwise. */
  async evidence(viewer: Viewer, id: string): Promise<Evidence> {
    const found = await this.store.owned(id);
    if (!found || !canReachSubscriber(viewer, found.owner)) throw notFound('evidence');
    return found.evidence;
  }

  async download(viewer: Viewer, id: string): Promise<Evidence & { content: Buffer }> {
    const evidence = await this.evidence(viewer, id);
    return { ...evidence, content: (await this.store.content(evidence.id))! };
  }

  /** A reachable subscriber's proofs, oldest first, optionally of one kind and subject. */
  async list(viewer: Viewer, subscriberId: string, filter: { kind?: EvidenceKind | null; subjectId?: string | null } = {}): Promise<Evidence[]> {
    const subscriber = await this.subscriptions.subscriber(viewer, subscriberId);
    return (await this.store.ofSubscriber(subscriber.id, { kind: filter.kind ?? null, subjectId: filter.subjectId ?? null }));
  }

  /** For the domain that owns the subject, inside its own transaction: it has already reached the subject. */
  async ofSubject(tx: Queryable, kind: EvidenceKind, subjectId: string): Promise<Evidence[]> {
    return (await this.store.ofSubject(kind, subjectId, tx));
  }
}
