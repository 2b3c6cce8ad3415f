import { AppError, invalidFields } from '../../errors/app-error';
import type { CatalogueStore, FundRow, ProductRow, StandardClauseRow } from '../../store/catalogue-store';
import type { Db, Queryable } from '../../store/db';
import { isUniqueViolation } from '../../store/errors';
import type { HistoryRow, InsureeRow, SubscriberRow, SubscriptionRow, SubscriptionStore } from '../../store/subscription-store';
import type { Viewer } from '../auth/viewer';
import type { AuditTrail } from '../shared/audit-trail';
import type { Clock } from '../shared/clock';
import { checkIban } from '../shared/iban';
import { newUuid } from '../shared/ids';
import { normalizePhone } from '../shared/identity-rules';
import type { Acting } from '../shared/acting';
import { canReachSubscriber, notFound } from '../shared/access';
import type { InsureeInput, SubscriberInput, SubscriptionInput } from './subscription-input';
import { draftProblems, insureeProblems, subscriberProblems } from './subscription-rules';

/** Subscribers, insurees and draft subscriptions: the first half of the subscription journey. */
export class SubscriptionService {
  private catalogueCache: { rows: Promise<ProductRow[]>; until: number } | undefined;
  private readonly profileIds = new Map<string, string>();

  constructor(
    private readonly db: Db,
    private readonly store: SubscriptionStore,
    private readonly catalogue: CatalogueStore,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
  ) {}

  /** The catalogue, read at most once a minute: reference data that changes with a release, not a request. */
  products(): Promise<ProductRow[]> {
    const now = Date.now();
    if (!this.catalogueCache || this.catalogueCache.until <= now) {
      const rows = this.catalogue.products();
      this.catalogueCache = { rows, until: now + 60_000 };
      rows.catch(() => (this.catalogueCache = undefined));
    }
    return this.catalogueCache.rows;
  }

  fundsOf(productIds: readonly string[]): Promise<FundRow[]> {
    return this.catalogue.fundsOf(productIds);
  }

  standardClauses(): Promise<StandardClauseRow[]> {
    return this.catalogue.standardClauses();
  }

  async createSubscriber({ viewer, requestId }: Acting, input: SubscriberInput): Promise<SubscriberRow> {
    const problems = subscriberProblems(input, this.clock.now());
    if (input.distributorId && viewer.kind !== 'backoffice') problems.push({ field: 'distributorId', reason: 'NOT_ALLOWED_FOR_ROLE' });
    if (input.distributorId && viewer.kind === 'backoffice' && !(await this.store.distributorExists(input.distributorId))) {
      problems.push({ field: 'distributorId', reason: 'UNKNOWN_DISTRIBUTOR' });
    }
    if (problems.length) throw invalidFields(problems);
    const now = this.clock.now();
    const row: SubscriberRow = {
      id: newUuid(),
      user_id: viewer.kind === 'subscriber' ? viewer.id : null,
      distributor_id: viewer.kind === 'backoffice' ? (input.distributorId ?? null) : viewer.distributorId,
      civility: input.civility,
      first_name: input.firstName.trim(),
      last_name: input.lastName.trim(),
      birth_date: input.birthDate,
      birth_place: input.birthPlace.trim(),
      nationality: input.nationality,
      address: { ...input.address, line2: input.address.line2 ?? null },
      email: input.email,
      phone: normalizePhone(input.phone)!,
      tax_residence: input.taxResidence,
      created_at: now,
    };
    const profileExists = new AppError('conflict', 'SUBSCRIBER_PROFILE_ALREADY_EXISTS');
    try {
      await this.db.transaction(async (tx) => {
        // A subscriber login has one profile; a second attempt is a conflict.
        if (viewer.kind === 'subscriber' && (await this.store.subscriberOfUser(viewer.id, tx))) throw profileExists;
        await this.store.insertSubscriber(tx, { ...row, created_by: `${viewer.kind}:${viewer.id}` });
        await this.audit.record(tx, { actor: viewer, action: 'subscriber.created', target: { type: 'subscriber', id: row.id }, requestId });
      });
    } catch (error) {
      // Two first profiles racing: the unique index on user_id lets one through.
      if (isUniqueViolation(error)) throw profileExists;
      throw error;
    }
    return row;
  }

  /** The subscriber if this viewer may reach it; otherwise 404, as if it did not exist. */
  async subscriber(viewer: Viewer, id: string, tx: Queryable = this.db): Promise<SubscriberRow> {
    const row = await this.store.subscriber(id, tx);
    if (!row || !canReachSubscriber(viewer, row)) throw notFound('subscriber');
    return row;
  }

  /** The profile of a subscriber login, if it has created one. */
  subscriberOfUser(userId: string): Promise<SubscriberRow | undefined> {
    return this.store.subscriberOfUser(userId);
  }

  /**
   * The id of a subscriber login's profile. A login gets one profile, once, and keeps it: a found id is
   * remembered for the process's life (every replica may remember it), a missing one is asked again.
   */
  async subscriberIdOfUser(userId: string): Promise<string | null> {
    const known = this.profileIds.get(userId);
    if (known) return known;
    const id = (await this.store.subscriberOfUser(userId))?.id ?? null;
    if (id) this.profileIds.set(userId, id);
    return id;
  }

