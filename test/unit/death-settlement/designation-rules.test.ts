import { defaultDesignation, type Beneficiary, type BeneficiaryInput, type Designation } from '../../../domain/death-settlement/designation';
import { consentsMissing, designationProblems, nextDesignation } from '../../../domain/death-settlement/designation-rules';
import { DEMO_IDS, testId } from '../../support/ids';

const TODAY = new Date('2026-06-15T10:00:00Z');
const NONE = defaultDesignation(testId('pol_1'));

function input(firstName: string, rank: number, shareBasisPoints: number, overrides: Partial<BeneficiaryInput> = {}): BeneficiaryInput {
  return { firstName, lastName: 'Petit', birthDate: '1990-05-20', address: { line1: '1 rue Haute', postalCode: '33000', city: 'Bordeaux', country: 'FR' }, rank, shareBasisPoints, ...overrides };
}

function beneficiary(id: string, rank: number, share: number, acceptedAt: string | null = null): Beneficiary {
  return { id, firstName: id, lastName: 'Petit', birthDate: '1990-05-20', address: { line1: '1 rue Haute', line2: null, postalCode: '33000', city: 'Bordeaux', country: 'FR' }, rank, shareBasisPoints: share, acceptedAt };
}

const custom = (beneficiaries: Beneficiary[]): Designation => ({ policyId: testId('pol_1'), version: 4, kind: 'custom', standardClauseId: null, beneficiaries, updatedAt: TODAY });

const check = (designation: Parameters<typeof designationProblems>[0], current: Designation = NONE, clauseExists = true) =>
  designationProblems(designation, { current, clauseExists, today: TODAY }).map((p) => `${p.field} ${p.reason}`);

describe('defaultDesignation', () => {
  it('is the first published standard clause at version 0', () => {
    expect(defaultDesignation(testId('pol_9'))).toEqual({ policyId: testId('pol_9'), version: 0, kind: 'standard', standardClauseId: DEMO_IDS.standardClauses.spouseChildren, beneficiaries: [], updatedAt: null });
  });
});

