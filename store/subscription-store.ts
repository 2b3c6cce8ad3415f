import type { Queryable } from './db';

export interface Address {
  line1: string;
  line2: string | null;
  postalCode: string;
  city: string;
  country: string;
}

export interface SubscriberRow {
  id: string;
  user_id: string | null;
  distributor_id: string | null;
  civility: 'M' | 'MME';
  first_name: string;
  last_name: string;
  birth_date: string;
  birth_place: string;
  nationality: string;
  address: Address;
  email: string;
  phone: string;
  tax_residence: string;
  created_at: Date;
}

export interface InsureeRow {
  id: string;
  subscriber_id: string;
  same_as_subscriber: boolean;
  civility: 'M' | 'MME';
  first_name: string;
  last_name: string;
  birth_date: string;
  birth_place: string;
  created_at: Date;
}

export interface AllocationLine {
  isin: string;
  basisPoints: number;
}

export interface SubscriptionRow {
  id: string;
  subscriber_id: string;
  insuree_id: string;
  product_id: string;
  status: 'draft' | 'documents_ready' | 'signing' | 'signed' | 'withdrawn' | 'cancelled';
  currency: string;
  initial_payment: number;
  scheduled_payment: number | null;
  scheduled_frequency: 'monthly' | 'quarterly' | 'annual' | null;
  allocation: AllocationLine[];
  standard_clause_id: string | null;
  custom_clause: string | null;
  debit_iban: string;
  debit_holder: string;
  signed_at: Date | null;
  withdrawal_deadline: Date | null;
  withdrawn_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface HistoryRow {
  subscription_id: string;
  at: Date;
  from_status: string | null;
  to_status: string;
  actor_kind: string;
  actor_id: string | null;
  note: string | null;
}

const SUBSCRIBER = `id, user_id, distributor_id, civility, first_name, last_name, birth_date::text as birth_date, birth_place,
  nationality, address, email, phone, tax_residence, created_at`;
const INSUREE = 'id, subscriber_id, same_as_subscriber, civility, first_name, last_name, birth_date::text as birth_date, birth_place, created_at';
const SUBSCRIPTION = `id, subscriber_id, insuree_id, product_id, status, currency, initial_payment, scheduled_payment, scheduled_frequency,
  allocation, standard_clause_id, custom_clause, debit_iban, debit_holder, signed_at, withdrawal_deadline, withdrawn_at, created_at, updated_at`;

/** Subscribers, insurees, subscriptions and their history. */
export class SubscriptionStore {
  constructor(private readonly db: Queryable) {}

  async subscriber(id: string, tx: Queryable = this.db): Promise<SubscriberRow | undefined> {
    return (await tx.query<SubscriberRow>(`select ${SUBSCRIBER} from subscribers where id = $1`, [id]))[0];
  }

  async distributorExists(id: string): Promise<boolean> {
    return (await this.db.query('select 1 from distributors where id = $1', [id])).length > 0;
  }

  async subscriberOfUser(userId: string, tx: Queryable = this.db): Promise<SubscriberRow | undefined> {
    return (await tx.query<SubscriberRow>(`select ${SUBSCRIBER} from subscribers where user_id = $1`, [userId]))[0];
  }

  subscribersByIds(ids: readonly string[]): Promise<SubscriberRow[]> {
    return this.db.query<SubscriberRow>(`select ${SUBSCRIBER} from subscribers where id = any($1::text[])`, [ids]);
  }

  async insertSubscriber(tx: Queryable, s: Omit<SubscriberRow, 'created_at'> & { created_by: string; created_at: Date }): Promise<void> {
    await tx.query(
      `insert into subscribers (id, user_id, distributor_id, civility, first_name, last_name, birth_date, birth_place, nationality, address, email, phone, tax_residence, created_by, created_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
      [s.id, s.user_id, s.distributor_id, s.civility, s.first_name, s.last_name, s.birth_date, s.birth_place, s.nationality, JSON.stringify(s.address), s.email, s.phone, s.tax_residence, s.created_by, s.created_at],
    );
  }

  async insuree(id: string, tx: Queryable = this.db): Promise<InsureeRow | undefined> {
    return (await tx.query<InsureeRow>(`select ${INSUREE} from insurees where id = $1`, [id]))[0];
  }

  insureesByIds(ids: readonly string[]): Promise<InsureeRow[]> {
    return this.db.query<InsureeRow>(`select ${INSUREE} from insurees where id = any($1::text[])`, [ids]);
  }

  async insertInsuree(tx: Queryable, i: InsureeRow): Promise<void> {
    await tx.query(
      `insert into insurees (id, subscriber_id, same_as_subscriber, civility, first_name, last_name, birth_date, birth_place, created_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [i.id, i.subscriber_id, i.same_as_subscriber, i.civility, i.first_name, i.last_name, i.birth_date, i.birth_place, i.created_at],
    );
  }

  async subscription(id: string, tx: Queryable = this.db, options: { forUpdate?: boolean } = {}): Promise<SubscriptionRow | undefined> {
    return (await tx.query<SubscriptionRow>(`select ${SUBSCRIPTION} from subscriptions where id = $1${options.forUpdate ? ' for update' : ''}`, [id]))[0];
  }

  subscriptionsOf(subscriberId: string): Promise<SubscriptionRow[]> {
    return this.db.query<SubscriptionRow>(`select ${SUBSCRIPTION} from subscriptions where subscriber_id = $1 order by created_at, id`, [subscriberId]);
  }

  async insertSubscription(tx: Queryable, s: SubscriptionRow): Promise<void> {
    await tx.query(
      `insert into subscriptions (${SUBSCRIPTION})
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
      [
        s.id, s.subscriber_id, s.insuree_id, s.product_id, s.status, s.currency, s.initial_payment, s.scheduled_payment, s.scheduled_frequency,
        JSON.stringify(s.allocation), s.standard_clause_id, s.custom_clause, s.debit_iban, s.debit_holder, s.signed_at, s.withdrawal_deadline,
        s.withdrawn_at, s.created_at, s.updated_at,
      ],
    );
  }

  /** Moves a subscription to `to` only if it is still in `from` (a concurrent change makes this return false). */
  async changeStatus(
    tx: Queryable,
    id: string,
    from: string,
    to: string,
    at: Date,
    extra: { signed_at?: Date; withdrawal_deadline?: Date; withdrawn_at?: Date } = {},
  ): Promise<boolean> {
    const rows = await tx.query(
      `update subscriptions set status = $3, updated_at = $4,
              signed_at = coalesce($5, signed_at), withdrawal_deadline = coalesce($6, withdrawal_deadline), withdrawn_at = coalesce($7, withdrawn_at)
        where id = $1 and status = $2 returning id`,
      [id, from, to, at, extra.signed_at ?? null, extra.withdrawal_deadline ?? null, extra.withdrawn_at ?? null],
    );
    return rows.length === 1;
  }

  async appendHistory(tx: Queryable, h: HistoryRow): Promise<void> {
    await tx.query(
      'insert into subscription_history (subscription_id, at, from_status, to_status, actor_kind, actor_id, note) values ($1, $2, $3, $4, $5, $6, $7)',
      [h.subscription_id, h.at, h.from_status, h.to_status, h.actor_kind, h.actor_id, h.note],
    );
  }

  history(subscriptionId: string): Promise<HistoryRow[]> {
    return this.db.query<HistoryRow>(
      'select subscription_id, at, from_status, to_status, actor_kind, actor_id, note from subscription_history where subscription_id = $1 order by id',
      [subscriptionId],
    );
  }
}
