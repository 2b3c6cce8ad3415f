import { addDays } from '../shared/paris-calendar';

/**
 * What a product does with a direct debit rejected for one ISO 20022 reason code (premium_rejection_rules):
 * try again `retryAfterDays` after the rejection, at most `maxRetries` times, and whether a rejected
 * scheduled collection suspends its schedule. A code the product has no rule for is neither retried nor
 * suspends anything.
 */
export interface RejectionRule {
  retryAfterDays: number | null;
  maxRetries: number;
  suspendsSchedule: boolean;
}

/** What follows a rejection: a new attempt due on `retryOn` (YYYY-MM-DD), or none and the payer told. */
export interface RejectionOutcome {
  retryOn: string | null;
  suspendsSchedule: boolean;
}

/**
 * `attempt` is the rejected attempt's number (1 for the first): a rule of `maxRetries` n allows attempts
 * up to n + 1. `today` is the rejection's Paris date.
 */
export function rejectionOutcome(rule: RejectionRule | undefined, attempt: number, today: string): RejectionOutcome {
  if (!rule) return { retryOn: null, suspendsSchedule: false };
  const retries = rule.retryAfterDays !== null && attempt <= rule.maxRetries;
  return { retryOn: retries ? addDays(today, rule.retryAfterDays!) : null, suspendsSchedule: rule.suspendsSchedule };
}
