import { AppError, invalidFields } from '../../errors/app-error';
import type { CatalogueStore } from '../../store/catalogue-store';
import type { Fund, Product, StandardClause } from './catalogue';
import type { Db, Queryable } from '../../store/db';
import type { SubscriptionStore } from '../../store/subscription-store';
import type { Viewer } from '../auth/viewer';
import type { AuditTrail } from '../shared/audit-trail';
import type { Clock } from '../shared/clock';
import { checkIban } from '../shared/iban';
import { newUuid } from '../shared/ids';
import { normalizePhone } from '../shared/identity-rules';
import type { Acting } from '../shared/acting';
import { canReachSubscriber, notFound } from '../shared/access';
import type { Insuree, Subscriber } from './subscriber';
import type { Subscription, SubscriptionEvent } from './subscription';
import type { InsureeInput, SubscriberInput, SubscriptionInput } from './subscription-input';
import { draftProblems, insureeProblems, subscriberProblems } from './subscription-rules';
import type { ProductCatalogue } from './product-catalogue';

/** Subscribers, insurees and draft subscriptions: the first half of the subscription journey. */
export class SubscriptionService {
  private readonly profileIds = new Map<string, string>();

  constructor(
    private readonly db: Db,
    private readonly store: SubscriptionStore,
    private readonly catalogue: CatalogueStore,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    private readonly productCatalogue: ProductCatalogue,
  ) {}

  /** The catalogue (from memory, ProductCatalogue). */
  products(): Promise<Product[]> {
    return this.productCatalogue.products();
  }

  fundsOf(productIds: readonly string[]): Promise<Fund[]> {
    return this.catalogue.fundsOf(productIds);
  }

  standardClauses(): Promise<StandardClause[]> {
    return this.catalogue.standardClauses();
  }

  async createSubscriber({ viewer, requestId }: Acting, input: SubscriberInput): Promise<Subscriber> {
    const problems = subscriberProblems(input, this.clock.now());
    if (input.distributorId && viewer.kind !== 'backoffice') problems.push({ field: 'distributorId', reason: 'NOT_ALLOWED_FOR_ROLE' });
    if (input.distributorId && viewer.kind === 'backoffice' && !(await this.store.distributorExists(input.distributorId))) {
      problems.push({ field: 'distributorId', reason: 'UNKNOWN_DISTRIBUTOR' });
    }
    if (problems.length) throw invalidFields(problems);
    const now = this.clock.now();
    const row: Subscriber = {
      id: newUuid(),
      userId: viewer.kind === 'subscriber' ? viewer.id : null,
      distributorId: viewer.kind === 'backoffice' ? (input.distributorId ?? null) : viewer.distributorId,
      civility: input.civility,
      firstName: input.firstName.trim(),
      lastName: input.lastName.trim(),
      birthDate: input.birthDate,
      birthPlace: input.birthPlace.trim(),
      nationality: input.nationality,
      address: { ...input.address, line2: input.address.line2 ?? null },
      email: input.email,
      phone: normalizePhone(input.phone)!,
      taxResidence: input.taxResidence,
      createdAt: now,
    };
    await this.db.transaction(async (tx) => {
      // A subscriber login has one profile; a second attempt is a conflict (two first ones racing: the store's unique index decides).
      if (viewer.kind === 'subscriber' && (await this.store.subscriberOfUser(viewer.id, tx))) throw new AppError('conflict', 'SUBSCRIBER_PROFILE_ALREADY_EXISTS');
      await this.store.insertSubscriber(tx, row, `${viewer.kind}:${viewer.id}`);
      await this.audit.record(tx, { actor: viewer, action: 'subscriber.created', target: { type: 'subscriber', id: row.id }, requestId });
    });
    return row;
  }

  /** The subscriber if this viewer may reach it; otherwise 404, as if it did not exist. */
  async subscriber(viewer: Viewer, id: string, tx: Queryable = this.db): Promise<Subscriber> {
    const row = await this.store.subscriber(id, tx);
    if (!row || !canReachSubscriber(viewer, row)) throw notFound('subscriber');
    return row;
  }

