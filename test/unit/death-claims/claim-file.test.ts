import { isComplete, itemStates, requiredItems, taxRegimes } from '../../../domain/death-claims/claim-file';
import type { Evidence } from '../../../domain/evidence/evidence';

const facts = (premiumDates: string[], extra: Partial<Parameters<typeof taxRegimes>[0]> = {}) => ({ productKind: 'assurance_vie' as const, insuredBirthDate: '1956-06-15', dateOfDeath: '2026-12-01', premiumDates, ...extra });

describe('the tax regime of a death benefit, by the insured age at each premium', () => {
  it('990 I for premiums before 70, 757 B from the 70th birthday on, both when premiums fall on each side', () => {
    expect(taxRegimes(facts(['2010-01-01', '2026-06-14']))).toEqual(['art_990_I']);
    expect(taxRegimes(facts(['2026-06-15', '2026-09-01']))).toEqual(['art_757_B']);
    expect(taxRegimes(facts(['2020-03-01', '2026-09-01']))).toEqual(['art_990_I', 'art_757_B']);
  });

  it('reads a policy without a premium in its ledger as 990 I', () => {
    expect(taxRegimes(facts([]))).toEqual(['art_990_I']);
  });

  it('counts the 70th birthday of someone born on 29 February from 1 March in a common year', () => {
    expect(taxRegimes(facts(['2030-02-28'], { insuredBirthDate: '1960-02-29' }))).toEqual(['art_990_I']);
    expect(taxRegimes(facts(['2030-03-01'], { insuredBirthDate: '1960-02-29' }))).toEqual(['art_757_B']);
  });

  it('follows the age at death for a PER, whatever the premium dates', () => {
    expect(taxRegimes(facts(['2026-09-01'], { productKind: 'per', dateOfDeath: '2026-06-14' }))).toEqual(['art_990_I']);
    expect(taxRegimes(facts(['2010-01-01'], { productKind: 'per', dateOfDeath: '2026-06-15' }))).toEqual(['art_757_B']);
  });

  it('needs the identity document, the IBAN proof and the form of each regime', () => {
    expect(requiredItems(['art_990_I', 'art_757_B'])).toEqual(['identity_document', 'iban_proof', 'tax_990i_statement', 'tax_757b_certificate']);
    expect(requiredItems(['art_757_B'])).toEqual(['identity_document', 'iban_proof', 'tax_757b_certificate']);
  });
});

describe('where the items of a file stand', () => {
  const doc = (id: string, item: string, status: Evidence['status'], reviewReason: string | null = null) => ({ id, item, status, reviewReason }) as Evidence;
  const required = requiredItems(['art_990_I']);

  it('is open while an item is missing, received or refused (with the reason), complete once each is accepted', () => {
    const refused = itemStates(required, [doc('1', 'identity_document', 'accepted'), doc('2', 'iban_proof', 'accepted'), doc('3', 'tax_990i_statement', 'refused', 'Illisible')]);
    expect(refused[2]).toEqual({ item: 'tax_990i_statement', status: 'refused', documentId: '3', reviewReason: 'Illisible' });
    expect(isComplete(refused)).toBe(false);
    expect(isComplete(itemStates(required, [doc('1', 'identity_document', 'accepted'), doc('2', 'iban_proof', 'received')]))).toBe(false);
    const done = itemStates(required, [doc('1', 'identity_document', 'accepted'), doc('2', 'iban_proof', 'accepted'), doc('3', 'tax_990i_statement', 'refused', 'Illisible'), doc('4', 'tax_990i_statement', 'accepted')]);
    expect(done.map((s) => [s.status, s.documentId])).toEqual([['accepted', '1'], ['accepted', '2'], ['accepted', '4']]);
    expect(isComplete(done)).toBe(true);
  });
});
