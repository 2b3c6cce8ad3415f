import { AppError } from '../../errors/app-error';
import type { CatalogueStore } from '../../store/catalogue-store';
import type { Db, Queryable } from '../../store/db';
import type { CompartmentEventRow, CompartmentRow, PolicyRow, PolicyStore, SubscriberOwnership } from '../../store/policy-store';
import type { Viewer } from '../auth/viewer';
import type { AuditTrail } from '../shared/audit-trail';
import type { Clock } from '../shared/clock';
import { newId } from '../shared/ids';
import { checkPageSize } from '../shared/paging';
import { canReachSubscriber, notFound } from '../shared/access';
import type { Acting } from '../shared/acting';
import { allowedCompartmentCodes, compartmentTransition, type CompartmentAction } from './compartment-lifecycle';

export type OwnedPolicy = PolicyRow & SubscriberOwnership;

/** Issued policies: who reaches which, their compartments and the compartments' lifecycle. */
export class PolicyService {
  constructor(
    private readonly db: Db,
    private readonly store: PolicyStore,
    private readonly catalogue: CatalogueStore,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
  ) {}

  /** The policy if this viewer reaches its subscriber; otherwise 404, as if it did not exist. */
  async policy(viewer: Viewer, id: string, tx: Queryable = this.db): Promise<OwnedPolicy> {
    const row = await this.store.policy(id, tx);
    if (!row || !canReachSubscriber(viewer, row)) throw notFound('policy');
    return row;
  }

  /** One page of the viewer's policies (own, distributed, or all for back-office), by id. */
  async page(viewer: Viewer, first: number, after: string | null): Promise<{ rows: OwnedPolicy[]; hasNextPage: boolean }> {
    checkPageSize(first);
    const scope =
      viewer.kind === 'backoffice'
        ? ({ kind: 'all' } as const)
        : viewer.kind === 'subscriber'
          ? ({ kind: 'user', id: viewer.id } as const)
          : viewer.distributorId
            ? ({ kind: 'distributor', id: viewer.distributorId } as const)
            : undefined;
    if (!scope) return { rows: [], hasNextPage: false };
    const rows = await this.store.page(scope, after, first + 1);
    return { rows: rows.slice(0, first), hasNextPage: rows.length > first };
  }

  /** Compartments of many policies in one query (the per-request DataLoader batches through here). */
  compartmentsOf(policyIds: readonly string[]): Promise<CompartmentRow[]> {
    return this.store.compartments(policyIds);
  }

  compartmentEvents(compartmentIds: readonly string[]): Promise<CompartmentEventRow[]> {
    return this.store.compartmentEvents(compartmentIds);
  }

  /** A compartment of a policy the viewer reaches; 404 otherwise. */
  async compartment(viewer: Viewer, policyId: string, compartmentId: string): Promise<CompartmentRow> {
    await this.policy(viewer, policyId);
    const row = await this.store.compartment(policyId, compartmentId);
    if (!row) throw notFound('compartment');
    return row;
  }

  async openCompartment({ viewer, requestId }: Acting, policyId: string, code: string, reason: string): Promise<CompartmentRow> {
    return this.db.transaction(async (tx) => {
      const policy = await this.policy(viewer, policyId, tx);
      const product = (await this.catalogue.product(policy.product_id, tx))!;
      if (!allowedCompartmentCodes(product.kind).includes(code)) throw new AppError('invalid_request', 'COMPARTMENT_CODE_NOT_ALLOWED', { field: 'code' });
      if (policy.status !== 'active') throw new AppError('conflict', `CANNOT_OPEN_COMPARTMENT_IN_POLICY_STATE_${policy.status.toUpperCase()}`);
      const existing = await this.store.compartments([policy.id], tx);
      if (existing.some((c) => c.code === code)) throw new AppError('conflict', 'COMPARTMENT_ALREADY_EXISTS');
      const now = this.clock.now();
      const row: CompartmentRow = { id: newId('cmp'), policy_id: policy.id, code, status: 'open', value: 0, currency: product.currency, created_at: now };
      await this.store.insertCompartment(tx, row);
      await this.store.appendCompartmentEvent(tx, { compartmentId: row.id, at: now, from: null, to: 'open', actorKind: viewer.kind, actorId: viewer.id, reason });
      await this.audit.record(tx, { actor: viewer, action: 'compartment.opened', target: { type: 'compartment', id: row.id }, requestId, details: { policyId, code, reason } });
      return row;
    });
  }

  async changeCompartment({ viewer, requestId }: Acting, policyId: string, compartmentId: string, action: CompartmentAction, reason: string): Promise<CompartmentRow> {
    if (reason.trim() === '' || reason.length > 500) throw new AppError('invalid_request', 'REASON_REQUIRED', { field: 'reason' });
    return this.db.transaction(async (tx) => {
      await this.policy(viewer, policyId, tx);
      const compartment = await this.store.compartment(policyId, compartmentId, tx, { forUpdate: true });
      if (!compartment) throw notFound('compartment');
      const to = compartmentTransition(compartment.status, action);
      if (!(await this.store.changeCompartmentStatus(tx, compartment.id, compartment.status, to))) throw new AppError('conflict', 'COMPARTMENT_CHANGED_CONCURRENTLY');
      const now = this.clock.now();
      await this.store.appendCompartmentEvent(tx, { compartmentId: compartment.id, at: now, from: compartment.status, to, actorKind: viewer.kind, actorId: viewer.id, reason });
      await this.audit.record(tx, { actor: viewer, action: `compartment.${action}`, target: { type: 'compartment', id: compartment.id }, requestId, details: { policyId, from: compartment.status, to, reason } });
      return { ...compartment, status: to };
    });
  }
}
