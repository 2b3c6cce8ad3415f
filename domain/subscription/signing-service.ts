import { AppError } from '../../errors/app-error';
import type { EventPublisher } from '../shared/events';
import type { CatalogueStore } from '../../store/catalogue-store';
import type { Db, Queryable } from '../../store/db';
import type { OutboxStore } from '../../store/outbox-store';
import type { PolicyStore } from '../../store/policy-store';
import type { SignatureStore } from '../../store/signature-store';
import type { SubscriptionStore } from '../../store/subscription-store';
import type { Viewer } from '../auth/viewer';
import type { Actor } from '../shared/audit-trail';
import type { Clock } from '../shared/clock';
import { newUuid } from '../shared/ids';
import { premiumMovements } from '../policy/policy-money';
import type { ESignProvider } from './esign-provider';
import type { Acting } from '../shared/acting';
import type { SubscriptionService } from './subscription-service';
import type { Transitions } from './transitions';
import { withdrawalDeadline } from './withdrawal-period';
import { OTP_WINDOW_SECONDS, otpRequestRefusal } from './otp-limits';
import { newOneTimeCode, oneTimeCodeMatches } from '../shared/one-time-code';
import type { Policy } from '../policy/policy';
import type { Signature } from './signature';
import type { Subscription } from './subscription';

export const OTP_TTL_SECONDS = 600;
export const OTP_MAX_ATTEMPTS = 5;

/** What the issuing transaction tells other domains about the policy it issued. */
export interface IssuedPolicy {
  policyId: string;
  subscriberId: string;
  standardClauseId: string | null;
  /** Electronic format, checked at subscription. */
  debitIban: string;
  debitHolder: string;
  /** What the initial payment left once the entry fee was taken, invested in `compartmentId` by the subscription's allocation. */
  invested: { compartmentId: string; amount: number; currency: string; allocation: Array<{ isin: string; basisPoints: number }>; paidAt: Date };
}

/**
 * Signing: by the e-signature provider (outcome through the signed `esign` webhook) or by a one-time code
 * sent through the notification outbox. Completion issues the policy and starts the withdrawal period.
 */
export class SigningService {
  constructor(
    private readonly db: Db,
    private readonly subscriptions: SubscriptionService,
    private readonly subscriptionStore: SubscriptionStore,
    private readonly catalogue: CatalogueStore,
    private readonly store: SignatureStore,
    private readonly policies: PolicyStore,
    private readonly outbox: OutboxStore,
    private readonly events: EventPublisher,
    private readonly transitions: Transitions,
    private readonly esign: ESignProvider,
    private readonly clock: Clock,
    /**
     * Lets other domains act in the issuing transaction: death settlement records the clause the
     * subscriber signed, pay-out adopts the debit IBAN checked at subscription.
     */
    private readonly onPolicyIssued: (tx: Queryable, policy: IssuedPolicy) => Promise<void> = async () => undefined,
  ) {}

