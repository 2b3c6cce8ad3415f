import type { Queryable } from './db';

export interface PolicyRow {
  id: string;
  subscription_id: string;
  subscriber_id: string;
  product_id: string;
  status: string;
  issued_at: Date;
}

export interface CompartmentRow {
  id: string;
  policy_id: string;
  code: string;
  status: string;
  value: number;
  currency: string;
  created_at: Date;
}

export interface RefundRow {
  id: string;
  subscription_id: string;
  amount: number;
  currency: string;
  recorded_at: Date;
  due_by: Date;
}

/** Issued policies, their compartments, and refunds owed after a withdrawal. */
export class PolicyStore {
  constructor(private readonly db: Queryable) {}

  async ofSubscription(subscriptionId: string, tx: Queryable = this.db): Promise<PolicyRow | undefined> {
    return (await tx.query<PolicyRow>('select id, subscription_id, subscriber_id, product_id, status, issued_at from policies where subscription_id = $1', [subscriptionId]))[0];
  }

  compartments(policyIds: readonly string[], tx: Queryable = this.db): Promise<CompartmentRow[]> {
    return tx.query<CompartmentRow>('select id, policy_id, code, status, value, currency, created_at from compartments where policy_id = any($1::text[]) order by policy_id, code', [policyIds]);
  }

  async insertPolicy(tx: Queryable, p: PolicyRow, compartments: CompartmentRow[]): Promise<void> {
    await tx.query('insert into policies (id, subscription_id, subscriber_id, product_id, status, issued_at) values ($1, $2, $3, $4, $5, $6)', [
      p.id, p.subscription_id, p.subscriber_id, p.product_id, p.status, p.issued_at,
    ]);
    for (const c of compartments) {
      await tx.query('insert into compartments (id, policy_id, code, status, value, currency, created_at) values ($1, $2, $3, $4, $5, $6, $7)', [
        c.id, c.policy_id, c.code, c.status, c.value, c.currency, c.created_at,
      ]);
    }
  }

  /** A withdrawn contract is void from the start: the policy and its compartments close. */
  async closeForWithdrawal(tx: Queryable, policyId: string): Promise<void> {
    await tx.query(`update policies set status = 'withdrawn' where id = $1`, [policyId]);
    await tx.query(`update compartments set status = 'closed', value = 0 where policy_id = $1`, [policyId]);
  }

  async insertRefund(tx: Queryable, r: RefundRow): Promise<void> {
    await tx.query('insert into refunds (id, subscription_id, amount, currency, recorded_at, due_by) values ($1, $2, $3, $4, $5, $6)', [
      r.id, r.subscription_id, r.amount, r.currency, r.recorded_at, r.due_by,
    ]);
  }

  async refundOf(subscriptionId: string): Promise<RefundRow | undefined> {
    return (await this.db.query<RefundRow>('select id, subscription_id, amount, currency, recorded_at, due_by from refunds where subscription_id = $1', [subscriptionId]))[0];
  }
}
