import type { ClaimTaxFacts } from '../domain/death-claims/claim-file';
import type { ClaimBeneficiary, ClaimBeneficiaryStatus, ClaimSearchStep } from '../domain/death-claims/death-claim';
import { withSharesOfClaim } from '../domain/death-claims/beneficiary-shares';
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

/** The columns read, of the table aliased `b`. */
const COLUMNS = `b.id, b.claim_id, b.rank, b.kind, b.clause_line_id, b.designation_beneficiary_id, b.first_name, b.last_name,
  to_char(b.birth_date, 'YYYY-MM-DD') as birth_date, b.relationship, b.share_basis_points, b.clause, b.status, to_char(b.accepted_at, 'YYYY-MM-DD') as accepted_at,
  to_char(b.renounced_on, 'YYYY-MM-DD') as renounced_on, b.file_completed_at`;

function toBeneficiary(r: BeneficiaryRow): ClaimBeneficiary {
  return {
    id: r.id, rank: r.rank, kind: r.kind, beneficiaryId: r.designation_beneficiary_id, clauseLineId: r.clause_line_id, firstName: r.first_name, lastName: r.last_name,
    birthDate: r.birth_date, relationship: r.relationship, shareBasisPoints: r.share_basis_points, clause: r.clause, status: r.status, acceptedAt: r.accepted_at,
    renouncedOn: r.renounced_on, fileCompletedAt: r.file_completed_at, shareOfClaimBasisPoints: null,
  };
}

interface StepRow {
  id: string;
  beneficiary_id: string;
  kind: ClaimSearchStep['kind'];
  happened_on: string;
  note: string | null;
  recorded_by_kind: string;
  recorded_by_id: string | null;
  recorded_at: Date;
}

const toStep = (r: StepRow): ClaimSearchStep => ({
  id: r.id, beneficiaryId: r.beneficiary_id, kind: r.kind, happenedOn: r.happened_on, note: r.note, recordedByKind: r.recorded_by_kind, recordedById: r.recorded_by_id, recordedAt: r.recorded_at,
});

