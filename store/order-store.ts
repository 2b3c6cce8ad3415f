import type { PositionOrder } from '../domain/investments/position-order';
import type { ExecutedLeg, SwitchLeg } from '../domain/investments/switch-request';
import type { Queryable } from './db';

interface OrderRow {
  id: string;
  policy_id: string;
  compartment_id: string;
  direction: 'buy' | 'sell';
  status: 'pending' | 'executed' | 'cancelled';
  trade_date: string;
  currency: string;
  amount: number | null;
  lines: SwitchLeg[];
  cause_type: string;
  cause_id: string;
  created_at: Date;
  executed_at: Date | null;
  execution: ExecutedLeg[] | null;
  proceeds: number | null;
  cancelled_reason: string | null;
}

export const ORDER_COLUMNS = `id, policy_id, compartment_id, direction, status, trade_date::text as trade_date, currency, amount, lines, cause_type, cause_id,
  created_at, executed_at, execution, proceeds, cancelled_reason`;

/** An order read as JSON (inside another query): its times are text. */
export function orderFromJson(r: Omit<OrderRow, 'created_at' | 'executed_at'> & { created_at: string; executed_at: string | null }): PositionOrder {
  return toOrder({ ...r, created_at: new Date(r.created_at), executed_at: r.executed_at === null ? null : new Date(r.executed_at) });
}

function toOrder(r: OrderRow): PositionOrder {
  return {
    id: r.id, policyId: r.policy_id, compartmentId: r.compartment_id, direction: r.direction, status: r.status, tradeDate: r.trade_date, currency: r.currency,
    amount: r.amount === null ? null : Number(r.amount), lines: r.lines, cause: { type: r.cause_type, id: r.cause_id }, createdAt: r.created_at,
    executedAt: r.executed_at, execution: r.execution, proceeds: r.proceeds === null ? null : Number(r.proceeds), cancelledReason: r.cancelled_reason,
  };
}

/** Position orders: money to invest in funds, positions to sell, waiting for the NAVs they are priced at. */
export class OrderStore {
  constructor(private readonly db: Queryable) {}

  /** Locks the compartment an order changes (its switches and orders queue up); its status. */
  async lockCompartment(tx: Queryable, compartmentId: string): Promise<{ status: string } | undefined> {
    return (await tx.query<{ status: string }>('select status from compartments where id = $1 for update', [compartmentId]))[0];
  }

  /** Locks, in id order, the compartments a cause's orders changed, or those of policies: before what the orders' execution locks after them (a declaration). */
  async lockCompartmentsOf(tx: Queryable, of: { cause: { type: string; ids: readonly string[] } } | { policyIds: readonly string[] }): Promise<void> {
    if ('cause' in of) {
      await tx.query(`select id from compartments where id in (select compartment_id from position_orders where cause_type = $1 and cause_id = any($2::text[])) order by id for update`, [of.cause.type, of.cause.ids]);
    } else {
      await tx.query(`select id from compartments where policy_id = any($1::text[]) order by id for update`, [of.policyIds]);
    }
  }

  async insert(tx: Queryable, o: PositionOrder): Promise<void> {
    await tx.query(
      `insert into position_orders (id, policy_id, compartment_id, direction, status, trade_date, currency, amount, lines, cause_type, cause_id, created_at, executed_at, execution, proceeds)
       values ($1, $2, $3, $4, $5, $6::date, $7, $8, $9::jsonb, $10, $11, $12, $13, $14::jsonb, $15)`,
      [o.id, o.policyId, o.compartmentId, o.direction, o.status, o.tradeDate, o.currency, o.amount, JSON.stringify(o.lines), o.cause.type, o.cause.id, o.createdAt, o.executedAt,
        o.execution === null ? null : JSON.stringify(o.execution), o.proceeds],
    );
  }

  async byId(id: string, tx: Queryable = this.db, options: { forUpdate?: boolean } = {}): Promise<PositionOrder | undefined> {
    const [row] = await tx.query<OrderRow>(`select ${ORDER_COLUMNS} from position_orders where id = $1${options.forUpdate ? ' for update' : ''}`, [id]);
    return row && toOrder(row);
  }

  /** Orders waiting for their prices (those named, or all), oldest first. */
  async pending(ids?: readonly string[]): Promise<PositionOrder[]> {
    const rows = ids
      ? await this.db.query<OrderRow>(`select ${ORDER_COLUMNS} from position_orders where status = 'pending' and id = any($1::text[]) order by created_at, id`, [ids])
      : await this.db.query<OrderRow>(`select ${ORDER_COLUMNS} from position_orders where status = 'pending' order by created_at, id`);
    return rows.map(toOrder);
  }

  /** The orders of many compartments, oldest first (pending only when asked). */
  async ofCompartments(compartmentIds: readonly string[], options: { pendingOnly?: boolean } = {}, tx: Queryable = this.db): Promise<PositionOrder[]> {
    const rows = await tx.query<OrderRow>(
      `select ${ORDER_COLUMNS} from position_orders where compartment_id = any($1::text[])${options.pendingOnly ? ` and status = 'pending'` : ''} order by created_at, id`,
      [compartmentIds],
    );
    return rows.map(toOrder);
  }

  /** The orders a cause placed (a declaration's sales, one per compartment), oldest first. */
  async ofCause(causeType: string, causeIds: readonly string[], tx: Queryable = this.db): Promise<PositionOrder[]> {
    const rows = await tx.query<OrderRow>(`select ${ORDER_COLUMNS} from position_orders where cause_type = $1 and cause_id = any($2::text[]) order by created_at, id`, [causeType, causeIds]);
    return rows.map(toOrder);
  }

  async markExecuted(tx: Queryable, id: string, at: Date, execution: readonly ExecutedLeg[], proceeds: number | null): Promise<void> {
    await tx.query(`update position_orders set status = 'executed', executed_at = $2, execution = $3::jsonb, proceeds = $4 where id = $1 and status = 'pending'`, [id, at, JSON.stringify(execution), proceeds]);
  }

  /** A pending buy now invests less: its amount and lines replaced. */
  async reduce(tx: Queryable, id: string, amount: number, lines: readonly SwitchLeg[]): Promise<void> {
    await tx.query(`update position_orders set amount = $2, lines = $3::jsonb where id = $1 and status = 'pending'`, [id, amount, JSON.stringify(lines)]);
  }

  async markCancelled(tx: Queryable, id: string, reason: string): Promise<void> {
    await tx.query(`update position_orders set status = 'cancelled', cancelled_reason = $2 where id = $1 and status = 'pending'`, [id, reason]);
  }
}
