import type { Queryable } from '../../store/db';

/**
 * The subscriber's registered pay-out IBANs (the pay-out domain, wired in app.ts). Surrender only needs
 * to resolve one for one subscriber, inside its own transaction.
 */
export interface RegisteredPayoutIbans {
  /** The full IBAN of `subscriberId`'s registered IBAN `ibanId` (their default when null), if any. */
  find(tx: Queryable, subscriberId: string, ibanId: string | null): Promise<string | undefined>;
}

/** A subscriber with no registered IBAN: a payout goes to the subscription's debit IBAN. */
export const NO_REGISTERED_PAYOUT_IBANS: RegisteredPayoutIbans = { find: async () => undefined };

/** Where a surrender is paid: the full IBAN (never stored by surrender) and where it came from. */
export interface PayoutAccount {
  iban: string;
  source: 'registered' | 'subscription_debit';
  ibanId: string | null;
}
