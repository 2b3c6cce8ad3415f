import { AppError, invalidFields } from '../../errors/app-error';
import type { Db, Queryable } from '../../store/db';
import type { FundStore } from '../../store/fund-store';
import type { OrderStore } from '../../store/order-store';
import type { PolicyStore } from '../../store/policy-store';
import type { PositionStore } from '../../store/position-store';
import type { ValuationStore } from '../../store/valuation-store';
import type { AuditTrail } from '../shared/audit-trail';
import type { Clock } from '../shared/clock';
import { newUuid } from '../shared/ids';
import { minorUnitDigits } from '../shared/money-format';
import { parisDate } from '../shared/paris-calendar';
import type { CatalogueFund, Valuation } from './fund';
import { holdings, totalValue, valuePositions } from './position';
import { remainingLines, saleProceeds, type OrderCause, type PositionOrder } from './position-order';
import { distribute, executeSwitch, FULL } from './switch-rules';
import type { SwitchLeg } from './switch-request';

/** Money to invest by allocation: shares of the amount per fund and compartment, 10000 basis points in all. */
export interface InvestInput {
  policyId: string;
  allocation: ReadonlyArray<{ compartmentId: string; isin: string; basisPoints: number }>;
  /** Minor units of `currency`, positive. */
  amount: number;
  currency: string;
  /** The day the money was paid: pricing uses each fund's first NAV dated on or after it. */
  tradeDate: string;
  cause: OrderCause;
}

/** Positions to sell: amounts per fund (each fund once), or everything the compartment holds. */
export interface SellInput {
  policyId: string;
  compartmentId: string;
  currency: string;
  tradeDate: string;
  cause: OrderCause;
  sell: 'everything' | ReadonlyArray<{ isin: string; amount: number }>;
}

/** A compartment's holdings valued at the latest NAVs: what a sale is sized on. */
export interface HeldValue {
  value: number;
  positions: Array<{ isin: string; kind: 'euro' | 'unit_linked'; value: number }>;
}

/** Called in the transaction that executed an order: the domain that placed it (a surrender) follows up. */
export type OrderExecuted = (tx: Queryable, order: PositionOrder) => Promise<void>;

const SYSTEM = { kind: 'system', id: 'forward-pricing' } as const;

/**
 * Position orders: the one mechanism by which money enters or leaves a compartment's funds. An order
 * is placed in the transaction of what causes it (issue, a collected premium, a surrender), waits
 * `pending`, and is executed by forward pricing at each unit-linked fund's first NAV dated on or after
 * its trade date, with the switch's arithmetic (switch-rules.ts executeSwitch): a sell in amount sells
 * the shares it is worth (rounded half up, never more than held), in basis points a share of the
 * position (rounded down); a buy shares its money by its lines' amounts and buys shares rounded down
 * to 6 decimals. The euro fund carries no price: a sell's euro lines move when the order is placed.
 * Execution runs after each valuation load and on the periodic run, on every replica: the compartment
 * row lock and the order's status make each order execute once.
 */
export class OrderService {
  constructor(
    private readonly db: Db,
    private readonly orders: OrderStore,
    private readonly positions: PositionStore,
    private readonly funds: FundStore,
    private readonly valuations: ValuationStore,
    private readonly policies: PolicyStore,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    private readonly onExecuted: OrderExecuted = async () => {},
  ) {}

