import type { ClaimBeneficiary, DeathClaim, DeathClaimStatus, OwnedDeathClaim } from '../domain/death-claims/death-claim';
import { DeathClaimBeneficiaryStore } from './death-claim-beneficiary-store';
import type { Designation } from '../domain/death-settlement/designation';
import type { Queryable } from './db';

interface ClaimRow {
  id: string;
  policy_id: string;
  subscriber_id: string;
  notice_id: string;
  status: DeathClaimStatus;
  date_of_death: string;
  source: DeathClaim['source'];
  certificate_reference: string;
  value_amount: string | number;
  value_currency: string;
  value_basis: 'recorded_value_at_notice';
  designation_version: number;
  notified_by_kind: string;
  notified_by_id: string | null;
  request_id: string | null;
  notified_at: Date;
  closed_at: Date | null;
  user_id: string | null;
  distributor_id: string | null;
}

function toClaim(r: ClaimRow, beneficiaries: ClaimBeneficiary[]): OwnedDeathClaim {
  return {
    id: r.id, policyId: r.policy_id, subscriberId: r.subscriber_id, noticeId: r.notice_id, status: r.status, dateOfDeath: r.date_of_death, source: r.source,
    certificateReference: r.certificate_reference, valueAmount: Number(r.value_amount), valueCurrency: r.value_currency, valueBasis: r.value_basis,
    designationVersion: r.designation_version, beneficiaries, notifiedByKind: r.notified_by_kind, notifiedById: r.notified_by_id,
    requestId: r.request_id, notifiedAt: r.notified_at, closedAt: r.closed_at, userId: r.user_id, distributorId: r.distributor_id,
  };
}

const SELECT = `select c.id, c.policy_id, c.subscriber_id, c.notice_id, c.status, to_char(c.date_of_death, 'YYYY-MM-DD') as date_of_death, c.source,
  c.certificate_reference, c.value_amount, c.value_currency, c.value_basis, c.designation_version, c.notified_by_kind, c.notified_by_id,
  c.request_id, c.notified_at, c.closed_at, s.user_id, s.distributor_id
  from death_claims c join subscribers s on s.id = c.subscriber_id`;

/** One policy of the insured, locked for the notice, with the recorded value of its compartments. */
export interface PolicyAtNotice {
  id: string;
  status: string;
  valueAmount: number;
  currency: string | null;
}

/** Death claims, and what the notice of death stops on the insured's policies. */
export class DeathClaimStore {
  private readonly lines = new DeathClaimBeneficiaryStore();

  constructor(private readonly db: Queryable) {}

  /**
   * Locks the insured's policies (in id order, so two notices cannot deadlock): acts that lock the policy
   * row (surrender) wait for the notice, then find the claim.
   */
  async lockPoliciesOf(tx: Queryable, subscriberId: string): Promise<PolicyAtNotice[]> {
    const policies = await tx.query<{ id: string; status: string }>(`select id, status from policies where subscriber_id = $1 order by id for update`, [subscriberId]);
    if (policies.length === 0) return [];
    const values = await tx.query<{ policy_id: string; amount: string | number; currency: string }>(
      `select policy_id, sum(value) as amount, min(currency) as currency from compartments where policy_id = any($1::text[]) group by policy_id`,
      [policies.map((p) => p.id)],
    );
    return policies.map((p) => {
      const v = values.find((row) => row.policy_id === p.id);
      return { id: p.id, status: p.status, valueAmount: v ? Number(v.amount) : 0, currency: v?.currency ?? null };
    });
  }

  /** The designation version in force at the end of `date` (YYYY-MM-DD, Paris day taken as UTC+0 bound); undefined: the default. */
  async designationAt(tx: Queryable, policyId: string, date: string): Promise<Designation | undefined> {
    const [row] = await tx.query<{ version: number; kind: 'standard' | 'custom'; standard_clause_id: string | null; beneficiaries: Designation['beneficiaries']; created_at: Date }>(
      `select version, kind, standard_clause_id, beneficiaries, created_at from beneficiary_designation_versions
        where policy_id = $1 and created_at < ($2::date + 1)::timestamp at time zone 'Europe/Paris' order by version desc limit 1`,
      [policyId, date],
    );
    if (!row) return undefined;
    return { policyId, version: row.version, kind: row.kind, standardClauseId: row.standard_clause_id, beneficiaries: row.beneficiaries, updatedAt: row.created_at };
  }

