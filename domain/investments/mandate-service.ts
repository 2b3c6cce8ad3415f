import { AppError, insufficientRoles, invalidFields } from '../../errors/app-error';
import type { Db, Queryable } from '../../store/db';
import type { FundStore } from '../../store/fund-store';
import type { MandateStore } from '../../store/mandate-store';
import type { PolicyStore } from '../../store/policy-store';
import type { PositionStore } from '../../store/position-store';
import type { SwitchStore } from '../../store/switch-store';
import type { Viewer } from '../auth/viewer';
import { policyUnderDeathClaim, type PolicyFreeze } from '../shared/policy-freeze';
import type { PolicyService } from '../policy/policy-service';
import type { Acting } from '../shared/acting';
import { notFound } from '../shared/access';
import type { AuditTrail } from '../shared/audit-trail';
import type { Clock } from '../shared/clock';
import { newUuid } from '../shared/ids';
import { parisDate } from '../shared/paris-calendar';
import { isIsin } from './isin';
import { checkMandateInput, checkTargetAllocation, FULL_ALLOCATION, sameAllocation, type Mandate, type MandateInput, type MandatePatch, type TargetAllocationLine } from './mandate';
import { holdings } from './position';
import type { SwitchLeg, SwitchRequest } from './switch-request';
import type { SwitchService } from './switch-service';

/** A compartment put under a mandate, and the switch that rebalances it to the target allocation (none when it held nothing). */
export interface CompartmentDelegation {
  policyId: string;
  compartmentId: string;
  mandateId: string;
  rebalancing: SwitchRequest | null;
}

/** A compartment returned to self-invested: the mandate it followed, and its rebalancing stopped before it was priced (if one was waiting). */
export interface CompartmentUndelegation {
  policyId: string;
  compartmentId: string;
  mandateId: string;
  stoppedRebalancing: SwitchRequest | null;
}

/** Why a waiting rebalancing is stopped (switch `stopped_reason`). */
export const SUPERSEDED_BY_NEW_ALLOCATION = 'TARGET_ALLOCATION_CHANGED';
export const DELEGATION_REVOKED = 'DELEGATION_REVOKED';

function mandateNotFound(): AppError {
  return new AppError('mandate_not_found', 'MANDATE_NOT_FOUND', { field: 'mandateId' });
}

/**
 * Mandates: back-office manages them and their target allocations; a self-invested compartment
 * delegated to one is rebalanced to its target allocation by a switch request, executed like any other
 * (forward pricing, SwitchService.executeDue). Anyone signed in reads the mandates (a catalogue, like
 * the funds); whoever reaches the policy may delegate (its subscriber, its distributor's brokers and
 * partner platforms, back-office).
 */
export class MandateService {
  constructor(
    private readonly db: Db,
    private readonly mandates: MandateStore,
    private readonly policies: PolicyService,
    private readonly switchStore: SwitchStore,
    private readonly switches: SwitchService,
    private readonly positions: PositionStore,
    private readonly funds: FundStore,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    private readonly policyStore: Pick<PolicyStore, 'lock'>,
    private readonly freeze: PolicyFreeze,
  ) {}

  list(): Promise<Mandate[]> {
    return this.mandates.all();
  }

  async get(id: string): Promise<Mandate> {
    const found = await this.mandates.byId(id);
    if (!found) throw mandateNotFound();
    return found;
  }

  async create({ viewer, requestId }: Acting, input: MandateInput): Promise<Mandate> {
    if (viewer.kind !== 'backoffice') throw insufficientRoles();
    const checked = checkMandateInput(input);
    const now = this.clock.now();
    const mandate: Mandate = { id: newUuid(), ...checked, targetAllocation: [], createdAt: now, updatedAt: now };
    await this.db.transaction(async (tx) => {
      await this.mandates.insert(tx, mandate);
      await this.audit.record(tx, { actor: viewer, action: 'mandate.created', target: { type: 'mandate', id: mandate.id }, requestId, details: { ...checked } });
    });
    return mandate;
  }

