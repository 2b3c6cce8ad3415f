import type { DeathClaimPayment } from '../domain/death-claims/claim-payment';
import type { InterestSegment, LegalInterestRate, LegalRateCategory } from '../domain/death-claims/legal-interest';
import type { Queryable } from './db';

interface PaymentRow {
  id: string;
  claim_id: string;
  policy_id: string;
  beneficiary_id: string;
  status: DeathClaimPayment['status'];
  capital_amount: string | number;
  interest_amount: string | number;
  currency: string;
  iban: string;
  holder_name: string;
  file_completed_at: Date;
  due_date: string;
  interest_to: string;
  days_late: number;
  interest_segments: InterestSegment[];
  rate_category: LegalRateCategory;
  sent_by_kind: string;
  sent_by_id: string | null;
  request_id: string | null;
  sent_at: Date;
  paid_at: Date | null;
  rejected_at: Date | null;
  rejection_reason: string | null;
}

const SELECT = `select id, claim_id, policy_id, beneficiary_id, status, capital_amount, interest_amount, currency, iban, holder_name, file_completed_at,
  to_char(due_date, 'YYYY-MM-DD') as due_date, to_char(interest_to, 'YYYY-MM-DD') as interest_to, days_late, interest_segments, rate_category,
  sent_by_kind, sent_by_id, request_id, sent_at, paid_at, rejected_at, rejection_reason from death_claim_payments`;

function toPayment(r: PaymentRow): DeathClaimPayment {
  return {
    id: r.id, claimId: r.claim_id, policyId: r.policy_id, beneficiaryId: r.beneficiary_id, status: r.status, capitalAmount: Number(r.capital_amount),
    interestAmount: Number(r.interest_amount), currency: r.currency, iban: r.iban, holderName: r.holder_name, fileCompletedAt: r.file_completed_at,
    dueDate: r.due_date, interestTo: r.interest_to, daysLate: r.days_late, interestSegments: r.interest_segments, rateCategory: r.rate_category,
    sentByKind: r.sent_by_kind, sentById: r.sent_by_id, requestId: r.request_id, sentAt: r.sent_at, paidAt: r.paid_at, rejectedAt: r.rejected_at,
    rejectionReason: r.rejection_reason,
  };
}

interface RateRow {
  category: LegalRateCategory;
  valid_from: string;
  valid_to: string;
  rate_basis_points: number;
}

/** Payments of death claims, the beneficiary lines they pay, and the legal interest rates. */
export class DeathClaimPaymentStore {
  constructor(private readonly db: Queryable) {}

  /** Locks the claim row: payments of one claim are decided one at a time. */
  async lockClaim(tx: Queryable, claimId: string): Promise<void> {
    await tx.query('select id from death_claims where id = $1 for update', [claimId]);
  }

  async insert(tx: Queryable, p: DeathClaimPayment): Promise<void> {
    await tx.query(
      `insert into death_claim_payments (id, claim_id, policy_id, beneficiary_id, status, capital_amount, interest_amount, currency, iban, holder_name, file_completed_at,
         due_date, interest_to, days_late, interest_segments, rate_category, sent_by_kind, sent_by_id, request_id, sent_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`,
      [p.id, p.claimId, p.policyId, p.beneficiaryId, p.status, p.capitalAmount, p.interestAmount, p.currency, p.iban, p.holderName, p.fileCompletedAt,
        p.dueDate, p.interestTo, p.daysLate, JSON.stringify(p.interestSegments), p.rateCategory, p.sentByKind, p.sentById, p.requestId, p.sentAt],
    );
  }

  async byId(id: string, tx: Queryable = this.db, opts: { forUpdate?: boolean } = {}): Promise<DeathClaimPayment | undefined> {
    const [row] = await tx.query<PaymentRow>(`${SELECT} where id = $1${opts.forUpdate ? ' for update' : ''}`, [id]);
    return row && toPayment(row);
  }

  async ofClaims(claimIds: readonly string[], tx: Queryable = this.db): Promise<DeathClaimPayment[]> {
    return (await tx.query<PaymentRow>(`${SELECT} where claim_id = any($1::text[]) order by claim_id, id`, [claimIds])).map(toPayment);
  }

  /** Moves a payment out of `sent`; false when it was no longer `sent` (already settled by an earlier event). */
  async settle(tx: Queryable, id: string, to: { status: 'paid' | 'rejected'; at: Date; reason: string | null }): Promise<boolean> {
    const rows = await tx.query(
      to.status === 'paid'
        ? `update death_claim_payments set status = 'paid', paid_at = $2 where id = $1 and status = 'sent' returning id`
        : `update death_claim_payments set status = 'rejected', rejected_at = $2, rejection_reason = $3 where id = $1 and status = 'sent' returning id`,
      to.status === 'paid' ? [id, to.at] : [id, to.at, to.reason],
    );
    return rows.length === 1;
  }

  /** Every legal rate of a category (a few dozen rows: two a year). */
  async rates(tx: Queryable = this.db): Promise<LegalInterestRate[]> {
    const rows = await tx.query<RateRow>(
      `select category, to_char(valid_from, 'YYYY-MM-DD') as valid_from, to_char(valid_to, 'YYYY-MM-DD') as valid_to, rate_basis_points from legal_interest_rates order by category, valid_from`,
    );
    return rows.map((r) => ({ category: r.category, validFrom: r.valid_from, validTo: r.valid_to, rateBasisPoints: r.rate_basis_points }));
  }

  /** Adds one half-year's rate; false when that category already has a rate starting that day. */
  async addRate(tx: Queryable, r: LegalInterestRate & { source: string; loadedByKind: string; loadedById: string | null; loadedAt: Date }): Promise<boolean> {
    const rows = await tx.query(
      `insert into legal_interest_rates (category, valid_from, valid_to, rate_basis_points, source, loaded_by_kind, loaded_by_id, loaded_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict do nothing returning category`,
      [r.category, r.validFrom, r.validTo, r.rateBasisPoints, r.source, r.loadedByKind, r.loadedById, r.loadedAt],
    );
    return rows.length === 1;
  }

  /**
   * Claim ids for the clocks list, by id after `after`: the claims not closed (some part is not paid, its
   * beneficiary payable, searched for or not established yet), and with `overdue` those with a line whose
   * file is complete, due date (one calendar month later, Paris; PostgreSQL keeps the month's last day for a
   * missing 31st) passed, and no payment sent or paid.
   */
  async openClaimIds(scope: { distributorId?: string }, opts: { overdue: boolean; today: string }, first: number, after: string | null): Promise<string[]> {
    const params: unknown[] = [after ?? '', first + 1];
    const distributor = scope.distributorId === undefined ? '' : ` and s.distributor_id = $${params.push(scope.distributorId)}`;
    const unpaid = `b.claim_id = c.id and b.kind = 'named' and b.status in ('found', 'identified')
      and not exists (select 1 from death_claim_payments p where p.beneficiary_id = b.id and p.status in ('sent', 'paid'))`;
    const overdue = opts.overdue
      ? ` and exists (select 1 from death_claim_beneficiaries b where ${unpaid} and b.file_completed_at is not null
            and ((b.file_completed_at at time zone 'Europe/Paris')::date + interval '1 month')::date < $${params.push(opts.today)}::date)`
      : '';
    const rows = await this.db.query<{ id: string }>(
      `select c.id from death_claims c join subscribers s on s.id = c.subscriber_id where c.id > $1 and c.status = 'notified'${distributor}${overdue} order by c.id limit $2`,
      params,
    );
    return rows.map((r) => r.id);
  }
}
