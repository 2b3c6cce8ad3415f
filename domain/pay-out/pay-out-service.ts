import { AppError, invalidFields } from '../../errors/app-error';
import type { Db, Queryable } from '../../store/db';
import { isUniqueViolation } from '../../store/errors';
import type { OutboxStore } from '../../store/outbox-store';
import type { PayOutStore, PayoutIbanRow } from '../../store/pay-out-store';
import type { SubscriberRow } from '../../store/subscription-store';
import type { Viewer } from '../auth/viewer';
import type { AuditTrail } from '../shared/audit-trail';
import type { Clock } from '../shared/clock';
import { maskIban } from '../shared/iban';
import { newId } from '../shared/ids';
import { notFound } from '../shared/access';
import type { Acting } from '../shared/acting';
import type { SubscriptionService } from '../subscription/subscription-service';
import { findByReference, PAYOUT_IBAN_ID_PREFIX, present, type PayoutIban } from './payout-iban';
import { checkPayoutIban, MAX_PAYOUT_IBANS, type PayoutIbanInput } from './payout-rules';

const alreadyRegistered = () => new AppError('conflict', 'IBAN_ALREADY_REGISTERED', { field: 'iban' });

/**
 * The IBANs a subscriber's pay-outs go to. Whoever reaches the subscriber may list and write them: the
 * subscriber, back-office, and the broker or partner platform of the subscriber's distributor, which act
 * for their subscribers (DOMAIN.md). Every write is audited and notifies the subscriber, so a change they
 * did not make does not go unnoticed.
 */
export class PayOutService {
  constructor(
    private readonly db: Db,
    private readonly store: PayOutStore,
    private readonly subscriptions: SubscriptionService,
    private readonly outbox: OutboxStore,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
  ) {}

  /** A reachable subscriber's IBANs, in registration order; 404 for anyone else's. */
  async list(viewer: Viewer, subscriberId: string): Promise<PayoutIban[]> {
    const subscriber = await this.subscriptions.subscriber(viewer, subscriberId);
    return (await this.store.ofSubscribers([subscriber.id])).map((row) => present(row, viewer));
  }

  /**
   * IBANs of subscribers the viewer has already reached through a parent object (a policy, a subscriber,
   * a subscription), batched for a page of them. The parent's access check is the object-level check.
   */
  async ofReachedSubscribers(viewer: Viewer, subscriberIds: readonly string[]): Promise<PayoutIban[]> {
    return (await this.store.ofSubscribers(subscriberIds)).map((row) => present(row, viewer));
  }

  /**
   * For the domains that pay out (surrender, death settlement), inside their transaction: the subscriber's
   * registered IBAN `ibanId` in full, or their default one when `ibanId` is null; undefined when there is
   * none (another subscriber's id included). The caller has already reached the subscriber.
   */
  async payoutAccount(tx: Queryable, subscriberId: string, ibanId: string | null): Promise<{ id: string; iban: string } | undefined> {
    const rows = await this.store.ofSubscribers([subscriberId], tx);
    const row = rows.find((r) => (ibanId === null ? r.is_default : r.id === ibanId));
    return row && { id: row.id, iban: row.iban };
  }

  /** Registers an IBAN once per subscriber (409 the second time); the first one becomes the default. */
  async register({ viewer, requestId }: Acting, subscriberId: string, input: PayoutIbanInput): Promise<PayoutIban> {
    const checked = checkPayoutIban(input);
    if (!checked.ok) throw invalidFields(checked.problems);
    try {
      return await this.db.transaction(async (tx) => {
        const subscriber = await this.writable(tx, viewer, subscriberId);
        const existing = await this.store.ofSubscribers([subscriber.id], tx);
        if (existing.some((row) => row.iban === checked.iban)) throw alreadyRegistered();
        if (existing.length >= MAX_PAYOUT_IBANS) throw new AppError('unprocessable', 'PAYOUT_IBAN_LIMIT_REACHED');
        const now = this.clock.now();
        const row: PayoutIbanRow = {
          id: newId(PAYOUT_IBAN_ID_PREFIX),
          subscriber_id: subscriber.id,
          iban: checked.iban,
          holder_name: checked.holderName,
          country: checked.country,
          is_default: existing.length === 0,
          created_at: now,
        };
        await this.store.insert(tx, row);
        const masked = maskIban(row.iban);
        await this.audit.record(tx, {
          actor: viewer,
          action: 'iban.registered',
          target: { type: 'payout_iban', id: row.id },
          requestId,
          details: { subscriberId: subscriber.id, iban: masked, country: row.country, isDefault: row.is_default },
        });
        await this.notify(tx, subscriber, 'payout_iban_registered', { payoutIbanId: row.id, iban: masked, isDefault: row.is_default }, now);
        return present(row, viewer);
      });
    } catch (error) {
      // Only a duplicate can reach the unique indexes once the subscriber's writes are serialised.
      if (isUniqueViolation(error)) throw alreadyRegistered();
      throw error;
    }
  }

  /**
   * Makes one of the subscriber's IBANs the default; `reference` is the IBAN (electronic or print format)
   * or its id. The current default answers as it is, with nothing recorded: nothing changed.
   */
  async makeDefault({ viewer, requestId }: Acting, subscriberId: string, reference: string): Promise<PayoutIban> {
    try {
      return await this.db.transaction(async (tx) => {
        const subscriber = await this.writable(tx, viewer, subscriberId);
        const rows = await this.store.ofSubscribers([subscriber.id], tx);
        const target = findByReference(rows, reference);
        if (!target) throw notFound('payout_iban');
        if (target.is_default) return present(target, viewer);
        const previous = rows.find((row) => row.is_default);
        await this.store.makeDefault(tx, subscriber.id, target.id);
        const masked = maskIban(target.iban);
        await this.audit.record(tx, {
          actor: viewer,
          action: 'iban.made_default',
          target: { type: 'payout_iban', id: target.id },
          requestId,
          details: { subscriberId: subscriber.id, iban: masked, previousDefault: previous ? { id: previous.id, iban: maskIban(previous.iban) } : null },
        });
        await this.notify(tx, subscriber, 'payout_iban_default_changed', { payoutIbanId: target.id, iban: masked }, this.clock.now());
        return present({ ...target, is_default: true }, viewer);
      });
    } catch (error) {
      // The subscriber lock makes this unreachable; should a writer ever bypass it, the index answers a clean 409.
      if (isUniqueViolation(error)) throw new AppError('conflict', 'PAYOUT_IBANS_CHANGED_CONCURRENTLY');
      throw error;
    }
  }

  /** The subscriber if the viewer reaches it (404 otherwise), with its IBAN writes held for this transaction. */
  private async writable(tx: Queryable, viewer: Viewer, subscriberId: string): Promise<SubscriberRow> {
    const subscriber = await this.subscriptions.subscriber(viewer, subscriberId, tx);
    await this.store.lockSubscriber(tx, subscriber.id);
    return subscriber;
  }

  // The subscriber hears of every change, whoever made it: a masked IBAN only, e-mail is not a safe channel.
  private notify(tx: Queryable, subscriber: SubscriberRow, template: string, payload: Record<string, unknown>, at: Date): Promise<void> {
    return this.outbox.enqueue(tx, { recipientUserId: subscriber.user_id, channel: 'email', template, payload: { to: subscriber.email, subscriberId: subscriber.id, ...payload } }, at);
  }
}
