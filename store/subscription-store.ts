import type { Address, Insuree, Subscriber } from '../domain/subscription/subscriber';
import type { AllocationLine, Subscription, SubscriptionEvent, SubscriptionStatus } from '../domain/subscription/subscription';
import type { Queryable } from './db';
import { conflictOnUnique } from './errors';

interface SubscriberRow {
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

interface InsureeRow {
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

interface SubscriptionRow {
  id: string;
  subscriber_id: string;
  insuree_id: string;
  product_id: string;
  status: SubscriptionStatus;
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

interface HistoryRow {
  subscription_id: string;
  at: Date;
  from_status: string | null;
  to_status: string;
  actor_kind: string;
  actor_id: string | null;
  note: string | null;
}

function toSubscriber(r: SubscriberRow): Subscriber {
  return {
    id: r.id, userId: r.user_id, distributorId: r.distributor_id, civility: r.civility, firstName: r.first_name, lastName: r.last_name, birthDate: r.birth_date,
    birthPlace: r.birth_place, nationality: r.nationality, address: r.address, email: r.email, phone: r.phone, taxResidence: r.tax_residence, createdAt: r.created_at,
  };
}

function toInsuree(r: InsureeRow): Insuree {
  return {
    id: r.id, subscriberId: r.subscriber_id, sameAsSubscriber: r.same_as_subscriber, civility: r.civility, firstName: r.first_name, lastName: r.last_name,
    birthDate: r.birth_date, birthPlace: r.birth_place, createdAt: r.created_at,
  };
}

function toSubscription(r: SubscriptionRow): Subscription {
  return {
    id: r.id, subscriberId: r.subscriber_id, insureeId: r.insuree_id, productId: r.product_id, status: r.status, currency: r.currency,
    initialPayment: r.initial_payment, scheduledPayment: r.scheduled_payment, scheduledFrequency: r.scheduled_frequency, allocation: r.allocation,
    standardClauseId: r.standard_clause_id, customClause: r.custom_clause, debitIban: r.debit_iban, debitHolder: r.debit_holder, signedAt: r.signed_at,
    withdrawalDeadline: r.withdrawal_deadline, withdrawnAt: r.withdrawn_at, createdAt: r.created_at, updatedAt: r.updated_at,
  };
}

function toEvent(r: HistoryRow): SubscriptionEvent {
  return { subscriptionId: r.subscription_id, at: r.at, fromStatus: r.from_status, toStatus: r.to_status, actorKind: r.actor_kind, actorId: r.actor_id, note: r.note };
}

const SUBSCRIBER = `id, user_id, distributor_id, civility, first_name, last_name, birth_date::text as birth_date, birth_place,
  nationality, address, email, phone, tax_residence, created_at`;
const INSUREE = 'id, subscriber_id, same_as_subscriber, civility, first_name, last_name, birth_date::text as birth_date, birth_place, created_at';
const SUBSCRIPTION = `id, subscriber_id, insuree_id, product_id, status, currency, initial_payment, scheduled_payment, scheduled_frequency,
  allocation, standard_clause_id, custom_clause, debit_iban, debit_holder, signed_at, withdrawal_deadline, withdrawn_at, created_at, updated_at`;

/** Subscribers, insurees, subscriptions and their history. */
export class SubscriptionStore {
  constructor(private readonly db: Queryable) {}

  async subscriber(id: string, tx: Queryable = this.db): Promise<Subscriber | undefined> {
    const [row] = await tx.query<SubscriberRow>(`select ${SUBSCRIBER} from subscribers where id = $1`, [id]);
    return row && toSubscriber(row);
  }

  async distributorExists(id: string): Promise<boolean> {
    return (await this.db.query('select 1 from distributors where id = $1', [id])).length > 0;
  }

  async subscriberOfUser(userId: string, tx: Queryable = this.db): Promise<Subscriber | undefined> {
    const [row] = await tx.query<SubscriberRow>(`select ${SUBSCRIBER} from subscribers where user_id = $1`, [userId]);
    return row && toSubscriber(row);
  }

  async subscribersByIds(ids: readonly string[]): Promise<Subscriber[]> {
    return (await this.db.query<SubscriberRow>(`select ${SUBSCRIBER} from subscribers where id = any($1::text[])`, [ids])).map(toSubscriber);
  }