describe('designationProblems', () => {
  it('accepts a published standard clause', () => {
    expect(check({ standardClauseId: DEMO_IDS.standardClauses.heirs })).toEqual([]);
  });

  it('refuses an unknown clause, both kinds at once, or neither', () => {
    expect(check({ standardClauseId: testId('clause_x') }, NONE, false)).toEqual(['standardClauseId UNKNOWN_STANDARD_CLAUSE']);
    expect(check({ standardClauseId: DEMO_IDS.standardClauses.heirs, beneficiaries: [input('A', 1, 10_000)] })).toEqual(['standardClauseId EXACTLY_ONE_OF_STANDARD_CLAUSE_OR_BENEFICIARIES']);
    expect(check({})).toEqual(['standardClauseId EXACTLY_ONE_OF_STANDARD_CLAUSE_OR_BENEFICIARIES']);
    expect(check({ beneficiaries: [] })).toEqual(['beneficiaries AT_LEAST_ONE_BENEFICIARY_REQUIRED']);
    expect(check({ beneficiaries: Array.from({ length: 21 }, (_, i) => input(`P${i}`, 1, 1)) })).toEqual(['beneficiaries TOO_MANY_BENEFICIARIES']);
  });

  it('accepts ranks whose shares each total exactly 10000 basis points', () => {
    expect(check({ beneficiaries: [input('A', 1, 3_334), input('B', 1, 3_333), input('C', 1, 3_333), input('D', 2, 10_000)] })).toEqual([]);
  });

  it('names every rank whose shares do not total 100%', () => {
    expect(check({ beneficiaries: [input('A', 1, 5_000), input('B', 1, 4_999), input('C', 2, 10_000), input('D', 3, 10_001 - 2), input('E', 3, 1)] })).toEqual([
      'beneficiaries SHARES_OF_RANK_1_NOT_100_PERCENT',
    ]);
    expect(check({ beneficiaries: [input('A', 1, 10_000), input('B', 2, 6_000)] })).toEqual(['beneficiaries SHARES_OF_RANK_2_NOT_100_PERCENT']);
  });

  it('ranks start at 1 with none skipped', () => {
    expect(check({ beneficiaries: [input('A', 1, 10_000), input('B', 3, 10_000)] })).toEqual(['beneficiaries RANK_2_HAS_NO_BENEFICIARY']);
    expect(check({ beneficiaries: [input('A', 2, 10_000)] })).toEqual(['beneficiaries RANK_1_HAS_NO_BENEFICIARY']);
  });

  it('checks each rank and share, and skips the totals when one is not a usable number', () => {
    expect(check({ beneficiaries: [input('A', 0, 10_000), input('B', 1, 0), input('C', 11, 1.5)] })).toEqual([
      'beneficiaries.0.rank RANK_OUT_OF_RANGE',
      'beneficiaries.1.shareBasisPoints SHARE_OUT_OF_RANGE',
      'beneficiaries.2.rank RANK_OUT_OF_RANGE',
      'beneficiaries.2.shareBasisPoints SHARE_OUT_OF_RANGE',
    ]);
  });

  it('checks identity and address like a subscriber’s', () => {
    expect(
      check({
        beneficiaries: [
          input(' ', 1, 5_000, { lastName: 'x'.repeat(101), birthDate: '2026-02-30' }),
          input('B', 1, 5_000, { birthDate: '2026-06-16', address: { line1: '', postalCode: '3300', city: 'Bordeaux', country: 'FR' } }),
          input('C', 2, 10_000, { address: { line1: '1 Main St', postalCode: 'SW1A 1AA', city: 'London', country: 'UK' } }),
        ],
      }),
    ).toEqual([
      'beneficiaries.0.firstName REQUIRED_FIELD_MISSING',
      'beneficiaries.0.lastName TOO_LONG',
      'beneficiaries.0.birthDate BIRTH_DATE_INVALID',
      'beneficiaries.1.birthDate BIRTH_DATE_IN_FUTURE',
      'beneficiaries.1.address.line1 REQUIRED_FIELD_MISSING',
      'beneficiaries.1.address.postalCode POSTAL_CODE_INVALID',
      'beneficiaries.2.address.country COUNTRY_CODE_INVALID',
    ]);
  });

  it('the same person listed twice is refused (names compared without case)', () => {
    expect(check({ beneficiaries: [input('Anne', 1, 5_000), input('ANNE ', 1, 5_000)] })).toEqual(['beneficiaries.1 BENEFICIARY_LISTED_TWICE']);
  });

  it('an acceptance cannot be set here: accepted and acceptedAt are refused, naming the field (recorded by back-office separately)', () => {
    expect(
      check({
        beneficiaries: [
          input('A', 1, 2_500, { accepted: true }),
          input('B', 1, 2_500, { accepted: true, acceptedAt: '2026-06-01' }),
          input('C', 1, 2_500, { acceptedAt: '2026-01-01' }),
          input('D', 1, 2_500, { accepted: false, acceptedAt: null }),
        ],
      }),
    ).toEqual([
      'beneficiaries.0.accepted ACCEPTANCE_RECORDED_SEPARATELY',
      'beneficiaries.1.accepted ACCEPTANCE_RECORDED_SEPARATELY',
      'beneficiaries.1.acceptedAt ACCEPTANCE_RECORDED_SEPARATELY',
      'beneficiaries.2.acceptedAt ACCEPTANCE_RECORDED_SEPARATELY',
      'beneficiaries.3.accepted ACCEPTANCE_RECORDED_SEPARATELY',
    ]);
    expect(check({ beneficiaries: [input('A', 1, 10_000, { accepted: null, acceptedAt: null })] })).toEqual([]);
  });

  it('an id must name a beneficiary of the current designation, once', () => {
    const current = custom([beneficiary(testId('bnf_a'), 1, 10_000)]);
    expect(check({ beneficiaries: [input('A', 1, 5_000, { id: testId('bnf_a') }), input('B', 1, 5_000, { id: testId('bnf_a') })] }, current)).toEqual(['beneficiaries.1.id BENEFICIARY_LISTED_TWICE']);
    expect(check({ beneficiaries: [input('A', 1, 10_000, { id: testId('bnf_zz') })] }, current)).toEqual(['beneficiaries.0.id UNKNOWN_BENEFICIARY']);
  });

  it('consents come from accepted beneficiaries of the current designation, once each, each with its own document', () => {
    const current = custom([beneficiary(testId('bnf_a'), 1, 5_000, '2025-01-01'), beneficiary(testId('bnf_b'), 1, 5_000)]);
    expect(
      check(
        {
          standardClauseId: DEMO_IDS.standardClauses.heirs,
          consents: [
            { beneficiaryId: testId('bnf_a'), evidenceId: testId('evd_1') },
            { beneficiaryId: testId('bnf_a'), evidenceId: testId('evd_2') },
            { beneficiaryId: testId('bnf_b'), evidenceId: testId('evd_3') },
            { beneficiaryId: testId('bnf_zz'), evidenceId: testId('evd_3') },
          ],
        },
        current,
      ),
    ).toEqual(['consents.1.beneficiaryId CONSENT_LISTED_TWICE', 'consents.2.beneficiaryId NOT_AN_ACCEPTED_BENEFICIARY', 'consents.3.beneficiaryId NOT_AN_ACCEPTED_BENEFICIARY', 'consents.3.evidenceId CONSENT_DOCUMENT_LISTED_TWICE']);
  });
});