  /** The profile of a subscriber login, if it has created one. */
  subscriberOfUser(userId: string): Promise<Subscriber | undefined> {
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

  async createInsuree({ viewer, requestId }: Acting, input: InsureeInput): Promise<Insuree> {
    const problems = insureeProblems(input, this.clock.now());
    if (problems.length) throw invalidFields(problems);
    return this.db.transaction(async (tx) => {
      const subscriber = await this.subscriber(viewer, input.subscriberId, tx);
      const row: Insuree = input.sameAsSubscriber
        ? {
            id: newUuid(),
            subscriberId: subscriber.id,
            sameAsSubscriber: true,
            civility: subscriber.civility,
            firstName: subscriber.firstName,
            lastName: subscriber.lastName,
            birthDate: subscriber.birthDate,
            birthPlace: subscriber.birthPlace,
            createdAt: this.clock.now(),
          }
        : {
            id: newUuid(),
            subscriberId: subscriber.id,
            sameAsSubscriber: false,
            civility: input.civility!,
            firstName: input.firstName!.trim(),
            lastName: input.lastName!.trim(),
            birthDate: input.birthDate!,
            birthPlace: input.birthPlace!.trim(),
            createdAt: this.clock.now(),
          };
      await this.store.insertInsuree(tx, row);
      await this.audit.record(tx, { actor: viewer, action: 'insuree.created', target: { type: 'insuree', id: row.id }, requestId, details: { subscriberId: subscriber.id } });
      return row;
    });
  }

  insureesByIds(ids: readonly string[]): Promise<Insuree[]> {
    return this.store.insureesByIds(ids);
  }

  subscribersByIds(ids: readonly string[]): Promise<Subscriber[]> {
    return this.store.subscribersByIds(ids);
  }

  async createSubscription({ viewer, requestId }: Acting, subscriberId: string, input: SubscriptionInput): Promise<Subscription> {
    const subscriber = await this.subscriber(viewer, subscriberId);
    const [product, insuree, clause] = await Promise.all([
      this.catalogue.product(input.productId),
      this.store.insuree(input.insureeId),
      input.beneficiaryClause.standardClauseId ? this.catalogue.standardClause(input.beneficiaryClause.standardClauseId) : Promise.resolve(undefined),
    ]);
    const problems = [];
    if (!product) problems.push({ field: 'productId', reason: 'UNKNOWN_PRODUCT' });
    if (!insuree || insuree.subscriberId !== subscriber.id) problems.push({ field: 'insureeId', reason: 'UNKNOWN_INSUREE' });
    if (product && insuree && insuree.subscriberId === subscriber.id) {
      const funds = await this.catalogue.fundsOf([product.id]);
      problems.push(...draftProblems(input, { product, funds, insureeBirthDate: insuree.birthDate, clauseExists: clause !== undefined, today: this.clock.now() }));
    }
    if (problems.length) throw invalidFields(problems);
    const now = this.clock.now();
    const iban = checkIban(input.debitIban);
    const row: Subscription = {
      id: newUuid(),
      subscriberId: subscriber.id,
      insureeId: insuree!.id,
      productId: product!.id,
      status: 'draft',
      currency: product!.currency,
      initialPayment: input.initialPayment.amount,
      scheduledPayment: input.scheduledPayment?.amount ?? null,
      scheduledFrequency: input.scheduledPayment?.frequency ?? null,
      allocation: input.allocation.map((l) => ({ isin: l.isin, basisPoints: l.basisPoints })),
      standardClauseId: input.beneficiaryClause.standardClauseId ?? null,
      customClause: input.beneficiaryClause.customClause?.trim() ?? null,
      debitIban: iban.ok ? iban.iban : input.debitIban,
      debitHolder: input.debitHolder.trim(),
      signedAt: null,
      withdrawalDeadline: null,
      withdrawnAt: null,
      createdAt: now,
      updatedAt: now,
    };
    await this.db.transaction(async (tx) => {
      await this.store.insertSubscription(tx, row);
      await this.store.appendHistory(tx, { subscriptionId: row.id, at: now, fromStatus: null, toStatus: 'draft', actorKind: viewer.kind, actorId: viewer.id, note: null });
      await this.audit.record(tx, {
        actor: viewer,
        action: 'subscription.created',
        target: { type: 'subscription', id: row.id },
        requestId,
        details: { productId: row.productId, initialPayment: row.initialPayment, currency: row.currency },
      });
    });
    return row;
  }

  /** The subscription if this viewer may reach its subscriber; otherwise 404. */
  async subscription(viewer: Viewer, id: string, tx: Queryable = this.db, options: { forUpdate?: boolean } = {}): Promise<Subscription> {
    const row = await this.store.subscription(id, tx, options);
    if (!row) throw notFound('subscription');
    const subscriber = await this.store.subscriber(row.subscriberId, tx);
    if (!subscriber || !canReachSubscriber(viewer, subscriber)) throw notFound('subscription');
    return row;
  }

  subscriptionsOf(subscriberId: string): Promise<Subscription[]> {
    return this.store.subscriptionsOf(subscriberId);
  }

  history(subscriptionId: string): Promise<SubscriptionEvent[]> {
    return this.store.history(subscriptionId);
  }
}