  /** Writes a new subscriber; a second profile for the same login (unique index on user_id) is a conflict. */
  async insertSubscriber(tx: Queryable, s: Subscriber, createdBy: string): Promise<void> {
    await conflictOnUnique(
      tx.query(
        `insert into subscribers (id, user_id, distributor_id, civility, first_name, last_name, birth_date, birth_place, nationality, address, email, phone, tax_residence, created_by, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
        [s.id, s.userId, s.distributorId, s.civility, s.firstName, s.lastName, s.birthDate, s.birthPlace, s.nationality, JSON.stringify(s.address), s.email, s.phone, s.taxResidence, createdBy, s.createdAt],
      ),
      'SUBSCRIBER_PROFILE_ALREADY_EXISTS',
    );
  }

  async insuree(id: string, tx: Queryable = this.db): Promise<Insuree | undefined> {
    const [row] = await tx.query<InsureeRow>(`select ${INSUREE} from insurees where id = $1`, [id]);
    return row && toInsuree(row);
  }

  async insureesByIds(ids: readonly string[]): Promise<Insuree[]> {
    return (await this.db.query<InsureeRow>(`select ${INSUREE} from insurees where id = any($1::text[])`, [ids])).map(toInsuree);
  }

  async insertInsuree(tx: Queryable, i: Insuree): Promise<void> {
    await tx.query(
      `insert into insurees (id, subscriber_id, same_as_subscriber, civility, first_name, last_name, birth_date, birth_place, created_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [i.id, i.subscriberId, i.sameAsSubscriber, i.civility, i.firstName, i.lastName, i.birthDate, i.birthPlace, i.createdAt],
    );
  }

  async subscription(id: string, tx: Queryable = this.db, options: { forUpdate?: boolean } = {}): Promise<Subscription | undefined> {
    const [row] = await tx.query<SubscriptionRow>(`select ${SUBSCRIPTION} from subscriptions where id = $1${options.forUpdate ? ' for update' : ''}`, [id]);
    return row && toSubscription(row);
  }

  async subscriptionsOf(subscriberId: string): Promise<Subscription[]> {
    return (await this.db.query<SubscriptionRow>(`select ${SUBSCRIPTION} from subscriptions where subscriber_id = $1 order by created_at, id`, [subscriberId])).map(toSubscription);
  }

  async insertSubscription(tx: Queryable, s: Subscription): Promise<void> {
    await tx.query(
      `insert into subscriptions (${SUBSCRIPTION})
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
      [
        s.id, s.subscriberId, s.insureeId, s.productId, s.status, s.currency, s.initialPayment, s.scheduledPayment, s.scheduledFrequency,
        JSON.stringify(s.allocation), s.standardClauseId, s.customClause, s.debitIban, s.debitHolder, s.signedAt, s.withdrawalDeadline,
        s.withdrawnAt, s.createdAt, s.updatedAt,
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
    extra: { signedAt?: Date; withdrawalDeadline?: Date; withdrawnAt?: Date } = {},
  ): Promise<boolean> {
    const rows = await tx.query(
      `update subscriptions set status = $3, updated_at = $4,
              signed_at = coalesce($5, signed_at), withdrawal_deadline = coalesce($6, withdrawal_deadline), withdrawn_at = coalesce($7, withdrawn_at)
        where id = $1 and status = $2 returning id`,
      [id, from, to, at, extra.signedAt ?? null, extra.withdrawalDeadline ?? null, extra.withdrawnAt ?? null],
    );
    return rows.length === 1;
  }

  async appendHistory(tx: Queryable, h: SubscriptionEvent): Promise<void> {
    await tx.query(
      'insert into subscription_history (subscription_id, at, from_status, to_status, actor_kind, actor_id, note) values ($1, $2, $3, $4, $5, $6, $7)',
      [h.subscriptionId, h.at, h.fromStatus, h.toStatus, h.actorKind, h.actorId, h.note],
    );
  }

  async history(subscriptionId: string): Promise<SubscriptionEvent[]> {
    const rows = await this.db.query<HistoryRow>(
      'select subscription_id, at, from_status, to_status, actor_kind, actor_id, note from subscription_history where subscription_id = $1 order by id',
      [subscriptionId],
    );
    return rows.map(toEvent);
  }
}
