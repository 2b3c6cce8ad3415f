import type { PremiumAllocationLine, PremiumMethod, PremiumTerms, SinglePremiumRequest, SinglePremiumStatus } from '../domain/premiums/single-premium';
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
}

const COLUMNS = `id, policy_id, payer_id, method, amount, currency, iban, holder_name, allocation, status, funds_origin_proof_required,
  created_by_kind, created_by_id, created_at, updated_at, cancelled_at, collected_at`;

// bigint arrives as a string from pg: amounts stay below MAX_AMOUNT_MINOR_UNITS, exact as numbers.
const toRequest = (r: RequestRow): SinglePremiumRequest => ({
  id: r.id, policyId: r.policy_id, payerId: r.payer_id, method: r.method, amount: Number(r.amount), currency: r.currency, iban: r.iban, holderName: r.holder_name,
  allocation: r.allocation, status: r.status, fundsOriginProofRequired: r.funds_origin_proof_required, createdByKind: r.created_by_kind, createdById: r.created_by_id,
  createdAt: r.created_at, updatedAt: r.updated_at, cancelledAt: r.cancelled_at, collectedAt: r.collected_at,
});

/** What a status change writes. */
export interface RequestChange {
  status: SinglePremiumStatus;
  updatedAt: Date;
  cancelledAt?: Date;
  collectedAt?: Date;
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
    const [row] = await tx.query<RequestRow>(`select ${COLUMNS} from single_premium_requests where id = $1${options.forUpdate ? ' for update' : ''}`, [id]);
    return row && toRequest(row);
  }

  /** The requests of these policies, oldest first. */
  async ofPolicies(policyIds: readonly string[], tx: Queryable = this.db): Promise<SinglePremiumRequest[]> {
    return (await tx.query<RequestRow>(`select ${COLUMNS} from single_premium_requests where policy_id = any($1::text[]) order by policy_id, created_at, id`, [policyIds])).map(toRequest);
  }

  async insert(tx: Queryable, r: SinglePremiumRequest): Promise<void> {
    await tx.query(
      `insert into single_premium_requests (${COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
      [
        r.id, r.policyId, r.payerId, r.method, r.amount, r.currency, r.iban, r.holderName, JSON.stringify(r.allocation), r.status, r.fundsOriginProofRequired,
        r.createdByKind, r.createdById, r.createdAt, r.updatedAt, r.cancelledAt, r.collectedAt,
      ],
    );
  }

  async update(tx: Queryable, id: string, change: RequestChange): Promise<void> {
    await tx.query(
      'update single_premium_requests set status = $2, updated_at = $3, cancelled_at = coalesce($4::timestamptz, cancelled_at), collected_at = coalesce($5::timestamptz, collected_at) where id = $1',
      [id, change.status, change.updatedAt, change.cancelledAt ?? null, change.collectedAt ?? null],
    );
  }
}