  /**
   * Places the buy orders investing `amount` by `allocation` (one order per compartment), in the
   * caller's transaction: the policy's value at issue, a collected premium. Each line's share is the
   * amount x its basis points / 10000 rounded down, the cents left over to the first line. 400
   * parameter_invalid naming the field when the allocation or amount is not one we can invest.
   */
  async invest(tx: Queryable, input: InvestInput): Promise<PositionOrder[]> {
    const problems: Array<{ field: string; reason: string }> = [];
    if (!Number.isSafeInteger(input.amount) || input.amount <= 0) problems.push({ field: 'amount', reason: 'AMOUNT_NOT_POSITIVE_MINOR_UNITS' });
    const funds = new Map((await this.funds.byIsins([...new Set(input.allocation.map((l) => l.isin))], tx)).map((f) => [f.isin, f]));
    const seen = new Set<string>();
    input.allocation.forEach((l, i) => {
      if (!funds.has(l.isin)) problems.push({ field: `allocation[${i}].isin`, reason: 'FUND_NOT_FOUND' });
      if (!Number.isSafeInteger(l.basisPoints) || l.basisPoints <= 0 || l.basisPoints > FULL) problems.push({ field: `allocation[${i}].basisPoints`, reason: 'SHARE_OUT_OF_RANGE' });
      const key = `${l.compartmentId}:${l.isin}`;
      if (seen.has(key)) problems.push({ field: `allocation[${i}].isin`, reason: 'FUND_LISTED_TWICE' });
      seen.add(key);
    });
    if (!input.allocation.length || input.allocation.reduce((s, l) => s + l.basisPoints, 0) !== FULL) problems.push({ field: 'allocation', reason: 'ALLOCATION_NOT_100_PERCENT' });
    if (problems.length) throw invalidFields(problems);

    const shares = distribute(input.amount, input.allocation.map((l) => l.basisPoints));
    const byCompartment = new Map<string, SwitchLeg[]>();
    input.allocation.forEach((l, i) => {
      if (shares[i] > 0) byCompartment.set(l.compartmentId, [...(byCompartment.get(l.compartmentId) ?? []), { isin: l.isin, direction: 'BUY', unit: 'AMOUNT', amount: shares[i], basisPoints: null }]);
    });
    const placed: PositionOrder[] = [];
    for (const [compartmentId, lines] of byCompartment) {
      const compartment = await this.policies.compartment(input.policyId, compartmentId, tx);
      if (!compartment) throw new AppError('compartment_not_found', 'COMPARTMENT_NOT_FOUND', { field: 'allocation' });
      if (compartment.currency !== input.currency) throw new AppError('parameter_invalid', 'CURRENCY_NOT_THE_COMPARTMENTS', { field: 'currency' });
      const order = this.draft(input.policyId, compartmentId, 'buy', input, lines, lines.reduce((s, l) => s + l.amount!, 0));
      await this.orders.insert(tx, order);
      await this.audited(tx, 'position_order.placed', order);
      placed.push(order);
    }
    return placed;
  }

  /**
   * Places a sell order of one compartment in the caller's transaction (a surrender): amounts per
   * fund, or everything it holds (each position in full, whatever it is worth when priced). Its euro
   * fund lines move now; when nothing else is left to price, it is executed at once (without the
   * `onExecuted` call: the caller knows, and may have more orders to place first).
   */
  async sell(tx: Queryable, input: SellInput): Promise<PositionOrder> {
    const held = holdings(await this.positions.movements([input.compartmentId], tx));
    const lines: SwitchLeg[] =
      input.sell === 'everything'
        ? [...held.keys()].map((isin) => ({ isin, direction: 'SELL', unit: 'BASIS_POINT_OF_CURRENT_POSITION', amount: null, basisPoints: FULL }))
        : input.sell.filter((l) => l.amount > 0).map((l) => ({ isin: l.isin, direction: 'SELL', unit: 'AMOUNT', amount: l.amount, basisPoints: null }));
    const asked = input.sell === 'everything' ? null : input.sell.reduce((s, l) => s + l.amount, 0);
    const order = this.draft(input.policyId, input.compartmentId, 'sell', input, lines, asked);
    const funds = await this.fundsOf(lines, tx);
    const euro = lines.filter((l) => funds.get(l.isin)?.kind === 'euro' || held.get(l.isin)?.shares === null);
    if (euro.length) {
      const { movements, executed } = executeSwitch(euro, held, funds, new Map(), minorUnitDigits(input.currency), {
        compartmentId: input.compartmentId, causeId: order.id, causeType: 'position_order', at: order.createdAt, executedOn: input.tradeDate,
      });
      await this.positions.append(tx, movements);
      order.execution = executed;
    }
    const done = euro.length === lines.length;
    if (done) Object.assign(order, { status: 'executed', executedAt: order.createdAt, proceeds: saleProceeds(order.execution ?? []) });
    await this.orders.insert(tx, order);
    await this.audited(tx, 'position_order.placed', order);
    // Executed at once (euro fund only): the caller, who may be placing several orders, follows up itself.
    if (done) await this.audited(tx, 'position_order.executed', order);
    return order;
  }

