import { AppError, insufficientRoles, invalidFields } from '../../errors/app-error';
import type { Db } from '../../store/db';
import type { FundStore } from '../../store/fund-store';
import type { MandateStore } from '../../store/mandate-store';
import type { PositionStore } from '../../store/position-store';
import type { SwitchStore } from '../../store/switch-store';
import type { Viewer } from '../auth/viewer';
import type { PolicyService } from '../policy/policy-service';
import type { Acting } from '../shared/acting';
import { notFound } from '../shared/access';
import type { AuditTrail } from '../shared/audit-trail';
import type { Clock } from '../shared/clock';
import { newUuid } from '../shared/ids';
import { parisDate } from '../shared/paris-calendar';
import { isIsin } from './isin';
import { checkMandateInput, checkTargetAllocation, FULL_ALLOCATION, type Mandate, type MandateInput, type TargetAllocationLine } from './mandate';
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

  /** Replaces the mandate's target allocation; compartments already delegated are not rebalanced by it. */
  async setTargetAllocation({ viewer, requestId }: Acting, id: string, lines: readonly TargetAllocationLine[]): Promise<Mandate> {
    if (viewer.kind !== 'backoffice') throw insufficientRoles();
    const checked = checkTargetAllocation(lines);
    const catalogued = new Set((await this.funds.byIsins(checked.map((l) => l.isin))).map((f) => f.isin));
    // A catalogued fund is found as it is; only an ISIN the catalogue lacks is checked (docs/INVESTMENTS.md).
    const bad = checked.flatMap((l, i) => (catalogued.has(l.isin) || isIsin(l.isin) ? [] : [{ field: `lines[${i}].isin`, reason: 'ISIN_INVALID' }]));
    if (bad.length) throw invalidFields(bad);
    const missing = checked.findIndex((l) => !catalogued.has(l.isin));
    if (missing >= 0) throw new AppError('resource_not_found', 'FUND_NOT_FOUND', { field: `lines[${missing}].isin` });
    return this.db.transaction(async (tx) => {
      if (!(await this.mandates.byId(id, tx, { forUpdate: true }))) throw mandateNotFound();
      const now = this.clock.now();
      await this.mandates.replaceAllocation(tx, id, checked, now);
      await this.audit.record(tx, { actor: viewer, action: 'mandate.target_allocation_set', target: { type: 'mandate', id }, requestId, details: { lines: checked } });
      return (await this.mandates.byId(id, tx))!;
    });
  }

  /**
   * Delegates a self-invested compartment to a mandate. Its rebalancing sells every position in full
   * and buys the target allocation with the proceeds: the one switch whose outcome is the target
   * whatever the prices at execution (a partial sell computed now would miss it once prices move).
   */
  async delegate({ viewer, requestId }: Acting, policyId: string, compartmentId: string, mandateId: string): Promise<CompartmentDelegation> {
    const policy = await this.policies.policy(viewer, policyId);
    const compartment = await this.policies.compartment(viewer, policyId, compartmentId);
    const rebalancingId = await this.db.transaction(async (tx) => {
      const mandate = await this.mandates.byId(mandateId, tx);
      if (!mandate) throw mandateNotFound();
      const locked = await this.switchStore.lockCompartment(tx, compartment.id);
      if (!locked) throw notFound('compartment');
      if (policy.status !== 'active') throw new AppError('conflict', `CANNOT_DELEGATE_IN_POLICY_STATE_${policy.status.toUpperCase()}`);
      if (locked.status !== 'active') throw new AppError('conflict', `CANNOT_DELEGATE_IN_STATE_${locked.status.toUpperCase()}`);
      if (locked.management !== 'self_invested') throw new AppError('delegate_compartment_to_mandate_compartment_is_not_self_invested', 'COMPARTMENT_ALREADY_MANAGED');
      if (mandate.targetAllocation.length === 0) throw new AppError('delegate_compartment_to_mandate_mandate_has_no_target_allocation', 'MANDATE_HAS_NO_TARGET_ALLOCATION', { field: 'mandateId' });
      if (await this.switchStore.pendingOf(compartment.id, tx)) throw new AppError('conflict', 'SWITCH_ALREADY_PENDING');
      await this.mandates.delegate(tx, compartment.id, mandate.id);
      const held = [...holdings(await this.positions.movements([compartment.id], tx))].filter(([, h]) => (h.shares?.value ?? 0) > 0 || (h.amount ?? 0) > 0);
      let switchId: string | null = null;
      if (held.length > 0) {
        const legs: SwitchLeg[] = [
          ...held.map(([isin]): SwitchLeg => ({ isin, direction: 'SELL', unit: 'BASIS_POINT_OF_CURRENT_POSITION', amount: null, basisPoints: FULL_ALLOCATION })),
          ...mandate.targetAllocation.map((l): SwitchLeg => ({ isin: l.isin, direction: 'BUY', unit: 'BASIS_POINT_OF_SELL_PROCEED', amount: null, basisPoints: l.basisPoints })),
        ];
        const today = parisDate(this.clock.now());
        const request: SwitchRequest = {
          id: newUuid(), policyId: policy.id, compartmentId: compartment.id, status: 'requested', requestedAt: today, receivedOn: today, currency: compartment.currency, legs,
          requestedBy: { kind: viewer.kind, id: viewer.id }, createdAt: this.clock.now(), executedAt: null, execution: null,
        };
        await this.switchStore.insert(tx, request);
        await this.audit.record(tx, { actor: viewer, action: 'switch.requested', target: { type: 'switch_request', id: request.id }, requestId, details: { policyId, compartmentId, requestedAt: today, legs, mandateId } });
        switchId = request.id;
      }
      await this.audit.record(tx, { actor: viewer, action: 'compartment.delegated', target: { type: 'compartment', id: compartment.id }, requestId, details: { policyId, mandateId, rebalancingId: switchId } });
      return switchId;
    });
    if (rebalancingId) await this.switches.executeDue([rebalancingId]);
    const rebalancing = rebalancingId ? ((await this.switchStore.byId(compartment.id, rebalancingId)) ?? null) : null;
    return { policyId: policy.id, compartmentId: compartment.id, mandateId, rebalancing };
  }

  /** The mandate a compartment the viewer reaches is delegated to; null while self-invested. */
  async ofCompartment(viewer: Viewer, policyId: string, compartmentId: string): Promise<string | null> {
    const compartment = await this.policies.compartment(viewer, policyId, compartmentId);
    return (await this.mandates.mandateOf([compartment.id])).get(compartment.id) ?? null;
  }
}
