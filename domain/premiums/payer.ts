import isEmail from 'validator/lib/isEmail';
import type { Viewer } from '../auth/viewer';
import { seesFullIban } from '../shared/access';
import { checkIban, maskIban } from '../shared/iban';
import { checkBirthDate } from '../shared/identity-rules';
import { isUuid } from '../shared/ids';
import type { Problem } from '../pay-out/payout-rules';

/** Who the payer is to the subscriber; anyone but `self` is identified for anti-money-laundering checks. */
export const PAYER_RELATIONSHIPS = ['self', 'spouse_or_partner', 'parent', 'grandparent', 'child', 'other_relative', 'company', 'other'] as const;
export type PayerRelationship = (typeof PAYER_RELATIONSHIPS)[number];

/** A subscriber keeps a few payers and each payer a few accounts: the caps bound what one caller can store. */
export const MAX_PAYERS = 20;
export const MAX_PAYER_IBANS = 10;

/** Whoever pays a subscriber's premiums. A person has a name and a birth date, a company a name. */
export interface Payer {
  id: string;
  subscriberId: string;
  relationship: PayerRelationship;
  firstName: string | null;
  lastName: string | null;
  /** YYYY-MM-DD. */
  birthDate: string | null;
  companyName: string | null;
  /** Where a payer who is not the subscriber is told of their debits; null: the subscriber's address is used. */
  email: string | null;
  createdByKind: string;
  createdById: string | null;
  createdAt: Date;
}

/** A payer's personal IBAN as stored. */
export interface PayerIbanRecord {
  id: string;
  payerId: string;
  /** Electronic format. */
  iban: string;
  holderName: string;
  country: string;
  isDefault: boolean;
  createdByKind: string;
  createdById: string | null;
  createdAt: Date;
}

/** A payer's IBAN as one viewer may see it: masked for brokers and partners, like pay-out IBANs. */
export type PayerIban = Omit<PayerIbanRecord, 'createdById'>;

/** What a client sends to create a payer. */
export interface PayerInput {
  relationship: PayerRelationship;
  firstName?: string | null;
  lastName?: string | null;
  birthDate?: string | null;
  companyName?: string | null;
  email?: string | null;
}

export type CheckedPayer = { ok: true; payer: Pick<Payer, 'relationship' | 'firstName' | 'lastName' | 'birthDate' | 'companyName' | 'email'> } | { ok: false; problems: Problem[] };

const PERSON_FIELDS = ['firstName', 'lastName', 'birthDate'] as const;

/**
 * The identity a payer needs: none for `self` (the subscriber's own, copied at creation), a company's
 * name for `company`, a person's first and last name and birth date otherwise. Fields that do not
 * belong to the relationship are refused rather than ignored, so nothing sent is silently dropped.
 */
export function checkPayer(input: PayerInput, today: Date): CheckedPayer {
  const problems: Problem[] = [];
  const text = (value: string | null | undefined) => (value ?? '').trim();
  const given = (field: keyof PayerInput) => input[field] !== undefined && input[field] !== null;
  const refuse = (fields: readonly (keyof PayerInput)[]) => fields.filter(given).forEach((field) => problems.push({ field, reason: 'NOT_ALLOWED_FOR_RELATIONSHIP' }));
  const require = (field: keyof PayerInput) => {
    if (text(input[field]) === '') problems.push({ field, reason: 'REQUIRED_FIELD_MISSING' });
  };
  if (input.relationship === 'self') refuse([...PERSON_FIELDS, 'companyName', 'email']);
  else if (text(input.email) !== '' && !isEmail(text(input.email))) problems.push({ field: 'email', reason: 'EMAIL_INVALID' });
  else if (input.relationship === 'company') {
    refuse(PERSON_FIELDS);
    require('companyName');
  } else {
    refuse(['companyName']);
    PERSON_FIELDS.forEach(require);
    if (text(input.birthDate) !== '') {
      const rejection = checkBirthDate(text(input.birthDate), today);
      if (rejection) problems.push({ field: 'birthDate', reason: rejection });
    }
  }
  if (problems.length) return { ok: false, problems };
  const or = (value: string | null | undefined) => (text(value) === '' ? null : text(value));
  return { ok: true, payer: { relationship: input.relationship, firstName: or(input.firstName), lastName: or(input.lastName), birthDate: or(input.birthDate), companyName: or(input.companyName), email: or(input.email)?.toLowerCase() ?? null } };
}

/** Masking is decided here, not by the callers, so no path hands a broker a full IBAN. */
export function presentIban(row: PayerIbanRecord, viewer: Viewer): PayerIban {
  return {
    id: row.id, payerId: row.payerId, iban: seesFullIban(viewer) ? row.iban : maskIban(row.iban), holderName: row.holderName, country: row.country,
    isDefault: row.isDefault, createdByKind: row.createdByKind, createdAt: row.createdAt,
  };
}

/**
 * The IBAN a client names in a path: its id, or the IBAN in electronic or print format (the documented
 * routes name it by the IBAN). Brokers and partners see payers' IBANs masked but may still name one in
 * full: they reach the payer, and registering an IBAN would tell them as much.
 */
export function findPayerIban(rows: readonly PayerIbanRecord[], reference: string): PayerIbanRecord | undefined {
  if (isUuid(reference)) return rows.find((row) => row.id === reference);
  const checked = checkIban(reference);
  return checked.ok ? rows.find((row) => row.iban === checked.iban) : undefined;
}
