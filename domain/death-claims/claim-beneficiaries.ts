import type { StandardClause } from '../subscription/catalogue';
import type { Designation } from '../death-settlement/designation';
import { newUuid } from '../shared/ids';
import type { ClaimBeneficiary } from './death-claim';

const BLANK = { clauseLineId: null, relationship: null, renouncedOn: null, fileCompletedAt: null, shareOfClaimBasisPoints: null } as const;

/**
 * The beneficiaries a designation gives, rank by rank: each named person with their share of the rank
 * (an acceptance is kept: an accepted designation binds), or, for a standard clause ("my spouse, failing
 * that my children..."), one open line holding the clause, to be resolved into persons by back-office.
 */
export function beneficiariesFrom(designation: Designation, clause: StandardClause | undefined): ClaimBeneficiary[] {
  if (designation.kind === 'standard') {
    return [{ ...BLANK, id: newUuid(), rank: 1, kind: 'class_clause', beneficiaryId: null, firstName: null, lastName: null, birthDate: null, shareBasisPoints: null, clause: clause?.text ?? designation.standardClauseId, status: 'to_identify', acceptedAt: null }];
  }
  return [...designation.beneficiaries]
    .sort((a, b) => a.rank - b.rank)
    .map((b) => ({ ...BLANK, id: newUuid(), rank: b.rank, kind: 'named', beneficiaryId: b.id, firstName: b.firstName, lastName: b.lastName, birthDate: b.birthDate, shareBasisPoints: b.shareBasisPoints, clause: null, status: 'found', acceptedAt: b.acceptedAt }));
}
