import type { Queryable } from '../../store/db';

/** One of the subscriber's pay-out IBANs, in full (never stored by surrender), with its state. */
export interface SubscriberPayoutIban {
  id: string;
  iban: string;
  /** Only a confirmed IBAN receives money (README, "Pay-out IBANs"). */
  confirmed: boolean;
  /** `subscription_debit`: the debit IBAN checked at subscription, confirmed from the policy's issue. */
  origin: 'registration' | 'subscription_debit';
}

/**
 * The subscriber's pay-out IBANs (the pay-out domain, wired in app.ts). Surrender only needs to resolve
 * one for one subscriber, inside its own transaction.
 */
export interface PayoutIbans {
  /** `subscriberId`'s IBAN `ibanId` (their default, always confirmed, when null), if any. */
  find(tx: Queryable, subscriberId: string, ibanId: string | null): Promise<SubscriberPayoutIban | undefined>;
}

/** Where a surrender is paid: the full IBAN (never stored by surrender) and where it came from. */
export interface PayoutAccount {
  iban: string;
  source: 'registered' | 'subscription_debit';
  ibanId: string | null;
}
