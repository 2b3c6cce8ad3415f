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
  const base = { status: 'pending_confirmation' as const, subscriber_confirmed_at: null, proof_accepted_at: null, holder_matches: true, holder_approved_at: null };
  const at = new Date();

  it('waits for the subscriber, then the proof, then (another holder) back-office', () => {
    expect(nextStatus(base)).toBe('pending_confirmation');
    expect(nextStatus({ ...base, proof_accepted_at: at })).toBe('pending_confirmation');
    expect(nextStatus({ ...base, subscriber_confirmed_at: at })).toBe('awaiting_proof');
    expect(nextStatus({ ...base, subscriber_confirmed_at: at, proof_accepted_at: at })).toBe('confirmed');
    expect(nextStatus({ ...base, subscriber_confirmed_at: at, proof_accepted_at: at, holder_matches: false })).toBe('awaiting_review');
    expect(nextStatus({ ...base, subscriber_confirmed_at: at, proof_accepted_at: at, holder_matches: false, holder_approved_at: at })).toBe('confirmed');
  });

  it('refused and confirmed are final', () => {
    expect(nextStatus({ ...base, status: 'refused', subscriber_confirmed_at: at, proof_accepted_at: at })).toBe('refused');
    expect(nextStatus({ ...base, status: 'confirmed' })).toBe('confirmed');
  });
});