  /** Renames a mandate or changes its risk level (only the fields sent). Back-office. */
  async update({ viewer, requestId }: Acting, id: string, patch: MandatePatch): Promise<Mandate> {
    if (viewer.kind !== 'backoffice') throw insufficientRoles();
    return this.db.transaction(async (tx) => {
      const current = await this.mandates.byId(id, tx, { forUpdate: true });
      if (!current) throw mandateNotFound();
      const checked = checkMandateInput({ name: patch.name ?? current.name, riskLevel: patch.riskLevel ?? current.riskLevel });
      if (checked.name === current.name && checked.riskLevel === current.riskLevel) return current;
      await this.mandates.update(tx, id, checked, this.clock.now());
      await this.audit.record(tx, {
        actor: viewer, action: 'mandate.updated', target: { type: 'mandate', id }, requestId,
        details: { ...checked, previous: { name: current.name, riskLevel: current.riskLevel } },
      });
      return (await this.mandates.byId(id, tx))!;
    });
  }

  /**
   * Replaces the mandate's target allocation. Every compartment delegated to it follows: one rebalancing
   * switch each (the delegation's: sell all, buy the new target), recorded in the same transaction and
   * audited; a rebalancing still waiting for its NAVs is stopped and replaced by the new one. The same
   * allocation again changes nothing (no new rebalancing: a retried call is harmless). A compartment
   * whose policy is frozen by a death claim, or not active, keeps its positions.
   */
  async setTargetAllocation({ viewer, requestId }: Acting, id: string, lines: readonly TargetAllocationLine[]): Promise<Mandate> {
    if (viewer.kind !== 'backoffice') throw insufficientRoles();
    const checked = checkTargetAllocation(lines);
    const catalogued = new Set((await this.funds.byIsins(checked.map((l) => l.isin))).map((f) => f.isin));
    // A catalogued fund is found as it is; only an ISIN the catalogue lacks is checked (docs/INVESTMENTS.md).
    const bad = checked.flatMap((l, i) => (catalogued.has(l.isin) || isIsin(l.isin) ? [] : [{ field: `lines[${i}].isin`, reason: 'ISIN_INVALID' }]));
    if (bad.length) throw invalidFields(bad);
    const missing = checked.findIndex((l) => !catalogued.has(l.isin));
    if (missing >= 0) throw new AppError('resource_not_found', 'FUND_NOT_FOUND', { field: `lines[${missing}].isin` });
    const { mandate, rebalancings } = await this.db.transaction(async (tx) => {
      const current = await this.mandates.byId(id, tx, { forUpdate: true });
      if (!current) throw mandateNotFound();
      if (sameAllocation(current.targetAllocation, checked)) return { mandate: current, rebalancings: [] as string[] };
      const now = this.clock.now();
      await this.mandates.replaceAllocation(tx, id, checked, now);
      const updated = (await this.mandates.byId(id, tx))!;
      const followed: Array<{ compartmentId: string; rebalancingId: string | null; stoppedId: string | null }> = [];
      const skipped: Array<{ compartmentId: string; reason: string }> = [];
      for (const c of await this.mandates.delegatedTo(tx, id)) {
        // Policy, then compartment: the order of every other locker (switch request, notice of death).
        const policyStatus = await this.policyStore.lock(tx, c.policyId);
        const locked = await this.switchStore.lockCompartment(tx, c.id);
        if (await this.frozen(tx, c.policyId)) skipped.push({ compartmentId: c.id, reason: 'POLICY_UNDER_DEATH_CLAIM' });
        else if (policyStatus !== 'active' || locked?.status !== 'active') skipped.push({ compartmentId: c.id, reason: 'NOT_ACTIVE' });
        else {
          const pending = await this.switchStore.pendingOf(c.id, tx);
          if (pending) await this.switchStore.stop(tx, pending.id, SUPERSEDED_BY_NEW_ALLOCATION);
          const rebalancingId = await this.rebalance(tx, { viewer, requestId }, { policyId: c.policyId, compartmentId: c.id, currency: c.currency }, updated);
          followed.push({ compartmentId: c.id, rebalancingId, stoppedId: pending?.id ?? null });
        }
      }
      await this.audit.record(tx, { actor: viewer, action: 'mandate.target_allocation_set', target: { type: 'mandate', id }, requestId, details: { lines: checked, compartments: followed, skipped } });
      return { mandate: updated, rebalancings: followed.flatMap((f) => (f.rebalancingId ? [f.rebalancingId] : [])) };
    });
    if (rebalancings.length) await this.switches.executeDue(rebalancings);
    return mandate;
  }

