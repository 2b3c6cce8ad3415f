import { AppError, invalidFields, insufficientRoles } from '../../errors/app-error';
import type { EventPublisher } from '../shared/events';
import type { BeneficiaryStore } from '../../store/beneficiary-store';
import type { CatalogueStore } from '../../store/catalogue-store';
import type { StandardClause } from '../subscription/catalogue';
import type { Db, Queryable } from '../../store/db';
import type { OutboxStore } from '../../store/outbox-store';
import type { PolicyService } from '../policy/policy-service';
import type { AuditTrail } from '../shared/audit-trail';
import type { Clock } from '../shared/clock';
import { newUuid } from '../shared/ids';
import type { Viewer } from '../auth/viewer';
import type { Acting } from '../shared/acting';
import { checkAcceptanceDate } from './acceptance-rules';
import { DEFAULT_STANDARD_CLAUSE_ID, defaultDesignation, type AcceptanceInput, type ConsentInput, type Designation, type DesignationInput, type DesignationView } from './designation';
import { consentDocumentProblem, consentsMissing, designationProblems, nextDesignation } from './designation-rules';
import type { PolicyDocuments } from './policy-documents';
import type { PolicyFreeze } from '../shared/policy-freeze';

const stale = () => new AppError('precondition_failed', 'STALE_VERSION');
const consentRequired = () => new AppError('conflict', 'ACCEPTED_BENEFICIARY_CONSENT_REQUIRED', { field: 'consents' });

/**
 * Beneficiary designations (clause bénéficiaire). Whoever reaches the policy may read and change it:
 * its subscriber, the broker or partner platform of its distributor, back-office (a broker acts on the
 * subscriber's instructions; the subscriber is notified of every change, whoever made it).
 */
export class DeathSettlementService {
  constructor(
    private readonly db: Db,
    private readonly store: BeneficiaryStore,
    private readonly policies: PolicyService,
    private readonly catalogue: CatalogueStore,
    private readonly documents: PolicyDocuments,
    private readonly outbox: OutboxStore,
    private readonly events: EventPublisher,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    private readonly freeze: PolicyFreeze,
  ) {}

  /**
   * Version 0 of a new policy's designation: the standard clause its subscriber chose when subscribing
   * (called in the transaction that issues the policy), so the designation shown is the one signed.
   */
  async initialDesignation(tx: Queryable, policyId: string, standardClauseId: string): Promise<void> {
    await this.store.ensure(tx, { ...defaultDesignation(policyId), standardClauseId });
  }

  /** The published standard clauses a policy may use, the product's default first; 404 if the policy is not reachable. */
  async standardClauses(viewer: Viewer, policyId: string): Promise<StandardClause[]> {
    await this.policies.policy(viewer, policyId);
    const clauses = await this.catalogue.standardClauses();
    return [...clauses.filter((c) => c.id === DEFAULT_STANDARD_CLAUSE_ID), ...clauses.filter((c) => c.id !== DEFAULT_STANDARD_CLAUSE_ID)];
  }

  /** A policy's current designation (the product's default at version 0 when none was ever made); 404 if not reachable. */
  async designation(viewer: Viewer, policyId: string): Promise<DesignationView> {
    const policy = await this.policies.policy(viewer, policyId);
    const row = await this.store.current(policy.id);
    const [view] = await this.withClauses([row ?? defaultDesignation(policy.id)]);
    return view;
  }

  /** Designations of policies the caller has already reached (`Policy.beneficiaryDesignation`), in two queries. */
  async designationsOf(policyIds: readonly string[]): Promise<DesignationView[]> {
    const rows = await this.store.currentOf(policyIds);
    return this.withClauses(policyIds.map((id) => {
      const row = rows.find((r) => r.policyId === id);
      return row ?? defaultDesignation(id);
    }));
  }

