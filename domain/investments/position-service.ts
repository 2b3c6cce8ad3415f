import type { FundStore } from '../../store/fund-store';
import type { PositionStore } from '../../store/position-store';
import type { ValuationStore } from '../../store/valuation-store';
import type { Compartment } from '../policy/policy';
import { minorUnitDigits } from '../shared/money-format';
import type { CatalogueFund } from './fund';
import type { FundService } from './fund-service';
import type { PositionOrder } from './position-order';
import { totalValue, valuedAsOf, valuePositions, valueHistory, type Position, type PositionMovement, type ValuePoint } from './position';

/** A compartment's positions with what they add up to. */
export interface CompartmentValuation {
  compartment: Compartment;
  positions: Position[];
  /**
   * Minor units of the compartment's currency: the sum of its positions once it holds any; before
   * that, the amount its record holds (money not yet invested in funds).
   */
  value: number;
  /** The latest valuation date among its positions; null when it holds none. */
  valuedOn: string | null;
  /**
   * Minor units paid in and waiting to be invested (pending buy orders). Counted in `value` once the
   * compartment holds positions; before that its recorded amount already holds that money.
   */
  pendingCash: number;
  /** Its orders waiting for their NAVs, oldest first. */
  pendingOrders: PositionOrder[];
}

/** The money waiting in pending buy orders, in minor units. */
function pendingBuys(orders: readonly PositionOrder[]): number {
  return orders.reduce((sum, o) => (o.direction === 'buy' ? sum + (o.amount ?? 0) : sum), 0);
}

/**
 * What compartments hold and what it is worth: positions from their movements, valued at each fund's
 * latest known NAV; a compartment's and a policy's value are the sums. Reads through a parent the
 * caller already reached (a policy, a compartment) need no check of their own; the entry points that
 * take ids go through PolicyService's object-level check.
 */
export class PositionService {
  constructor(
    private readonly positions: PositionStore,
    private readonly funds: FundStore,
    private readonly valuations: ValuationStore,
    private readonly fundService: FundService,
  ) {}

  /** Many compartments valued with one read of movements, funds and NAVs (the DataLoader batches through here). */
  async valuationsOf(compartments: readonly Compartment[]): Promise<CompartmentValuation[]> {
    return (await this.valuationsWithFunds(compartments)).valuations;
  }

  /** Many compartments valued, with the funds they hold, in one round trip. */
  async valuationsWithFunds(compartments: readonly Compartment[]): Promise<{ valuations: CompartmentValuation[]; funds: CatalogueFund[] }> {
    if (!compartments.length) return { valuations: [], funds: [] };
    // Whether a holding is in shares or in an amount says whether it is unit-linked or the euro fund: no fund read needed.
    const { movements, latest, funds, pendingOrders } = await this.positions.holdings(compartments.map((c) => c.id));
    const latestMap = new Map(latest.map((v) => [v.isin, v]));
    const valuations = compartments.map((compartment) => {
      const own = movements.filter((m) => m.compartmentId === compartment.id);
      const positions = valuePositions(compartment, own, new Map(), latestMap, minorUnitDigits(compartment.currency));
      const orders = pendingOrders.filter((o) => o.compartmentId === compartment.id);
      const pendingCash = pendingBuys(orders);
      return { compartment, positions, value: own.length ? totalValue(positions) + pendingCash : compartment.value, valuedOn: valuedAsOf(positions), pendingCash, pendingOrders: orders };
    });
    return { valuations, funds };
  }

  /** A policy's value: the sum of its compartments' (BigInt, so no total loses a cent). */
  sumOf(valuations: ReadonlyArray<CompartmentValuation | Error>): number {
    let sum = 0n;
    for (const v of valuations) {
      if (v instanceof Error) throw v;
      sum += BigInt(v.value);
    }
    const n = Number(sum);
    if (!Number.isSafeInteger(n)) throw new RangeError(`policy value ${sum} is beyond exact integers`);
    return n;
  }

  /**
   * The value of what some compartments (a policy's, or one) held on each valuation date from `from`
   * to `to` (fund-service.ts historyRange), summed date by date; only positions count (money not
   * invested in funds has no history).
   */
  async valueHistoryOf(compartments: readonly Compartment[], from: string | null, to: string | null): Promise<ValuePoint[]> {
    const range = this.fundService.historyRange(from, to);
    const movements = compartments.length ? await this.positions.movements(compartments.map((c) => c.id)) : [];
    const isins = [...new Set(movements.map((m) => m.isin))];
    if (!isins.length) return [];
    const [funds, before, during] = await Promise.all([this.funds.byIsins(isins), this.valuations.latest(isins, range.from), this.valuations.between(isins, range.from, range.to)]);
    const fundMap = new Map(funds.map((f) => [f.isin, f]));
    const totals = new Map<string, bigint>();
    for (const compartment of compartments) {
      const own: PositionMovement[] = movements.filter((m) => m.compartmentId === compartment.id);
      if (!own.length) continue;
      for (const point of valueHistory(own, fundMap, before, during, minorUnitDigits(compartment.currency))) totals.set(point.date, (totals.get(point.date) ?? 0n) + BigInt(point.value));
    }
    return [...totals].sort(([a], [b]) => a.localeCompare(b)).map(([date, value]) => ({ date, value: Number(value) }));
  }
}