  async createInsuree({ viewer, requestId }: Acting, input: InsureeInput): Promise<InsureeRow> {
    const problems = insureeProblems(input, this.clock.now());
    if (problems.length) throw invalidFields(problems);
    return this.db.transaction(async (tx) => {
      const subscriber = await this.subscriber(viewer, input.subscriberId, tx);
      const row: InsureeRow = input.sameAsSubscriber
        ? {
            id: newUuid(),
            subscriber_id: subscriber.id,
            same_as_subscriber: true,
            civility: subscriber.civility,
            first_name: subscriber.first_name,
            last_name: subscriber.last_name,
            birth_date: subscriber.birth_date,
            birth_place: subscriber.birth_place,
            created_at: this.clock.now(),
          }
        : {
            id: newUuid(),
            subscriber_id: subscriber.id,
            same_as_subscriber: false,
            civility: input.civility!,
            first_name: input.firstName!.trim(),
            last_name: input.lastName!.trim(),
            birth_date: input.birthDate!,
            birth_place: input.birthPlace!.trim(),
            created_at: this.clock.now(),
          };
      await this.store.insertInsuree(tx, row);
      await this.audit.record(tx, { actor: viewer, action: 'insuree.created', target: { type: 'insuree', id: row.id }, requestId, details: { subscriberId: subscriber.id } });
      return row;
    });
  }

  insureesByIds(ids: readonly string[]): Promise<InsureeRow[]> {
    return this.store.insureesByIds(ids);
  }

  subscribersByIds(ids: readonly string[]): Promise<SubscriberRow[]> {
    return this.store.subscribersByIds(ids);
  }

  async createSubscription({ viewer, requestId }: Acting, subscriberId: string, input: SubscriptionInput): Promise<SubscriptionRow> {
    const subscriber = await this.subscriber(viewer, subscriberId);
    const [product, insuree, clause] = await Promise.all([
      this.catalogue.product(input.productId),
      this.store.insuree(input.insureeId),
      input.beneficiaryClause.standardClauseId ? this.catalogue.standardClause(input.beneficiaryClause.standardClauseId) : Promise.resolve(undefined),
    ]);
    const problems = [];
    if (!product) problems.push({ field: 'productId', reason: 'UNKNOWN_PRODUCT' });
    if (!insuree || insuree.subscriber_id !== subscriber.id) problems.push({ field: 'insureeId', reason: 'UNKNOWN_INSUREE' });
    if (product && insuree && insuree.subscriber_id === subscriber.id) {
      const funds = await this.catalogue.fundsOf([product.id]);
      problems.push(...draftProblems(input, { product, funds, insureeBirthDate: insuree.birth_date, clauseExists: clause !== undefined, today: this.clock.now() }));
    }
    if (problems.length) throw invalidFields(problems);
    const now = this.clock.now();
    const iban = checkIban(input.debitIban);
    const row: SubscriptionRow = {
      id: newUuid(),
      subscriber_id: subscriber.id,
      insuree_id: insuree!.id,
      product_id: product!.id,
      status: 'draft',
      currency: product!.currency,
      initial_payment: input.initialPayment.amount,
      scheduled_payment: input.scheduledPayment?.amount ?? null,
      scheduled_frequency: input.scheduledPayment?.frequency ?? null,
      allocation: input.allocation.map((l) => ({ isin: l.isin, basisPoints: l.basisPoints })),
      standard_clause_id: input.beneficiaryClause.standardClauseId ?? null,
      custom_clause: input.beneficiaryClause.customClause?.trim() ?? null,
      debit_iban: iban.ok ? iban.iban : input.debitIban,
      debit_holder: input.debitHolder.trim(),
      signed_at: null,
      withdrawal_deadline: null,
      withdrawn_at: null,
      created_at: now,
      updated_at: now,
    };
    await this.db.transaction(async (tx) => {
      await this.store.insertSubscription(tx, row);
      await this.store.appendHistory(tx, { subscription_id: row.id, at: now, from_status: null, to_status: 'draft', actor_kind: viewer.kind, actor_id: viewer.id, note: null });
      await this.audit.record(tx, {
        actor: viewer,
        action: 'subscription.created',
        target: { type: 'subscription', id: row.id },
        requestId,
        details: { productId: row.product_id, initialPayment: row.initial_payment, currency: row.currency },
      });
    });
    return row;
  }

  /** The subscription if this viewer may reach its subscriber; otherwise 404. */
  async subscription(viewer: Viewer, id: string, tx: Queryable = this.db, options: { forUpdate?: boolean } = {}): Promise<SubscriptionRow> {
    const row = await this.store.subscription(id, tx, options);
    if (!row) throw notFound('subscription');
    const subscriber = await this.store.subscriber(row.subscriber_id, tx);
    if (!subscriber || !canReachSubscriber(viewer, subscriber)) throw notFound('subscription');
    return row;
  }

  subscriptionsOf(subscriberId: string): Promise<SubscriptionRow[]> {
    return this.store.subscriptionsOf(subscriberId);
  }

  history(subscriptionId: string): Promise<HistoryRow[]> {
    return this.store.history(subscriptionId);
  }
}
