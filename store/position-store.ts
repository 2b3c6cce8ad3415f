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
