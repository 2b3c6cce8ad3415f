import { equalShares, sharesOfClaim, splitProportionally } from '../../../domain/death-claims/beneficiary-shares';
import type { ClaimBeneficiary } from '../../../domain/death-claims/death-claim';

const line = (id: string, rank: number, share: number | null, status: ClaimBeneficiary['status'] = 'found', kind: ClaimBeneficiary['kind'] = 'named'): ClaimBeneficiary => ({
  id, rank, kind, beneficiaryId: null, clauseLineId: null, firstName: id, lastName: 'X', birthDate: null, relationship: null, shareBasisPoints: share,
  shareOfClaimBasisPoints: null, clause: kind === 'class_clause' ? 'Mes enfants' : null, status, acceptedAt: null, renouncedOn: status === 'renounced' ? '2026-12-02' : null, fileCompletedAt: null,
});
const shares = (lines: ClaimBeneficiary[]) => Object.fromEntries(sharesOfClaim(lines));

describe('shares of a claim (French practice on renunciation)', () => {
  it('splits in integers that add up to the whole, the leftover to the largest remainders', () => {
    expect(equalShares(3)).toEqual([3334, 3333, 3333]);
    expect(equalShares(2)).toEqual([5000, 5000]);
    expect(splitProportionally([3000, 3000, 3000])).toEqual([3334, 3333, 3333]);
    expect(splitProportionally([6000, 4000])).toEqual([6000, 4000]);
    expect(splitProportionally([1, 2])).toEqual([3333, 6667]);
  });

  it('gives the capital to the first rank, as designated', () => {
    expect(shares([line('a', 1, 6000), line('b', 1, 4000), line('c', 2, 10000)])).toEqual({ a: 6000, b: 4000, c: null });
  });

  it("passes a renouncer's share to the others of the rank in proportion, then to the next rank when the rank is empty", () => {
    expect(shares([line('a', 1, 5000, 'renounced'), line('b', 1, 3000), line('c', 1, 2000), line('d', 2, 10000)])).toEqual({ a: null, b: 6000, c: 4000, d: null });
    expect(shares([line('a', 1, 6000, 'renounced'), line('b', 1, 4000, 'renounced'), line('d', 2, 7000), line('e', 2, 3000)])).toEqual({ a: null, b: null, d: 7000, e: 3000 });
  });

  it('holds the share of a beneficiary being searched for', () => {
    expect(shares([line('a', 1, 5000, 'searching'), line('b', 1, 5000), line('c', 2, 10000)])).toEqual({ a: 5000, b: 5000, c: null });
  });

  it('knows no share while a class clause of the taking rank is unresolved; its persons carry it once identified', () => {
    expect(shares([line('k', 1, null, 'to_identify', 'class_clause')])).toEqual({ k: null });
    const persons = [line('k', 1, null, 'identified', 'class_clause'), line('p', 1, 5000), line('q', 1, 5000, 'renounced')];
    expect(shares(persons)).toEqual({ k: null, p: 10000, q: null });
  });

  it('leaves every share null when everyone renounced: the capital falls into the estate', () => {
    expect(shares([line('a', 1, 10000, 'renounced'), line('b', 2, 10000, 'renounced')])).toEqual({ a: null, b: null });
  });
});
