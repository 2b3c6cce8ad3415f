import { checkBirthDate, checkPostalCode, isIsoCountry } from '../shared/identity-rules';
import type { Beneficiary, ConsentInput, Designation, DesignationInput } from './designation';

/** One offending field (dotted path inside the input, as in GraphQL) and a stable reason. */
export interface Problem {
  field: string;
  reason: string;
}

/** 100% of a rank, in basis points. */
export const FULL_SHARE = 10_000;
export const MAX_BENEFICIARIES = 20;
export const MAX_RANK = 10;
const MAX_NAME = 100;
const MAX_LINE = 200;

function text(problems: Problem[], field: string, value: string | null | undefined, max: number, required = true): void {
  if (value === undefined || value === null || value.trim() === '') {
    if (required) problems.push({ field, reason: 'REQUIRED_FIELD_MISSING' });
  } else if (value.length > max) problems.push({ field, reason: 'TOO_LONG' });
}


const personKey = (b: { firstName: string; lastName: string; birthDate: string }) =>
  `${b.firstName.trim().toLowerCase()}|${b.lastName.trim().toLowerCase()}|${b.birthDate}`;

/**
 * Every problem of a new designation at once, against the current one (ids and consents refer to it).
 * The rank rule names the rank: shares of each rank total exactly 100% (`SHARES_OF_RANK_2_NOT_100_PERCENT`).
 */
export function designationProblems(input: DesignationInput, context: { current: Designation; clauseExists: boolean; today: Date }): Problem[] {
  const problems: Problem[] = [];
  const hasStandard = input.standardClauseId !== undefined && input.standardClauseId !== null;
  const hasCustom = input.beneficiaries !== undefined && input.beneficiaries !== null;
  if (hasStandard === hasCustom) problems.push({ field: 'standardClauseId', reason: 'EXACTLY_ONE_OF_STANDARD_CLAUSE_OR_BENEFICIARIES' });
  else if (hasStandard && !context.clauseExists) problems.push({ field: 'standardClauseId', reason: 'UNKNOWN_STANDARD_CLAUSE' });
  else if (hasCustom) problems.push(...beneficiaryProblems(input.beneficiaries!, context.current, context.today));
  problems.push(...consentProblems(input.consents ?? [], context.current));
  return problems;
}

function beneficiaryProblems(list: NonNullable<DesignationInput['beneficiaries']>, current: Designation, today: Date): Problem[] {
  if (list.length === 0) return [{ field: 'beneficiaries', reason: 'AT_LEAST_ONE_BENEFICIARY_REQUIRED' }];
  if (list.length > MAX_BENEFICIARIES) return [{ field: 'beneficiaries', reason: 'TOO_MANY_BENEFICIARIES' }];
  const problems: Problem[] = [];
  const known = new Set(current.beneficiaries.map((b) => b.id));
  const ids = new Set<string>();
  const people = new Set<string>();
  const totals = new Map<number, number>();
  let sharesUsable = true;
  list.forEach((b, i) => {
    const at = `beneficiaries.${i}`;
    if (b.id !== undefined && b.id !== null) {
      if (!known.has(b.id)) problems.push({ field: `${at}.id`, reason: 'UNKNOWN_BENEFICIARY' });
      else if (ids.has(b.id)) problems.push({ field: `${at}.id`, reason: 'BENEFICIARY_LISTED_TWICE' });
      ids.add(b.id);
    }
    text(problems, `${at}.firstName`, b.firstName, MAX_NAME);
    text(problems, `${at}.lastName`, b.lastName, MAX_NAME);
    const birth = checkBirthDate(b.birthDate, today);
    if (birth) problems.push({ field: `${at}.birthDate`, reason: birth });
    // The same person twice would hold two shares: one entry per person.
    if (people.has(personKey(b))) problems.push({ field: at, reason: 'BENEFICIARY_LISTED_TWICE' });
    people.add(personKey(b));
    text(problems, `${at}.address.line1`, b.address.line1, MAX_LINE);
    text(problems, `${at}.address.line2`, b.address.line2, MAX_LINE, false);
    text(problems, `${at}.address.city`, b.address.city, MAX_NAME);
    if (!isIsoCountry(b.address.country)) problems.push({ field: `${at}.address.country`, reason: 'COUNTRY_CODE_INVALID' });
    else if (!checkPostalCode(b.address.country, b.address.postalCode)) problems.push({ field: `${at}.address.postalCode`, reason: 'POSTAL_CODE_INVALID' });
    if (!Number.isInteger(b.rank) || b.rank < 1 || b.rank > MAX_RANK) {
      problems.push({ field: `${at}.rank`, reason: 'RANK_OUT_OF_RANGE' });
      sharesUsable = false;
    }
    if (!Number.isInteger(b.shareBasisPoints) || b.shareBasisPoints < 1 || b.shareBasisPoints > FULL_SHARE) {
      problems.push({ field: `${at}.shareBasisPoints`, reason: 'SHARE_OUT_OF_RANGE' });
      sharesUsable = false;
    }
    totals.set(b.rank, (totals.get(b.rank) ?? 0) + b.shareBasisPoints);
    // Only back-office records an acceptance, from the signed endorsement: a client must learn it here.
    if (b.accepted !== undefined && b.accepted !== null) problems.push({ field: `${at}.accepted`, reason: 'ACCEPTANCE_RECORDED_SEPARATELY' });
    if (b.acceptedAt !== undefined && b.acceptedAt !== null) problems.push({ field: `${at}.acceptedAt`, reason: 'ACCEPTANCE_RECORDED_SEPARATELY' });
  });
  // Totals only mean something once every rank and share is a valid number.
  if (sharesUsable) {
    const lastRank = Math.max(...totals.keys());
    for (let rank = 1; rank <= lastRank; rank++) {
      const total = totals.get(rank);
      if (total === undefined) problems.push({ field: 'beneficiaries', reason: `RANK_${rank}_HAS_NO_BENEFICIARY` });
      else if (total !== FULL_SHARE) problems.push({ field: 'beneficiaries', reason: `SHARES_OF_RANK_${rank}_NOT_100_PERCENT` });
    }
  }
  return problems;
}

