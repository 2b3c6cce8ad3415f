import type { Compartment, CompartmentEvent, ManagedCompartment, Management, OwnedPolicy, Policy, PolicyRead, Refund } from '../domain/policy/policy';
import type { MoneyMovement, MovementCause, MovementKind } from '../domain/policy/policy-money';
import type { Queryable } from './db';

interface PolicyRow {
  id: string;
  subscription_id: string;
  subscriber_id: string;
  product_id: string;
  status: string;
  issued_at: Date;
}

interface CompartmentRow {
  id: string;
  policy_id: string;
  code: string;
  status: string;
  value: number;
  currency: string;
  created_at: Date;
}

interface RefundRow {
  id: string;
  subscription_id: string;
  amount: number;
  currency: string;
  recorded_at: Date;
  due_by: Date;
}

interface CompartmentEventRow {
  compartment_id: string;
  at: Date;
  from_status: string | null;
  to_status: string;
  actor_kind: string;
  actor_id: string | null;
  reason: string;
}

interface OwnerRow {
  user_id: string | null;
  distributor_id: string | null;
}

interface MovementRow {
  policy_id: string;
  compartment_id: string | null;
  kind: MovementKind;
  amount: number;
  currency: string;
  cause_type: MovementCause;
  cause_id: string;
  at: Date;
}

function toPolicy(r: PolicyRow): Policy {
  return { id: r.id, subscriptionId: r.subscription_id, subscriberId: r.subscriber_id, productId: r.product_id, status: r.status, issuedAt: r.issued_at };
}

function toOwnedPolicy(r: PolicyRow & OwnerRow): OwnedPolicy {
  return { ...toPolicy(r), userId: r.user_id, distributorId: r.distributor_id };
}

function toCompartment(r: CompartmentRow): Compartment {
  return { id: r.id, policyId: r.policy_id, code: r.code, status: r.status, value: r.value, currency: r.currency, createdAt: r.created_at };
}

function toMovement(r: MovementRow): MoneyMovement {
  return { policyId: r.policy_id, compartmentId: r.compartment_id, kind: r.kind, amount: r.amount, currency: r.currency, causeType: r.cause_type, causeId: r.cause_id, at: r.at };
}

const POLICY_WITH_OWNER = `select p.id, p.subscription_id, p.subscriber_id, p.product_id, p.status, p.issued_at, s.user_id, s.distributor_id
  from policies p join subscribers s on s.id = p.subscriber_id`;

/** One policy with its owner, its row locked for the rest of the transaction (also the bench's bare peer's). */
export const POLICY_LOCK_SQL = `${POLICY_WITH_OWNER} where p.id = $1 for update of p`;

/**
 * A policy with its owner and its compartments (as JSON, by code) in one row: a read of policies with
 * their compartments costs one round trip, whatever the page size.
 */
const POLICY_WITH_COMPARTMENTS = `select p.id, p.subscription_id, p.subscriber_id, p.product_id, p.status, p.issued_at, s.user_id, s.distributor_id,
    coalesce((select json_agg(json_build_object('id', c.id, 'policy_id', c.policy_id, 'code', c.code, 'status', c.status, 'value', c.value,
                'currency', c.currency, 'created_at', c.created_at, 'management', c.management) order by c.code)
       from compartments c where c.policy_id = p.id), '[]'::json) as compartments
  from policies p join subscribers s on s.id = p.subscriber_id`;

/** One policy with its compartments by id (also the bench's bare peer's first statement). */
export const POLICY_READ_SQL = `${POLICY_WITH_COMPARTMENTS} where p.id = $1`;

type CompartmentJson = Omit<CompartmentRow, 'created_at'> & { created_at: string; management: Management };
type PolicyWithCompartmentsRow = PolicyRow & OwnerRow & { compartments: CompartmentJson[] };

function toPolicyRead(r: PolicyWithCompartmentsRow): PolicyRead {
  const compartments = r.compartments.map((c): ManagedCompartment => ({ ...toCompartment({ ...c, value: Number(c.value), created_at: new Date(c.created_at) }), management: c.management }));
  return { policy: toOwnedPolicy(r), compartments };
}

/** Who may see a page of policies: all (back-office), a distributor's (brokers, partners), a subscriber login's. */
export type PolicyScope = { kind: 'all' } | { kind: 'distributor'; id: string } | { kind: 'user'; id: string };

/** Issued policies, their compartments, their money ledger, and refunds owed after a withdrawal. */
export class PolicyStore {
  constructor(private readonly db: Queryable) {}

