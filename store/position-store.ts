import type { Valuation } from '../domain/investments/fund';
import type { PositionMovement } from '../domain/investments/position';
import type { Queryable } from './db';

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
   * The movements of many compartments and the latest valuation of each fund they moved, in one
   * query: a page of policies with their positions costs one round trip for all of them.
   */
  /**
   * What these compartments hold (their movements, each fund's latest NAV) and the money waiting in their
   * pending buy orders, in one round trip: a page of policies values all its compartments with it.
   */
  async movementsWithLatestNav(compartmentIds: readonly string[]): Promise<{ movements: PositionMovement[]; latest: Valuation[]; pendingBuys: Map<string, number> }> {
    type Row = MovementRow & { row_kind: 'movement' | 'pending_buys'; nav_on: string | null; nav_value: number | null; nav_scale: number | null; nav_currency: string | null; loaded_at: Date | null; corrected_at: Date | null; correction_reason: string | null; pending_buys: string | null };
    const all = await this.db.query<Row>(
      `select 'movement' as row_kind, m.id as seq, m.compartment_id, m.isin, m.effective_on::text as effective_on, m.shares_value, m.shares_scale, m.amount, m.cause_type, m.cause_id, m.at,
              v.valued_on::text as nav_on, v.nav_value, v.nav_scale, v.currency as nav_currency, v.loaded_at, v.corrected_at, v.correction_reason, null::numeric as pending_buys
         from position_movements m
         left join lateral (select * from fund_valuations f where f.isin = m.isin order by f.valued_on desc limit 1) v on true
        where m.compartment_id = any($1::text[])
       union all
       select 'pending_buys', null, o.compartment_id, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, sum(o.amount)
         from position_orders o
        where o.compartment_id = any($1::text[]) and o.status = 'pending' and o.direction = 'buy'
        group by o.compartment_id
       order by 3, 5, 2`,
      [compartmentIds],
    );
    const rows = all.filter((r) => r.row_kind === 'movement');
    const pendingBuys = new Map(all.filter((r) => r.row_kind === 'pending_buys').map((r) => [r.compartment_id, Number(r.pending_buys)]));
    const latest = new Map<string, Valuation>();
    for (const r of rows) {
      if (r.nav_on === null || latest.has(r.isin)) continue;
      latest.set(r.isin, {
        isin: r.isin, valuedOn: r.nav_on, nav: { value: Number(r.nav_value), scale: r.nav_scale!, currency: r.nav_currency! }, loadedAt: r.loaded_at!, correctedAt: r.corrected_at, correctionReason: r.correction_reason,
      });
    }
    return { movements: rows.map(toMovement), latest: [...latest.values()], pendingBuys };
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