  /**
   * Delegates a self-invested compartment to a mandate. Its rebalancing sells every position in full
   * and buys the target allocation with the proceeds: the one switch whose outcome is the target
   * whatever the prices at execution (a partial sell computed now would miss it once prices move).
   */
  async delegate({ viewer, requestId }: Acting, policyId: string, compartmentId: string, mandateId: string): Promise<CompartmentDelegation> {
    const { policy, compartment } = await this.policies.policyAndCompartment(viewer, policyId, compartmentId);
    const rebalancingId = await this.db.transaction(async (tx) => {
      // The mandate held (FOR UPDATE) so that a target allocation changed meanwhile sees this compartment among its own.
      const mandate = await this.mandates.byId(mandateId, tx, { forUpdate: true });
      if (!mandate) throw mandateNotFound();
      // Policy before compartment, the notice of death's order: a notice lands wholly before (409) or after (stopping the rebalancing).
      // The status as locked, not as first read (before the transaction): a closing committed meanwhile is seen.
      const policyStatus = (await this.policyStore.lock(tx, policy.id)) ?? policy.status;
      const locked = await this.switchStore.lockCompartment(tx, compartment.id);
      if (!locked) throw notFound('compartment');
      await this.freeze.assertNotFrozen(tx, policy.id);
      if (policyStatus !== 'active') throw new AppError('conflict', `CANNOT_DELEGATE_IN_POLICY_STATE_${policyStatus.toUpperCase()}`);
      if (locked.status !== 'active') throw new AppError('conflict', `CANNOT_DELEGATE_IN_STATE_${locked.status.toUpperCase()}`);
      if (locked.management !== 'self_invested') throw new AppError('delegate_compartment_to_mandate_compartment_is_not_self_invested', 'COMPARTMENT_ALREADY_MANAGED');
      if (mandate.targetAllocation.length === 0) throw new AppError('delegate_compartment_to_mandate_mandate_has_no_target_allocation', 'MANDATE_HAS_NO_TARGET_ALLOCATION', { field: 'mandateId' });
      if (await this.switchStore.pendingOf(compartment.id, tx)) throw new AppError('conflict', 'SWITCH_ALREADY_PENDING');
      await this.mandates.delegate(tx, compartment.id, mandate.id);
      const switchId = await this.rebalance(tx, { viewer, requestId }, { policyId: policy.id, compartmentId: compartment.id, currency: compartment.currency }, mandate);
      await this.audit.record(tx, { actor: viewer, action: 'compartment.delegated', target: { type: 'compartment', id: compartment.id }, requestId, details: { policyId, mandateId, rebalancingId: switchId } });
      return switchId;
    });
    if (rebalancingId) await this.switches.executeDue([rebalancingId]);
    const rebalancing = rebalancingId ? ((await this.switchStore.byId(compartment.id, rebalancingId)) ?? null) : null;
    return { policyId: policy.id, compartmentId: compartment.id, mandateId, rebalancing };
  }