function consentProblems(consents: ConsentInput[], current: Designation): Problem[] {
  const problems: Problem[] = [];
  const accepted = new Set(current.beneficiaries.filter((b) => b.acceptedAt !== null).map((b) => b.id));
  const seen = new Set<string>();
  const documents = new Set<string>();
  consents.forEach((c, i) => {
    const at = `consents.${i}`;
    if (!accepted.has(c.beneficiaryId)) problems.push({ field: `${at}.beneficiaryId`, reason: 'NOT_AN_ACCEPTED_BENEFICIARY' });
    else if (seen.has(c.beneficiaryId)) problems.push({ field: `${at}.beneficiaryId`, reason: 'CONSENT_LISTED_TWICE' });
    seen.add(c.beneficiaryId);
    if (documents.has(c.evidenceId)) problems.push({ field: `${at}.evidenceId`, reason: 'CONSENT_DOCUMENT_LISTED_TWICE' });
    documents.add(c.evidenceId);
  });
  return problems;
}

/**
 * Where a consent document stands for `beneficiaryId` of `policyId`: undefined when it can be relied on
 * (accepted by back-office, naming that beneficiary, never relied on before), else the reason it cannot.
 */
export function consentDocumentProblem(
  document: { item: string | null; status: string } | undefined,
  beneficiaryId: string,
  alreadyUsed: boolean,
): string | undefined {
  if (!document) return 'CONSENT_DOCUMENT_NOT_FOUND';
  if (document.item !== beneficiaryId) return 'CONSENT_DOCUMENT_NAMES_ANOTHER_BENEFICIARY';
  if (document.status !== 'accepted') return 'CONSENT_DOCUMENT_NOT_ACCEPTED';
  if (alreadyUsed) return 'CONSENT_DOCUMENT_ALREADY_USED';
  return undefined;
}

/**
 * The designation a valid input makes: kept beneficiaries keep their id and their acceptance (recorded
 * separately, never from the input), new ones get an id; ordered by rank.
 */
export function nextDesignation(input: DesignationInput, current: Designation, newBeneficiaryId: () => string, now: Date): Omit<Designation, 'version'> {
  const policyId = current.policyId;
  const acceptedAt = new Map(current.beneficiaries.map((b) => [b.id, b.acceptedAt]));
  if (input.standardClauseId) return { policyId, kind: 'standard', standardClauseId: input.standardClauseId, beneficiaries: [], updatedAt: now };
  const beneficiaries: Beneficiary[] = (input.beneficiaries ?? []).map((b) => ({
    id: b.id ?? newBeneficiaryId(),
    firstName: b.firstName.trim(),
    lastName: b.lastName.trim(),
    birthDate: b.birthDate,
    address: { line1: b.address.line1.trim(), line2: b.address.line2?.trim() || null, postalCode: b.address.postalCode.trim(), city: b.address.city.trim(), country: b.address.country },
    rank: b.rank,
    shareBasisPoints: b.shareBasisPoints,
    acceptedAt: b.id ? (acceptedAt.get(b.id) ?? null) : null,
  }));
  // Array.prototype.sort is stable: within a rank, the client's order stays.
  beneficiaries.sort((a, b) => a.rank - b.rank);
  return { policyId, kind: 'custom', standardClauseId: null, beneficiaries, updatedAt: now };
}

function unchanged(before: Beneficiary, after: Beneficiary | undefined): boolean {
  if (!after) return false;
  const a = before.address;
  const b = after.address;
  return (
    before.firstName === after.firstName &&
    before.lastName === after.lastName &&
    before.birthDate === after.birthDate &&
    a.line1 === b.line1 && a.line2 === b.line2 && a.postalCode === b.postalCode && a.city === b.city && a.country === b.country &&
    before.rank === after.rank &&
    before.shareBasisPoints === after.shareBasisPoints &&
    before.acceptedAt === after.acceptedAt
  );
}

/**
 * Accepted beneficiaries of `current` that `next` removes or alters (any field, their share or rank
 * included) without their consent: once a beneficiary has accepted, the clause cannot change them
 * without it (docs/DOMAIN.md). Changes to other beneficiaries need no consent.
 */
export function consentsMissing(current: Beneficiary[], next: Beneficiary[], consents: ReadonlyArray<{ beneficiaryId: string }>): string[] {
  const consented = new Set(consents.map((c) => c.beneficiaryId));
  const nextById = new Map(next.map((b) => [b.id, b]));
  return current.filter((b) => b.acceptedAt !== null && !consented.has(b.id) && !unchanged(b, nextById.get(b.id))).map((b) => b.id);
}
