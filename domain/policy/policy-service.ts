import { AppError } from '../../errors/app-error';
import type { EventPublisher } from '../shared/events';
import type { Db, Queryable } from '../../store/db';
import type { PolicyStore } from '../../store/policy-store';
import type { Viewer } from '../auth/viewer';
import type { AuditTrail } from '../shared/audit-trail';
import type { Clock } from '../shared/clock';
import { isUuid, newUuid } from '../shared/ids';
import { checkPageSize, decodeCursor, encodeCursor } from '../shared/paging';
import { canReachSubscriber, notFound } from '../shared/access';
import type { Acting } from '../shared/acting';
import { allowedCompartmentCodes, compartmentTransition, type CompartmentAction } from './compartment-lifecycle';
import { movement, policyMoney, premiumMovements, withdrawalMovements, withdrawalRefund, type MoneyMovement, type PolicyMoney } from './policy-money';
import type { Compartment, CompartmentEvent, ManagedCompartment, Management, OwnedPolicy, Policy, PolicyRead } from './policy';
import type { ProductCatalogue } from '../subscription/product-catalogue';

export type { OwnedPolicy } from './policy';

/** Who made money move, for the compartments' lifecycle records (a payment provider, a person). */
export interface MoneyActor {
  kind: string;
  id: string | null;
}

/** Issued policies: who reaches which, their compartments and the compartments' lifecycle, and their money (the ledger). */
export class PolicyService {
  constructor(
    private readonly db: Db,
    private readonly store: PolicyStore,
    private readonly catalogue: ProductCatalogue,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    private readonly events: EventPublisher,
  ) {}

  /** The policy if this viewer reaches its subscriber; otherwise 404, as if it did not exist. */
  async policy(viewer: Viewer, id: string, tx: Queryable = this.db): Promise<OwnedPolicy> {
    const row = await this.store.policy(id, tx);
    if (!row || !canReachSubscriber(viewer, row)) throw notFound('policy');
    return row;
  }

  /**
   * The policy if this viewer reaches its subscriber, its row locked until `tx` ends (writes of one
   * policy queue up there, and the status read is the one they act on); otherwise 404.
   */
  async lockedPolicy(viewer: Viewer, id: string, tx: Queryable): Promise<OwnedPolicy> {
    const row = await this.store.policy(id, tx, { forUpdate: true });
    if (!row || !canReachSubscriber(viewer, row)) throw notFound('policy');
    return row;
  }

  /** The policy with its compartments, in one read, if this viewer reaches its subscriber; otherwise 404. */
  async policyWithCompartments(viewer: Viewer, id: string): Promise<PolicyRead> {
    const read = await this.store.policyWithCompartments(id);
    if (!read || !canReachSubscriber(viewer, read.policy)) throw notFound('policy');
    return read;
  }

  /**
   * Many policies for one viewer in one query, each in the order asked or its 404 as `policy` would
   * throw it (the per-request DataLoader batches links and `_entities` through here).
   */
  async policiesFor(viewer: Viewer, ids: readonly string[]): Promise<Array<OwnedPolicy | AppError>> {
    const rows = new Map((await this.store.policies(ids)).map((row) => [row.id, row]));
    return ids.map((id) => {
      const row = rows.get(id);
      return row && canReachSubscriber(viewer, row) ? row : notFound('policy');
    });
  }

  /** One page of the viewer's policies (own, distributed, or all for back-office), by id, with their compartments. */
  async page(viewer: Viewer, first: number, after: string | null): Promise<{ rows: PolicyRead[]; hasNextPage: boolean }> {
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
    const rows = await this.store.page(scope, after === null ? null : positionOf(after), first + 1);
    return { rows: rows.slice(0, first), hasNextPage: rows.length > first };
  }

  /** The opaque cursor of a policy in the list order (by id). */
  static cursorOf(policy: Policy): string {
    return encodeCursor([policy.id]);
  }

