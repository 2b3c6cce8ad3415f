import { checkIban } from '../shared/iban';

/** What a client sends to register a pay-out IBAN. */
export interface PayoutIbanInput {
  /** Electronic or print format. */
  iban: string;
  holderName: string;
}

/** One offending field (as in the GraphQL input) and a stable reason. */
export interface Problem {
  field: string;
  reason: string;
}

// The EPC's SEPA rulebooks cap the creditor name at 70 characters; a longer one would be cut by the bank.
export const MAX_HOLDER_NAME = 70;

/** A subscriber keeps a handful of accounts; the cap bounds the list and what one caller can store. */
export const MAX_PAYOUT_IBANS = 20;

// C0 and C1 controls and the line separators: a holder name is one line of printable text.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

export type CheckedPayoutIban = { ok: true; iban: string; country: string; holderName: string } | { ok: false; problems: Problem[] };

/** ISO 13616 (mod 97-10, the country's length), SEPA only, and a holder name: every problem at once. */
export function checkPayoutIban(input: PayoutIbanInput): CheckedPayoutIban {
  const problems: Problem[] = [];
  const iban = checkIban(input.iban);
  if (!iban.ok) problems.push({ field: 'iban', reason: iban.reason });
  const holderName = input.holderName.trim();
  if (holderName === '') problems.push({ field: 'holderName', reason: 'REQUIRED_FIELD_MISSING' });
  else if (holderName.length > MAX_HOLDER_NAME) problems.push({ field: 'holderName', reason: 'TOO_LONG' });
  else if (CONTROL_CHARACTERS.test(holderName)) problems.push({ field: 'holderName', reason: 'INVALID_CHARACTERS' });
  if (!iban.ok || problems.length) return { ok: false, problems };
  return { ok: true, iban: iban.iban, country: iban.country, holderName };
}
