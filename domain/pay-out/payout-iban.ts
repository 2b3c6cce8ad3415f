import type { Viewer } from '../auth/viewer';
import { checkIban, maskIban } from '../shared/iban';
import { seesFullIban } from '../shared/access';
import { isUuid } from '../shared/ids';

export type PayoutIbanStatus = 'pending_confirmation' | 'awaiting_proof' | 'awaiting_review' | 'confirmed' | 'refused';

/** A pay-out IBAN as stored, with where its confirmation stands (README, "Pay-out IBANs"). */
export interface PayoutIbanRecord {
  id: string;
  subscriberId: string;
  /** Electronic format. */
  iban: string;
  holderName: string;
  country: string;
  isDefault: boolean;
  status: PayoutIbanStatus;
  origin: 'registration' | 'subscription_debit';
  registeredByKind: string;
  registeredById: string | null;
  subscriberConfirmedAt: Date | null;
  proofAcceptedAt: Date | null;
  holderMatches: boolean;
  holderApprovedAt: Date | null;
  refusalReason: string | null;
  otpHash: string | null;
  otpExpiresAt: Date | null;
  otpAttempts: number;
  otpSends: number;
  createdAt: Date;
  updatedAt: Date;
}

/** What a confirmation step changes on an IBAN. */
export type PayoutIbanChange = Partial<
  Pick<PayoutIbanRecord, 'status' | 'subscriberConfirmedAt' | 'proofAcceptedAt' | 'holderApprovedAt' | 'refusalReason' | 'otpHash' | 'otpExpiresAt' | 'otpAttempts' | 'otpSends'>
> & { updatedAt: Date };

/** A pay-out IBAN as one viewer may see it. */
export interface PayoutIban {
  id: string;
  subscriberId: string;
  /** Electronic format for the owner and back-office; masked print format for brokers and partners. */
  iban: string;
  holderName: string;
  /** ISO 3166 code: the IBAN's first two letters. */
  country: string;
  isDefault: boolean;
  /** Only a confirmed IBAN can be the default or receive money. */
  status: PayoutIbanStatus;
  /** Who registered it: subscriber, broker, machine, backoffice, or system (the debit IBAN at issue). */
  registeredBy: string;
  /** Back-office's reason, for a refused IBAN. */
  refusalReason: string | null;
  createdAt: Date;
}

/** Masking is decided here, not by the callers, so no path can hand a broker a full IBAN. */
export function present(row: PayoutIbanRecord, viewer: Viewer): PayoutIban {
  return {
    id: row.id,
    subscriberId: row.subscriberId,
    iban: seesFullIban(viewer) ? row.iban : maskIban(row.iban),
    holderName: row.holderName,
    country: row.country,
    isDefault: row.isDefault,
    status: row.status,
    registeredBy: row.registeredByKind,
    refusalReason: row.refusalReason,
    createdAt: row.createdAt,
  };
}

/**
 * The IBAN a client names: its electronic or print format (any case, any spacing), or its id. Brokers
 * and partners only ever see masked IBANs and may only name one by its id: a full IBAN from them finds
 * nothing, so no answer tells them whether an IBAN they guessed is registered. Undefined when none
 * matches, including for text that is not an IBAN at all.
 */
export function findByReference(rows: readonly PayoutIbanRecord[], reference: string, viewer: Viewer): PayoutIbanRecord | undefined {
  // A UUID has hyphens at fixed places and an IBAN (electronic or print format) none: the two never collide.
  if (isUuid(reference)) return rows.find((row) => row.id === reference);
  if (!seesFullIban(viewer)) return undefined;
  const checked = checkIban(reference);
  return checked.ok ? rows.find((row) => row.iban === checked.iban) : undefined;
}

/**
 * The pay-out IBAN a subscription's debit IBAN becomes at the policy's issue: checked and signed for at
 * subscription, so confirmed from the start (README, "Pay-out IBANs"). Also the demo data's.
 */
export function debitPayoutIban(p: { id: string; subscriberId: string; iban: string; country: string; holderName: string; holderMatches: boolean; isDefault: boolean; at: Date }): PayoutIbanRecord {
  return {
    id: p.id, subscriberId: p.subscriberId, iban: p.iban, holderName: p.holderName, country: p.country, isDefault: p.isDefault,
    status: 'confirmed', origin: 'subscription_debit', registeredByKind: 'system', registeredById: null,
    subscriberConfirmedAt: p.at, proofAcceptedAt: null, holderMatches: p.holderMatches, holderApprovedAt: null, refusalReason: null,
    otpHash: null, otpExpiresAt: null, otpAttempts: 0, otpSends: 0, createdAt: p.at, updatedAt: p.at,
  };
}
