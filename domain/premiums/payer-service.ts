import { AppError, invalidFields } from '../../errors/app-error';
import type { Db, Queryable } from '../../store/db';
import type { PayerStore } from '../../store/payer-store';
import type { SubscriptionStore } from '../../store/subscription-store';
import type { Viewer } from '../auth/viewer';
import type { AuditTrail } from '../shared/audit-trail';
import type { Clock } from '../shared/clock';
import { canReachSubscriber } from '../shared/access';
import type { Acting } from '../shared/acting';
import { maskIban } from '../shared/iban';
import { newUuid } from '../shared/ids';
import type { Subscriber } from '../subscription/subscriber';
import { checkPayoutIban, type PayoutIbanInput } from '../pay-out/payout-rules';
import { checkPayer, findPayerIban, MAX_PAYER_IBANS, MAX_PAYERS, presentIban, type Payer, type PayerIban, type PayerIbanRecord, type PayerInput } from './payer';

/** The documented 404s: nothing tells a caller whether a payer or subscriber it may not see exists. */
export const payerNotFound = (field?: string) => new AppError('payer_not_found', 'PAYER_NOT_FOUND', field ? { field } : {});
const payerSubscriberNotFound = () => new AppError('payer_subscriber_not_found', 'PAYER_SUBSCRIBER_NOT_FOUND');

/** A payer found for a premium, with the subscriber it pays for. */
export interface ReachedPayer {
  payer: Payer;
  subscriber: Subscriber;
}

/**
 * Payers (README, "Premiums and payers"): who pays a subscriber's premiums, and the personal IBANs the
 * premiums are debited from, one of them the default. Payers never sign in: whoever reaches the
 * subscriber (the subscriber, their distributor's brokers and partner platform, back-office) manages
 * them. A subscriber that does not exist and one the caller may not reach answer alike (404
 * `payer_subscriber_not_found`), and so do payers (404 `payer_not_found`).
 */
export class PayerService {
  constructor(
    private readonly db: Db,
    private readonly store: PayerStore,
    private readonly subscribers: Pick<SubscriptionStore, 'subscriber'>,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
  ) {}

  /** A reachable subscriber's payers, in creation order. */
  async list(viewer: Viewer, subscriberId: string): Promise<Payer[]> {
    const subscriber = await this.reachSubscriber(this.db, viewer, subscriberId);
    return this.store.ofSubscribers([subscriber.id]);
  }

  /** One payer of a reachable subscriber. */
  async payer(viewer: Viewer, payerId: string): Promise<Payer> {
    return (await this.reach(this.db, viewer, payerId)).payer;
  }

  /** The IBANs of payers the viewer reached through their payer, batched for a page of them. */
  async ibansOfReached(viewer: Viewer, payerIds: readonly string[]): Promise<PayerIban[]> {
    return (await this.store.ibansOf(payerIds)).map((row) => presentIban(row, viewer));
  }

  /**
   * Creates a payer. `self` takes the subscriber's own name and birth date (once per subscriber); anyone
   * else is identified by name, birth date and relationship (a company by its name), for the
   * anti-money-laundering checks a premium from a third party calls for.
   */
  async create({ viewer, requestId }: Acting, subscriberId: string, input: PayerInput): Promise<Payer> {
    const checked = checkPayer(input, this.clock.now());
    if (!checked.ok) throw invalidFields(checked.problems);
    return this.db.transaction(async (tx) => {
      const subscriber = await this.reachSubscriber(tx, viewer, subscriberId);
      await this.store.lock(tx, subscriber.id);
      const existing = await this.store.ofSubscribers([subscriber.id], tx);
      if (checked.payer.relationship === 'self' && existing.some((p) => p.relationship === 'self')) throw new AppError('conflict', 'PAYER_SELF_ALREADY_EXISTS');
      if (existing.length >= MAX_PAYERS) throw new AppError('unprocessable_content', 'PAYER_LIMIT_REACHED');
      const self = checked.payer.relationship === 'self';
      const payer: Payer = {
        id: newUuid(),
        subscriberId: subscriber.id,
        ...checked.payer,
        ...(self ? { firstName: subscriber.firstName, lastName: subscriber.lastName, birthDate: subscriber.birthDate } : {}),
        createdByKind: viewer.kind,
        createdById: viewer.id,
        createdAt: this.clock.now(),
      };
      await this.store.insertPayer(tx, payer);
      await this.audit.record(tx, { actor: viewer, action: 'payer.created', target: { type: 'payer', id: payer.id }, requestId, details: { subscriberId: subscriber.id, relationship: payer.relationship } });
      return payer;
    });
  }