  /**
   * Money leaving a compartment before its pending buys executed (a surrender of money not yet in
   * funds): those buys invest that much less, oldest first (each line shrunk in proportion, the cents
   * left over to the first), or nothing at all (`everything`: cancelled). Locks the compartment, unless
   * the caller says this transaction already holds its lock (`heldValue` took it).
   */
  async reduceBuys(tx: Queryable, compartmentId: string, by: number | 'everything', cause: OrderCause, options: { locked?: boolean } = {}): Promise<void> {
    if (!options.locked) await this.orders.lockCompartment(tx, compartmentId);
    let left = by;
    for (const order of await this.orders.ofCompartments([compartmentId], { pendingOnly: true }, tx)) {
      if (order.direction !== 'buy' || left === 0) continue;
      const amount = order.amount ?? 0;
      const taken = left === 'everything' ? amount : Math.min(left, amount);
      if (left !== 'everything') left -= taken;
      const remaining = amount - taken;
      if (remaining === 0) {
        await this.orders.markCancelled(tx, order.id, `${cause.type} ${cause.id} took its money`);
        await this.audited(tx, 'position_order.cancelled', { ...order, status: 'cancelled', cancelledReason: `${cause.type} ${cause.id} took its money` });
        continue;
      }
      const shares = distribute(remaining, order.lines.map((l) => l.amount ?? 0));
      const lines = order.lines.map((l, i) => ({ ...l, amount: shares[i] }));
      await this.orders.reduce(tx, order.id, remaining, lines);
      await this.audited(tx, 'position_order.reduced', { ...order, amount: remaining, lines });
    }
  }

  /**
   * A sale whose cause was withdrawn (a rejected surrender declaration) gives the compartment its
   * money back, in the caller's transaction; each order once. A pending sale is cancelled (`reason`)
   * and its euro fund lines, sold when it was placed, move back at their amount. An executed sale
   * returns its euro lines the same way, and its unit-linked proceeds are bought back into the funds
   * they were sold from, by a buy order (cause `returnedCause`) priced at each fund's first NAV dated
   * on or after today: the money is the compartment's pending cash until then, and shares bought are
   * rounded down to 6 decimals as any buy's are. Locks each compartment, then the order, as execution
   * does, so a sale executes or is returned, never both. Returns the buy orders placed.
   */
  /**
   * Takes the compartment locks a return of sales needs before the caller locks what an execution
   * locks after them (a surrender declaration, which `onExecuted` updates): a rejection and an
   * execution then queue up instead of deadlocking. The compartments of a cause's orders, or of policies.
   */
  lockForReturn(tx: Queryable, of: { cause: { type: string; ids: readonly string[] } } | { policyIds: readonly string[] }): Promise<void> {
    return this.orders.lockCompartmentsOf(tx, of);
  }

