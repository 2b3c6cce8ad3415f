import type { Beneficiary, BeneficiaryAcceptance, ConsentUse, Designation, DesignationVersion } from '../domain/death-settlement/designation';
import type { Queryable } from './db';

interface DesignationRow {
  policy_id: string;
  version: number;
  kind: 'standard' | 'custom';
  standard_clause_id: string | null;
  /** jsonb, camelCase like allocations. */
  beneficiaries: Beneficiary[];
  updated_at: Date | null;
}

interface DesignationVersionRow extends Omit<DesignationRow, 'updated_at'> {
  consents: Array<{ beneficiaryId: string; evidenceId: string }>;
  actor_kind: string;
  actor_id: string | null;
  request_id: string | null;
  created_at: Date;
}

function toDesignation(r: DesignationRow): Designation {
  return { policyId: r.policy_id, version: r.version, kind: r.kind, standardClauseId: r.standard_clause_id, beneficiaries: r.beneficiaries, updatedAt: r.updated_at };
}

function toVersion(r: DesignationVersionRow): DesignationVersion {
  return {
    policyId: r.policy_id, version: r.version, kind: r.kind, standardClauseId: r.standard_clause_id, beneficiaries: r.beneficiaries, consents: r.consents,
    actorKind: r.actor_kind, actorId: r.actor_id, requestId: r.request_id, createdAt: r.created_at,
  };
}

const COLUMNS = 'policy_id, version, kind, standard_clause_id, beneficiaries, updated_at';

/** Beneficiary designations of policies: the current one per policy, and every version since the first change. */
export class BeneficiaryStore {
  constructor(private readonly db: Queryable) {}

  async current(policyId: string, tx: Queryable = this.db, options: { forUpdate?: boolean } = {}): Promise<Designation | undefined> {
    const [row] = await tx.query<DesignationRow>(`select ${COLUMNS} from beneficiary_designations where policy_id = $1${options.forUpdate ? ' for update' : ''}`, [policyId]);
    return row && toDesignation(row);
  }

  /** Current designations of several policies in one query; policies never changed have no row. */
  async currentOf(policyIds: readonly string[]): Promise<Designation[]> {
    return (await this.db.query<DesignationRow>(`select ${COLUMNS} from beneficiary_designations where policy_id = any($1::text[])`, [policyIds])).map(toDesignation);
  }

  /**
   * Gives a policy its row (the default, at version 0) if it has none, so the first change is an update
   * like every other. Concurrent first changes wait here for the one that inserted, then find the row.
   */
  async ensure(tx: Queryable, d: Designation): Promise<void> {
    await tx.query(
      `insert into beneficiary_designations (${COLUMNS}) values ($1, $2, $3, $4, $5, $6) on conflict (policy_id) do nothing`,
      [d.policyId, d.version, d.kind, d.standardClauseId, JSON.stringify(d.beneficiaries), d.updatedAt],
    );
  }

  /**
   * Replaces the designation only if it is still at `expectedVersion`, moving it to the next version.
   * Returns the new row, or undefined when another writer got there first (the caller answers 412).
   */
  async replace(tx: Queryable, expectedVersion: number, next: Omit<Designation, 'version'>): Promise<Designation | undefined> {
    const [row] = await tx.query<DesignationRow>(
      `update beneficiary_designations set version = version + 1, kind = $3, standard_clause_id = $4, beneficiaries = $5, updated_at = $6
        where policy_id = $1 and version = $2 returning ${COLUMNS}`,
      [next.policyId, expectedVersion, next.kind, next.standardClauseId, JSON.stringify(next.beneficiaries), next.updatedAt],
    );
    return row && toDesignation(row);
  }

  async appendVersion(tx: Queryable, v: DesignationVersion): Promise<void> {
    await tx.query(
      `insert into beneficiary_designation_versions (policy_id, version, kind, standard_clause_id, beneficiaries, consents, actor_kind, actor_id, request_id, created_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [v.policyId, v.version, v.kind, v.standardClauseId, JSON.stringify(v.beneficiaries), JSON.stringify(v.consents), v.actorKind, v.actorId, v.requestId, v.createdAt],
    );
  }

  async versions(policyId: string): Promise<DesignationVersion[]> {
    const rows = await this.db.query<DesignationVersionRow>(
      `select policy_id, version, kind, standard_clause_id, beneficiaries, consents, actor_kind, actor_id, request_id, created_at
         from beneficiary_designation_versions where policy_id = $1 order by version`,
      [policyId],
    );
    return rows.map(toVersion);
  }

  async insertAcceptance(tx: Queryable, a: BeneficiaryAcceptance): Promise<void> {
    await tx.query(
      `insert into beneficiary_acceptances (policy_id, beneficiary_id, accepted_on, endorsement_id, designation_version, recorded_by_kind, recorded_by_id, request_id, recorded_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [a.policyId, a.beneficiaryId, a.acceptedOn, a.endorsementId, a.designationVersion, a.recordedByKind, a.recordedById, a.requestId, a.recordedAt],
    );
  }

  /** Which of `evidenceIds` some surrender or designation change already relied on. */
  async usedConsents(tx: Queryable, evidenceIds: readonly string[]): Promise<Set<string>> {
    const rows = await tx.query<{ evidence_id: string }>('select evidence_id from beneficiary_consent_uses where evidence_id = any($1::text[])', [evidenceIds]);
    return new Set(rows.map((r) => r.evidence_id));
  }

  /** Records that an operation relied on a consent; false when another one already did (the primary key decides). */
  async useConsent(tx: Queryable, u: ConsentUse): Promise<boolean> {
    const rows = await tx.query(
      `insert into beneficiary_consent_uses (evidence_id, policy_id, beneficiary_id, used_by_type, used_by_id, used_at) values ($1, $2, $3, $4, $5, $6)
       on conflict (evidence_id) do nothing returning evidence_id`,
      [u.evidenceId, u.policyId, u.beneficiaryId, u.usedByType, u.usedById, u.usedAt],
    );
    return rows.length === 1;
  }
}