  /**
   * Returns a managed compartment to self-invested, keeping its positions: a rebalancing still waiting
   * for its NAVs is stopped (it would move them after the subscriber took the compartment back). Who may:
   * as for delegating. 409 `conflict` COMPARTMENT_NOT_MANAGED when it is self-invested already.
   */
  async revokeDelegation({ viewer, requestId }: Acting, policyId: string, compartmentId: string): Promise<CompartmentUndelegation> {
    const { policy, compartment } = await this.policies.policyAndCompartment(viewer, policyId, compartmentId);
    const { mandateId, stoppedId } = await this.db.transaction(async (tx) => {
      // The status as locked, not as first read (before the transaction): a closing committed meanwhile is seen.
      const policyStatus = (await this.policyStore.lock(tx, policy.id)) ?? policy.status;
      const locked = await this.switchStore.lockCompartment(tx, compartment.id);
      if (!locked) throw notFound('compartment');
      await this.freeze.assertNotFrozen(tx, policy.id);
      if (policyStatus !== 'active') throw new AppError('conflict', `CANNOT_REVOKE_DELEGATION_IN_POLICY_STATE_${policyStatus.toUpperCase()}`);
      if (locked.status !== 'active') throw new AppError('conflict', `CANNOT_REVOKE_DELEGATION_IN_STATE_${locked.status.toUpperCase()}`);
      const followed = (await this.mandates.mandateOf([compartment.id], tx)).get(compartment.id);
      if (locked.management !== 'managed' || !followed) throw new AppError('conflict', 'COMPARTMENT_NOT_MANAGED');
      const pending = await this.switchStore.pendingOf(compartment.id, tx);
      if (pending) await this.switchStore.stop(tx, pending.id, DELEGATION_REVOKED);
      await this.mandates.revoke(tx, compartment.id);
      await this.audit.record(tx, {
        actor: viewer, action: 'compartment.delegation_revoked', target: { type: 'compartment', id: compartment.id }, requestId,
        details: { policyId, mandateId: followed, stoppedRebalancingId: pending?.id ?? null },
      });
      return { mandateId: followed, stoppedId: pending?.id ?? null };
    });
    const stoppedRebalancing = stoppedId ? ((await this.switchStore.byId(compartment.id, stoppedId)) ?? null) : null;
    return { policyId: policy.id, compartmentId: compartment.id, mandateId, stoppedRebalancing };
  }

  /** Whether the policy is frozen by a death claim (the freeze port answers by refusing). */
  private frozen(tx: Queryable, policyId: string): Promise<boolean> {
    return this.freeze.assertNotFrozen(tx, policyId).then(
      () => false,
      (error: unknown) => {
        if (error instanceof AppError && error.reason === policyUnderDeathClaim().reason) return true;
        throw error;
      },
    );
  }

  /**
   * Records the switch that brings a compartment to the mandate's target allocation, inside the caller's
   * transaction (compartment locked): every position sold in full and the proceeds bought by the target's
   * basis points. Null when the compartment holds nothing.
   */
  private async rebalance(tx: Queryable, { viewer, requestId }: Acting, c: { policyId: string; compartmentId: string; currency: string }, mandate: Mandate): Promise<string | null> {
    const held = [...holdings(await this.positions.movements([c.compartmentId], tx))].filter(([, h]) => (h.shares?.value ?? 0) > 0 || (h.amount ?? 0) > 0);
    if (held.length === 0) return null;
    const legs: SwitchLeg[] = [
      ...held.map(([isin]): SwitchLeg => ({ isin, direction: 'SELL', unit: 'BASIS_POINT_OF_CURRENT_POSITION', amount: null, basisPoints: FULL_ALLOCATION })),
      ...mandate.targetAllocation.map((l): SwitchLeg => ({ isin: l.isin, direction: 'BUY', unit: 'BASIS_POINT_OF_SELL_PROCEED', amount: null, basisPoints: l.basisPoints })),
    ];
    const today = parisDate(this.clock.now());
    const request: SwitchRequest = {
      id: newUuid(), policyId: c.policyId, compartmentId: c.compartmentId, status: 'requested', requestedAt: today, receivedOn: today, currency: c.currency, legs,
      requestedBy: { kind: viewer.kind, id: viewer.id }, createdAt: this.clock.now(), executedAt: null, execution: null,
    };
    await this.switchStore.insert(tx, request);
    await this.audit.record(tx, {
      actor: viewer, action: 'switch.requested', target: { type: 'switch_request', id: request.id }, requestId,
      details: { policyId: c.policyId, compartmentId: c.compartmentId, requestedAt: today, legs, mandateId: mandate.id },
    });
    return request.id;
  }

  /** The mandate a compartment the viewer reaches is delegated to; null while self-invested. */
  async ofCompartment(viewer: Viewer, policyId: string, compartmentId: string): Promise<string | null> {
    const compartment = await this.policies.compartment(viewer, policyId, compartmentId);
    return (await this.mandates.mandateOf([compartment.id])).get(compartment.id) ?? null;
  }
}