  async returnSales(tx: Queryable, cause: OrderCause, returnedCause: OrderCause, reason: string): Promise<PositionOrder[]> {
    const bought: PositionOrder[] = [];
    const returned = new Set((await this.orders.ofCause(returnedCause.type, [returnedCause.id], tx)).map((o) => o.compartmentId));
    for (const found of await this.orders.ofCause(cause.type, [cause.id], tx)) {
      if (found.direction !== 'sell' || found.status === 'cancelled') continue;
      await this.orders.lockCompartment(tx, found.compartmentId);
      const order = (await this.orders.byId(found.id, tx, { forUpdate: true }))!;
      if (order.status === 'cancelled' || (order.status === 'executed' && returned.has(order.compartmentId))) continue;
      const now = this.clock.now();
      const today = parisDate(now);
      const sold = (order.execution ?? []).filter((e) => e.direction === 'SELL' && e.amount > 0);
      // The euro fund carries no price: what left it comes back at its amount, today.
      const euro = sold.filter((e) => e.shares === null);
      await this.positions.append(tx, euro.map((e) => ({
        compartmentId: order.compartmentId, isin: e.isin, effectiveOn: today, shares: null, amount: e.amount, causeType: 'position_order', causeId: order.id, at: now,
      })));
      if (order.status === 'pending') {
        await this.orders.markCancelled(tx, order.id, reason);
        await this.audited(tx, 'position_order.cancelled', { ...order, status: 'cancelled', cancelledReason: reason }, { returnedToEuroFund: euro.map((e) => ({ isin: e.isin, amount: e.amount })) });
        continue;
      }
      const unitLinked = sold.filter((e) => e.shares !== null);
      const lines: SwitchLeg[] = unitLinked.map((e) => ({ isin: e.isin, direction: 'BUY', unit: 'AMOUNT', amount: e.amount, basisPoints: null }));
      const buy = lines.length ? this.draft(order.policyId, order.compartmentId, 'buy', { currency: order.currency, tradeDate: today, cause: returnedCause }, lines, lines.reduce((s, l) => s + l.amount!, 0)) : null;
      if (buy) {
        await this.orders.insert(tx, buy);
        await this.audited(tx, 'position_order.placed', buy);
        bought.push(buy);
      }
      await this.audited(tx, 'position_order.sale_returned', order, {
        reason, returnedToEuroFund: euro.map((e) => ({ isin: e.isin, amount: e.amount })), boughtBack: buy && { orderId: buy.id, amount: buy.amount, tradeDate: buy.tradeDate },
      });
    }
    return bought;
  }

  /**
   * What a compartment's positions are worth at the latest NAVs, per fund; null when it holds none
   * (its recorded amount is then money not invested in funds). Locks the compartment first, so an
   * order executing meanwhile lands before this read or after the caller's transaction.
   */
  async heldValue(tx: Queryable, compartment: { id: string; currency: string }): Promise<HeldValue | null> {
    await this.orders.lockCompartment(tx, compartment.id);
    const movements = await this.positions.movements([compartment.id], tx);
    if (!movements.length) return null;
    const isins = [...new Set(movements.map((m) => m.isin))];
    const latest = new Map((await this.valuations.latest(isins, undefined, tx)).map((v) => [v.isin, v]));
    const valued = valuePositions(compartment, movements, new Map(), latest, minorUnitDigits(compartment.currency));
    return { value: totalValue(valued), positions: valued.map((p) => ({ isin: p.isin, kind: p.kind, value: p.value ?? 0 })) };
  }

  /** Orders of compartments (the pending ones when asked), oldest first. */
  ofCompartments(compartmentIds: readonly string[], options: { pendingOnly?: boolean } = {}): Promise<PositionOrder[]> {
    return this.orders.ofCompartments(compartmentIds, options);
  }

  /** The orders a cause placed (a surrender declaration's sales). */
  ofCause(causeType: string, causeIds: readonly string[], tx?: Queryable): Promise<PositionOrder[]> {
    return this.orders.ofCause(causeType, causeIds, tx);
  }

