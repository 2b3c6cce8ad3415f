import { AppError } from '../../errors/app-error';
import type { CatalogueStore } from '../../store/catalogue-store';
import type { Db, Queryable } from '../../store/db';
import type { OutboxStore } from '../../store/outbox-store';
import type { PolicyRow, PolicyStore } from '../../store/policy-store';
import type { SignatureRow, SignatureStore } from '../../store/signature-store';
import type { SubscriptionRow, SubscriptionStore } from '../../store/subscription-store';
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
    private readonly transitions: Transitions,
    private readonly esign: ESignProvider,
    private readonly clock: Clock,
    /**
     * Lets other domains act in the issuing transaction: death settlement records the clause the
     * subscriber signed, pay-out adopts the debit IBAN checked at subscription.
     */
    private readonly onPolicyIssued: (tx: Queryable, policy: IssuedPolicy) => Promise<void> = async () => undefined,
  ) {}

  async request({ viewer, requestId }: Acting, subscriptionId: string, method: 'esign' | 'otp'): Promise<SignatureRow> {
    return this.db.transaction(async (tx) => {
      const subscription = await this.subscriptions.subscription(viewer, subscriptionId, tx, { forUpdate: true });
      await this.transitions.apply(tx, subscription, 'request_signature', { actor: viewer, requestId, note: method });
      const now = this.clock.now();
      if (method === 'otp') {
        // After the lifecycle check (a wrong state is a 409 first); throwing rolls the transition back.
        const since = new Date(now.getTime() - OTP_WINDOW_SECONDS * 1000);
        const sent = await this.store.otpRequestsOfSubscriber(tx, subscription.subscriber_id, since);
        const refusal = otpRequestRefusal(sent.map((s) => ({ subscriptionId: s.subscription_id, at: new Date(s.created_at) })), subscription.id, now);
        if (refusal) throw refusal;
      }
      const id = newUuid();
      const subscriber = (await this.subscriptionStore.subscriber(subscription.subscriber_id, tx))!;
      const row: SignatureRow = { id, subscription_id: subscription.id, method, status: 'pending', signing_url: null, otp_hash: null, otp_expires_at: null, otp_attempts: 0, created_at: now, completed_at: null };
      if (method === 'esign') {
        row.signing_url = (await this.esign.start({ signatureId: id, subscriptionId: subscription.id, signerName: `${subscriber.first_name} ${subscriber.last_name}` })).signingUrl;
        // The link signs in the subscriber's name: it goes to them, never to whoever asked for it (signingUrlFor).
        await this.outbox.enqueue(tx, { recipientUserId: subscriber.user_id, channel: 'email', template: 'signature_link', payload: { to: subscriber.email, signingUrl: row.signing_url, subscriptionId: subscription.id, signatureId: id } }, now);
      } else {
        const { code, hash } = newOneTimeCode(id);
        row.otp_hash = hash;
        row.otp_expires_at = new Date(now.getTime() + OTP_TTL_SECONDS * 1000);
        await this.outbox.enqueue(tx, { recipientUserId: subscriber.user_id, channel: 'sms', template: 'signature_otp', payload: { to: subscriber.phone, code, subscriptionId: subscription.id, signatureId: id } }, now);
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
  signingUrlFor(viewer: Viewer, signature: SignatureRow): string | null {
    return viewer.kind === 'subscriber' ? signature.signing_url : null;
  }

  async latest(viewer: Viewer, subscriptionId: string): Promise<SignatureRow | undefined> {
    await this.subscriptions.subscription(viewer, subscriptionId);
    return this.store.latest(subscriptionId);
  }

  /** A signature's status, for the provider's own pages (their link's token is the authorisation). */
  async statusOf(signatureId: string): Promise<SignatureRow['status'] | undefined> {
    return (await this.store.byId(signatureId))?.status;
  }

  /** The policy a signed subscription issued (the caller already reached the subscription). */
  policyOf(subscriptionId: string): Promise<PolicyRow | undefined> {
    return this.policies.ofSubscription(subscriptionId);
  }

  /** Confirms a one-time code: wrong codes count, an expired or exhausted code ends the attempt (422). */
  async confirmOtp({ viewer, requestId }: Acting, subscriptionId: string, code: string): Promise<SubscriptionRow> {
    const outcome = await this.db.transaction(async (tx) => {
      const subscription = await this.subscriptions.subscription(viewer, subscriptionId, tx, { forUpdate: true });
      const signature = await this.store.latest(subscription.id, tx);
      if (!signature || signature.method !== 'otp' || signature.status !== 'pending') throw new AppError('conflict', 'NO_PENDING_OTP_SIGNATURE');
      if (this.clock.now() > signature.otp_expires_at!) {
        await this.end(tx, signature, subscription, 'expired', { actor: viewer, requestId });
        return 'OTP_EXPIRED' as const;
      }
      const attempts = await this.store.countAttempt(tx, signature.id);
      if (!oneTimeCodeMatches(signature.id, code, signature.otp_hash!)) {
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
    if (typeof outcome === 'string') throw new AppError('unprocessable', outcome, { field: 'code' });
    return outcome;
  }

  /** Applies a provider's outcome for one of our signatures (esign webhook), in the webhook's transaction. */
  async applyProviderOutcome(tx: Queryable, signatureId: string, outcome: 'completed' | 'declined' | 'expired', provider: string): Promise<void> {
    const signature = await this.store.byId(signatureId, tx, { forUpdate: true });
    if (!signature) throw new AppError('unprocessable', 'UNKNOWN_SIGNATURE');
    const subscription = (await this.subscriptionStore.subscription(signature.subscription_id, tx, { forUpdate: true }))!;
    const by = { actor: { kind: 'system', id: provider } as const, requestId: null };
    // A late event for a signature that already ended changes nothing.
    if (signature.status !== 'pending') return;
    if (outcome === 'completed') await this.complete(tx, signature, subscription, by);
    else await this.end(tx, signature, subscription, outcome, by);
  }

  private async end(tx: Queryable, signature: SignatureRow, subscription: SubscriptionRow, status: 'declined' | 'expired', by: { actor: Actor; requestId: string | null; note?: string }): Promise<void> {
    if (!(await this.store.finish(tx, signature.id, status, this.clock.now()))) return;
    await this.transitions.apply(tx, subscription, 'abandon_signature', { ...by, note: by.note ?? `signature ${status}` });
  }

  /** Signature done: the subscription is signed, the withdrawal period starts, the policy is issued. */
  private async complete(tx: Queryable, signature: SignatureRow, subscription: SubscriptionRow, by: { actor: Actor; requestId: string | null }): Promise<void> {
    const now = this.clock.now();
    if (!(await this.store.finish(tx, signature.id, 'completed', now))) return;
    await this.transitions.apply(tx, subscription, 'complete_signature', { ...by, note: `signed by ${signature.method}` }, { signed_at: now, withdrawal_deadline: withdrawalDeadline(now) });
    const product = (await this.catalogue.product(subscription.product_id, tx))!;
    const policyId = newUuid();
    const compartmentId = newUuid();
    // The entry fee is taken from the first payment (in integers, as the documents printed it); the rest is invested.
    const { movements, invested } = premiumMovements({
      policyId, compartmentId, cause: { type: 'subscription', id: subscription.id }, amount: subscription.initial_payment, entryFeeBasisPoints: product.entry_fee_bp, currency: subscription.currency, at: now,
    });
    await this.policies.insertPolicy(
      tx,
      { id: policyId, subscription_id: subscription.id, subscriber_id: subscription.subscriber_id, product_id: product.id, status: 'active', issued_at: now },
      [{ id: compartmentId, policy_id: policyId, code: product.initial_compartment, status: 'active', value: invested, currency: subscription.currency, created_at: now }],
    );
    await this.policies.appendMovements(tx, movements);
    await this.onPolicyIssued(tx, { policyId, subscriberId: subscription.subscriber_id, standardClauseId: subscription.standard_clause_id, debitIban: subscription.debit_iban, debitHolder: subscription.debit_holder });
    const subscriber = await this.subscriptionStore.subscriber(subscription.subscriber_id, tx);
    await this.outbox.enqueue(tx, { recipientUserId: subscriber?.user_id ?? null, channel: 'email', template: 'policy_issued', payload: { subscriptionId: subscription.id, policyId, withdrawalDeadline: subscription.withdrawal_deadline } }, now);
  }
}