  async request({ viewer, requestId }: Acting, subscriptionId: string, method: 'esign' | 'otp'): Promise<Signature> {
    return this.db.transaction(async (tx) => {
      const subscription = await this.subscriptions.subscription(viewer, subscriptionId, tx, { forUpdate: true });
      await this.transitions.apply(tx, subscription, 'request_signature', { actor: viewer, requestId, note: method });
      const now = this.clock.now();
      if (method === 'otp') {
        // After the lifecycle check (a wrong state is a 409 first); throwing rolls the transition back.
        const since = new Date(now.getTime() - OTP_WINDOW_SECONDS * 1000);
        const sent = await this.store.otpRequestsOfSubscriber(tx, subscription.subscriberId, since);
        const refusal = otpRequestRefusal(sent.map((s) => ({ subscriptionId: s.subscriptionId, at: new Date(s.createdAt) })), subscription.id, now);
        if (refusal) throw refusal;
      }
      const id = newUuid();
      const subscriber = (await this.subscriptionStore.subscriber(subscription.subscriberId, tx))!;
      const row: Signature = { id, subscriptionId: subscription.id, method, status: 'pending', signingUrl: null, otpHash: null, otpExpiresAt: null, otpAttempts: 0, createdAt: now, completedAt: null };
      if (method === 'esign') {
        row.signingUrl = (await this.esign.start({ signatureId: id, subscriptionId: subscription.id, signerName: `${subscriber.firstName} ${subscriber.lastName}` })).signingUrl;
        // The link signs in the subscriber's name: it goes to them, never to whoever asked for it (signingUrlFor).
        await this.outbox.enqueue(tx, { recipientUserId: subscriber.userId, channel: 'email', template: 'signature_link', payload: { to: subscriber.email, signingUrl: row.signingUrl, subscriptionId: subscription.id, signatureId: id } }, now);
      } else {
        const { code, hash } = newOneTimeCode(id);
        row.otpHash = hash;
        row.otpExpiresAt = new Date(now.getTime() + OTP_TTL_SECONDS * 1000);
        await this.outbox.enqueue(tx, { recipientUserId: subscriber.userId, channel: 'sms', template: 'signature_otp', payload: { to: subscriber.phone, code, subscriptionId: subscription.id, signatureId: id } }, now);
      }
      await this.store.insert(tx, row);
      return row;
    });
  }

  /**
   * The e-signature link as `viewer` may see it: only the signer (the subscriber, who reached this
   * subscription, so their own) reads it; a broker, partner or back-office who requested the signature
   * sees the signature without it, and the subscriber got it by e-mail.
   */
  signingUrlFor(viewer: Viewer, signature: Signature): string | null {
    return viewer.kind === 'subscriber' ? signature.signingUrl : null;
  }

  async latest(viewer: Viewer, subscriptionId: string): Promise<Signature | undefined> {
    await this.subscriptions.subscription(viewer, subscriptionId);
    return this.store.latest(subscriptionId);
  }

  /** A signature's status, for the provider's own pages (their link's token is the authorisation). */
  async statusOf(signatureId: string): Promise<Signature['status'] | undefined> {
    return (await this.store.byId(signatureId))?.status;
  }

  /** The policy a signed subscription issued (the caller already reached the subscription). */
  policyOf(subscriptionId: string): Promise<Policy | undefined> {
    return this.policies.ofSubscription(subscriptionId);
  }

  /** Confirms a one-time code: wrong codes count, an expired or exhausted code ends the attempt (422). */
  async confirmOtp({ viewer, requestId }: Acting, subscriptionId: string, code: string): Promise<Subscription> {
    const outcome = await this.db.transaction(async (tx) => {
      const subscription = await this.subscriptions.subscription(viewer, subscriptionId, tx, { forUpdate: true });
      const signature = await this.store.latest(subscription.id, tx);
      if (!signature || signature.method !== 'otp' || signature.status !== 'pending') throw new AppError('conflict', 'NO_PENDING_OTP_SIGNATURE');
      if (this.clock.now() > signature.otpExpiresAt!) {
        await this.end(tx, signature, subscription, 'expired', { actor: viewer, requestId });
        return 'OTP_EXPIRED' as const;
      }
      const attempts = await this.store.countAttempt(tx, signature.id);
      if (!oneTimeCodeMatches(signature.id, code, signature.otpHash!)) {
        if (attempts >= OTP_MAX_ATTEMPTS) {
          await this.end(tx, signature, subscription, 'expired', { actor: viewer, requestId, note: 'too many wrong codes' });
          return 'OTP_TOO_MANY_ATTEMPTS' as const;
        }
        return 'OTP_INVALID' as const;
      }
      await this.complete(tx, signature, subscription, { actor: viewer, requestId });
      return subscription;
    });
    // Refusals are thrown after the transaction commits, so the counted attempt and the expiry stay recorded.
    if (typeof outcome === 'string') throw new AppError('unprocessable_content', outcome, { field: 'code' });
    return outcome;
  }

