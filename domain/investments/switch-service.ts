import { AppError, invalidFields } from '../../errors/app-error';
import type { Db } from '../../store/db';
import type { FundStore } from '../../store/fund-store';
import type { OutboxStore } from '../../store/outbox-store';
import type { PolicyStore } from '../../store/policy-store';
import type { PositionStore } from '../../store/position-store';
import type { SwitchStore } from '../../store/switch-store';
import type { ValuationStore } from '../../store/valuation-store';
import type { Viewer } from '../auth/viewer';
import type { PolicyService } from '../policy/policy-service';
import type { Acting } from '../shared/acting';
import { notFound } from '../shared/access';
import type { AuditTrail } from '../shared/audit-trail';
import type { Clock } from '../shared/clock';
import type { EventPublisher } from '../shared/events';
import { newUuid } from '../shared/ids';
import { minorUnitDigits } from '../shared/money-format';
import { parisDate } from '../shared/paris-calendar';
import { valueInMinorUnits } from './decimal';
import type { CatalogueFund, Valuation } from './fund';
import { isIsin } from './isin';
import { holdings } from './position';
import { switchResource, type SwitchLegInput, type SwitchRequest } from './switch-request';
import type { PolicyFreeze } from '../shared/policy-freeze';
import { checkLegShapes, checkSwitch, executeSwitch, type HeldPosition } from './switch-rules';

/** A switch as asked: its legs, and the date the subscriber asked (today when absent). */
export interface SwitchInput {
  legs: SwitchLegInput[];
  requestedAt?: string | null;
}

/**
 * Switches (arbitrages) between the funds of a self-invested compartment. A request is checked against
 * the documented rules (switch-rules.ts) on the positions at their latest NAV, recorded `requested`,
 * and executed at each fund's first valuation dated on or after the day it was received (forward
 * pricing: nobody trades at a price already known when they asked), when the positions move. One
 * switch waits per compartment at a time. Who may ask: whoever reaches the policy (its subscriber,
 * its distributor's brokers and partner platforms, back-office).
 */
export class SwitchService {
  constructor(
    private readonly db: Db,
    private readonly policies: PolicyService,
    private readonly switches: SwitchStore,
    private readonly positions: PositionStore,
    private readonly funds: FundStore,
    private readonly valuations: ValuationStore,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    private readonly policyStore: PolicyStore,
    private readonly outbox: OutboxStore,
    private readonly events: EventPublisher,
    private readonly freeze: PolicyFreeze,
  ) {}

  async request({ viewer, requestId }: Acting, policyId: string, compartmentId: string, input: SwitchInput): Promise<SwitchRequest> {
    const { policy, compartment } = await this.policies.policyAndCompartment(viewer, policyId, compartmentId);
    const today = parisDate(this.clock.now());
    const requestedAt = input.requestedAt ?? today;
    if (requestedAt > today) throw new AppError('parameter_invalid', 'REQUESTED_AT_IN_THE_FUTURE', { field: 'requestedAt' });
    if (requestedAt < parisDate(policy.issuedAt)) throw new AppError('parameter_invalid', 'REQUESTED_AT_BEFORE_POLICY_ISSUE', { field: 'requestedAt' });
    const legs = checkLegShapes(input.legs, compartment.currency);
    const isins = [...new Set(legs.map((l) => l.isin))];
    const funds = new Map((await this.funds.byIsins(isins)).map((f) => [f.isin, f]));
    const badIsins = legs.flatMap((l, i) => (!funds.has(l.isin) && !isIsin(l.isin) ? [{ field: `legs[${i}].isin`, reason: 'ISIN_INVALID' }] : []));
    if (badIsins.length) throw invalidFields(badIsins);

    const created = await this.db.transaction(async (tx) => {
      // The policy row first (as a surrender, and a notice of death, lock it): a notice being recorded
      // lands wholly before this request (409 below) or after it (and stops it); never a switch left
      // waiting on a frozen policy. Policy before compartment, the order every locker keeps.
      // The status as locked, not as first read (before the transaction): a closing committed meanwhile is seen.
      const policyStatus = (await this.policyStore.lock(tx, policy.id)) ?? policy.status;
      const locked = await this.switches.lockCompartment(tx, compartment.id);
      if (!locked) throw notFound('compartment');
      await this.freeze.assertNotFrozen(tx, policy.id);
      if (policyStatus !== 'active') throw new AppError('conflict', `CANNOT_SWITCH_IN_POLICY_STATE_${policyStatus.toUpperCase()}`);
      if (locked.status !== 'active') throw new AppError('conflict', `CANNOT_SWITCH_IN_STATE_${locked.status.toUpperCase()}`);
      if (locked.management !== 'self_invested') throw new AppError('self_investment_switch_compartment_is_not_self_invested', 'COMPARTMENT_NOT_SELF_INVESTED');
      if (await this.switches.pendingOf(compartment.id, tx)) throw new AppError('conflict', 'SWITCH_ALREADY_PENDING');
      const movements = await this.positions.movements([compartment.id], tx);
      const held = holdings(movements);
      const allIsins = [...new Set([...isins, ...held.keys()])];
      const allFunds = new Map((await this.funds.byIsins(allIsins, tx)).map((f) => [f.isin, f]));
      const latest = new Map((await this.valuations.latest(allIsins, undefined, tx)).map((v) => [v.isin, v]));
      const digits = minorUnitDigits(compartment.currency);
      const positions = new Map<string, HeldPosition>();
      for (const [isin, h] of held) {
        const fund = allFunds.get(isin)!;
        const nav = latest.get(isin) ?? null;
        const value = h.shares ? (nav ? valueInMinorUnits(h.shares, nav.nav, digits) : 0) : (h.amount ?? 0);
        positions.set(isin, { fund, shares: h.shares, amount: h.amount, nav: fund.kind === 'unit_linked' ? nav : null, value });
      }
      checkSwitch(legs, { held: positions, funds: allFunds, latest, currency: compartment.currency, minorDigits: digits });
      const request: SwitchRequest = {
        id: newUuid(), policyId: policy.id, compartmentId: compartment.id, status: 'requested', requestedAt, receivedOn: today, currency: compartment.currency, legs,
        requestedBy: { kind: viewer.kind, id: viewer.id }, createdAt: this.clock.now(), executedAt: null, execution: null,
      };
      await this.switches.insert(tx, request);
      await this.audit.record(tx, { actor: viewer, action: 'switch.requested', target: { type: 'switch_request', id: request.id }, requestId, details: { policyId, compartmentId, requestedAt, legs } });
      return request;
    });
    // The NAVs of the day it was received may already be known: then it executes now.
    await this.executeDue([created.id]);
    return (await this.switches.byId(compartment.id, created.id))!;
  }

