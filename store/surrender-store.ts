import type { SurrenderDeclaration, SurrenderEvent, SurrenderKind, SurrenderTerms } from '../domain/surrender/surrender-declaration';
import type { SurrenderStatus } from '../domain/surrender/surrender-rules';
import type { Queryable } from './db';
import { conflictOnUnique } from './errors';

interface SurrenderDeclarationRow {
  id: string;
  policy_id: string;
  kind: SurrenderKind;
  compartment_id: string | null;
  status: SurrenderStatus;
  amount: number;
  currency: string;
  reason: string | null;
  early_release_case: string | null;
  payout_iban_masked: string;
  payout_iban_source: 'registered' | 'subscription_debit';
  payout_iban_id: string | null;
  requested_at: Date;
  due_by: Date | null;
  declared_by_kind: string;
  declared_by_id: string | null;
  paid_amount: number | null;
  paid_at: Date | null;
  rejection_reason: string | null;
  updated_at: Date;
  sale_status: 'pending' | 'executed' | 'cancelled' | null;
}

interface SurrenderEventRow {
  declaration_id: string;
  at: Date;
  from_status: string | null;
  to_status: string;
  actor_kind: string;
  actor_id: string | null;
  note: string | null;
}

function toDeclaration(r: SurrenderDeclarationRow): SurrenderDeclaration {
  return {
    id: r.id, policyId: r.policy_id, kind: r.kind, compartmentId: r.compartment_id, status: r.status, amount: r.amount, currency: r.currency, reason: r.reason,
    earlyReleaseCase: r.early_release_case, payoutIban: r.payout_iban_masked, payoutIbanSource: r.payout_iban_source, payoutIbanId: r.payout_iban_id,
    requestedAt: r.requested_at, paymentDueBy: r.due_by, declaredBy: r.declared_by_kind, declaredById: r.declared_by_id, paidAmount: r.paid_amount,
    paidAt: r.paid_at, rejectionReason: r.rejection_reason, updatedAt: r.updated_at, saleStatus: r.sale_status,
  };
}

const COLUMNS = `id, policy_id, kind, compartment_id, status, amount, currency, reason, payout_iban_masked, payout_iban_source, payout_iban_id,
  requested_at, due_by, declared_by_kind, declared_by_id, paid_amount, paid_at, rejection_reason, updated_at, early_release_case, sale_status`;

/**
 * Surrender terms, declarations and their history. What a paid surrender does to the policy (status,
 * compartment values, ledger) belongs to the policy domain (`PolicyService.settle...Surrender`).
 */
export class SurrenderStore {
  constructor(private readonly db: Queryable) {}

  async terms(productId: string, tx: Queryable = this.db): Promise<SurrenderTerms | undefined> {
    const [row] = await tx.query<{ min_partial_amount: number; min_remaining_balance: number }>('select min_partial_amount, min_remaining_balance from surrender_terms where product_id = $1', [productId]);
    return row && { minPartialAmount: row.min_partial_amount, minRemainingBalance: row.min_remaining_balance };
  }

  /** Declarations of a policy in one of `statuses` (the open ones). */
  async open(tx: Queryable, policyId: string, statuses: readonly SurrenderStatus[]): Promise<SurrenderDeclaration[]> {
    const rows = await tx.query<SurrenderDeclarationRow>(`select ${COLUMNS} from surrender_declarations where policy_id = $1 and status = any($2::text[]) order by requested_at, id`, [policyId, statuses]);
    return rows.map(toDeclaration);
  }

  /** Writes a declaration; a second open total surrender of the policy (its unique index) is the conflict `TOTAL_SURRENDER_ALREADY_OPEN`. */
  async insert(tx: Queryable, d: SurrenderDeclaration): Promise<void> {
    await conflictOnUnique(tx.query(
      `insert into surrender_declarations (${COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)`,
      [
        d.id, d.policyId, d.kind, d.compartmentId, d.status, d.amount, d.currency, d.reason, d.payoutIban, d.payoutIbanSource, d.payoutIbanId,
        d.requestedAt, d.paymentDueBy, d.declaredBy, d.declaredById, d.paidAmount, d.paidAt, d.rejectionReason, d.updatedAt, d.earlyReleaseCase, d.saleStatus,
      ],
    ), 'TOTAL_SURRENDER_ALREADY_OPEN');
  }

