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
  consents: Array<{ beneficiaryId: string; consentedAt: string }>;
  actor_kind: string;
  actor_id: string | null;
  request_id: string | null;
  created_at: Date;
}

const COLUMNS = 'policy_id, version, kind, standard_clause_id, beneficiaries, updated_at';

/** Beneficiary designations of policies: the current one per policy, and every version since the first change. */
export class BeneficiaryStore {
  constructor(private readonly db: Queryable) {}

  async current(policyId: string, tx: Queryable = this.db): Promise<DesignationRow | undefined> {
    return (await tx.query<DesignationRow>(`select ${COLUMNS} from beneficiary_designations where policy_id = $1`, [policyId]))[0];
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
}
