import { AppError } from '../../../errors/app-error';
import { checkEarlyReleaseSources, perEarlyReleaseCase, PER_EARLY_RELEASE_CASES } from '../../../domain/surrender/early-release';

/** The error `work` throws (fails the test when it throws nothing). */
function thrown(work: () => unknown): AppError {
  try {
    work();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an error, none was thrown');
}

const refusal = (work: () => unknown) => {
  const error = thrown(work);
  return { code: error.code, reason: error.reason, field: error.extra.field };
};

describe('PER early release (L224-4 CMF)', () => {
  it('lists exactly the cases of the law', () => {
    expect([...PER_EARLY_RELEASE_CASES].sort()).toEqual(
      [
        'death_of_spouse_or_pacs_partner',
        'disability_of_holder',
        'disability_of_child',
        'disability_of_spouse_or_pacs_partner',
        'over_indebtedness',
        'end_of_unemployment_rights',
        'end_of_self_employment_after_liquidation',
        'end_of_company_officer_mandate',
        'main_residence_purchase',
      ].sort(),
    );
  });

  it.each(PER_EARLY_RELEASE_CASES.map((c) => [c]))('accepts %s', (reason) => {
    expect(perEarlyReleaseCase(reason)).toBe(reason);
  });

  it.each([['retirement_soon'], ['buy a car'], ['MAIN_RESIDENCE_PURCHASE'], [' over_indebtedness'], ['toString'], ['constructor']])('refuses any other reason (%j) with 422 PER_EARLY_RELEASE_CASE_NOT_ALLOWED', (reason) => {
    expect(refusal(() => perEarlyReleaseCase(reason))).toEqual({ code: 'unprocessable_content', reason: 'PER_EARLY_RELEASE_CASE_NOT_ALLOWED', field: 'earlyReleaseCase' });
  });

  it.each([[null], [undefined], [''], ['   ']])('requires a case (%j): 422 PER_EARLY_RELEASE_CASE_REQUIRED', (reason) => {
    expect(refusal(() => perEarlyReleaseCase(reason))).toEqual({ code: 'unprocessable_content', reason: 'PER_EARLY_RELEASE_CASE_REQUIRED', field: 'earlyReleaseCase' });
  });

  describe('main residence purchase: C1 and C2 only, never C3', () => {
    it.each([[['C1']], [['C2']], [['C1', 'C2']]])('from %j is allowed', (sources) => {
      expect(() => checkEarlyReleaseSources('main_residence_purchase', sources)).not.toThrow();
    });

    it.each([[['C3']], [['C1', 'C3']], [['C1', 'C2', 'C3']]])('from %j is refused with 422 MAIN_RESIDENCE_NOT_FROM_C3', (sources) => {
      expect(refusal(() => checkEarlyReleaseSources('main_residence_purchase', sources))).toEqual({ code: 'unprocessable_content', reason: 'MAIN_RESIDENCE_NOT_FROM_C3', field: 'earlyReleaseCase' });
    });

    it('the other cases may draw on C3', () => {
      for (const reason of PER_EARLY_RELEASE_CASES.filter((c) => c !== 'main_residence_purchase')) {
        expect(() => checkEarlyReleaseSources(reason, ['C1', 'C2', 'C3'])).not.toThrow();
      }
    });
  });
});
