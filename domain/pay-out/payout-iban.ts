import type { PayoutIbanRow } from '../../store/pay-out-store';
import type { Viewer } from '../auth/viewer';
import { checkIban, maskIban } from '../shared/iban';
import { seesFullIban } from '../shared/access';

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
  createdAt: Date;
}

/** Prefix of pay-out IBAN ids; an IBAN starts with two letters and two digits, so the two never collide. */
export const PAYOUT_IBAN_ID_PREFIX = 'pib';

/** Masking is decided here, not by the callers, so no path can hand a broker a full IBAN. */
export function present(row: PayoutIbanRow, viewer: Viewer): PayoutIban {
  return {
    id: row.id,
    subscriberId: row.subscriber_id,
    iban: seesFullIban(viewer) ? row.iban : maskIban(row.iban),
    holderName: row.holder_name,
    country: row.country,
    isDefault: row.is_default,
    createdAt: row.created_at,
  };
}

/**
 * The IBAN a client names: its electronic or print format (any case, any spacing), or its id, which is
 * how brokers and partners, who only ever see masked IBANs, can name one. Undefined when none matches,
 * including for text that is not an IBAN at all.
 */
export function findByReference(rows: readonly PayoutIbanRow[], reference: string): PayoutIbanRow | undefined {
  if (reference.startsWith(`${PAYOUT_IBAN_ID_PREFIX}_`)) return rows.find((row) => row.id === reference);
  const checked = checkIban(reference);
  return checked.ok ? rows.find((row) => row.iban === checked.iban) : undefined;
}
