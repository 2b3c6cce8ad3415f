import type { Queryable } from './db';

export interface PayoutIbanRow {
  id: string;
  subscriber_id: string;
  /** Electronic format. */
  iban: string;
  holder_name: string;
  country: string;
  is_default: boolean;
  created_at: Date;
}

// Two-key advisory locks live apart from the one-key lock migrations take; the first key names this use.
const PAYOUT_LOCK_NAMESPACE = 5_001;

const COLUMNS = 'id, subscriber_id, iban, holder_name, country, is_default, created_at';

/** Subscribers' pay-out IBANs. */
export class PayOutStore {
  constructor(private readonly db: Queryable) {}

  /**
   * Holds every other IBAN write of this subscriber until the transaction ends. Row locks could not cover
   * the first registration (there is no row yet); an advisory lock on the subscriber covers both cases.
   */
  async lockSubscriber(tx: Queryable, subscriberId: string): Promise<void> {
    await tx.query('select pg_advisory_xact_lock($1::int, hashtext($2))', [PAYOUT_LOCK_NAMESPACE, subscriberId]);
  }

  /** The IBANs of these subscribers, in registration order. */
  ofSubscribers(subscriberIds: readonly string[], tx: Queryable = this.db): Promise<PayoutIbanRow[]> {
    return tx.query<PayoutIbanRow>(`select ${COLUMNS} from payout_ibans where subscriber_id = any($1::text[]) order by subscriber_id, seq`, [subscriberIds]);
  }

  async insert(tx: Queryable, row: PayoutIbanRow): Promise<void> {
    await tx.query('insert into payout_ibans (id, subscriber_id, iban, holder_name, country, is_default, created_at) values ($1, $2, $3, $4, $5, $6, $7)', [
      row.id, row.subscriber_id, row.iban, row.holder_name, row.country, row.is_default, row.created_at,
    ]);
  }

  /** Moves the subscriber's default to `id`; the old one is cleared first, so the partial unique index never sees two. */
  async makeDefault(tx: Queryable, subscriberId: string, id: string): Promise<void> {
    await tx.query('update payout_ibans set is_default = false where subscriber_id = $1 and is_default and id <> $2', [subscriberId, id]);
    await tx.query('update payout_ibans set is_default = true where subscriber_id = $1 and id = $2', [subscriberId, id]);
  }
}
