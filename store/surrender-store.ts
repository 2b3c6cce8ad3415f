import type { Queryable } from './db';

export type SurrenderKind = 'total' | 'partial';
export type SurrenderStatus = 'received' | 'processing' | 'paid' | 'rejected';

export interface SurrenderTermsRow {
  min_partial_amount: number;
  min_remaining_balance: number;
}

export interface SurrenderDeclarationRow {
  id: string;
  policy_id: string;
  kind: SurrenderKind;
  compartment_id: string | null;
  status: SurrenderStatus;
  amount: number;
  currency: string;
  reason: string | null;
  payout_iban_masked: string;
  payout_iban_source: 'registered' | 'subscription_debit';
  payout_iban_id: string | null;
  requested_at: Date;
  due_by: Date;
  declared_by_kind: string;
  declared_by_id: string | null;
  paid_amount: number | null;
  paid_at: Date | null;
  rejection_reason: string | null;
  updated_at: Date;
}

export interface SurrenderEventRow {
  declaration_id: string;
  at: Date;
  from_status: string | null;
  to_status: string;
  actor_kind: string;
  actor_id: string | null;
  note: string | null;
}

const COLUMNS = `id, policy_id, kind, compartment_id, status, amount, currency, reason, payout_iban_masked, payout_iban_source, payout_iban_id,
  requested_at, due_by, declared_by_kind, declared_by_id, paid_amount, paid_at, rejection_reason, updated_at`;

/**
 * Surrender terms, declarations and their history. What a paid surrender does to the policy (status,
 * compartment values, ledger) belongs to the policy domain (`PolicyService.settle...Surrender`).
 */
export class SurrenderStore {
  constructor(private readonly db: Queryable) {}

  async terms(productId: string, tx: Queryable = this.db): Promise<SurrenderTermsRow | undefined> {
    return (await tx.query<SurrenderTermsRow>('select min_partial_amount, min_remaining_balance from surrender_terms where product_id = $1', [productId]))[0];
  }

  /** Locks the policy row for the transaction (declarations and payments of one policy queue up); its current status. */
  async lockPolicy(tx: Queryable, policyId: string): Promise<string | undefined> {
    return (await tx.query<{ status: string }>('select status from policies where id = $1 for update', [policyId]))[0]?.status;
  }

  /** Declarations still `received` or `processing` on a policy. */
  open(tx: Queryable, policyId: string): Promise<SurrenderDeclarationRow[]> {
    return tx.query<SurrenderDeclarationRow>(`select ${COLUMNS} from surrender_declarations where policy_id = $1 and status in ('received', 'processing') order by requested_at, id`, [policyId]);
  }

  async insert(tx: Queryable, d: SurrenderDeclarationRow): Promise<void> {
    await tx.query(
      `insert into surrender_declarations (${COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
      [
        d.id, d.policy_id, d.kind, d.compartment_id, d.status, d.amount, d.currency, d.reason, d.payout_iban_masked, d.payout_iban_source, d.payout_iban_id,
        d.requested_at, d.due_by, d.declared_by_kind, d.declared_by_id, d.paid_amount, d.paid_at, d.rejection_reason, d.updated_at,
      ],
    );
  }

  async byId(id: string, tx: Queryable = this.db, options: { forUpdate?: boolean } = {}): Promise<SurrenderDeclarationRow | undefined> {
    return (await tx.query<SurrenderDeclarationRow>(`select ${COLUMNS} from surrender_declarations where id = $1${options.forUpdate ? ' for update' : ''}`, [id]))[0];
  }

  ofPolicy(policyId: string): Promise<SurrenderDeclarationRow[]> {
    return this.db.query<SurrenderDeclarationRow>(`select ${COLUMNS} from surrender_declarations where policy_id = $1 order by requested_at, id`, [policyId]);
  }

  /** Moves a declaration only if it is still in `from`; false when another event moved it first. */
  async changeStatus(
    tx: Queryable,
    id: string,
    from: SurrenderStatus,
    change: { to: SurrenderStatus; at: Date; paidAmount?: number; rejectionReason?: string },
  ): Promise<boolean> {
    const rows = await tx.query(
      `update surrender_declarations
          set status = $3::text, updated_at = $4::timestamptz,
              paid_amount = coalesce($5::bigint, paid_amount), paid_at = case when $3::text = 'paid' then $4::timestamptz else paid_at end,
              rejection_reason = coalesce($6::text, rejection_reason)
        where id = $1 and status = $2 returning id`,
      [id, from, change.to, change.at, change.paidAmount ?? null, change.rejectionReason ?? null],
    );
    return rows.length === 1;
  }

  async appendEvent(tx: Queryable, e: { declarationId: string; at: Date; from: string | null; to: string; actorKind: string; actorId: string | null; note: string | null }): Promise<void> {
    await tx.query('insert into surrender_declaration_events (declaration_id, at, from_status, to_status, actor_kind, actor_id, note) values ($1, $2, $3, $4, $5, $6, $7)', [
      e.declarationId, e.at, e.from, e.to, e.actorKind, e.actorId, e.note,
    ]);
  }

  events(declarationIds: readonly string[]): Promise<SurrenderEventRow[]> {
    return this.db.query<SurrenderEventRow>(
      'select declaration_id, at, from_status, to_status, actor_kind, actor_id, note from surrender_declaration_events where declaration_id = any($1::text[]) order by id',
      [declarationIds],
    );
  }
}
