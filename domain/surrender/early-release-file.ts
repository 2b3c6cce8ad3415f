import { AppError } from '../../errors/app-error';
import type { Queryable } from '../../store/db';
import type { OutboxStore } from '../../store/outbox-store';
import type { PolicyStore } from '../../store/policy-store';
import type { SurrenderStore } from '../../store/surrender-store';
import type { Acting } from '../shared/acting';
import type { AuditTrail } from '../shared/audit-trail';
import type { Clock } from '../shared/clock';
import { EARLY_RELEASE_DOCUMENTS, earlyReleaseChecklist, isFileComplete, storedEarlyReleaseCase, type RequiredDocumentState, type UploadedProof } from './early-release';
import { surrenderPaymentDueBy } from './payment-deadline';
import type { SurrenderDeclaration } from './surrender-declaration';

/**
 * The proofs uploaded for a declaration (the evidence facility, kind `early_release_proof`, wired in
 * app.ts): surrender only needs each one's checklist item and review status, inside its transaction.
 */
export interface EarlyReleaseProofs {
  ofDeclaration(tx: Queryable, declarationId: string): Promise<UploadedProof[]>;
}

/**
 * The supporting-documents file of a PER early release (L224-4 CMF): its checklist, and the step that
 * sends it for payment once back-office has accepted the last required proof.
 */
export class EarlyReleaseFile {
  constructor(
    private readonly store: SurrenderStore,
    private readonly policies: PolicyStore,
    private readonly proofs: EarlyReleaseProofs,
    private readonly audit: AuditTrail,
    private readonly outbox: OutboxStore,
    private readonly clock: Clock,
  ) {}

  /** The documents a declaration needs and where each stands; empty for an assurance-vie surrender. */
  async checklist(tx: Queryable, declaration: Pick<SurrenderDeclaration, 'id' | 'earlyReleaseCase'>): Promise<RequiredDocumentState[]> {
    const earlyRelease = storedEarlyReleaseCase(declaration.earlyReleaseCase);
    if (!earlyRelease) return [];
    return earlyReleaseChecklist(earlyRelease, await this.proofs.ofDeclaration(tx, declaration.id));
  }

  /**
   * An upload (in its transaction): a proof is for a declaration still awaiting its documents (409
   * otherwise) and names one of the items its case requires (422 naming `item`).
   */
  async checkUpload(tx: Queryable, declarationId: string, item: string | null): Promise<void> {
    const declaration = await this.store.byId(declarationId, tx);
    const earlyRelease = storedEarlyReleaseCase(declaration?.earlyReleaseCase ?? null);
    if (!declaration || !earlyRelease) throw new AppError('unprocessable_content', 'NOT_AN_EARLY_RELEASE_DECLARATION', { field: 'subjectId' });
    if (declaration.status !== 'awaiting_documents') throw new AppError('conflict', 'SURRENDER_NOT_AWAITING_DOCUMENTS');
    if (item === null) throw new AppError('parameter_invalid', 'DOCUMENT_ITEM_REQUIRED', { field: 'item' });
    if (!EARLY_RELEASE_DOCUMENTS[earlyRelease].some((d) => d.item === item)) throw new AppError('unprocessable_content', 'DOCUMENT_ITEM_NOT_REQUIRED_FOR_CASE', { field: 'item' });
  }

  /**
   * A proof was reviewed (in the review's transaction). Refused: the subscriber is told which document
   * to send again and why. Accepted and the file now complete: the declaration moves to `received`, its
   * L132-21 deadline runs from this moment, and the subscriber is told. The policy is locked first (the
   * order declarations and payments lock in), so two last proofs accepted at once complete it once.
   */
  async proofReviewed(tx: Queryable, proof: { subjectId: string; item: string | null; status: string; reviewReason: string | null }, { viewer, requestId }: Acting): Promise<void> {
    const found = await this.store.byId(proof.subjectId, tx);
    if (!found) return;
    await this.policies.lock(tx, found.policyId);
    const declaration = (await this.store.byId(found.id, tx, { forUpdate: true }))!;
    if (declaration.status !== 'awaiting_documents') return;
    const owner = await this.policies.policy(declaration.policyId, tx);
    const now = this.clock.now();
    if (proof.status === 'refused') {
      await this.outbox.enqueue(tx, {
        recipientUserId: owner?.userId ?? null, channel: 'email', template: 'surrender_document_refused',
        payload: { declarationId: declaration.id, policyId: declaration.policyId, item: proof.item, reason: proof.reviewReason },
      }, now);
      return;
    }
    const checklist = await this.checklist(tx, declaration);
    if (!isFileComplete(checklist)) return;
    const dueBy = surrenderPaymentDueBy(now);
    await this.store.changeStatus(tx, declaration.id, 'awaiting_documents', { to: 'received', at: now, dueBy });
    await this.store.appendEvent(tx, { declarationId: declaration.id, at: now, from: 'awaiting_documents', to: 'received', actorKind: viewer.kind, actorId: viewer.id, note: 'supporting documents accepted' });
    await this.audit.record(tx, {
      actor: viewer, action: 'surrender.documents_complete', target: { type: 'surrender_declaration', id: declaration.id }, requestId,
      details: { policyId: declaration.policyId, kind: declaration.kind, earlyReleaseCase: declaration.earlyReleaseCase, documents: checklist.map((d) => d.item), dueBy: dueBy.toISOString() },
    });
    await this.outbox.enqueue(tx, {
      recipientUserId: owner?.userId ?? null, channel: 'email', template: 'surrender_documents_complete',
      payload: { declarationId: declaration.id, policyId: declaration.policyId, kind: declaration.kind, amount: declaration.amount, currency: declaration.currency, dueBy: dueBy.toISOString() },
    }, now);
  }
}
