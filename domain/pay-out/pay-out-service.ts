import { AppError, invalidFields, insufficientRoles } from '../../errors/app-error';
import type { EventPublisher } from '../shared/events';
import type { Db, Queryable } from '../../store/db';
import type { OutboxStore } from '../../store/outbox-store';
import type { PayOutStore } from '../../store/pay-out-store';
import type { SubscriptionStore } from '../../store/subscription-store';
import type { Viewer } from '../auth/viewer';
import type { Actor, AuditTrail } from '../shared/audit-trail';
import type { Clock } from '../shared/clock';
import { checkIban, maskIban } from '../shared/iban';
import { newUuid } from '../shared/ids';
import { notFound, seesFullIban } from '../shared/access';
import type { Acting } from '../shared/acting';
import type { Subscriber } from '../subscription/subscriber';
import type { SubscriptionService } from '../subscription/subscription-service';
import { newOneTimeCode, oneTimeCodeMatches } from '../shared/one-time-code';
import { CONFIRMATION_CODE_MAX_ATTEMPTS, CONFIRMATION_CODE_MAX_SENDS, CONFIRMATION_CODE_TTL_SECONDS } from './confirmation-code';
import { holderNameMatches } from './holder-name';
import { debitPayoutIban, findByReference, present, type PayoutIban, type PayoutIbanChange, type PayoutIbanRecord } from './payout-iban';
import { checkPayoutIban, MAX_PAYOUT_IBANS, type PayoutIbanInput } from './payout-rules';
import { isOpen, nextStatus } from './payout-status';

const alreadyRegistered = () => new AppError('conflict', 'IBAN_ALREADY_REGISTERED', { field: 'iban' });

/** Registrants who only see masked IBANs (seesFullIban); their registrations are requests of their own. */
const BLIND_REGISTRANTS = new Set(['broker', 'machine']);

/** Making an IBAN the default is the subscriber's act or back-office's. */
const DEFAULT_SETTERS = new Set(['subscriber', 'backoffice']);

/** What back-office decides on an IBAN that waits for it. */
export interface PayoutIbanReview {
  decision: 'approve' | 'refuse';
  reason?: string | null;
}

const MAX_REFUSAL_REASON = 500;

/** A payout IBAN as the paying domains (surrender, death settlement) need it: in full, with its state. */
export interface PayoutIbanInFull {
  id: string;
  iban: string;
  confirmed: boolean;
  origin: PayoutIbanRecord['origin'];
}

type Who = { actor: Actor; requestId: string | null };

/**
 * The IBANs a subscriber's pay-outs go to. Whoever reaches the subscriber may list them and register one:
 * the subscriber, back-office, and the broker or partner platform of the subscriber's distributor
 * (docs/DOMAIN.md). An IBAN receives money only once it is `confirmed` (README, "Pay-out IBANs"): the
 * subscriber confirmed it (registering it themself, signed in, or with the code sent to their phone), a
 * RIB proof of it was accepted, and its holder is the subscriber or back-office approved the holder.
 * Every change is audited and notifies the subscriber, so a change they did not make does not go unnoticed.
 */
export class PayOutService {
  constructor(
    private readonly db: Db,
    private readonly store: PayOutStore,
    private readonly subscriptions: SubscriptionService,
    /** The hooks (policy issue, evidence review) act for nobody: they read the subscriber directly. */
    private readonly subscribers: Pick<SubscriptionStore, 'subscriber'>,
    private readonly outbox: OutboxStore,
    private readonly events: EventPublisher,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
  ) {}

  /** A reachable subscriber's IBANs, in registration order; 404 for anyone else's. */
  async list(viewer: Viewer, subscriberId: string): Promise<PayoutIban[]> {
    const subscriber = await this.subscriptions.subscriber(viewer, subscriberId);
    return (await this.store.ofSubscribers([subscriber.id])).map((row) => present(row, viewer));
  }