  /**
   * Executes every pending order (or those named) whose remaining unit-linked funds all have a
   * valuation dated on or after its trade date, each at that first valuation. Returns how many were
   * executed; an order another run executed meanwhile is not counted.
   */
  async executeDue(ids?: readonly string[]): Promise<number> {
    let executed = 0;
    for (const order of await this.orders.pending(ids)) {
      const lines = remainingLines(order);
      const funds = await this.fundsOf(lines);
      const unitLinked = lines.map((l) => l.isin).filter((isin) => funds.get(isin)?.kind === 'unit_linked');
      const navs = new Map((await this.valuations.firstOnOrAfter(unitLinked, order.tradeDate)).map((v) => [v.isin, v]));
      if (unitLinked.some((isin) => !navs.has(isin))) continue;
      if (await this.execute(order.id, funds, navs)) executed += 1;
    }
    return executed;
  }

  private execute(orderId: string, funds: Map<string, CatalogueFund>, navs: Map<string, Valuation>): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const first = await this.orders.byId(orderId, tx);
      if (first?.status !== 'pending') return false;
      // The compartment first, as switches lock it, then the order: two runs queue up and the second finds it executed.
      const compartment = await this.orders.lockCompartment(tx, first.compartmentId);
      const order = (await this.orders.byId(orderId, tx, { forUpdate: true }))!;
      if (order.status !== 'pending') return false;
      if (compartment?.status === 'closed') {
        // A withdrawn or closed policy invests nothing more: its money left through the ledger.
        const reason = 'its compartment closed before it was priced';
        await this.orders.markCancelled(tx, order.id, reason);
        await this.audited(tx, 'position_order.cancelled', { ...order, status: 'cancelled', cancelledReason: reason });
        return false;
      }
      const now = this.clock.now();
      const executedOn = [...navs.values()].reduce((latest, v) => (v.valuedOn > latest ? v.valuedOn : latest), order.tradeDate);
      const held = holdings(await this.positions.movements([order.compartmentId], tx));
      const { movements, executed } = executeSwitch(remainingLines(order), held, funds, navs, minorUnitDigits(order.currency), {
        compartmentId: order.compartmentId, causeId: order.id, causeType: 'position_order', at: now, executedOn, cash: order.direction === 'buy' ? (order.amount ?? 0) : 0,
      });
      await this.positions.append(tx, movements);
      const execution = [...(order.execution ?? []), ...executed];
      const proceeds = order.direction === 'sell' ? saleProceeds(execution) : null;
      await this.orders.markExecuted(tx, order.id, now, execution, proceeds);
      const done: PositionOrder = { ...order, status: 'executed', executedAt: now, execution, proceeds };
      await this.audited(tx, 'position_order.executed', done);
      await this.onExecuted(tx, done);
      return true;
    });
  }

  private draft(policyId: string, compartmentId: string, direction: 'buy' | 'sell', input: { currency: string; tradeDate: string; cause: OrderCause }, lines: SwitchLeg[], amount: number | null): PositionOrder {
    return {
      id: newUuid(), policyId, compartmentId, direction, status: 'pending', tradeDate: input.tradeDate, currency: input.currency, amount, lines, cause: input.cause,
      createdAt: this.clock.now(), executedAt: null, execution: null, proceeds: null, cancelledReason: null,
    };
  }

  private async fundsOf(lines: readonly SwitchLeg[], tx?: Queryable): Promise<Map<string, CatalogueFund>> {
    const isins = [...new Set(lines.map((l) => l.isin))];
    return new Map((isins.length ? await this.funds.byIsins(isins, tx) : []).map((f) => [f.isin, f]));
  }

  private audited(tx: Queryable, action: string, order: PositionOrder, extra: Record<string, unknown> = {}): Promise<void> {
    return this.audit.record(tx, {
      actor: SYSTEM, action, target: { type: 'position_order', id: order.id }, requestId: null,
      details: {
        policyId: order.policyId, compartmentId: order.compartmentId, direction: order.direction, tradeDate: order.tradeDate, amount: order.amount, currency: order.currency,
        cause: order.cause, lines: order.lines, execution: order.execution, proceeds: order.proceeds, cancelledReason: order.cancelledReason, ...extra,
      },
    });
  }
}
