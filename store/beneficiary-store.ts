import type { Queryable } from './db';

/** One named beneficiary as stored in the designation's `beneficiaries` jsonb (camelCase, like allocations). */
export interface BeneficiaryRecord {
  /** `bnf_...`, kept across versions so an accepted beneficiary can be recognised. */
  id: string;
  firstName: string;
  lastName: string;
  /** YYYY-MM-DD. */
  birthDate: string;
  address: { line1: string; line2: string | null; postalCode: string; city: string; country: string };
  /** 1 = first rank; a rank takes the capital only when every beneficiary of the ranks before is missing. */
  rank: number;
  /** Share of its rank in basis points (10000 = 100%). */
  shareBasisPoints: number;
  /** YYYY-MM-DD the beneficiary accepted the benefit; null when they have not. */
  acceptedAt: string | null;
}

export interface DesignationRow {
  policy_id: string;
  version: number;
  kind: 'standard' | 'custom';
  standard_clause_id: string | null;
  beneficiaries: BeneficiaryRecord[];
  updated_at: Date | null;
}

export interface DesignationVersionRow extends Omit<DesignationRow, 'updated_at'> {
  /** Consents this change relied on: the consent documents (evidence ids) of the accepted beneficiaries it removed or altered. */
  consents: Array<{ beneficiaryId: string; evidenceId: string }>;
  actor_kind: string;
  actor_id: string | null;
  request_id: string | null;
  created_at: Date;
}

export interface AcceptanceRow {
  policy_id: string;
  beneficiary_id: string;
  /** YYYY-MM-DD. */
  accepted_on: string;
  endorsement_id: string;
  designation_version: number;
  recorded_by_kind: string;
  recorded_by_id: string | null;
  request_id: string | null;
  recorded_at: Date;
}

export interface ConsentUseRow {
  evidence_id: string;
  policy_id: string;
  beneficiary_id: string;
  used_by_type: 'surrender_declaration' | 'beneficiary_designation';
  used_by_id: string;
  used_at: Date;
}

const COLUMNS = 'policy_id, version, kind, standard_clause_id, beneficiaries, updated_at';

/** Beneficiary designations of policies: the current one per policy, and every version since the first change. */
export class BeneficiaryStore {
  constructor(private readonly db: Queryable) {}

  async current(policyId: string, tx: Queryable = this.db, options: { forUpdate?: boolean } = {}): Promise<DesignationRow | undefined> {
    return (await tx.query<DesignationRow>(`select ${COLUMNS} from beneficiary_designations where policy_id = $1${options.forUpdate ? ' for update' : ''}`, [policyId]))[0];
  }

  /** Current designations of several policies in one query; policies never changed have no row. */
  currentOf(policyIds: readonly string[]): Promise<DesignationRow[]> {
    return this.db.query<DesignationRow>(`select ${COLUMNS} from beneficiary_designations where policy_id = any($1::text[])`, [policyIds]);
  }

  /**
   * Gives a policy its row (the default, at version 0) if it has none, so the first change is an update
   * like every other. Concurrent first changes wait here for the one that inserted, then find the row.
   */
  async ensure(tx: Queryable, row: DesignationRow): Promise<void> {
    await tx.query(
      `insert into beneficiary_designations (${COLUMNS}) values ($1, $2, $3, $4, $5, $6) on conflict (policy_id) do nothing`,
      [row.policy_id, row.version, row.kind, row.standard_clause_id, JSON.stringify(row.beneficiaries), row.updated_at],
    );
  }

  /**
   * Replaces the designation only if it is still at `expectedVersion`, moving it to the next version.
   * Returns the new row, or undefined when another writer got there first (the caller answers 412).
   */
  async replace(tx: Queryable, expectedVersion: number, next: Omit<DesignationRow, 'version'>): Promise<DesignationRow | undefined> {
    return (
      await tx.query<DesignationRow>(
        `update beneficiary_designations set version = version + 1, kind = $3, standard_clause_id = $4, beneficiaries = $5, updated_at = $6
          where policy_id = $1 and version = $2 returning ${COLUMNS}`,
        [next.policy_id, expectedVersion, next.kind, next.standard_clause_id, JSON.stringify(next.beneficiaries), next.updated_at],
      )
    )[0];
  }

  async appendVersion(tx: Queryable, v: DesignationVersionRow): Promise<void> {
    await tx.query(
      `insert into beneficiary_designation_versions (policy_id, version, kind, standard_clause_id, beneficiaries, consents, actor_kind, actor_id, request_id, created_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [v.policy_id, v.version, v.kind, v.standard_clause_id, JSON.stringify(v.beneficiaries), JSON.stringify(v.consents), v.actor_kind, v.actor_id, v.request_id, v.created_at],
    );
  }

  versions(policyId: string): Promise<DesignationVersionRow[]> {
    return this.db.query<DesignationVersionRow>(
      `select policy_id, version, kind, standard_clause_id, beneficiaries, consents, actor_kind, actor_id, request_id, created_at
         from beneficiary_designation_versions where policy_id = $1 order by version`,
      [policyId],
    );
  }

  async insertAcceptance(tx: Queryable, a: AcceptanceRow): Promise<void> {
    await tx.query(
      `insert into beneficiary_acceptances (policy_id, beneficiary_id, accepted_on, endorsement_id, designation_version, recorded_by_kind, recorded_by_id, request_id, recorded_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [a.policy_id, a.beneficiary_id, a.accepted_on, a.endorsement_id, a.designation_version, a.recorded_by_kind, a.recorded_by_id, a.request_id, a.recorded_at],
    );
  }

  /** Which of `evidenceIds` some surrender or designation change already relied on. */
  async usedConsents(tx: Queryable, evidenceIds: readonly string[]): Promise<Set<string>> {
    const rows = await tx.query<{ evidence_id: string }>('select evidence_id from beneficiary_consent_uses where evidence_id = any($1::text[])', [evidenceIds]);
    return new Set(rows.map((r) => r.evidence_id));
  }

  /** Records that an operation relied on a consent; false when another one already did (the primary key decides). */
  async useConsent(tx: Queryable, u: ConsentUseRow): Promise<boolean> {
    const rows = await tx.query(
      `insert into beneficiary_consent_uses (evidence_id, policy_id, beneficiary_id, used_by_type, used_by_id, used_at) values ($1, $2, $3, $4, $5, $6)
       on conflict (evidence_id) do nothing returning evidence_id`,
      [u.evidence_id, u.policy_id, u.beneficiary_id, u.used_by_type, u.used_by_id, u.used_at],
    );
    return rows.length === 1;
  }
}