/** A line with the claim and insured it belongs to. */
export interface OwnedClaimLine {
  claimId: string;
  policyId: string;
  subscriberId: string;
  line: ClaimBeneficiary;
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
    const rows = await tx.query<BeneficiaryRow>(`select ${COLUMNS} from death_claim_beneficiaries b where b.claim_id = any($1::text[]) order by b.claim_id, b.position`, [claimIds]);
    for (const r of rows) byClaim.get(r.claim_id)?.push(toBeneficiary(r));
    for (const [id, lines] of byClaim) byClaim.set(id, withSharesOfClaim(lines));
    return byClaim;
  }

  /** One line of a claim; locked for the caller's transaction with `forUpdate`. */
  async line(tx: Queryable, claimId: string, lineId: string, options: { forUpdate?: boolean } = {}): Promise<ClaimBeneficiary | undefined> {
    const [row] = await tx.query<BeneficiaryRow>(
      `select ${COLUMNS} from death_claim_beneficiaries b where b.claim_id = $1 and b.id = $2${options.forUpdate ? ' for update' : ''}`, [claimId, lineId]);
    return row && toBeneficiary(row);
  }

  /** A line of one of the insured's claims, by its id alone (an evidence subject). */
  async ofInsured(tx: Queryable, subscriberId: string, lineId: string): Promise<OwnedClaimLine | undefined> {
    const [row] = await tx.query<BeneficiaryRow & { policy_id: string; subscriber_id: string }>(
      `select ${COLUMNS}, c.policy_id, c.subscriber_id
         from death_claim_beneficiaries b join death_claims c on c.id = b.claim_id where b.id = $1 and c.subscriber_id = $2`,
      [lineId, subscriberId]);
    return row && { claimId: row.claim_id, policyId: row.policy_id, subscriberId: row.subscriber_id, line: toBeneficiary(row) };
  }

  /** Serialises the changes to one claim's lines (identification, renunciation, a file completing). */
  async lockClaim(tx: Queryable, claimId: string): Promise<void> {
    await tx.query(`select id from death_claims where id = $1 for update`, [claimId]);
  }

  async nextPosition(tx: Queryable, claimId: string): Promise<number> {
    const [row] = await tx.query<{ next: number }>(`select coalesce(max(position), 0) + 1 as next from death_claim_beneficiaries where claim_id = $1`, [claimId]);
    return Number(row!.next);
  }

  async setStatus(tx: Queryable, lineId: string, status: ClaimBeneficiaryStatus, at: Date): Promise<void> {
    await tx.query(`update death_claim_beneficiaries set status = $2, updated_at = $3 where id = $1`, [lineId, status, at]);
  }

  async renounce(tx: Queryable, lineId: string, on: string, reference: string | null, at: Date): Promise<void> {
    await tx.query(`update death_claim_beneficiaries set status = 'renounced', renounced_on = $2, renunciation_reference = $3, updated_at = $4 where id = $1`, [lineId, on, reference, at]);
  }

  /** Sets the date the file became complete, once; false when it was already set. */
  async completeFile(tx: Queryable, lineId: string, at: Date): Promise<boolean> {
    const rows = await tx.query(`update death_claim_beneficiaries set file_completed_at = $2, updated_at = $2 where id = $1 and file_completed_at is null returning id`, [lineId, at]);
    return rows.length > 0;
  }

  /** Records the IBAN a RIB document of the line shows (declared at upload). */
  async addRibIban(tx: Queryable, documentId: string, lineId: string, iban: string): Promise<void> {
    await tx.query(`insert into death_claim_rib_ibans (document_id, beneficiary_id, iban) values ($1, $2, $3)`, [documentId, lineId, iban]);
  }

  /**
   * The IBAN of the line's latest accepted RIB (the file's order: uploaded last); undefined when no RIB is
   * accepted, null when the accepted one was uploaded before RIBs carried their IBAN.
   */
  async acceptedRibIban(tx: Queryable, lineId: string): Promise<string | null | undefined> {
    const [row] = await tx.query<{ iban: string | null }>(
      `select r.iban from evidence_documents d left join death_claim_rib_ibans r on r.document_id = d.id
        where d.kind = 'death_claim_document' and d.subject_id = $1 and d.item = 'iban_proof' and d.status = 'accepted' order by d.created_at desc, d.id desc limit 1`,
      [lineId],
    );
    return row ? row.iban : undefined;
  }

  /** A payment of the line is with the payment provider or made. */
  async hasLivePayment(tx: Queryable, lineId: string): Promise<boolean> {
    return (await tx.query(`select 1 from death_claim_payments where beneficiary_id = $1 and status in ('sent', 'paid')`, [lineId])).length > 0;
  }

  async insertStep(tx: Queryable, step: ClaimSearchStep): Promise<void> {
    await tx.query(
      `insert into death_claim_beneficiary_search_steps (id, beneficiary_id, kind, happened_on, note, recorded_by_kind, recorded_by_id, recorded_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [step.id, step.beneficiaryId, step.kind, step.happenedOn, step.note, step.recordedByKind, step.recordedById, step.recordedAt]);
  }

  /** The search steps of a line, in the order recorded. */
  async steps(lineId: string, tx: Queryable): Promise<ClaimSearchStep[]> {
    const rows = await tx.query<StepRow>(
      `select id, beneficiary_id, kind, to_char(happened_on, 'YYYY-MM-DD') as happened_on, note, recorded_by_kind, recorded_by_id, recorded_at
         from death_claim_beneficiary_search_steps where beneficiary_id = $1 order by recorded_at, id`, [lineId]);
    return rows.map(toStep);
  }

  /** The product kind, the insured's birth date and the Paris dates of the premiums paid on the claim's policy. */
  async taxFacts(tx: Queryable, claimId: string): Promise<ClaimTaxFacts | undefined> {
    const [row] = await tx.query<{ kind: 'assurance_vie' | 'per'; birth_date: string; date_of_death: string; policy_id: string }>(
      `select pr.kind, to_char(s.birth_date, 'YYYY-MM-DD') as birth_date, to_char(c.date_of_death, 'YYYY-MM-DD') as date_of_death, c.policy_id
         from death_claims c join subscribers s on s.id = c.subscriber_id join policies p on p.id = c.policy_id join products pr on pr.id = p.product_id
        where c.id = $1`, [claimId]);
    if (!row) return undefined;
    const premiums = await tx.query<{ day: string }>(
      `select distinct to_char(at at time zone 'Europe/Paris', 'YYYY-MM-DD') as day from policy_money_movements where policy_id = $1 and kind = 'premium' order by day`, [row.policy_id]);
    return { productKind: row.kind, insuredBirthDate: row.birth_date, dateOfDeath: row.date_of_death, premiumDates: premiums.map((p) => p.day) };
  }
}