  /**
   * Replaces the designation if it is still at `expectedVersion`. Checks in order: the policy is
   * reachable (404) and active (409), the version is current (412), the input is valid (400; it cannot
   * set an acceptance), accepted beneficiaries removed or altered have consented (409 without a
   * consent, 422 naming a consent document that cannot be relied on). The write itself is conditional
   * on the version, so of concurrent writers with the same expected version exactly one succeeds.
   */
  async designate({ viewer, requestId }: Acting, policyId: string, expectedVersion: number, input: DesignationInput): Promise<DesignationView> {
    return this.db.transaction(async (tx) => {
      // Locked as it is read, as a notice of death locks it: the notice lands wholly before (409) or after.
      const policy = await this.policies.lockedPolicy(viewer, policyId, tx);
      await this.freeze.assertNotFrozen(tx, policy.id);
      if (policy.status !== 'active') throw new AppError('conflict', `CANNOT_DESIGNATE_BENEFICIARIES_IN_POLICY_STATE_${policy.status.toUpperCase()}`);
      const current = await this.current(policy.id, tx);
      if (current.version !== expectedVersion) throw stale();
      const clause = input.standardClauseId ? await this.catalogue.standardClause(input.standardClauseId, tx) : undefined;
      const now = this.clock.now();
      const problems = designationProblems(input, { current, clauseExists: clause !== undefined, today: now });
      if (problems.length) throw invalidFields(problems);
      const next = nextDesignation(input, current, newUuid, now);
      if (consentsMissing(current.beneficiaries, next.beneficiaries, input.consents ?? []).length) throw consentRequired();
      await this.store.ensure(tx, defaultDesignation(policy.id));
      const saved = await this.store.replace(tx, expectedVersion, next);
      if (!saved) throw stale();
      const consents = await this.relyOnNamedConsents(tx, policy.id, input.consents ?? [], `${policy.id}:${saved.version}`, now);
      await this.store.appendVersion(tx, { ...saved, consents, actorKind: viewer.kind, actorId: viewer.id, requestId, createdAt: now });
      // Names only: birth dates and addresses stay out of the audit trail.
      await this.audit.record(tx, {
        actor: viewer,
        action: 'beneficiary_designation.changed',
        target: { type: 'beneficiary_designation', id: policy.id },
        requestId,
        details: {
          fromVersion: current.version,
          toVersion: saved.version,
          kind: saved.kind,
          standardClauseId: saved.standardClauseId,
          beneficiaries: saved.beneficiaries.map((b) => `${b.firstName} ${b.lastName}`),
          consentsOf: consents.map((c) => c.beneficiaryId),
        },
      });
      await this.events.publish(tx, { type: 'beneficiary_designation.updated', distributorId: policy.distributorId, resource: { policyId: policy.id } }, now);
      await this.outbox.enqueue(
        tx,
        { recipientUserId: policy.userId, channel: 'email', template: 'beneficiary_designation_changed', payload: { policyId: policy.id, subscriberId: policy.subscriberId, version: saved.version, changedBy: viewer.kind } },
        now,
      );
      return { ...saved, standardClause: clause ?? null };
    });
  }

  /**
   * Back-office records that a beneficiary accepted the benefit (L132-9 Code des assurances), from the
   * signed endorsement uploaded for the policy (evidence `acceptance_endorsement`; a `received` one is
   * accepted by this act). Checks: back-office (403), the policy (404, 409 when not active), a named
   * beneficiary of the current designation (422; 409 when already accepted), the endorsement (422:
   * unknown, refused or about another beneficiary), the date (422: in the future, or before the
   * 30-day withdrawal period from the contract's conclusion has run). The designation moves to its
   * next version, like any change, so a client holding the old ETag must read it again.
   */
  async recordAcceptance(acting: Acting, policyId: string, input: AcceptanceInput): Promise<DesignationView> {
    const { viewer, requestId } = acting;
    if (viewer.kind !== 'backoffice') throw insufficientRoles();
    return this.db.transaction(async (tx) => {
      const policy = await this.policies.lockedPolicy(viewer, policyId, tx);
      if (policy.status !== 'active') throw new AppError('conflict', `CANNOT_RECORD_ACCEPTANCE_IN_POLICY_STATE_${policy.status.toUpperCase()}`);
      await this.store.ensure(tx, defaultDesignation(policy.id));
      // Locks the designation: a concurrent change waits, then finds the version moved (412).
      const current = (await this.store.current(policy.id, tx, { forUpdate: true }))!;
      const beneficiary = current.beneficiaries.find((b) => b.id === input.beneficiaryId);
      if (!beneficiary) throw new AppError('unprocessable_content', 'UNKNOWN_BENEFICIARY', { field: 'beneficiaryId' });
      if (beneficiary.acceptedAt !== null) throw new AppError('conflict', 'BENEFICIARY_ALREADY_ACCEPTED');
      const now = this.clock.now();
      checkAcceptanceDate(input.acceptedAt, policy.issuedAt, now);
      const endorsement = (await this.documents.ofPolicy(tx, 'acceptance_endorsement', policy.id)).find((d) => d.id === input.endorsementId);
      if (!endorsement) throw new AppError('unprocessable_content', 'ACCEPTANCE_ENDORSEMENT_NOT_FOUND', { field: 'endorsementId' });
      if (endorsement.item !== null && endorsement.item !== beneficiary.id) throw new AppError('unprocessable_content', 'ACCEPTANCE_ENDORSEMENT_NAMES_ANOTHER_BENEFICIARY', { field: 'endorsementId' });
      if (endorsement.status === 'refused') throw new AppError('unprocessable_content', 'ACCEPTANCE_ENDORSEMENT_REFUSED', { field: 'endorsementId' });
      if (endorsement.status === 'received') await this.documents.accept(tx, acting, endorsement.id);
      const beneficiaries = current.beneficiaries.map((b) => (b.id === beneficiary.id ? { ...b, acceptedAt: input.acceptedAt } : b));
      const saved = (await this.store.replace(tx, current.version, { ...current, beneficiaries, updatedAt: now }))!;
      await this.store.appendVersion(tx, { ...saved, consents: [], actorKind: viewer.kind, actorId: viewer.id, requestId, createdAt: now });
      await this.store.insertAcceptance(tx, {
        policyId: policy.id, beneficiaryId: beneficiary.id, acceptedOn: input.acceptedAt, endorsementId: endorsement.id, designationVersion: saved.version,
        recordedByKind: viewer.kind, recordedById: viewer.id, requestId, recordedAt: now,
      });
      await this.audit.record(tx, {
        actor: viewer, action: 'beneficiary_acceptance.recorded', target: { type: 'beneficiary_designation', id: policy.id }, requestId,
        details: { beneficiaryId: beneficiary.id, beneficiary: `${beneficiary.firstName} ${beneficiary.lastName}`, acceptedAt: input.acceptedAt, endorsementId: endorsement.id, fromVersion: current.version, toVersion: saved.version },
      });
      await this.events.publish(tx, { type: 'beneficiary_designation.updated', distributorId: policy.distributorId, resource: { policyId: policy.id } }, now);
      await this.outbox.enqueue(
        tx,
        { recipientUserId: policy.userId, channel: 'email', template: 'beneficiary_acceptance_recorded', payload: { policyId: policy.id, subscriberId: policy.subscriberId, beneficiaryId: beneficiary.id, acceptedAt: input.acceptedAt, version: saved.version } },
        now,
      );
      const [view] = await this.withClauses([saved]);
      return view;
    });
  }