  /** Compartments of many policies in one query (the per-request DataLoader batches through here). */
  compartmentsOf(policyIds: readonly string[]): Promise<Compartment[]> {
    return this.store.compartments(policyIds);
  }

  /** How each compartment's investments are managed (the per-request DataLoader batches through here). */
  managementOf(compartmentIds: readonly string[]): Promise<Array<{ compartmentId: string; management: Management }>> {
    return this.store.managementOf(compartmentIds);
  }

  compartmentEvents(compartmentIds: readonly string[]): Promise<CompartmentEvent[]> {
    return this.store.compartmentEvents(compartmentIds);
  }

  /**
   * A compartment of a policy the viewer reaches, with how it is managed; 404 otherwise. One read: the
   * policy comes with its compartments (a policy has a handful).
   */
  async compartment(viewer: Viewer, policyId: string, compartmentId: string): Promise<ManagedCompartment> {
    return (await this.policyAndCompartment(viewer, policyId, compartmentId)).compartment;
  }

  /** The policy and one of its compartments, in the same one read, for a caller that needs both; 404 as `compartment`. */
  async policyAndCompartment(viewer: Viewer, policyId: string, compartmentId: string): Promise<{ policy: OwnedPolicy; compartment: ManagedCompartment }> {
    const read = await this.policyWithCompartments(viewer, policyId);
    const compartment = read.compartments.find((c) => c.id === compartmentId);
    if (!compartment) throw notFound('compartment');
    return { policy: read.policy, compartment };
  }

  async openCompartment({ viewer, requestId }: Acting, policyId: string, code: string, reason: string): Promise<Compartment> {
    return this.db.transaction(async (tx) => {
      const policy = await this.lockedPolicy(viewer, policyId, tx);
      const product = (await this.catalogue.product(policy.productId, tx))!;
      if (!allowedCompartmentCodes(product.kind).includes(code)) throw new AppError('parameter_invalid', 'COMPARTMENT_CODE_NOT_ALLOWED', { field: 'code' });
      if (policy.status !== 'active') throw new AppError('conflict', `CANNOT_OPEN_COMPARTMENT_IN_POLICY_STATE_${policy.status.toUpperCase()}`);
      const existing = await this.store.compartments([policy.id], tx);
      if (existing.some((c) => c.code === code)) throw new AppError('conflict', 'COMPARTMENT_ALREADY_EXISTS');
      const now = this.clock.now();
      const row: Compartment = { id: newUuid(), policyId: policy.id, code, status: 'open', value: 0, currency: product.currency, createdAt: now };
      await this.store.insertCompartment(tx, row);
      await this.store.appendCompartmentEvent(tx, { compartmentId: row.id, at: now, from: null, to: 'open', actorKind: viewer.kind, actorId: viewer.id, reason });
      await this.audit.record(tx, { actor: viewer, action: 'compartment.opened', target: { type: 'compartment', id: row.id }, requestId, details: { policyId, code, reason } });
      return row;
    });
  }

  async changeCompartment({ viewer, requestId }: Acting, policyId: string, compartmentId: string, action: CompartmentAction, reason: string): Promise<Compartment> {
    if (reason.trim() === '' || reason.length > 500) throw new AppError('parameter_invalid', 'REASON_REQUIRED', { field: 'reason' });
    return this.db.transaction(async (tx) => {
      const policy = await this.policy(viewer, policyId, tx);
      const compartment = await this.store.compartment(policyId, compartmentId, tx, { forUpdate: true });
      if (!compartment) throw notFound('compartment');
      const to = compartmentTransition(compartment.status, action);
      if (!(await this.store.changeCompartmentStatus(tx, compartment.id, compartment.status, to))) throw new AppError('conflict', 'COMPARTMENT_CHANGED_CONCURRENTLY');
      const now = this.clock.now();
      await this.store.appendCompartmentEvent(tx, { compartmentId: compartment.id, at: now, from: compartment.status, to, actorKind: viewer.kind, actorId: viewer.id, reason });
      await this.transitioned(tx, policy, compartment.id, now);
      await this.audit.record(tx, { actor: viewer, action: `compartment.${action}`, target: { type: 'compartment', id: compartment.id }, requestId, details: { policyId, from: compartment.status, to, reason } });
      return { ...compartment, status: to };
    });
  }