  /** Applies a provider's outcome for one of our signatures (esign webhook), in the webhook's transaction. */
  async applyProviderOutcome(tx: Queryable, signatureId: string, outcome: 'completed' | 'declined' | 'expired', provider: string): Promise<void> {
    const signature = await this.store.byId(signatureId, tx, { forUpdate: true });
    if (!signature) throw new AppError('unprocessable_content', 'UNKNOWN_SIGNATURE');
    const subscription = (await this.subscriptionStore.subscription(signature.subscriptionId, tx, { forUpdate: true }))!;
    const by = { actor: { kind: 'system', id: provider } as const, requestId: null };
    // A late event for a signature that already ended changes nothing.
    if (signature.status !== 'pending') return;
    if (outcome === 'completed') await this.complete(tx, signature, subscription, by);
    else await this.end(tx, signature, subscription, outcome, by);
  }

  private async end(tx: Queryable, signature: Signature, subscription: Subscription, status: 'declined' | 'expired', by: { actor: Actor; requestId: string | null; note?: string }): Promise<void> {
    if (!(await this.store.finish(tx, signature.id, status, this.clock.now()))) return;
    await this.transitions.apply(tx, subscription, 'abandon_signature', { ...by, note: by.note ?? `signature ${status}` });
  }

  /** Signature done: the subscription is signed, the withdrawal period starts, the policy is issued. */
  private async complete(tx: Queryable, signature: Signature, subscription: Subscription, by: { actor: Actor; requestId: string | null }): Promise<void> {
    const now = this.clock.now();
    if (!(await this.store.finish(tx, signature.id, 'completed', now))) return;
    await this.transitions.apply(tx, subscription, 'complete_signature', { ...by, note: `signed by ${signature.method}` }, { signedAt: now, withdrawalDeadline: withdrawalDeadline(now) });
    const product = (await this.catalogue.product(subscription.productId, tx))!;
    const policyId = newUuid();
    const compartmentId = newUuid();
    // The entry fee is taken from the first payment (in integers, as the documents printed it); the rest is invested.
    const { movements, invested } = premiumMovements({
      policyId, compartmentId, cause: { type: 'subscription', id: subscription.id }, amount: subscription.initialPayment, entryFeeBasisPoints: product.entryFeeBasisPoints, currency: subscription.currency, at: now,
    });
    await this.policies.insertPolicy(
      tx,
      { id: policyId, subscriptionId: subscription.id, subscriberId: subscription.subscriberId, productId: product.id, status: 'active', issuedAt: now },
      [{ id: compartmentId, policyId, code: product.initialCompartment, status: 'active', value: invested, currency: subscription.currency, createdAt: now }],
    );
    await this.policies.appendMovements(tx, movements);
    await this.onPolicyIssued(tx, { policyId, subscriberId: subscription.subscriberId, standardClauseId: subscription.standardClauseId, debitIban: subscription.debitIban, debitHolder: subscription.debitHolder,
      invested: { compartmentId, amount: invested, currency: subscription.currency, allocation: subscription.allocation.map((l) => ({ isin: l.isin, basisPoints: l.basisPoints })), paidAt: now },
    });
    const subscriber = await this.subscriptionStore.subscriber(subscription.subscriberId, tx);
    const distributorId = subscriber?.distributorId ?? null;
    await this.events.publish(tx, { type: 'subscription.signed', distributorId, resource: { subscriptionId: subscription.id } }, now);
    await this.events.publish(tx, { type: 'policy.issued', distributorId, resource: { policyId } }, now);
    await this.outbox.enqueue(tx, { recipientUserId: subscriber?.userId ?? null, channel: 'email', template: 'policy_issued', payload: { subscriptionId: subscription.id, policyId, withdrawalDeadline: subscription.withdrawalDeadline } }, now);
  }
}
