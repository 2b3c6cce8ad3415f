import type { Evidence, EvidenceStatus } from '../evidence/evidence';
import { ageOn } from '../shared/identity-rules';

/**
 * What a beneficiary's file may hold: their identity document, a proof of the IBAN they are paid to, and
 * the tax document each regime that applies to the policy's premiums needs:
 *
 * - `tax_990i_statement`: premiums paid before the insured's 70th birthday fall under art. 990 I CGI; the
 *   insurer withholds the levy itself, from the beneficiary's statement (identity, tax residence, link to
 *   the insured, other policies of the same insured) given to the insurer;
 * - `tax_757b_certificate`: premiums paid from the 70th birthday on fall under art. 757 B CGI (inheritance
 *   duties); the beneficiary files form 2705-A-SD with the tax office and brings its certificate (of
 *   payment or of no duty owed), without which the insurer may not pay (art. 806 CGI).
 */
export const CLAIM_FILE_ITEMS = ['identity_document', 'iban_proof', 'tax_990i_statement', 'tax_757b_certificate'] as const;
export type ClaimFileItem = (typeof CLAIM_FILE_ITEMS)[number];
export type TaxRegime = 'art_990_I' | 'art_757_B';

/** What the tax regimes of a claim are read from. */
export interface ClaimTaxFacts {
  /** `per`: a PER's death benefit follows the insured's age at death, not at each premium. */
  productKind: 'assurance_vie' | 'per';
  insuredBirthDate: string;
  dateOfDeath: string;
  /** Paris calendar dates (YYYY-MM-DD) of the premiums paid, from the policy's ledger. */
  premiumDates: readonly string[];
}

const SEVENTY = 70;
const at = (date: string) => new Date(`${date}T00:00:00Z`);
/** On or after the 70th birthday counts as "after 70" (a premium paid on the birthday is paid at 70). */
const afterSeventy = (birthDate: string, date: string) => ageOn(birthDate, at(date)) >= SEVENTY;

/**
 * The regimes that apply. Assurance-vie: one per side of the 70th birthday a premium was paid on (both
 * when premiums were paid before and after); a policy whose ledger holds no premium is read as 990 I.
 * PER (assurance form, since the PACTE law): the insured's age at death decides for the whole benefit.
 */
export function taxRegimes(facts: ClaimTaxFacts): TaxRegime[] {
  if (facts.productKind === 'per') return [afterSeventy(facts.insuredBirthDate, facts.dateOfDeath) ? 'art_757_B' : 'art_990_I'];
  const after = facts.premiumDates.map((d) => afterSeventy(facts.insuredBirthDate, d));
  const regimes: TaxRegime[] = [];
  if (after.length === 0 || after.some((a) => !a)) regimes.push('art_990_I');
  if (after.some((a) => a)) regimes.push('art_757_B');
  return regimes;
}

/** The items every beneficiary's file needs for these regimes, in checklist order. */
export function requiredItems(regimes: readonly TaxRegime[]): ClaimFileItem[] {
  const items: ClaimFileItem[] = ['identity_document', 'iban_proof'];
  if (regimes.includes('art_990_I')) items.push('tax_990i_statement');
  if (regimes.includes('art_757_B')) items.push('tax_757b_certificate');
  return items;
}

/** Where one item of the checklist stands. */
export interface ClaimFileItemState {
  item: ClaimFileItem;
  /** missing: nothing uploaded; else the status of the document that decides (an accepted one, or the latest). */
  status: 'missing' | EvidenceStatus;
  /** The deciding document. */
  documentId: string | null;
  /** Why back-office refused the deciding document. */
  reviewReason: string | null;
}

/**
 * Each required item's state from the beneficiary's documents (oldest first): an accepted document settles the item; else
 * the latest one uploaded shows where it stands (a refused item stays open, with the reason, until a new
 * document is accepted).
 */
export function itemStates(required: readonly ClaimFileItem[], documents: readonly Evidence[]): ClaimFileItemState[] {
  return required.map((item) => {
    const ofItem = documents.filter((d) => d.item === item);
    // A RIB may be replaced after the file is complete (a new account before payment): the latest accepted decides.
    const deciding = ofItem.filter((d) => d.status === 'accepted').at(-1) ?? ofItem[ofItem.length - 1];
    return deciding
      ? { item, status: deciding.status, documentId: deciding.id, reviewReason: deciding.reviewReason }
      : { item, status: 'missing', documentId: null, reviewReason: null };
  });
}

/** The file is complete when every required item has an accepted document. */
export function isComplete(states: readonly ClaimFileItemState[]): boolean {
  return states.every((s) => s.status === 'accepted');
}