  /** The money of many policies from their ledgers (the per-request DataLoader batches through here). */
  async moneyOf(policies: readonly Policy[]): Promise<PolicyMoney[]> {
    const movements = await this.store.movements(policies.map((p) => p.id));
    const products = await this.catalogue.products();
    return policies.map((p) => policyMoney(movements.filter((m) => m.policyId === p.id), products.find((x) => x.id === p.productId)?.currency ?? 'EUR'));
  }

  movementsOf(policyIds: readonly string[]): Promise<MoneyMovement[]> {
    return this.store.movements(policyIds);
  }

  /**
   * A paid total surrender ends the contract, in the payment's transaction (the caller holds the
   * policy's lock): every compartment pays out its value (one ledger movement each) and closes, each
   * closure recorded in its lifecycle, then the policy closes. Returns what was paid.
   */
  async settleTotalSurrender(tx: Queryable, s: { policyId: string; declarationId: string; by: MoneyActor; sold?: ReadonlyMap<string, number> }): Promise<number> {
    // A compartment whose positions were sold pays what the sale produced; the others their recorded amount.
    const compartments = (await this.store.compartments([s.policyId], tx)).filter((c) => c.status !== 'closed').map((c) => ({ ...c, value: s.sold?.get(c.id) ?? c.value }));
    const at = this.clock.now();
    const payouts = compartments
      .filter((c) => c.value > 0)
      .map((c) => movement('surrender_payout', c.value, { policyId: s.policyId, compartmentId: c.id, currency: c.currency, causeType: 'surrender_declaration', causeId: s.declarationId, at }));
    await this.closeWithCompartments(tx, s.policyId, compartments, { by: s.by, at, reason: `total surrender ${s.declarationId} paid` });
    await this.store.appendMovements(tx, payouts);
    return compartments.reduce((sum, c) => sum + c.value, 0);
  }

  /**
   * The death benefit of every beneficiary is paid: the contract ends (French practice: a death benefit
   * paid in full extinguishes the policy), in the payment's transaction. The policy becomes `closed`, as after
   * a total surrender, and its compartments close, each closure recorded; the money already left the
   * ledger with each payment (death_benefit_payout).
   */
  async endByDeathBenefit(tx: Queryable, d: { policyId: string; claimId: string; by: MoneyActor }): Promise<void> {
    const compartments = (await this.store.compartments([d.policyId], tx)).filter((c) => c.status !== 'closed');
    await this.closeWithCompartments(tx, d.policyId, compartments, { by: d.by, at: this.clock.now(), reason: `death claim ${d.claimId} paid` });
  }

  private async closeWithCompartments(tx: Queryable, policyId: string, compartments: readonly Compartment[], why: { by: MoneyActor; at: Date; reason: string }): Promise<void> {
    await this.store.close(tx, policyId, 'closed');
    const policy = (await this.store.policy(policyId, tx))!;
    for (const c of compartments) {
      await this.store.appendCompartmentEvent(tx, { compartmentId: c.id, at: why.at, from: c.status, to: 'closed', actorKind: why.by.kind, actorId: why.by.id, reason: why.reason });
      await this.transitioned(tx, policy, c.id, why.at);
    }
  }