  async insert(tx: Queryable, c: DeathClaim): Promise<void> {
    await tx.query(
      `insert into death_claims (id, policy_id, subscriber_id, notice_id, status, date_of_death, source, certificate_reference, value_amount, value_currency, value_basis,
         designation_version, notified_by_kind, notified_by_id, request_id, notified_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
      [c.id, c.policyId, c.subscriberId, c.noticeId, c.status, c.dateOfDeath, c.source, c.certificateReference, c.valueAmount, c.valueCurrency, c.valueBasis,
        c.designationVersion, c.notifiedByKind, c.notifiedById, c.requestId, c.notifiedAt],
    );
    for (const [i, b] of c.beneficiaries.entries()) await this.lines.insert(tx, c.id, i + 1, b, c.notifiedAt);
  }

  /** Closes a notified claim; false when it was closed already. */
  async close(tx: Queryable, id: string, at: Date): Promise<boolean> {
    return (await tx.query(`update death_claims set status = 'closed', closed_at = $2 where id = $1 and status = 'notified' returning id`, [id, at])).length === 1;
  }

  async isFrozen(tx: Queryable, policyId: string): Promise<boolean> {
    const rows = await tx.query(`select 1 from death_claims where policy_id = $1`, [policyId]);
    return rows.length > 0;
  }

  async claim(id: string, tx: Queryable = this.db): Promise<OwnedDeathClaim | undefined> {
    const [claim] = await this.withBeneficiaries(tx, await tx.query<ClaimRow>(`${SELECT} where c.id = $1`, [id]));
    return claim;
  }

  async ofNotice(tx: Queryable, noticeId: string): Promise<OwnedDeathClaim[]> {
    return this.withBeneficiaries(tx, await tx.query<ClaimRow>(`${SELECT} where c.notice_id = $1 order by c.id`, [noticeId]));
  }

  /** One statement for the lines of every claim read. */
  private async withBeneficiaries(tx: Queryable, rows: ClaimRow[]): Promise<OwnedDeathClaim[]> {
    if (rows.length === 0) return [];
    const lines = await this.lines.ofClaims(tx, rows.map((r) => r.id));
    return rows.map((r) => toClaim(r, lines.get(r.id) ?? []));
  }

  /** A page by id; `distributorId` undefined = every claim (back-office). */
  async page(scope: { distributorId?: string }, first: number, after: string | null): Promise<OwnedDeathClaim[]> {
    const params: unknown[] = [after ?? '', first + 1];
    const where = scope.distributorId === undefined ? '' : ` and s.distributor_id = $3`;
    if (scope.distributorId !== undefined) params.push(scope.distributorId);
    return this.withBeneficiaries(this.db, await this.db.query<ClaimRow>(`${SELECT} where c.id > $1${where} order by c.id limit $2`, params));
  }

  /**
   * What the notice stops: waiting switches (stopped), open surrender declarations (rejected: their
   * existing outcome, with the reason), schedules (ended). Returns the ids touched, for the audit trail.
   */
  async stopPending(tx: Queryable, policyIds: readonly string[], reason: string, at: Date): Promise<{ switches: string[]; surrenders: string[]; schedules: string[] }> {
    const switches = await tx.query<{ id: string }>(
      `update switch_requests set status = 'stopped', stopped_reason = $2 where policy_id = any($1::text[]) and status = 'requested' returning id`, [policyIds, reason]);
    const surrenders = await tx.query<{ id: string }>(
      `update surrender_declarations set status = 'rejected', rejection_reason = $2, due_by = coalesce(due_by, $3), updated_at = $3
        where policy_id = any($1::text[]) and status in ('awaiting_documents', 'received') returning id`, [policyIds, reason, at]);
    const schedules = await tx.query<{ id: string }>(
      `update premium_schedules set status = 'ended', updated_at = $2 where policy_id = any($1::text[]) and status <> 'ended' returning id`, [policyIds, at]);
    return { switches: switches.map((r) => r.id), surrenders: surrenders.map((r) => r.id), schedules: schedules.map((r) => r.id) };
  }

  /**
   * Who is told of a notice by e-mail: the brokers of the insured's distributor, and the back-office user
   * who recorded it (a partner platform is told by the webhook event).
   */
  async claimDeskOf(tx: Queryable, distributorId: string | null, notifier: { kind: string; id: string | null }): Promise<string[]> {
    const brokers = distributorId === null ? [] : await tx.query<{ id: string }>(`select id from users where kind = 'broker' and distributor_id = $1 order by id`, [distributorId]);
    const ids = brokers.map((b) => b.id);
    if (notifier.kind === 'backoffice' && notifier.id !== null) ids.push(notifier.id);
    return ids;
  }
}