  /** Registers a personal IBAN of the payer, checked as pay-out IBANs are; the payer's first one becomes its default. */
  async addIban({ viewer, requestId }: Acting, payerId: string, input: PayoutIbanInput): Promise<PayerIban> {
    const checked = checkPayoutIban(input);
    if (!checked.ok) throw invalidFields(checked.problems);
    return this.db.transaction(async (tx) => {
      const { payer } = await this.writable(tx, viewer, payerId);
      const existing = await this.store.ibansOf([payer.id], tx);
      if (existing.some((row) => row.iban === checked.iban)) throw new AppError('conflict', 'IBAN_ALREADY_REGISTERED', { field: 'iban' });
      if (existing.length >= MAX_PAYER_IBANS) throw new AppError('unprocessable_content', 'PAYER_IBAN_LIMIT_REACHED');
      const row: PayerIbanRecord = {
        id: newUuid(), payerId: payer.id, iban: checked.iban, holderName: checked.holderName, country: checked.country, isDefault: existing.length === 0,
        createdByKind: viewer.kind, createdById: viewer.id, createdAt: this.clock.now(),
      };
      await this.store.insertIban(tx, row);
      await this.audit.record(tx, { actor: viewer, action: 'payer_iban.registered', target: { type: 'payer_iban', id: row.id }, requestId, details: { payerId: payer.id, iban: maskIban(row.iban), isDefault: row.isDefault } });
      return presentIban(row, viewer);
    });
  }

  /** Makes one of the payer's IBANs its default; the default already answers as it is, nothing recorded. */
  async makeDefault({ viewer, requestId }: Acting, payerId: string, reference: string): Promise<PayerIban> {
    return this.db.transaction(async (tx) => {
      const { payer } = await this.writable(tx, viewer, payerId);
      const target = await this.target(tx, payer.id, reference);
      if (target.isDefault) return presentIban(target, viewer);
      await this.store.makeDefault(tx, payer.id, target.id);
      await this.audit.record(tx, { actor: viewer, action: 'payer_iban.made_default', target: { type: 'payer_iban', id: target.id }, requestId, details: { payerId: payer.id, iban: maskIban(target.iban) } });
      return presentIban({ ...target, isDefault: true }, viewer);
    });
  }

  /**
   * Deletes one of the payer's IBANs; the default cannot be (409 `delete_payer_personal_iban_default_iban`:
   * make another the default first). Premium requests keep the IBAN they were made with.
   */
  async deleteIban({ viewer, requestId }: Acting, payerId: string, reference: string): Promise<PayerIban> {
    return this.db.transaction(async (tx) => {
      const { payer } = await this.writable(tx, viewer, payerId);
      const target = await this.target(tx, payer.id, reference);
      if (target.isDefault) throw new AppError('delete_payer_personal_iban_default_iban', 'PAYER_DEFAULT_IBAN_CANNOT_BE_DELETED', { field: 'iban' });
      await this.store.deleteIban(tx, payer.id, target.id);
      await this.audit.record(tx, { actor: viewer, action: 'payer_iban.deleted', target: { type: 'payer_iban', id: target.id }, requestId, details: { payerId: payer.id, iban: maskIban(target.iban) } });
      return presentIban(target, viewer);
    });
  }

  /**
   * For the premium requests, inside their transaction: the payer if the viewer reaches it (404
   * `payer_not_found` naming `field` otherwise), its IBANs, and the subscriber it pays for.
   */
  async forPremium(tx: Queryable, viewer: Viewer, payerId: string, field: string): Promise<ReachedPayer & { ibans: PayerIbanRecord[] }> {
    const reached = await this.reach(tx, viewer, payerId, field);
    return { ...reached, ibans: await this.store.ibansOf([payerId], tx) };
  }

  private async reachSubscriber(tx: Queryable, viewer: Viewer, subscriberId: string): Promise<Subscriber> {
    const subscriber = await this.subscribers.subscriber(subscriberId, tx);
    if (!subscriber || !canReachSubscriber(viewer, subscriber)) throw payerSubscriberNotFound();
    return subscriber;
  }

  private async reach(tx: Queryable, viewer: Viewer, payerId: string, field?: string): Promise<ReachedPayer> {
    const payer = await this.store.payer(payerId, tx);
    const subscriber = payer && (await this.subscribers.subscriber(payer.subscriberId, tx));
    if (!payer || !subscriber || !canReachSubscriber(viewer, subscriber)) throw payerNotFound(field);
    return { payer, subscriber };
  }

  /** The payer if the viewer reaches it, with its IBAN writes held for this transaction. */
  private async writable(tx: Queryable, viewer: Viewer, payerId: string): Promise<ReachedPayer> {
    const reached = await this.reach(tx, viewer, payerId);
    await this.store.lock(tx, reached.payer.id);
    return reached;
  }

  /** The payer's IBAN the path names: its id, or the IBAN itself (404 PAYER_IBAN_NOT_FOUND otherwise). */
  private async target(tx: Queryable, payerId: string, reference: string): Promise<PayerIbanRecord> {
    const target = findPayerIban(await this.store.ibansOf([payerId], tx), reference);
    if (!target) throw new AppError('resource_not_found', 'PAYER_IBAN_NOT_FOUND', { field: 'iban' });
    return target;
  }
}