  /**
   * A collected premium enters the ledger: per compartment, the payment in and the product's entry fee out
   * of it (the rule issue applies, `premiumMovements`), caused by the payment `collectionId`. Returns what
   * is left to invest. The unique key of the ledger refuses a second settlement of the same payment.
   */
  async settlePremium(tx: Queryable, p: { policyId: string; collectionId: string; grossByCompartment: ReadonlyMap<string, number>; currency: string }): Promise<number> {
    const policy = (await this.store.policy(p.policyId, tx))!;
    const product = (await this.catalogue.product(policy.productId, tx))!;
    const at = this.clock.now();
    let invested = 0;
    for (const [compartmentId, amount] of p.grossByCompartment) {
      if (amount <= 0) continue;
      const premium = premiumMovements({ policyId: p.policyId, compartmentId, cause: { type: 'payment', id: p.collectionId }, amount, entryFeeBasisPoints: product.entryFeeBasisPoints, currency: p.currency, at });
      await this.store.appendMovements(tx, premium.movements);
      invested += premium.invested;
    }
    return invested;
  }

  /** A paid partial surrender leaves its compartment (409 if its value no longer covers it), recorded in the ledger. */
  async settlePartialSurrender(tx: Queryable, s: { policyId: string; compartmentId: string; declarationId: string; amount: number; currency: string; fromPositions?: boolean }): Promise<number> {
    // Sold positions already left the compartment (position movements); its recorded amount is money not in funds, untouched.
    if (!s.fromPositions && !(await this.store.lowerCompartmentValue(tx, s.compartmentId, s.amount))) {
      // Cannot happen while declarations reserve their amounts; refusing keeps the books right and the provider retries.
      throw new AppError('conflict', 'COMPARTMENT_VALUE_BELOW_SURRENDER_AMOUNT');
    }
    await this.store.appendMovements(tx, [
      movement('surrender_payout', s.amount, { policyId: s.policyId, compartmentId: s.compartmentId, currency: s.currency, causeType: 'surrender_declaration', causeId: s.declarationId, at: this.clock.now() }),
    ]);
    return s.amount;
  }

  /**
   * A withdrawn contract is void from the start: the policy is locked, its ledger decides the refund
   * (409 WITHDRAWAL_AFTER_SURRENDER once a surrender is declared or paid), the policy and its
   * compartments close, and the entry fee given back and the refund are recorded. Returns the refund.
   */
  async voidForWithdrawal(tx: Queryable, w: { policyId: string; subscriptionId: string; refundId: string; by: MoneyActor }): Promise<{ amount: number; currency: string }> {
    await this.store.lock(tx, w.policyId);
    const policy = (await this.store.policy(w.policyId, tx))!;
    const product = await this.catalogue.product(policy.productId, tx);
    const money = policyMoney(await this.store.movements([w.policyId], tx), product?.currency ?? 'EUR');
    const amount = withdrawalRefund(money, await this.store.openSurrenderCount(tx, w.policyId));
    const compartments = (await this.store.compartments([w.policyId], tx)).filter((c) => c.status !== 'closed');
    const at = this.clock.now();
    await this.store.close(tx, w.policyId, 'withdrawn');
    for (const c of compartments) {
      await this.store.appendCompartmentEvent(tx, { compartmentId: c.id, at, from: c.status, to: 'closed', actorKind: w.by.kind, actorId: w.by.id, reason: 'contract withdrawn' });
      await this.transitioned(tx, policy, c.id, at);
    }
    await this.store.appendMovements(tx, withdrawalMovements(money, { policyId: w.policyId, subscriptionId: w.subscriptionId, refundId: w.refundId, amount, at }));
    return { amount, currency: money.currency };
  }

  /** Partners hear of every change of a compartment's status, whoever or whatever made it. */
  private async transitioned(tx: Queryable, policy: OwnedPolicy, compartmentId: string, at: Date): Promise<void> {
    await this.events.publish(tx, { type: 'compartment.transitioned', distributorId: policy.distributorId, resource: { policyId: policy.id, compartmentId } }, at);
  }
}

// A policy id alone was the cursor before cursors were opaque: one a client kept still pages.
function positionOf(cursor: string): string {
  if (isUuid(cursor)) return cursor;
  const [id] = decodeCursor(cursor, 1);
  if (!isUuid(id!)) throw new AppError('parameter_invalid', 'INVALID_CURSOR', { field: 'after' });
  return id!;
}
