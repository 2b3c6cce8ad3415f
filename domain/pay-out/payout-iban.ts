import type { PayoutIbanRow, PayoutIbanStatus } from '../../store/pay-out-store';
import type { Viewer } from '../auth/viewer';
import { checkIban, maskIban } from '../shared/iban';
import { seesFullIban } from '../shared/access';
import { isUuid } from '../shared/ids';

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
export function present(row: PayoutIbanRow, viewer: Viewer): PayoutIban {
  return {
    id: row.id,
    subscriberId: row.subscriber_id,
    iban: seesFullIban(viewer) ? row.iban : maskIban(row.iban),
    holderName: row.holder_name,
    country: row.country,
    isDefault: row.is_default,
    status: row.status,
    registeredBy: row.registered_by_kind,
    refusalReason: row.refusal_reason,
    createdAt: row.created_at,
  };
}

/**
 * The IBAN a client names: its electronic or print format (any case, any spacing), or its id. Brokers
 * and partners only ever see masked IBANs and may only name one by its id: a full IBAN from them finds
 * nothing, so no answer tells them whether an IBAN they guessed is registered. Undefined when none
 * matches, including for text that is not an IBAN at all.
 */
export function findByReference(rows: readonly PayoutIbanRow[], reference: string, viewer: Viewer): PayoutIbanRow | undefined {
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
export function debitPayoutIban(p: { id: string; subscriberId: string; iban: string; country: string; holderName: string; holderMatches: boolean; isDefault: boolean; at: Date }): PayoutIbanRow {
  return {
    id: p.id, subscriber_id: p.subscriberId, iban: p.iban, holder_name: p.holderName, country: p.country, is_default: p.isDefault,
    status: 'confirmed', origin: 'subscription_debit', registered_by_kind: 'system', registered_by_id: null,
    subscriber_confirmed_at: p.at, proof_accepted_at: null, holder_matches: p.holderMatches, holder_approved_at: null, refusal_reason: null,
    otp_hash: null, otp_expires_at: null, otp_attempts: 0, otp_sends: 0, created_at: p.at, updated_at: p.at,
  };
}