  async ofSubscription(subscriptionId: string, tx: Queryable = this.db): Promise<Policy | undefined> {
    const [row] = await tx.query<PolicyRow>('select id, subscription_id, subscriber_id, product_id, status, issued_at from policies where subscription_id = $1', [subscriptionId]);
    return row && toPolicy(row);
  }

  async compartments(policyIds: readonly string[], tx: Queryable = this.db): Promise<Compartment[]> {
    const rows = await tx.query<CompartmentRow>('select id, policy_id, code, status, value, currency, created_at from compartments where policy_id = any($1::text[]) order by policy_id, code', [policyIds]);
    return rows.map(toCompartment);
  }

  async insertPolicy(tx: Queryable, p: Policy, compartments: Compartment[]): Promise<void> {
    await tx.query('insert into policies (id, subscription_id, subscriber_id, product_id, status, issued_at) values ($1, $2, $3, $4, $5, $6)', [
      p.id, p.subscriptionId, p.subscriberId, p.productId, p.status, p.issuedAt,
    ]);
    for (const c of compartments) await this.insertCompartment(tx, c);
  }

  /**
   * Ends a policy: `withdrawn` (void from the start) or `closed` (a paid total surrender). Every
   * compartment closes and nothing is left in them.
   */
  async close(tx: Queryable, policyId: string, status: 'withdrawn' | 'closed'): Promise<void> {
    await tx.query(`update policies set status = $2 where id = $1`, [policyId, status]);
    await tx.query(`update compartments set status = 'closed', value = 0 where policy_id = $1`, [policyId]);
  }

  /**
   * Locks the policy row for the transaction, for system acts with no viewer (a payment's outcome, a
   * file's review): money decisions on one policy queue up. Its status as locked. A viewer's act locks
   * through PolicyService.lockedPolicy, which also checks who may reach the policy.
   */
  async lock(tx: Queryable, policyId: string): Promise<string | undefined> {
    return (await tx.query<{ status: string }>('select status from policies where id = $1 for update', [policyId]))[0]?.status;
  }

  /** Takes an amount out of a compartment; false (nothing written) when its value no longer covers it. */
  /** A premium's share invested into a compartment without positions raises its recorded amount. */
  async raiseCompartmentValue(tx: Queryable, compartmentId: string, amount: number): Promise<void> {
    await tx.query('update compartments set value = value + $2 where id = $1', [compartmentId, amount]);
  }

  async lowerCompartmentValue(tx: Queryable, compartmentId: string, amount: number): Promise<boolean> {
    return (await tx.query('update compartments set value = value - $2 where id = $1 and value >= $2 returning id', [compartmentId, amount])).length === 1;
  }

  /** Surrender declarations still on their way to being paid (received or processing). */
  async openSurrenderCount(tx: Queryable, policyId: string): Promise<number> {
    const [row] = await tx.query<{ n: number }>(`select count(*)::int as n from surrender_declarations where policy_id = $1 and status in ('received', 'processing')`, [policyId]);
    return Number(row.n);
  }

  /** Appends to the money ledger (append-only: the table refuses updates and deletes). */
  async appendMovements(tx: Queryable, movements: readonly MoneyMovement[]): Promise<void> {
    for (const m of movements) {
      await tx.query(
        'insert into policy_money_movements (policy_id, compartment_id, kind, amount, currency, cause_type, cause_id, at) values ($1, $2, $3, $4, $5, $6, $7, $8)',
        [m.policyId, m.compartmentId, m.kind, m.amount, m.currency, m.causeType, m.causeId, m.at],
      );
    }
  }

  /** The ledger of many policies, oldest first per policy. */
  async movements(policyIds: readonly string[], tx: Queryable = this.db): Promise<MoneyMovement[]> {
    const rows = await tx.query<MovementRow>(
      'select policy_id, compartment_id, kind, amount, currency, cause_type, cause_id, at from policy_money_movements where policy_id = any($1::text[]) order by policy_id, id',
      [policyIds],
    );
    return rows.map(toMovement);
  }

  async policy(id: string, tx: Queryable = this.db, options: { forUpdate?: boolean } = {}): Promise<OwnedPolicy | undefined> {
    const [row] = await tx.query<PolicyRow & OwnerRow>(options.forUpdate ? POLICY_LOCK_SQL : `${POLICY_WITH_OWNER} where p.id = $1`, [id]);
    return row && toOwnedPolicy(row);
  }

  /** Many policies with their owners in one query (unknown ids are left out). */
  async policies(ids: readonly string[], tx: Queryable = this.db): Promise<OwnedPolicy[]> {
    return (await tx.query<PolicyRow & OwnerRow>(`${POLICY_WITH_OWNER} where p.id = any($1::text[])`, [ids])).map(toOwnedPolicy);
  }