  /** A switch request of a compartment the viewer reaches. */
  async get(viewer: Viewer, policyId: string, compartmentId: string, id: string): Promise<SwitchRequest> {
    const compartment = await this.policies.compartment(viewer, policyId, compartmentId);
    const found = await this.switches.byId(compartment.id, id);
    if (!found) throw notFound('switch_request');
    return found;
  }

  /** A compartment's switch requests, oldest first. */
  async ofCompartment(viewer: Viewer, policyId: string, compartmentId: string): Promise<SwitchRequest[]> {
    const compartment = await this.policies.compartment(viewer, policyId, compartmentId);
    return this.switches.ofCompartment(compartment.id);
  }

  /**
   * Executes every waiting request (or those named) whose unit-linked funds all have a valuation dated
   * on or after the day it was received, each at that first valuation. Called after valuations are
   * loaded and after a request is made. Returns how many were executed.
   */
  async executeDue(ids?: readonly string[]): Promise<number> {
    let executed = 0;
    for (const request of await this.switches.pending(ids)) {
      const isins = [...new Set(request.legs.map((l) => l.isin))];
      const funds = new Map((await this.funds.byIsins(isins)).map((f) => [f.isin, f]));
      const unitLinked = isins.filter((isin) => funds.get(isin)?.kind === 'unit_linked');
      const navs = new Map((await this.valuations.firstOnOrAfter(unitLinked, request.receivedOn)).map((v) => [v.isin, v]));
      if (unitLinked.some((isin) => !navs.has(isin))) continue;
      if (await this.execute(request, funds, navs)) executed += 1;
    }
    return executed;
  }

  private execute(request: SwitchRequest, funds: Map<string, CatalogueFund>, navs: Map<string, Valuation>): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await this.switches.lockCompartment(tx, request.compartmentId);
      const current = await this.switches.byId(request.compartmentId, request.id, tx, { forUpdate: true });
      if (current?.status !== 'requested') return false;
      const now = this.clock.now();
      const executedOn = [...navs.values()].reduce((latest, v) => (v.valuedOn > latest ? v.valuedOn : latest), request.receivedOn);
      const held = holdings(await this.positions.movements([request.compartmentId], tx));
      const { movements, executed } = executeSwitch(request.legs, held, funds, navs, minorUnitDigits(request.currency), { compartmentId: request.compartmentId, causeId: request.id, at: now, executedOn });
      await this.positions.append(tx, movements);
      await this.switches.markExecuted(tx, request.id, now, executed);
      await this.audit.record(tx, {
        actor: { kind: 'system', id: 'forward-pricing' }, action: 'switch.executed', target: { type: 'switch_request', id: request.id }, requestId: null,
        details: { policyId: request.policyId, compartmentId: request.compartmentId, executedOn, legs: executed },
      });
      // The subscriber and their distributor learn of it in the same transaction: no execution goes unannounced.
      const owner = await this.policyStore.policy(request.policyId, tx);
      await this.events.publish(tx, { type: 'switch.executed', distributorId: owner?.distributorId ?? null, resource: switchResource(request) }, now);
      if (owner) {
        await this.outbox.enqueue(tx, {
          recipientUserId: owner.userId, channel: 'email', template: 'switch_executed',
          payload: { switchRequestId: request.id, policyId: request.policyId, compartmentId: request.compartmentId, executedOn, legs: executed.length },
        }, now);
      }
      return true;
    });
  }
}
