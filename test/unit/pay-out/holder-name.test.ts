import fc from 'fast-check';
import { holderNameMatches, nameWords } from '../../../domain/pay-out/holder-name';
import { nextStatus } from '../../../domain/pay-out/payout-status';

const alice = { firstName: 'Alice', lastName: 'Martin' };
const helene = { firstName: 'Hélène', lastName: "Le Goff-D'Arcy" };

describe('holder name against the subscriber', () => {
  it.each([
    ['Alice Martin'],
    ['ALICE MARTIN'],
    ['martin alice'],
    ['  Alice   Martin '],
    ['Mme Alice Martin'],
    ['MADAME MARTIN ALICE'],
    ['Martin, Alice'],
  ])('%s is Alice Martin', (holder) => expect(holderNameMatches(holder, alice)).toBe(true));

  it.each([
    ['HELENE LE GOFF DARCY'],
    ["Le Goff-d'Arcy Hélène"],
    ['Mme HÉLÈNE LE GOFF D’ARCY'],
  ])('%s is Hélène Le Goff-D’Arcy (accents, hyphens, apostrophes)', (holder) => expect(holderNameMatches(holder, helene)).toBe(true));

  it.each([
    ['Mallory Martin'],
    ['Alice'],
    ['Alice Martin Dupont'],
    ['M. OU MME MARTIN ALICE ET BOB'],
    ['Alicia Martin'],
    [''],
  ])('%s is not: another person, a part of the name, or a joint account (back-office reviews those)', (holder) => expect(holderNameMatches(holder, alice)).toBe(false));

  it('any order, case and spacing of the same words matches', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(['Jean', 'Pierre', 'Dupont'], { minLength: 3, maxLength: 3 }), fc.boolean(), fc.integer({ min: 1, max: 3 }), (words, upper, spaces) => {
        const holder = words.map((w) => (upper ? w.toUpperCase() : w.toLowerCase())).join(' '.repeat(spaces));
        return holderNameMatches(holder, { firstName: 'Jean-Pierre', lastName: 'Dupont' });
      }),
    );
  });

  it('normalises to bare lower-case words', () => {
    expect(nameWords("M. Éric N'Diaye-Ba")).toEqual(['eric', 'ndiaye', 'ba']);
  });
});

describe('pay-out IBAN status', () => {
  const base = { status: 'pending_confirmation' as const, subscriberConfirmedAt: null, proofAcceptedAt: null, holderMatches: true, holderApprovedAt: null };
  const at = new Date();

  it('waits for the subscriber, then the proof, then (another holder) back-office', () => {
    expect(nextStatus(base)).toBe('pending_confirmation');
    expect(nextStatus({ ...base, proofAcceptedAt: at })).toBe('pending_confirmation');
    expect(nextStatus({ ...base, subscriberConfirmedAt: at })).toBe('awaiting_proof');
    expect(nextStatus({ ...base, subscriberConfirmedAt: at, proofAcceptedAt: at })).toBe('confirmed');
    expect(nextStatus({ ...base, subscriberConfirmedAt: at, proofAcceptedAt: at, holderMatches: false })).toBe('awaiting_review');
    expect(nextStatus({ ...base, subscriberConfirmedAt: at, proofAcceptedAt: at, holderMatches: false, holderApprovedAt: at })).toBe('confirmed');
  });

  it('refused and confirmed are final', () => {
    expect(nextStatus({ ...base, status: 'refused', subscriberConfirmedAt: at, proofAcceptedAt: at })).toBe('refused');
    expect(nextStatus({ ...base, status: 'confirmed' })).toBe('confirmed');
  });
});
