import type { ClaimBeneficiary } from '../domain/death-claims/death-claim';
import type { Queryable } from './db';

/** A row of death_claim_beneficiaries, as read with COLUMNS. */
interface BeneficiaryRow {
  id: string;
  claim_id: string;
  rank: number;
  kind: ClaimBeneficiary['kind'];
  clause_line_id: string | null;
  designation_beneficiary_id: string | null;
  first_name: string | null;
  last_name: string | null;
  birth_date: string | null;
  relationship: string | null;
  share_basis_points: number | null;
  clause: string | null;
  status: ClaimBeneficiary['status'];
  accepted_at: string | null;
  renounced_on: string | null;
  file_completed_at: Date | null;
}

const COLUMNS = `id, claim_id, rank, kind, clause_line_id, designation_beneficiary_id, first_name, last_name,
  to_char(birth_date, 'YYYY-MM-DD') as birth_date, relationship, share_basis_points, clause, status, to_char(accepted_at, 'YYYY-MM-DD') as accepted_at,
  to_char(renounced_on, 'YYYY-MM-DD') as renounced_on, file_completed_at`;

function toBeneficiary(r: BeneficiaryRow): ClaimBeneficiary {
  return {
    id: r.id, rank: r.rank, kind: r.kind, beneficiaryId: r.designation_beneficiary_id, clauseLineId: r.clause_line_id, firstName: r.first_name, lastName: r.last_name,
    birthDate: r.birth_date, relationship: r.relationship, shareBasisPoints: r.share_basis_points, clause: r.clause, status: r.status, acceptedAt: r.accepted_at,
    renouncedOn: r.renounced_on, fileCompletedAt: r.file_completed_at,
  };
}

/** The beneficiary lines of death claims (one row per line; docs/DEATH-CLAIMS.md). */
export class DeathClaimBeneficiaryStore {
  /** One beneficiary line of a claim, at `position` in its order. */
  async insert(tx: Queryable, claimId: string, position: number, b: ClaimBeneficiary, at: Date): Promise<void> {
    await tx.query(
      `insert into death_claim_beneficiaries (id, claim_id, position, rank, kind, clause_line_id, designation_beneficiary_id, first_name, last_name, birth_date,
         relationship, share_basis_points, clause, status, accepted_at, renounced_on, file_completed_at, created_at, updated_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18)`,
      [b.id, claimId, position, b.rank, b.kind, b.clauseLineId, b.beneficiaryId, b.firstName, b.lastName, b.birthDate, b.relationship, b.shareBasisPoints,
        b.clause, b.status, b.acceptedAt, b.renouncedOn, b.fileCompletedAt, at],
    );
  }

  /** The lines of a claim, in their order. */
  async ofClaim(tx: Queryable, claimId: string): Promise<ClaimBeneficiary[]> {
    return (await this.ofClaims(tx, [claimId])).get(claimId) ?? [];
  }

  /** The lines of several claims in one statement, by claim id, each in its order. */
  async ofClaims(tx: Queryable, claimIds: readonly string[]): Promise<Map<string, ClaimBeneficiary[]>> {
    const byClaim = new Map<string, ClaimBeneficiary[]>(claimIds.map((id) => [id, []]));
    if (claimIds.length === 0) return byClaim;
    const rows = await tx.query<BeneficiaryRow>(`select ${COLUMNS} from death_claim_beneficiaries where claim_id = any($1::text[]) order by claim_id, position`, [claimIds]);
    for (const r of rows) byClaim.get(r.claim_id)?.push(toBeneficiary(r));
    return byClaim;
  }
}
