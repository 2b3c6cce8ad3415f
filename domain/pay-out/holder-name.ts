/**
 * Whether an account's holder name is the subscriber's own. Banks print names in every way: upper case,
 * without accents, last name first, with a civility, hyphens as spaces. Normalised, the words of both
 * names must be the same (in any order). A joint account ("M. OU MME MARTIN ALICE ET BOB") names someone
 * else too: it does not match, and back-office approves it against the RIB proof that names both.
 */

// Civilities a bank may print before the name; they say nothing about who holds the account.
const CIVILITIES = new Set(['m', 'mr', 'mme', 'mlle', 'mrs', 'ms', 'monsieur', 'madame', 'mademoiselle']);

/** The words of a name: no accents, lower case, apostrophes dropped, any other punctuation a space, civilities gone. */
export function nameWords(name: string): string[] {
  return name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/['’]/g, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word !== '' && !CIVILITIES.has(word));
}

/** True when the holder name has exactly the subscriber's words, in any order. */
export function holderNameMatches(holderName: string, subscriber: { firstName: string; lastName: string }): boolean {
  const holder = nameWords(holderName).sort();
  const own = nameWords(`${subscriber.firstName} ${subscriber.lastName}`).sort();
  return own.length > 0 && holder.length === own.length && holder.every((word, i) => word === own[i]);
}
