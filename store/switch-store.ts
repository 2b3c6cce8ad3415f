import type { ExecutedLeg, SwitchLeg, SwitchRequest } from '../domain/investments/switch-request';
import type { Queryable } from './db';

interface SwitchRow {
  id: string;
  policy_id: string;
  compartment_id: string;
  status: 'requested' | 'executed';
  requested_at: string;
  received_on: string;
  currency: string;
  legs: SwitchLeg[];
  requested_by_kind: string;
  requested_by_id: string | null;
  created_at: Date;
  executed_at: Date | null;
  execution: ExecutedLeg[] | null;
}

const COLUMNS = `id, policy_id, compartment_id, status, requested_at::text as requested_at, received_on::text as received_on, currency, legs,
  requested_by_kind, requested_by_id, created_at, executed_at, execution`;

function toSwitch(r: SwitchRow): SwitchRequest {
  return {
    id: r.id, policyId: r.policy_id, compartmentId: r.compartment_id, status: r.status, requestedAt: r.requested_at, receivedOn: r.received_on, currency: r.currency,
    legs: r.legs, requestedBy: { kind: r.requested_by_kind, id: r.requested_by_id }, createdAt: r.created_at, executedAt: r.executed_at, execution: r.execution,
  };
}

/** Switch requests, and the lock on the compartment a switch changes. */
export class SwitchStore {
  constructor(private readonly db: Queryable) {}

  /** Locks the compartment for the transaction (switches of one compartment queue up); its status and management. */
  async lockCompartment(tx: Queryable, compartmentId: string): Promise<{ status: string; management: string } | undefined> {
    return (await tx.query<{ status: string; management: string }>('select status, management from compartments where id = $1 for update', [compartmentId]))[0];
  }

  /** Stops a waiting request before it is priced (`stopped`, with the reason); false when it was no longer waiting. */
  async stop(tx: Queryable, id: string, reason: string): Promise<boolean> {
    const rows = await tx.query("update switch_requests set status = 'stopped', stopped_reason = $2 where id = $1 and status = 'requested' returning id", [id, reason]);
    return rows.length === 1;
  }

  async insert(tx: Queryable, s: SwitchRequest): Promise<void> {
    await tx.query(
      `insert into switch_requests (id, policy_id, compartment_id, status, requested_at, received_on, currency, legs, requested_by_kind, requested_by_id, created_at)
       values ($1, $2, $3, $4, $5::date, $6::date, $7, $8::jsonb, $9, $10, $11)`,
      [s.id, s.policyId, s.compartmentId, s.status, s.requestedAt, s.receivedOn, s.currency, JSON.stringify(s.legs), s.requestedBy.kind, s.requestedBy.id, s.createdAt],
    );
  }

  async byId(compartmentId: string, id: string, tx: Queryable = this.db, options: { forUpdate?: boolean } = {}): Promise<SwitchRequest | undefined> {
    const [row] = await tx.query<SwitchRow>(`select ${COLUMNS} from switch_requests where id = $1 and compartment_id = $2${options.forUpdate ? ' for update' : ''}`, [id, compartmentId]);
    return row && toSwitch(row);
  }

  async ofCompartment(compartmentId: string): Promise<SwitchRequest[]> {
    return (await this.db.query<SwitchRow>(`select ${COLUMNS} from switch_requests where compartment_id = $1 order by created_at, id`, [compartmentId])).map(toSwitch);
  }

  async pendingOf(compartmentId: string, tx: Queryable): Promise<SwitchRequest | undefined> {
    const [row] = await tx.query<SwitchRow>(`select ${COLUMNS} from switch_requests where compartment_id = $1 and status = 'requested'`, [compartmentId]);
    return row && toSwitch(row);
  }

  /** Requests still waiting for their NAVs, oldest first (those named by `ids` only, when given). */
  async pending(ids?: readonly string[]): Promise<SwitchRequest[]> {
    const rows = await this.db.query<SwitchRow>(
      `select ${COLUMNS} from switch_requests where status = 'requested' and ($1::text[] is null or id = any($1::text[])) order by received_on, created_at`,
      [ids ?? null],
    );
    return rows.map(toSwitch);
  }

  async markExecuted(tx: Queryable, id: string, at: Date, execution: readonly ExecutedLeg[]): Promise<boolean> {
    const rows = await tx.query(`update switch_requests set status = 'executed', executed_at = $2, execution = $3::jsonb where id = $1 and status = 'requested' returning id`, [id, at, JSON.stringify(execution)]);
    return rows.length === 1;
  }
}