  /** A policy with its owner and compartments, in one query. */
  async policyWithCompartments(id: string): Promise<PolicyRead | undefined> {
    const [row] = await this.db.query<PolicyWithCompartmentsRow>(POLICY_READ_SQL, [id]);
    return row && toPolicyRead(row);
  }

  /**
   * A page of the policies a viewer reaches with their compartments, by id order after `after`, in one
   * query: all (back-office), those of a distributor (brokers, partners), or those of a subscriber login.
   */
  async page(scope: PolicyScope, after: string | null, limit: number): Promise<PolicyRead[]> {
    const where = scope.kind === 'all' ? 'true' : scope.kind === 'distributor' ? 's.distributor_id = $3' : 's.user_id = $3';
    const params: unknown[] = [after ?? '', limit];
    if (scope.kind !== 'all') params.push(scope.id);
    return (await this.db.query<PolicyWithCompartmentsRow>(`${POLICY_WITH_COMPARTMENTS} where p.id > $1 and ${where} order by p.id limit $2`, params)).map(toPolicyRead);
  }

  async compartment(policyId: string, compartmentId: string, tx: Queryable = this.db, options: { forUpdate?: boolean } = {}): Promise<Compartment | undefined> {
    const [row] = await tx.query<CompartmentRow>(
      `select id, policy_id, code, status, value, currency, created_at from compartments where id = $1 and policy_id = $2${options.forUpdate ? ' for update' : ''}`,
      [compartmentId, policyId],
    );
    return row && toCompartment(row);
  }

  /** Who manages each compartment's investments: `self_invested` or `managed` (a mandate). */
  async managementOf(compartmentIds: readonly string[]): Promise<Array<{ compartmentId: string; management: Management }>> {
    const rows = await this.db.query<{ id: string; management: Management }>('select id, management from compartments where id = any($1::text[])', [compartmentIds]);
    return rows.map((r) => ({ compartmentId: r.id, management: r.management }));
  }

  async insertCompartment(tx: Queryable, c: Compartment): Promise<void> {
    await tx.query('insert into compartments (id, policy_id, code, status, value, currency, created_at) values ($1, $2, $3, $4, $5, $6, $7)', [
      c.id, c.policyId, c.code, c.status, c.value, c.currency, c.createdAt,
    ]);
  }

  /** Moves a compartment only if it is still in `from`; false when someone changed it meanwhile. */
  async changeCompartmentStatus(tx: Queryable, id: string, from: string, to: string): Promise<boolean> {
    return (await tx.query(`update compartments set status = $3 where id = $1 and status = $2 returning id`, [id, from, to])).length === 1;
  }

  async appendCompartmentEvent(tx: Queryable, e: { compartmentId: string; at: Date; from: string | null; to: string; actorKind: string; actorId: string | null; reason: string }): Promise<void> {
    await tx.query('insert into compartment_events (compartment_id, at, from_status, to_status, actor_kind, actor_id, reason) values ($1, $2, $3, $4, $5, $6, $7)', [
      e.compartmentId, e.at, e.from, e.to, e.actorKind, e.actorId, e.reason,
    ]);
  }

  async compartmentEvents(compartmentIds: readonly string[]): Promise<CompartmentEvent[]> {
    const rows = await this.db.query<CompartmentEventRow>(
      'select compartment_id, at, from_status, to_status, actor_kind, actor_id, reason from compartment_events where compartment_id = any($1::text[]) order by id',
      [compartmentIds],
    );
    return rows.map((r) => ({ compartmentId: r.compartment_id, at: r.at, fromStatus: r.from_status, toStatus: r.to_status, actorKind: r.actor_kind, actorId: r.actor_id, reason: r.reason }));
  }

  async insertRefund(tx: Queryable, r: Refund): Promise<void> {
    await tx.query('insert into refunds (id, subscription_id, amount, currency, recorded_at, due_by) values ($1, $2, $3, $4, $5, $6)', [
      r.id, r.subscriptionId, r.amount, r.currency, r.recordedAt, r.dueBy,
    ]);
  }

  async refundOf(subscriptionId: string): Promise<Refund | undefined> {
    const [row] = await this.db.query<RefundRow>('select id, subscription_id, amount, currency, recorded_at, due_by from refunds where subscription_id = $1', [subscriptionId]);
    return row && { id: row.id, subscriptionId: row.subscription_id, amount: row.amount, currency: row.currency, recordedAt: row.recorded_at, dueBy: row.due_by };
  }
}
