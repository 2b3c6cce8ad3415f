import type { Fund, Product } from './catalogue';
import { checkIban } from '../shared/iban';
import { ageOn, checkBirthDate, checkPostalCode, isIsoCountry, normalizePhone } from '../shared/identity-rules';
import type { InsureeInput, SubscriberInput, SubscriptionInput } from './subscription-input';

/** One offending field (dotted path as in the GraphQL input) and a stable reason. */
export interface Problem {
  field: string;
  reason: string;
}

/** Adults only sign a contract. */
export const SUBSCRIBER_MIN_AGE = 18;
const MAX_NAME = 100;
const MAX_CLAUSE = 2000;

function text(problems: Problem[], field: string, value: string | null | undefined, max = MAX_NAME): void {
  if (value === undefined || value === null || value.trim() === '') problems.push({ field, reason: 'REQUIRED_FIELD_MISSING' });
  else if (value.length > max) problems.push({ field, reason: 'TOO_LONG' });
}

function country(problems: Problem[], field: string, value: string): void {
  if (!isIsoCountry(value)) problems.push({ field, reason: 'COUNTRY_CODE_INVALID' });
}

function birth(problems: Problem[], field: string, birthDate: string, today: Date): boolean {
  const reason = checkBirthDate(birthDate, today);
  if (reason) problems.push({ field, reason });
  return reason === undefined;
}

/** Every problem of a subscriber's identity at once. */
export function subscriberProblems(input: SubscriberInput, today: Date): Problem[] {
  const problems: Problem[] = [];
  text(problems, 'firstName', input.firstName);
  text(problems, 'lastName', input.lastName);
  text(problems, 'birthPlace', input.birthPlace);
  if (birth(problems, 'birthDate', input.birthDate, today) && ageOn(input.birthDate, today) < SUBSCRIBER_MIN_AGE) {
    problems.push({ field: 'birthDate', reason: 'SUBSCRIBER_UNDER_AGE' });
  }
  country(problems, 'nationality', input.nationality);
  country(problems, 'taxResidence', input.taxResidence);
  text(problems, 'address.line1', input.address.line1, 200);
  text(problems, 'address.city', input.address.city);
  country(problems, 'address.country', input.address.country);
  if (isIsoCountry(input.address.country) && !checkPostalCode(input.address.country, input.address.postalCode)) {
    problems.push({ field: 'address.postalCode', reason: 'POSTAL_CODE_INVALID' });
  }
  if (normalizePhone(input.phone) === undefined) problems.push({ field: 'phone', reason: 'PHONE_INVALID' });
  return problems;
}

/** Problems of an insuree given separately from the subscriber. */
export function insureeProblems(input: InsureeInput, today: Date): Problem[] {
  if (input.sameAsSubscriber) return [];
  const problems: Problem[] = [];
  if (!input.civility) problems.push({ field: 'civility', reason: 'REQUIRED_FIELD_MISSING' });
  text(problems, 'firstName', input.firstName);
  text(problems, 'lastName', input.lastName);
  text(problems, 'birthPlace', input.birthPlace);
  if (!input.birthDate) problems.push({ field: 'birthDate', reason: 'REQUIRED_FIELD_MISSING' });
  else birth(problems, 'birthDate', input.birthDate, today);
  return problems;
}

/** Everything a draft must satisfy against its product: amounts, allocation, clause, IBAN, insuree age. */
export function draftProblems(
  input: SubscriptionInput,
  context: { product: Product; funds: Fund[]; insureeBirthDate: string; clauseExists: boolean; today: Date },
): Problem[] {
  const { product, funds } = context;
  const problems: Problem[] = [];
  const money = (field: string, amount: number, currency: string, minimum: number) => {
    if (currency !== product.currency) problems.push({ field: `${field}.currency`, reason: 'CURRENCY_NOT_OFFERED' });
    if (!Number.isSafeInteger(amount) || amount <= 0) problems.push({ field: `${field}.amount`, reason: 'AMOUNT_MUST_BE_POSITIVE_MINOR_UNITS' });
    else if (amount < minimum) problems.push({ field: `${field}.amount`, reason: 'PAYMENT_BELOW_PRODUCT_MINIMUM' });
  };
  money('initialPayment', input.initialPayment.amount, input.initialPayment.currency, product.minimumInitialPayment);
  if (input.scheduledPayment) money('scheduledPayment', input.scheduledPayment.amount, input.scheduledPayment.currency, product.minimumScheduledPayment);

  const offered = new Set(funds.map((f) => f.isin));
  const seen = new Set<string>();
  let total = 0;
  input.allocation.forEach((line, i) => {
    if (!offered.has(line.isin)) problems.push({ field: `allocation.${i}.isin`, reason: 'FUND_NOT_IN_PRODUCT' });
    if (seen.has(line.isin)) problems.push({ field: `allocation.${i}.isin`, reason: 'FUND_LISTED_TWICE' });
    seen.add(line.isin);
    if (!Number.isInteger(line.basisPoints) || line.basisPoints <= 0 || line.basisPoints > 10_000) {
      problems.push({ field: `allocation.${i}.basisPoints`, reason: 'SHARE_OUT_OF_RANGE' });
    }
    total += line.basisPoints;
  });
  if (input.allocation.length === 0 || total !== 10_000) problems.push({ field: 'allocation', reason: 'ALLOCATION_NOT_100_PERCENT' });

  const { standardClauseId, customClause } = input.beneficiaryClause;
  const hasStandard = standardClauseId !== undefined && standardClauseId !== null;
  const hasCustom = customClause !== undefined && customClause !== null;
  if (hasStandard === hasCustom) problems.push({ field: 'beneficiaryClause', reason: 'EXACTLY_ONE_CLAUSE_REQUIRED' });
  else if (hasStandard && !context.clauseExists) problems.push({ field: 'beneficiaryClause.standardClauseId', reason: 'UNKNOWN_STANDARD_CLAUSE' });
  else if (hasCustom) text(problems, 'beneficiaryClause.customClause', customClause, MAX_CLAUSE);

  const iban = checkIban(input.debitIban);
  if (!iban.ok) problems.push({ field: 'debitIban', reason: iban.reason });
  text(problems, 'debitHolder', input.debitHolder, 140);

  const age = ageOn(context.insureeBirthDate, context.today);
  if (age < product.minimumInsureeAge) problems.push({ field: 'insureeId', reason: 'INSUREE_UNDER_AGE' });
  if (age > product.maximumInsureeAge) problems.push({ field: 'insureeId', reason: 'INSUREE_OVER_AGE' });
  return problems;
}
