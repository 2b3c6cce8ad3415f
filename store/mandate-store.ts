import type { Mandate, TargetAllocationLine } from '../domain/investments/mandate';
import type { Queryable } from './db';

interface MandateRow {
  id: string;
  name: string;
  risk_level: number;
  created_at: Date;
  updated_at: Date;
}

/** Mandates, their target allocations, and which compartment is delegated to which. */
export class MandateStore {
  constructor(private readonly db: Queryable) {}

  private async withAllocations(rows: MandateRow[], tx: Queryable): Promise<Mandate[]> {
    const lines = await tx.query<{ mandate_id: string; isin: string; basis_points: number }>(
      'select mandate_id, isin, basis_points from mandate_allocations where mandate_id = any($1::text[]) order by basis_points desc, isin',
      [rows.map((r) => r.id)],
    );
    return rows.map((r) => ({
      id: r.id, name: r.name, riskLevel: r.risk_level, createdAt: r.created_at, updatedAt: r.updated_at,
      targetAllocation: lines.filter((l) => l.mandate_id === r.id).map((l): TargetAllocationLine => ({ isin: l.isin, basisPoints: l.basis_points })),
    }));
  }

  async all(): Promise<Mandate[]> {
    return this.withAllocations(await this.db.query<MandateRow>('select id, name, risk_level, created_at, updated_at from mandates order by id'), this.db);
  }

  async byId(id: string, tx: Queryable = this.db, options: { forUpdate?: boolean } = {}): Promise<Mandate | undefined> {
    const rows = await tx.query<MandateRow>(`select id, name, risk_level, created_at, updated_at from mandates where id = $1${options.forUpdate ? ' for update' : ''}`, [id]);
    return (await this.withAllocations(rows, tx))[0];
  }

  async insert(tx: Queryable, m: Mandate): Promise<void> {
    await tx.query('insert into mandates (id, name, risk_level, created_at, updated_at) values ($1, $2, $3, $4, $4)', [m.id, m.name, m.riskLevel, m.createdAt]);
  }

  /** Replaces the whole target allocation. */
  async replaceAllocation(tx: Queryable, mandateId: string, lines: readonly TargetAllocationLine[], at: Date): Promise<void> {
    await tx.query('delete from mandate_allocations where mandate_id = $1', [mandateId]);
    for (const l of lines) await tx.query('insert into mandate_allocations (mandate_id, isin, basis_points) values ($1, $2, $3)', [mandateId, l.isin, l.basisPoints]);
    await tx.query('update mandates set updated_at = $2 where id = $1', [mandateId, at]);
  }

  /** Puts a self-invested compartment under the mandate; false when it was not self-invested. */
  async delegate(tx: Queryable, compartmentId: string, mandateId: string): Promise<boolean> {
    const rows = await tx.query("update compartments set management = 'managed', mandate_id = $2 where id = $1 and management = 'self_invested' returning id", [compartmentId, mandateId]);
    return rows.length === 1;
  }

  /** Renames a mandate or changes its risk level. */
  async update(tx: Queryable, id: string, input: { name: string; riskLevel: number }, at: Date): Promise<void> {
    await tx.query('update mandates set name = $2, risk_level = $3, updated_at = $4 where id = $1', [id, input.name, input.riskLevel, at]);
  }

  /** Returns a managed compartment to self-invested; false when it was not managed. */
  async revoke(tx: Queryable, compartmentId: string): Promise<boolean> {
    const rows = await tx.query("update compartments set management = 'self_invested', mandate_id = null where id = $1 and management = 'managed' returning id", [compartmentId]);
    return rows.length === 1;
  }

  /** The compartments delegated to the mandate, by policy then id (the order their policies are locked in). */
  async delegatedTo(tx: Queryable, mandateId: string): Promise<Array<{ id: string; policyId: string; currency: string }>> {
    const rows = await tx.query<{ id: string; policy_id: string; currency: string }>('select id, policy_id, currency from compartments where mandate_id = $1 order by policy_id, id', [mandateId]);
    return rows.map((r) => ({ id: r.id, policyId: r.policy_id, currency: r.currency }));
  }

  /** The mandate each of the compartments is delegated to (absent: self-invested). */
  async mandateOf(compartmentIds: readonly string[], tx: Queryable = this.db): Promise<Map<string, string>> {
    const rows = await tx.query<{ id: string; mandate_id: string }>('select id, mandate_id from compartments where id = any($1::text[]) and mandate_id is not null', [compartmentIds]);
    return new Map(rows.map((r) => [r.id, r.mandate_id]));
  }
}
