import { EARLY_RELEASE_DOCUMENTS, earlyReleaseChecklist, isFileComplete, PER_EARLY_RELEASE_CASES, storedEarlyReleaseCase } from '../../../domain/surrender/early-release';

const items = (c: keyof typeof EARLY_RELEASE_DOCUMENTS) => EARLY_RELEASE_DOCUMENTS[c].map((d) => d.item);

describe('PER early release: the supporting documents of each case (L224-4 CMF)', () => {
  it('every case needs at least one document, each item named once, with a description', () => {
    for (const c of PER_EARLY_RELEASE_CASES) {
      expect(EARLY_RELEASE_DOCUMENTS[c].length).toBeGreaterThan(0);
      expect(new Set(items(c)).size).toBe(items(c).length);
      for (const d of EARLY_RELEASE_DOCUMENTS[c]) expect(d.description.length).toBeGreaterThan(10);
    }
  });

  it.each([
    ['main_residence_purchase', ['purchase_agreement_or_deed']],
    ['death_of_spouse_or_pacs_partner', ['death_certificate', 'marriage_or_pacs_certificate']],
    ['disability_of_holder', ['disability_decision']],
    ['over_indebtedness', ['over_indebtedness_decision']],
    ['end_of_unemployment_rights', ['unemployment_rights_end_notice']],
    ['end_of_self_employment_after_liquidation', ['liquidation_judgment']],
    ['end_of_company_officer_mandate', ['mandate_end_proof']],
  ] as const)('%s needs %j', (c, expected) => {
    expect(items(c)).toEqual(expected);
  });

  describe('the checklist', () => {
    const check = (proofs: Parameters<typeof earlyReleaseChecklist>[1]) => earlyReleaseChecklist('death_of_spouse_or_pacs_partner', proofs).map((d) => `${d.item} ${d.status}`);

    it('is all missing before any upload', () => {
      expect(check([])).toEqual(['death_certificate missing', 'marriage_or_pacs_certificate missing']);
    });

    it('an item is accepted once any proof of it is; received while one awaits review; refused when every proof was', () => {
      expect(check([{ item: 'death_certificate', status: 'refused' }, { item: 'death_certificate', status: 'accepted' }, { item: 'marriage_or_pacs_certificate', status: 'refused' }])).toEqual([
        'death_certificate accepted',
        'marriage_or_pacs_certificate refused',
      ]);
      expect(check([{ item: 'marriage_or_pacs_certificate', status: 'refused' }, { item: 'marriage_or_pacs_certificate', status: 'received' }])).toEqual([
        'death_certificate missing',
        'marriage_or_pacs_certificate received',
      ]);
    });

    it('proofs of other items (or none) count for nothing', () => {
      expect(check([{ item: 'purchase_agreement_or_deed', status: 'accepted' }, { item: null, status: 'accepted' }])).toEqual(['death_certificate missing', 'marriage_or_pacs_certificate missing']);
    });

    it('the file is complete when every item is accepted', () => {
      const one = earlyReleaseChecklist('death_of_spouse_or_pacs_partner', [{ item: 'death_certificate', status: 'accepted' }]);
      expect(isFileComplete(one)).toBe(false);
      const both = earlyReleaseChecklist('death_of_spouse_or_pacs_partner', [{ item: 'death_certificate', status: 'accepted' }, { item: 'marriage_or_pacs_certificate', status: 'accepted' }]);
      expect(isFileComplete(both)).toBe(true);
    });
  });

  it('a stored reason is an early-release case only when it is one of the list', () => {
    expect(storedEarlyReleaseCase('over_indebtedness')).toBe('over_indebtedness');
    expect(storedEarlyReleaseCase('new car')).toBeNull();
    expect(storedEarlyReleaseCase(null)).toBeNull();
  });
});