describe('nextDesignation', () => {
  it('a standard clause has no beneficiaries', () => {
    expect(nextDesignation({ standardClauseId: DEMO_IDS.standardClauses.heirs }, NONE, () => testId('bnf_new'), TODAY)).toEqual({ policyId: testId('pol_1'), kind: 'standard', standardClauseId: DEMO_IDS.standardClauses.heirs, beneficiaries: [], updatedAt: TODAY });
  });

  it('keeps ids that were sent (and their recorded acceptance), gives new people one, trims, orders by rank (stable within a rank)', () => {
    let n = 0;
    const next = nextDesignation(
      {
        beneficiaries: [
          input('Zed', 2, 10_000),
          input(' Ann ', 1, 5_000, { id: testId('bnf_a'), address: { line1: ' 1 rue Haute ', line2: '  ', postalCode: '33000', city: 'Bordeaux ', country: 'FR' } }),
          input('Bea', 1, 5_000, { acceptedAt: null, accepted: null }),
        ],
      },
      custom([beneficiary(testId('bnf_a'), 1, 10_000, '2026-01-02')]),
      () => testId(`bnf_new${++n}`),
      TODAY,
    );
    expect(next.kind).toBe('custom');
    expect(next.beneficiaries.map((b) => [b.id, b.firstName, b.rank, b.acceptedAt])).toEqual([
      [testId('bnf_a'), 'Ann', 1, '2026-01-02'],
      [testId('bnf_new2'), 'Bea', 1, null],
      [testId('bnf_new1'), 'Zed', 2, null],
    ]);
    expect(next.beneficiaries[0].address).toEqual({ line1: '1 rue Haute', line2: null, postalCode: '33000', city: 'Bordeaux', country: 'FR' });
  });
});

describe('consentsMissing', () => {
  const accepted = beneficiary(testId('bnf_a'), 1, 5_000, '2025-01-01');
  const other = beneficiary(testId('bnf_b'), 1, 5_000);
  const heir = beneficiary(testId('bnf_c'), 2, 10_000);
  const current = [accepted, other, heir];

  it('nothing is needed while no beneficiary has accepted', () => {
    expect(consentsMissing([other, heir], [], [])).toEqual([]);
  });

  it('keeping the accepted beneficiary exactly as they were needs no consent, whatever happens to others', () => {
    expect(consentsMissing(current, [accepted, other, { ...heir, firstName: 'Changed' }], [])).toEqual([]);
    expect(consentsMissing(current, [accepted, { ...other, address: { ...other.address, city: 'Pau' } }], [])).toEqual([]);
  });

  it.each([
    ['removing them', [{ ...other, shareBasisPoints: 10_000 }, heir]],
    ['changing their share', [{ ...accepted, shareBasisPoints: 4_000 }, { ...other, shareBasisPoints: 6_000 }, heir]],
    ['moving them to another rank', [{ ...accepted, rank: 2, shareBasisPoints: 5_000 }, { ...other, shareBasisPoints: 10_000 }, { ...heir, shareBasisPoints: 5_000 }]],
    ['changing their name', [{ ...accepted, lastName: 'Grand' }, other, heir]],
    ['changing their address', [{ ...accepted, address: { ...accepted.address, line2: 'Bât. C' } }, other, heir]],
    ['withdrawing their acceptance', [{ ...accepted, acceptedAt: null }, other, heir]],
    ['replacing the clause by a standard one', []],
  ])('%s needs their consent', (_label, next) => {
    expect(consentsMissing(current, next, [])).toEqual([testId('bnf_a')]);
    expect(consentsMissing(current, next, [{ beneficiaryId: testId('bnf_a') }])).toEqual([]);
  });

  it('lists every accepted beneficiary that has not consented', () => {
    const second = { ...heir, acceptedAt: '2025-02-02' };
    expect(consentsMissing([accepted, other, second], [], [{ beneficiaryId: testId('bnf_c') }])).toEqual([testId('bnf_a')]);
    expect(consentsMissing([accepted, other, second], [], [])).toEqual([testId('bnf_a'), testId('bnf_c')]);
  });
});
