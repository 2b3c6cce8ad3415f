import { AppError, invalidFields } from '../../errors/app-error';
import type { BeneficiaryStore, DesignationRow } from '../../store/beneficiary-store';
import type { CatalogueStore, StandardClauseRow } from '../../store/catalogue-store';
import type { Db, Queryable } from '../../store/db';
import type { OutboxStore } from '../../store/outbox-store';
import type { PolicyService } from '../policy/policy-service';
import type { AuditTrail } from '../shared/audit-trail';
import type { Clock } from '../shared/clock';
import { newId } from '../shared/ids';
import type { Viewer } from '../auth/viewer';
import type { Acting } from '../shared/acting';
import { DEFAULT_STANDARD_CLAUSE_ID, defaultDesignation, type Designation, type DesignationInput, type DesignationView } from './designation';
import { consentsMissing, designationProblems, nextDesignation } from './designation-rules';

const stale = () => new AppError('precondition_failed', 'STALE_VERSION');

function fromRow(row: DesignationRow): Designation {
  return { policyId: row.policy_id, version: row.version, kind: row.kind, standardClauseId: row.standard_clause_id, beneficiaries: row.beneficiaries, updatedAt: row.updated_at };
}

function toRow(d: Omit<Designation, 'version'>): Omit<DesignationRow, 'version'> {
  return { policy_id: d.policyId, kind: d.kind, standard_clause_id: d.standardClauseId, beneficiaries: d.beneficiaries, updated_at: d.updatedAt };
}

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
    private readonly outbox: OutboxStore,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
  ) {}

  /**
   * Version 0 of a new policy's designation: the standard clause its subscriber chose when subscribing
   * (called in the transaction that issues the policy), so the designation shown is the one signed.
   */
  async initialDesignation(tx: Queryable, policyId: string, standardClauseId: string): Promise<void> {
    await this.store.ensure(tx, { ...toRow({ ...defaultDesignation(policyId), standardClauseId }), version: 0 });
  }

  /** The published standard clauses a policy may use, the product's default first; 404 if the policy is not reachable. */
  async standardClauses(viewer: Viewer, policyId: string): Promise<StandardClauseRow[]> {
    await this.policies.policy(viewer, policyId);
    const clauses = await this.catalogue.standardClauses();
    return [...clauses.filter((c) => c.id === DEFAULT_STANDARD_CLAUSE_ID), ...clauses.filter((c) => c.id !== DEFAULT_STANDARD_CLAUSE_ID)];
  }

  /** A policy's current designation (the product's default at version 0 when none was ever made); 404 if not reachable. */
  async designation(viewer: Viewer, policyId: string): Promise<DesignationView> {
    const policy = await this.policies.policy(viewer, policyId);
    const row = await this.store.current(policy.id);
    const [view] = await this.withClauses([row ? fromRow(row) : defaultDesignation(policy.id)]);
    return view;
  }

  /** Designations of policies the caller has already reached (`Policy.beneficiaryDesignation`), in two queries. */
  async designationsOf(policyIds: readonly string[]): Promise<DesignationView[]> {
    const rows = await this.store.currentOf(policyIds);
    return this.withClauses(policyIds.map((id) => {
      const row = rows.find((r) => r.policy_id === id);
      return row ? fromRow(row) : defaultDesignation(id);
    }));
  }

  /**
   * Replaces the designation if it is still at `expectedVersion`. Checks in order: the policy is
   * reachable (404) and active (409), the version is current (412), the input is valid (400), accepted
   * beneficiaries removed or altered have consented (422). The write itself is conditional on the
   * version, so of concurrent writers with the same expected version exactly one succeeds.
   */
  async designate({ viewer, requestId }: Acting, policyId: string, expectedVersion: number, input: DesignationInput): Promise<DesignationView> {
    return this.db.transaction(async (tx) => {
      const policy = await this.policies.policy(viewer, policyId, tx);
      if (policy.status !== 'active') throw new AppError('conflict', `CANNOT_DESIGNATE_BENEFICIARIES_IN_POLICY_STATE_${policy.status.toUpperCase()}`);
      const current = await this.current(policy.id, tx);
      if (current.version !== expectedVersion) throw stale();
      const clause = input.standardClauseId ? await this.catalogue.standardClause(input.standardClauseId, tx) : undefined;
      const now = this.clock.now();
      const problems = designationProblems(input, { current, clauseExists: clause !== undefined, today: now });
      if (problems.length) throw invalidFields(problems);
      const next = nextDesignation(input, policy.id, () => newId('bnf'), now);
      if (consentsMissing(current.beneficiaries, next.beneficiaries, input.consents ?? []).length) {
        throw new AppError('unprocessable', 'ACCEPTED_BENEFICIARY_CONSENT_REQUIRED', { field: 'consents' });
      }
      await this.store.ensure(tx, { ...toRow(defaultDesignation(policy.id)), version: 0 });
      const saved = await this.store.replace(tx, expectedVersion, toRow(next));
      if (!saved) throw stale();
      const consents = (input.consents ?? []).map((c) => ({ beneficiaryId: c.beneficiaryId, consentedAt: c.consentedAt }));
      await this.store.appendVersion(tx, { ...saved, consents, actor_kind: viewer.kind, actor_id: viewer.id, request_id: requestId, created_at: now });
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
          standardClauseId: saved.standard_clause_id,
          beneficiaries: saved.beneficiaries.map((b) => `${b.firstName} ${b.lastName}`),
          consentsOf: consents.map((c) => c.beneficiaryId),
        },
      });
      await this.outbox.enqueue(
        tx,
        { recipientUserId: policy.user_id, channel: 'email', template: 'beneficiary_designation_changed', payload: { policyId: policy.id, subscriberId: policy.subscriber_id, version: saved.version, changedBy: viewer.kind } },
        now,
      );
      return { ...fromRow(saved), standardClause: clause ?? null };
    });
  }

  private async current(policyId: string, tx: Queryable): Promise<Designation> {
    const row = await this.store.current(policyId, tx);
    return row ? fromRow(row) : defaultDesignation(policyId);
  }

  /** Standard clauses are a handful of rows: one read serves every designation of a request. */
  private async withClauses(designations: Designation[]): Promise<DesignationView[]> {
    const needed = designations.some((d) => d.standardClauseId !== null);
    const clauses = needed ? await this.catalogue.standardClauses() : [];
    return designations.map((d) => ({ ...d, standardClause: clauses.find((c) => c.id === d.standardClauseId) ?? null }));
  }
}