  /** One of a reachable subscriber's IBANs, by id (or by the IBAN, for the subscriber and back-office); 404 otherwise. */
  async one(viewer: Viewer, subscriberId: string, reference: string): Promise<PayoutIban> {
    const subscriber = await this.subscriptions.subscriber(viewer, subscriberId);
    const target = findByReference(await this.store.ofSubscribers([subscriber.id]), reference, viewer);
    if (!target) throw notFound('payout_iban');
    return present(target, viewer);
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
   * IBAN `ibanId` in full, or their default one when `ibanId` is null (always confirmed); undefined when
   * there is none (another subscriber's id included). The caller has already reached the subscriber and
   * must refuse to pay to an IBAN that is not `confirmed`.
   */
  async payoutAccount(tx: Queryable, subscriberId: string, ibanId: string | null): Promise<PayoutIbanInFull | undefined> {
    const rows = await this.store.ofSubscribers([subscriberId], tx);
    const row = rows.find((r) => (ibanId === null ? r.isDefault : r.id === ibanId));
    return row && { id: row.id, iban: row.iban, confirmed: row.status === 'confirmed', origin: row.origin };
  }

  /**
   * Registers an IBAN; it waits (README): for the subscriber's confirmation unless they registered it
   * themself, then for a RIB proof, then for back-office when the holder is not the subscriber. The
   * subscriber and back-office get 409 for an IBAN already registered. A broker or partner never learns
   * whether it was: their registration is stored as a new request, answered exactly like one.
   */
  async register({ viewer, requestId }: Acting, subscriberId: string, input: PayoutIbanInput): Promise<PayoutIban> {
    const checked = checkPayoutIban(input);
    if (!checked.ok) throw invalidFields(checked.problems);
    const blind = !seesFullIban(viewer);
    // Only a duplicate can reach the unique index once the subscriber's writes are serialised: the store answers it as IBAN_ALREADY_REGISTERED.
    return this.db.transaction(async (tx) => {
      const subscriber = await this.writable(tx, viewer, subscriberId);
      const existing = await this.store.ofSubscribers([subscriber.id], tx);
      if (!blind && existing.some((row) => row.iban === checked.iban && !BLIND_REGISTRANTS.has(row.registeredByKind))) throw alreadyRegistered();
      if (existing.length >= MAX_PAYOUT_IBANS) throw new AppError('unprocessable_content', 'PAYOUT_IBAN_LIMIT_REACHED');
      const now = this.clock.now();
      const byOwner = viewer.kind === 'subscriber';
      const row: PayoutIbanRecord = {
        id: newUuid(),
        subscriberId: subscriber.id,
        iban: checked.iban,
        holderName: checked.holderName,
        country: checked.country,
        isDefault: false,
        status: 'pending_confirmation',
        origin: 'registration',
        registeredByKind: viewer.kind,
        registeredById: viewer.id,
        // The subscriber's own signed-in registration is their confirmation.
        subscriberConfirmedAt: byOwner ? now : null,
        proofAcceptedAt: null,
        holderMatches: holderNameMatches(checked.holderName, subscriber),
        holderApprovedAt: null,
        refusalReason: null,
        otpHash: null,
        otpExpiresAt: null,
        otpAttempts: 0,
        otpSends: 0,
        createdAt: now,
        updatedAt: now,
      };
      row.status = nextStatus(row);
      await this.store.insert(tx, row);
      const masked = maskIban(row.iban);
      await this.audit.record(tx, {
        actor: viewer,
        action: 'iban.registered',
        target: { type: 'payout_iban', id: row.id },
        requestId,
        details: { subscriberId: subscriber.id, iban: masked, country: row.country, status: row.status, holderMatches: row.holderMatches },
      });
      await this.notify(tx, subscriber, 'payout_iban_registered', { payoutIbanId: row.id, iban: masked, status: row.status, registeredBy: viewer.kind }, now);
      return present(row, viewer);
    });
  }

  /**
   * Sends the subscriber a one-time code (SMS, through the outbox) confirming an IBAN someone else
   * registered; whoever reaches the subscriber may ask, only the subscriber's phone receives it.
   */
  async sendConfirmationCode({ viewer, requestId }: Acting, subscriberId: string, reference: string): Promise<PayoutIban> {
    return this.db.transaction(async (tx) => {
      const subscriber = await this.writable(tx, viewer, subscriberId);
      const target = await this.target(tx, viewer, subscriber, reference);
      if (target.status !== 'pending_confirmation') throw new AppError('conflict', 'PAYOUT_IBAN_NOT_PENDING_CONFIRMATION');
      if (target.otpSends >= CONFIRMATION_CODE_MAX_SENDS) throw new AppError('unprocessable_content', 'CONFIRMATION_CODE_LIMIT_REACHED');
      const now = this.clock.now();
      const { code, hash } = newOneTimeCode(target.id);
      const change: PayoutIbanChange = { otpHash: hash, otpExpiresAt: new Date(now.getTime() + CONFIRMATION_CODE_TTL_SECONDS * 1000), otpAttempts: 0, otpSends: target.otpSends + 1, updatedAt: now };
      await this.store.update(tx, target.id, change);
      const masked = maskIban(target.iban);
      await this.audit.record(tx, { actor: viewer, action: 'iban.confirmation_code_sent', target: { type: 'payout_iban', id: target.id }, requestId, details: { subscriberId: subscriber.id, iban: masked } });
      // The code is for the subscriber's phone (an `sms` row: by e-mail to them until there is an SMS
      // provider, docs/EMAIL.md); the message names the IBAN (masked) and who registered it.
      await this.outbox.enqueue(tx, {
        recipientUserId: subscriber.userId,
        channel: 'sms',
        template: 'payout_iban_confirmation_code',
        payload: { to: subscriber.phone, code, subscriberId: subscriber.id, payoutIbanId: target.id, iban: masked, registeredBy: target.registeredByKind },
      }, now);
      return present({ ...target, ...change }, viewer);
    });
  }

  /**
   * The subscriber's confirmation of an IBAN waiting for it: signed in as the subscriber (no code), or
   * with the code sent to their phone, which the subscriber may read out to whoever acts for them. Wrong
   * codes count; an expired or exhausted code ends (422, recorded before the refusal is thrown).
   */
  async confirm({ viewer, requestId }: Acting, subscriberId: string, reference: string, code: string | null): Promise<PayoutIban> {
    const outcome = await this.db.transaction(async (tx) => {
      const subscriber = await this.writable(tx, viewer, subscriberId);
      const target = await this.target(tx, viewer, subscriber, reference);
      if (target.status !== 'pending_confirmation') throw new AppError('conflict', 'PAYOUT_IBAN_NOT_PENDING_CONFIRMATION');
      if (code === null) {
        if (viewer.kind !== 'subscriber') throw new AppError('unprocessable_content', 'CONFIRMATION_CODE_REQUIRED', { field: 'code' });
      } else {
        if (!target.otpHash || !target.otpExpiresAt) throw new AppError('conflict', 'NO_PENDING_CONFIRMATION_CODE');
        const ended: PayoutIbanChange = { otpHash: null, otpExpiresAt: null, updatedAt: this.clock.now() };
        if (this.clock.now() > target.otpExpiresAt) {
          await this.store.update(tx, target.id, ended);
          return 'CONFIRMATION_CODE_EXPIRED' as const;
        }
        const attempts = await this.store.countAttempt(tx, target.id);
        if (!oneTimeCodeMatches(target.id, code, target.otpHash)) {
          if (attempts < CONFIRMATION_CODE_MAX_ATTEMPTS) return 'CONFIRMATION_CODE_INVALID' as const;
          await this.store.update(tx, target.id, ended);
          return 'CONFIRMATION_CODE_TOO_MANY_ATTEMPTS' as const;
        }
      }
      const now = this.clock.now();
      const method = code === null ? 'signed_in' : 'code';
      return present(await this.advance(tx, subscriber, target, { subscriberConfirmedAt: now, otpHash: null, otpExpiresAt: null, updatedAt: now }, { actor: viewer, requestId }, 'iban.confirmed_by_subscriber', { method }), viewer);
    });
    // Refusals are thrown after the transaction commits, so the counted attempt and the expiry stay recorded.
    if (typeof outcome === 'string') throw new AppError('unprocessable_content', outcome, { field: 'code' });
    return outcome;
  }

  /**
   * Back-office's decision: `approve` a holder who is not the subscriber (a co-holder named on the
   * accepted proof), or `refuse` an IBAN that is still waiting, with a reason. Refused is final.
   */
  async review({ viewer, requestId }: Acting, subscriberId: string, reference: string, input: PayoutIbanReview): Promise<PayoutIban> {
    if (viewer.kind !== 'backoffice') throw insufficientRoles();
    const reason = input.reason?.trim() || null;
    if (input.decision === 'refuse' && !reason) throw new AppError('parameter_invalid', 'REFUSAL_REASON_REQUIRED', { field: 'reason' });
    if (reason && reason.length > MAX_REFUSAL_REASON) throw new AppError('parameter_invalid', 'TOO_LONG', { field: 'reason' });
    return this.db.transaction(async (tx) => {
      const subscriber = await this.writable(tx, viewer, subscriberId);
      const target = await this.target(tx, viewer, subscriber, reference);
      const now = this.clock.now();
      const by = { actor: viewer, requestId };
      if (input.decision === 'approve') {
        if (target.status !== 'awaiting_review') throw new AppError('conflict', 'PAYOUT_IBAN_NOT_AWAITING_REVIEW');
        return present(await this.advance(tx, subscriber, target, { holderApprovedAt: now, updatedAt: now }, by, 'iban.holder_approved', { reason }), viewer);
      }
      if (!isOpen(target.status)) throw new AppError('conflict', 'PAYOUT_IBAN_ALREADY_DECIDED');
      return present(await this.advance(tx, subscriber, target, { status: 'refused', refusalReason: reason, otpHash: null, otpExpiresAt: null, updatedAt: now }, by, 'iban.refused', { reason }), viewer);
    });
  }

  /**
   * The evidence handler's hook (iban-proof.ts), in the review's transaction: an accepted RIB proof of
   * an IBAN still waiting may complete its confirmation. A refused proof changes nothing: another one
   * may be uploaded.
   */
  async proofAccepted(tx: Queryable, subscriberId: string, payoutIbanId: string, by: Who): Promise<void> {
    await this.store.lockSubscriber(tx, subscriberId);
    const target = await this.store.byId(tx, payoutIbanId);
    if (!target || target.subscriberId !== subscriberId || !isOpen(target.status) || target.proofAcceptedAt) return;
    const subscriber = (await this.subscribers.subscriber(subscriberId, tx))!;
    const now = this.clock.now();
    await this.advance(tx, subscriber, target, { proofAcceptedAt: now, updatedAt: now }, by, 'iban.proof_accepted', {});
  }

  /**
   * At a policy's issue, in the signing transaction: the subscription's debit IBAN, checked and signed
   * for at subscription, becomes a confirmed pay-out IBAN of the subscriber (unless back-office refused
   * it), and their default when they have none.
   */
  async adoptDebitIban(tx: Queryable, issued: { subscriberId: string; debitIban: string; debitHolder: string; policyId: string }): Promise<void> {
    const checked = checkIban(issued.debitIban);
    if (!checked.ok) return;
    await this.store.lockSubscriber(tx, issued.subscriberId);
    const subscriber = (await this.subscribers.subscriber(issued.subscriberId, tx))!;
    const rows = await this.store.ofSubscribers([subscriber.id], tx);
    const existing = rows.find((row) => row.iban === checked.iban && !BLIND_REGISTRANTS.has(row.registeredByKind));
    const by = { actor: { kind: 'system', id: 'policy_issue' } as const, requestId: null };
    const now = this.clock.now();
    if (existing) {
      if (!isOpen(existing.status)) return;
      await this.advance(tx, subscriber, existing, { status: 'confirmed', subscriberConfirmedAt: existing.subscriberConfirmedAt ?? now, updatedAt: now }, by, 'iban.confirmed_at_issue', { policyId: issued.policyId });
      return;
    }
    const row = debitPayoutIban({
      id: newUuid(), subscriberId: subscriber.id, iban: checked.iban, country: checked.country, holderName: issued.debitHolder,
      holderMatches: holderNameMatches(issued.debitHolder, subscriber), isDefault: !rows.some((r) => r.isDefault), at: now,
    });
    await this.store.insert(tx, row);
    await this.events.publish(tx, { type: 'payout_iban.confirmed', distributorId: subscriber.distributorId, resource: { subscriberId: subscriber.id, iban: row.id } }, now);
    const masked = maskIban(row.iban);
    await this.audit.record(tx, { ...by, action: 'iban.registered', target: { type: 'payout_iban', id: row.id }, details: { subscriberId: subscriber.id, iban: masked, country: row.country, status: row.status, origin: row.origin, policyId: issued.policyId } });
    await this.notify(tx, subscriber, 'payout_iban_registered', { payoutIbanId: row.id, iban: masked, status: row.status, registeredBy: 'system', isDefault: row.isDefault }, now);
  }

  /**
   * Makes one of the subscriber's confirmed IBANs the default; `reference` is the IBAN (electronic or
   * print format) or its id. The subscriber's act or back-office's: anyone else gets 403 before anything
   * is looked up, so the answer says nothing of the IBAN. The current default answers as it is, with
   * nothing recorded: nothing changed.
   */
  async makeDefault({ viewer, requestId }: Acting, subscriberId: string, reference: string): Promise<PayoutIban> {
    if (!DEFAULT_SETTERS.has(viewer.kind)) throw insufficientRoles();
    return this.db.transaction(async (tx) => {
      const subscriber = await this.writable(tx, viewer, subscriberId);
      const target = await this.target(tx, viewer, subscriber, reference);
      if (target.status !== 'confirmed') throw new AppError('unprocessable_content', 'PAYOUT_IBAN_NOT_CONFIRMED');
      if (target.isDefault) return present(target, viewer);
      await this.moveDefault(tx, subscriber, target, { actor: viewer, requestId });
      return present({ ...target, isDefault: true }, viewer);
    });
  }

  /** The subscriber if the viewer reaches it (404 otherwise), with its IBAN writes held for this transaction. */
  private async writable(tx: Queryable, viewer: Viewer, subscriberId: string): Promise<Subscriber> {
    const subscriber = await this.subscriptions.subscriber(viewer, subscriberId, tx);
    await this.store.lockSubscriber(tx, subscriber.id);
    return subscriber;
  }

  /** The subscriber's IBAN the caller names (404 PAYOUT_IBAN_NOT_FOUND otherwise). */
  private async target(tx: Queryable, viewer: Viewer, subscriber: Subscriber, reference: string): Promise<PayoutIbanRecord> {
    const target = findByReference(await this.store.ofSubscribers([subscriber.id], tx), reference, viewer);
    if (!target) throw notFound('payout_iban');
    return target;
  }

  /**
   * Applies one step, works out the status it leads to, records and notifies it; an IBAN that becomes
   * confirmed while the subscriber has no default becomes the default. Returns the IBAN as it now is.
   */
  private async advance(tx: Queryable, subscriber: Subscriber, target: PayoutIbanRecord, change: PayoutIbanChange, by: Who, action: string, details: Record<string, unknown>): Promise<PayoutIbanRecord> {
    const next = { ...target, ...change };
    next.status = nextStatus(next);
    await this.store.update(tx, target.id, { ...change, status: next.status });
    const masked = maskIban(target.iban);
    await this.audit.record(tx, { ...by, action, target: { type: 'payout_iban', id: target.id }, details: { subscriberId: subscriber.id, iban: masked, previousStatus: target.status, status: next.status, ...details } });
    if (next.status !== target.status && next.status === 'confirmed') {
      await this.events.publish(tx, { type: 'payout_iban.confirmed', distributorId: subscriber.distributorId, resource: { subscriberId: subscriber.id, iban: target.id } }, change.updatedAt);
    }
    if (next.status !== target.status) {
      await this.notify(tx, subscriber, 'payout_iban_status_changed', { payoutIbanId: target.id, iban: masked, previousStatus: target.status, status: next.status, reason: next.refusalReason }, change.updatedAt);
    }
    if (next.status === 'confirmed' && !(await this.store.ofSubscribers([subscriber.id], tx)).some((row) => row.isDefault)) {
      await this.moveDefault(tx, subscriber, next, by);
      next.isDefault = true;
    }
    return next;
  }

  private async moveDefault(tx: Queryable, subscriber: Subscriber, target: PayoutIbanRecord, by: Who): Promise<void> {
    const previous = (await this.store.ofSubscribers([subscriber.id], tx)).find((row) => row.isDefault);
    await this.store.makeDefault(tx, subscriber.id, target.id);
    const masked = maskIban(target.iban);
    await this.audit.record(tx, {
      ...by,
      action: 'iban.made_default',
      target: { type: 'payout_iban', id: target.id },
      details: { subscriberId: subscriber.id, iban: masked, previousDefault: previous ? { id: previous.id, iban: maskIban(previous.iban) } : null },
    });
    await this.notify(tx, subscriber, 'payout_iban_default_changed', { payoutIbanId: target.id, iban: masked }, this.clock.now());
  }

  // The subscriber hears of every change, whoever made it: a masked IBAN only, e-mail is not a safe channel.
  private notify(tx: Queryable, subscriber: Subscriber, template: string, payload: Record<string, unknown>, at: Date): Promise<void> {
    return this.outbox.enqueue(tx, { recipientUserId: subscriber.userId, channel: 'email', template, payload: { to: subscriber.email, subscriberId: subscriber.id, ...payload } }, at);
  }
}