  /**
   * For a surrender of `policyId` (SurrenderService, in its transaction): every accepted beneficiary of
   * the current designation must have a written consent on file, accepted by back-office and never
   * relied on, else 409 `ACCEPTED_BENEFICIARY_CONSENT_REQUIRED`. The consents used are recorded against
   * the declaration; returns their ids.
   */
  async relyOnConsents(tx: Queryable, policyId: string, declarationId: string): Promise<string[]> {
    // Locked: an acceptance being recorded at the same moment lands before or after this surrender, never beside it.
    const row = await this.store.current(policyId, tx, { forUpdate: true });
    const accepted = (row ?? defaultDesignation(policyId)).beneficiaries.filter((b) => b.acceptedAt !== null);
    if (accepted.length === 0) return [];
    const documents = (await this.documents.ofPolicy(tx, 'beneficiary_consent', policyId)).filter((d) => d.status === 'accepted');
    const used = await this.store.usedConsents(tx, documents.map((d) => d.id));
    const now = this.clock.now();
    const relied: string[] = [];
    for (const b of accepted) {
      const consent = documents.find((d) => d.item === b.id && !used.has(d.id));
      if (!consent) throw consentRequired();
      if (!(await this.store.useConsent(tx, { evidenceId: consent.id, policyId, beneficiaryId: b.id, usedByType: 'surrender_declaration', usedById: declarationId, usedAt: now }))) throw consentRequired();
      relied.push(consent.id);
    }
    return relied;
  }

  /** The consent documents a designation change names: each must be one that can be relied on (422 naming it); they are then used. */
  private async relyOnNamedConsents(tx: Queryable, policyId: string, consents: readonly ConsentInput[], usedBy: string, now: Date): Promise<Array<{ beneficiaryId: string; evidenceId: string }>> {
    if (consents.length === 0) return [];
    const documents = await this.documents.ofPolicy(tx, 'beneficiary_consent', policyId);
    const used = await this.store.usedConsents(tx, consents.map((c) => c.evidenceId));
    const problems = consents.flatMap((c, i) => {
      const reason = consentDocumentProblem(documents.find((d) => d.id === c.evidenceId), c.beneficiaryId, used.has(c.evidenceId));
      return reason ? [{ field: `consents.${i}.evidenceId`, reason }] : [];
    });
    if (problems.length) throw new AppError('unprocessable_content', problems[0].reason, { field: problems[0].field });
    for (const c of consents) {
      const fresh = await this.store.useConsent(tx, { evidenceId: c.evidenceId, policyId, beneficiaryId: c.beneficiaryId, usedByType: 'beneficiary_designation', usedById: usedBy, usedAt: now });
      if (!fresh) throw new AppError('unprocessable_content', 'CONSENT_DOCUMENT_ALREADY_USED', { field: 'consents' });
    }
    return consents.map((c) => ({ beneficiaryId: c.beneficiaryId, evidenceId: c.evidenceId }));
  }

  private async current(policyId: string, tx: Queryable): Promise<Designation> {
    const row = await this.store.current(policyId, tx);
    return row ?? defaultDesignation(policyId);
  }

  /** Standard clauses are a handful of rows: one read serves every designation of a request. */
  private async withClauses(designations: Designation[]): Promise<DesignationView[]> {
    const needed = designations.some((d) => d.standardClauseId !== null);
    const clauses = needed ? await this.catalogue.standardClauses() : [];
    return designations.map((d) => ({ ...d, standardClause: clauses.find((c) => c.id === d.standardClauseId) ?? null }));
  }
}
