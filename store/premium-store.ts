import type { PremiumAllocationLine, PremiumMethod, PremiumTerms, SinglePremiumRequest, SinglePremiumStatus } from '../domain/premiums/single-premium';
import type { RejectionRule } from '../domain/premiums/collection-rejection';
import type { Queryable } from './db';

interface RequestRow {
  id: string;
  policy_id: string;
  payer_id: string;
  method: PremiumMethod;
  amount: number | string;
  currency: string;
  iban: string;
  holder_name: string;
  allocation: PremiumAllocationLine[];
  status: SinglePremiumStatus;
  funds_origin_proof_required: boolean;
  created_by_kind: string;
  created_by_id: string | null;
  created_at: Date;
  updated_at: Date;
  cancelled_at: Date | null;
  collected_at: Date | null;
  rejected_at: Date | null;
  rejection_code: string | null;
  rejection_reason: string | null;
  retry_of: string | null;
  attempt: number;
  due_date: string | null;
}

const COLUMNS = `id, policy_id, payer_id, method, amount, currency, iban, holder_name, allocation, status, funds_origin_proof_required,
  created_by_kind, created_by_id, created_at, updated_at, cancelled_at, collected_at, rejected_at, rejection_code, rejection_reason, retry_of, attempt, due_date`;
// Dates as text: a date read as a JavaScript Date would shift with the server's zone.
const SELECT_COLUMNS = COLUMNS.replace(/\bdue_date$/, 'due_date::text as due_date');

// bigint arrives as a string from pg: amounts stay below MAX_AMOUNT_MINOR_UNITS, exact as numbers.
const toRequest = (r: RequestRow): SinglePremiumRequest => ({
  id: r.id, policyId: r.policy_id, payerId: r.payer_id, method: r.method, amount: Number(r.amount), currency: r.currency, iban: r.iban, holderName: r.holder_name,
  allocation: r.allocation, status: r.status, fundsOriginProofRequired: r.funds_origin_proof_required, createdByKind: r.created_by_kind, createdById: r.created_by_id,
  createdAt: r.created_at, updatedAt: r.updated_at, cancelledAt: r.cancelled_at, collectedAt: r.collected_at,
  rejectedAt: r.rejected_at, rejectionCode: r.rejection_code, rejectionReason: r.rejection_reason, retryOf: r.retry_of, attempt: r.attempt, dueDate: r.due_date,
});

/** What a status change writes. */
export interface RequestChange {
  status: SinglePremiumStatus;
  updatedAt: Date;
  cancelledAt?: Date;
  collectedAt?: Date;
  rejection?: { at: Date; code: string; reason: string | null };
}

/** Premium terms of the products and single-premium requests. */
export class PremiumStore {
  constructor(private readonly db: Queryable) {}

  /** The product's premium terms; undefined: the product takes no single premium. */
  async terms(productId: string, tx: Queryable = this.db): Promise<PremiumTerms | undefined> {
    const [row] = await tx.query<{ min_single_premium: number | string; funds_origin_proof_threshold: number | string }>(
      'select min_single_premium, funds_origin_proof_threshold from premium_terms where product_id = $1',
      [productId],
    );
    return row && { minSinglePremium: Number(row.min_single_premium), fundsOriginProofThreshold: Number(row.funds_origin_proof_threshold) };
  }

  /** One request; `forUpdate` holds its row until the transaction ends, so status changes are serialised. */
  async request(id: string, tx: Queryable = this.db, options: { forUpdate?: boolean } = {}): Promise<SinglePremiumRequest | undefined> {
    const [row] = await tx.query<RequestRow>(`select ${SELECT_COLUMNS} from single_premium_requests where id = $1${options.forUpdate ? ' for update' : ''}`, [id]);
    return row && toRequest(row);
  }

  /** The requests of these policies, oldest first. */
  async ofPolicies(policyIds: readonly string[], tx: Queryable = this.db): Promise<SinglePremiumRequest[]> {
    return (await tx.query<RequestRow>(`select ${SELECT_COLUMNS} from single_premium_requests where policy_id = any($1::text[]) order by policy_id, created_at, id`, [policyIds])).map(toRequest);
  }

  async insert(tx: Queryable, r: SinglePremiumRequest): Promise<void> {
    await tx.query(
      `insert into single_premium_requests (${COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)`,
      [
        r.id, r.policyId, r.payerId, r.method, r.amount, r.currency, r.iban, r.holderName, JSON.stringify(r.allocation), r.status, r.fundsOriginProofRequired,
        r.createdByKind, r.createdById, r.createdAt, r.updatedAt, r.cancelledAt, r.collectedAt, r.rejectedAt, r.rejectionCode, r.rejectionReason, r.retryOf, r.attempt, r.dueDate,
      ],
    );
  }

  /** The retry that follows this attempt, if one was made. */
  async retryOf(id: string, tx: Queryable = this.db): Promise<SinglePremiumRequest | undefined> {
    const [row] = await tx.query<RequestRow>(`select ${SELECT_COLUMNS} from single_premium_requests where retry_of = $1`, [id]);
    return row && toRequest(row);
  }

  /** The product's rule for a rejection reason code, if it has one. */
  async rejectionRule(productId: string, reasonCode: string, tx: Queryable = this.db): Promise<RejectionRule | undefined> {
    const [row] = await tx.query<{ retry_after_days: number | null; max_retries: number; suspends_schedule: boolean }>(
      'select retry_after_days, max_retries, suspends_schedule from premium_rejection_rules where product_id = $1 and reason_code = $2',
      [productId, reasonCode],
    );
    return row && { retryAfterDays: row.retry_after_days, maxRetries: row.max_retries, suspendsSchedule: row.suspends_schedule };
  }

  async update(tx: Queryable, id: string, change: RequestChange): Promise<void> {
    await tx.query(
      `update single_premium_requests set status = $2, updated_at = $3, cancelled_at = coalesce($4::timestamptz, cancelled_at), collected_at = coalesce($5::timestamptz, collected_at),
         rejected_at = coalesce($6::timestamptz, rejected_at), rejection_code = coalesce($7, rejection_code), rejection_reason = coalesce($8, rejection_reason) where id = $1`,
      [id, change.status, change.updatedAt, change.cancelledAt ?? null, change.collectedAt ?? null, change.rejection?.at ?? null, change.rejection?.code ?? null, change.rejection?.reason ?? null],
    );
  }
}