  async byId(id: string, tx: Queryable = this.db, options: { forUpdate?: boolean } = {}): Promise<SurrenderDeclaration | undefined> {
    const [row] = await tx.query<SurrenderDeclarationRow>(`select ${COLUMNS} from surrender_declarations where id = $1${options.forUpdate ? ' for update' : ''}`, [id]);
    return row && toDeclaration(row);
  }

  async ofPolicy(policyId: string): Promise<SurrenderDeclaration[]> {
    return (await this.db.query<SurrenderDeclarationRow>(`select ${COLUMNS} from surrender_declarations where policy_id = $1 order by requested_at, id`, [policyId])).map(toDeclaration);
  }

  /** A declaration's sale executed: its amount becomes what the sale produced. False when it was not waiting for one. */
  async saleExecuted(tx: Queryable, id: string, proceeds: number, at: Date): Promise<boolean> {
    const rows = await tx.query(`update surrender_declarations set sale_status = 'executed', amount = $2, updated_at = $3 where id = $1 and sale_status = 'pending' returning id`, [id, proceeds, at]);
    return rows.length === 1;
  }

  /** A declaration rejected while its sale waited: the sale is cancelled with its orders. False when it was not waiting. */
  async saleCancelled(tx: Queryable, id: string, at: Date): Promise<boolean> {
    const rows = await tx.query(`update surrender_declarations set sale_status = 'cancelled', updated_at = $2 where id = $1 and sale_status = 'pending' returning id`, [id, at]);
    return rows.length === 1;
  }

  /** Moves a declaration only if it is still in `from`; false when another event moved it first. */
  async changeStatus(
    tx: Queryable,
    id: string,
    from: SurrenderStatus,
    change: { to: SurrenderStatus; at: Date; paidAmount?: number; rejectionReason?: string; dueBy?: Date },
  ): Promise<boolean> {
    const rows = await tx.query(
      `update surrender_declarations
          set status = $3::text, updated_at = $4::timestamptz,
              paid_amount = coalesce($5::bigint, paid_amount), paid_at = case when $3::text = 'paid' then $4::timestamptz else paid_at end,
              rejection_reason = coalesce($6::text, rejection_reason), due_by = coalesce($7::timestamptz, due_by)
        where id = $1 and status = $2 returning id`,
      [id, from, change.to, change.at, change.paidAmount ?? null, change.rejectionReason ?? null, change.dueBy ?? null],
    );
    return rows.length === 1;
  }

  async appendEvent(tx: Queryable, e: { declarationId: string; at: Date; from: string | null; to: string; actorKind: string; actorId: string | null; note: string | null }): Promise<void> {
    await tx.query('insert into surrender_declaration_events (declaration_id, at, from_status, to_status, actor_kind, actor_id, note) values ($1, $2, $3, $4, $5, $6, $7)', [
      e.declarationId, e.at, e.from, e.to, e.actorKind, e.actorId, e.note,
    ]);
  }

  async events(declarationIds: readonly string[]): Promise<SurrenderEvent[]> {
    const rows = await this.db.query<SurrenderEventRow>(
      'select declaration_id, at, from_status, to_status, actor_kind, actor_id, note from surrender_declaration_events where declaration_id = any($1::text[]) order by id',
      [declarationIds],
    );
    return rows.map((r) => ({ declarationId: r.declaration_id, at: r.at, fromStatus: r.from_status, toStatus: r.to_status, actorKind: r.actor_kind, actorId: r.actor_id, note: r.note }));
  }
}
