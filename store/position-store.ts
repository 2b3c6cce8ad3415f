import type { AssetClass, CatalogueFund, Valuation } from '../domain/investments/fund';
import type { PositionMovement } from '../domain/investments/position';
import type { PositionOrder } from '../domain/investments/position-order';
import type { Queryable } from './db';
import { orderFromJson, ORDER_COLUMNS } from './order-store';

interface MovementRow {
  compartment_id: string;
  isin: string;
  effective_on: string;
  shares_value: number | null;
  shares_scale: number | null;
  amount: number | null;
  cause_type: string;
  cause_id: string;
  at: Date;
}

/** What compartments hold (PositionStore.holdings): movements, their funds and latest NAVs, pending orders. */
export interface Holdings {
  movements: PositionMovement[];
  latest: Valuation[];
  funds: CatalogueFund[];
  pendingOrders: PositionOrder[];
}

type HoldingRow = MovementRow & {
  row_kind: 'movement' | 'pending_order';
  seq: number;
  nav_on: string | null; nav_value: number | null; nav_scale: number | null; nav_currency: string | null;
  loaded_at: Date | null; corrected_at: Date | null; correction_reason: string | null;
  fund_name: string | null; fund_kind: CatalogueFund['kind'] | null; fund_currency: string | null; fund_asset_class: AssetClass | null; fund_risk_indicator: number | null;
  pending_order: Parameters<typeof orderFromJson>[0] | null;
};

/**
 * Movements with each fund's catalogue entry and latest valuation, and pending orders (as JSON, numbered
 * oldest first), of the compartments in $1 (also the bench's bare peer's second statement). Unordered:
 * sorting the few rows in the caller costs less than a sort of the union on embedded PGlite.
 */
export const HOLDINGS_SQL = `select 'movement' as row_kind, m.id as seq, m.compartment_id, m.isin, m.effective_on::text as effective_on, m.shares_value, m.shares_scale, m.amount, m.cause_type, m.cause_id, m.at,
         v.valued_on::text as nav_on, v.nav_value, v.nav_scale, v.currency as nav_currency, v.loaded_at, v.corrected_at, v.correction_reason,
         f.name as fund_name, f.kind as fund_kind, f.currency as fund_currency, f.asset_class as fund_asset_class, f.risk_indicator as fund_risk_indicator, null::json as pending_order
    from position_movements m
    left join lateral (select * from fund_valuations f where f.isin = m.isin order by f.valued_on desc limit 1) v on true
    left join funds f on f.isin = m.isin
   where m.compartment_id = any($1::text[])
  union all
  select 'pending_order', row_number() over (order by o.created_at, o.id), o.compartment_id, null, null, null, null, null, null, null, null,
         null, null, null, null, null, null, null, null, null, null, null, null, to_json(o)
    from (select ${ORDER_COLUMNS} from position_orders where compartment_id = any($1::text[]) and status = 'pending') o`;

function byMovementOrder(a: HoldingRow, b: HoldingRow): number {
  if (a.compartment_id !== b.compartment_id) return a.compartment_id < b.compartment_id ? -1 : 1;
  if (a.effective_on !== b.effective_on) return a.effective_on < b.effective_on ? -1 : 1;
  return Number(a.seq) - Number(b.seq);
}

function toMovement(r: MovementRow): PositionMovement {
  return {
    compartmentId: r.compartment_id, isin: r.isin, effectiveOn: r.effective_on,
    shares: r.shares_value === null ? null : { value: Number(r.shares_value), scale: r.shares_scale! },
    amount: r.amount === null ? null : Number(r.amount),
    causeType: r.cause_type, causeId: r.cause_id, at: r.at,
  };
}

/** What compartments hold: the append-only movements of their positions in funds. */
export class PositionStore {
  constructor(private readonly db: Queryable) {}

  /** The movements of many compartments, oldest first (the per-request DataLoader batches through here). */
  async movements(compartmentIds: readonly string[], tx: Queryable = this.db): Promise<PositionMovement[]> {
    const rows = await tx.query<MovementRow>(
      `select compartment_id, isin, effective_on::text as effective_on, shares_value, shares_scale, amount, cause_type, cause_id, at
         from position_movements where compartment_id = any($1::text[]) order by compartment_id, effective_on, id`,
      [compartmentIds],
    );
    return rows.map(toMovement);
  }

  /**
   * What these compartments hold and what waits to change it, in one round trip: their movements, each
   * moved fund's catalogue entry and latest valuation, and their pending orders (oldest first). A page
   * of policies values all its compartments, and shows their funds and orders, with it.
   */
  async holdings(compartmentIds: readonly string[]): Promise<Holdings> {
    const all = await this.db.query<HoldingRow>(
      HOLDINGS_SQL,
      [compartmentIds],
    );
    // Oldest first per compartment, as `movements` orders them; orders by their number (created_at, id).
    const rows = all.filter((r) => r.row_kind === 'movement').sort(byMovementOrder);
    const latest = new Map<string, Valuation>();
    const funds = new Map<string, CatalogueFund>();
    for (const r of rows) {
      if (r.fund_name !== null && !funds.has(r.isin)) {
        funds.set(r.isin, { isin: r.isin, name: r.fund_name, kind: r.fund_kind!, currency: r.fund_currency!, assetClass: r.fund_asset_class!, riskIndicator: r.fund_risk_indicator! });
      }
      if (r.nav_on === null || latest.has(r.isin)) continue;
      latest.set(r.isin, {
        isin: r.isin, valuedOn: r.nav_on, nav: { value: Number(r.nav_value), scale: r.nav_scale!, currency: r.nav_currency! }, loadedAt: r.loaded_at!, correctedAt: r.corrected_at, correctionReason: r.correction_reason,
      });
    }
    const pendingOrders = all.filter((r) => r.row_kind === 'pending_order').sort((a, b) => Number(a.seq) - Number(b.seq)).map((r) => orderFromJson(r.pending_order!));
    return { movements: rows.map(toMovement), latest: [...latest.values()], funds: [...funds.values()], pendingOrders };
  }

  async append(tx: Queryable, movements: readonly PositionMovement[]): Promise<void> {
    for (const m of movements) {
      await tx.query(
        `insert into position_movements (compartment_id, isin, effective_on, shares_value, shares_scale, amount, cause_type, cause_id, at)
         values ($1, $2, $3::date, $4, $5, $6, $7, $8, $9)`,
        [m.compartmentId, m.isin, m.effectiveOn, m.shares?.value ?? null, m.shares?.scale ?? null, m.amount, m.causeType, m.causeId, m.at],
      );
    }
  }
}
