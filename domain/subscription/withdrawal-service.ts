import { AppError, insufficientRoles } from '../../errors/app-error';
import type { EventPublisher } from '../shared/events';
import type { Db } from '../../store/db';
import type { OutboxStore } from '../../store/outbox-store';
import type { PolicyStore } from '../../store/policy-store';
import type { SubscriptionStore } from '../../store/subscription-store';
import type { Viewer } from '../auth/viewer';
import type { Clock } from '../shared/clock';
import { newUuid } from '../shared/ids';
import { visibleStatus } from './lifecycle';
import type { Acting } from '../shared/acting';
import type { SubscriptionService } from './subscription-service';
import type { Transitions } from './transitions';
import { refundDueBy, withdrawalNoticeAt } from './withdrawal-period';
import type { PolicyService } from '../policy/policy-service';
import type { Refund } from '../policy/policy';
import type { Subscription } from './subscription';

/** A withdrawal as asked: the subscriber's own words, or the letter back-office received. */
export interface WithdrawalInput {
  reason: string | null;
  /** Back-office only, and required from it: the Paris date the subscriber's letter was received (YYYY-MM-DD). */
  letterReceivedOn?: string | null;
}

/**
 * Withdrawal (renonciation, L132-5-1): within the period the contract is void and every sum paid is
 * refunded. It is the subscriber's own act: the subscriber withdraws, or back-office records the letter
 * the subscriber sent; a broker or a partner platform cannot withdraw for them (403). The refund is what
 * the policy's ledger says was paid, and nothing once a surrender is declared or paid (409).
 */
export class WithdrawalService {
  constructor(
    private readonly db: Db,
    private readonly subscriptions: SubscriptionService,
    private readonly subscriptionStore: SubscriptionStore,
    private readonly policies: PolicyStore,
    private readonly policyService: PolicyService,
    private readonly outbox: OutboxStore,
    private readonly events: EventPublisher,
    private readonly transitions: Transitions,
    private readonly clock: Clock,
  ) {}

  async withdraw({ viewer, requestId }: Acting, subscriptionId: string, input: WithdrawalInput): Promise<Subscription> {
    if (viewer.kind !== 'subscriber' && viewer.kind !== 'backoffice') throw insufficientRoles();
    const letter = input.letterReceivedOn ?? null;
    if (viewer.kind === 'backoffice' && letter === null) throw new AppError('parameter_invalid', 'REQUIRED_FIELD_MISSING', { field: 'letterReceivedOn' });
    if (viewer.kind === 'subscriber' && letter !== null) throw new AppError('parameter_invalid', 'NOT_ALLOWED_FOR_ROLE', { field: 'letterReceivedOn' });
    return this.db.transaction(async (tx) => {
      const subscription = await this.subscriptions.subscription(viewer, subscriptionId, tx, { forUpdate: true });
      const now = this.clock.now();
      const noticeAt = withdrawalNoticeAt(letter, subscription.signedAt, now);
      // Past the deadline the contract stands: a rule refuses it (422), not the lifecycle (409).
      if (visibleStatus(subscription.status, subscription.withdrawalDeadline, noticeAt) === 'active') {
        throw new AppError('unprocessable_content', 'WITHDRAWAL_PERIOD_ENDED');
      }
      const note = letter === null ? input.reason : `letter received on ${letter}${input.reason ? `: ${input.reason}` : ''}`;
      await this.transitions.apply(tx, subscription, 'withdraw', { actor: viewer, requestId, note, asOf: noticeAt }, { withdrawnAt: noticeAt });
      const policy = await this.policies.ofSubscription(subscription.id, tx);
      if (!policy) throw new AppError('conflict', 'NO_POLICY_ISSUED');
      const refundId = newUuid();
      // The ledger decides what is refunded (all sums paid), and refuses once money went out.
      const refund = await this.policyService.voidForWithdrawal(tx, { policyId: policy.id, subscriptionId: subscription.id, refundId, by: { kind: viewer.kind, id: viewer.id } });
      await this.policies.insertRefund(tx, { id: refundId, subscriptionId: subscription.id, amount: refund.amount, currency: refund.currency, recordedAt: now, dueBy: refundDueBy(noticeAt) });
      const subscriber = await this.subscriptionStore.subscriber(subscription.subscriberId, tx);
      await this.events.publish(tx, { type: 'subscription.withdrawn', distributorId: subscriber?.distributorId ?? null, resource: { subscriptionId: subscription.id } }, now);
      await this.outbox.enqueue(tx, { recipientUserId: subscriber?.userId ?? null, channel: 'email', template: 'withdrawal_confirmed', payload: { subscriptionId: subscription.id, refund: refund.amount, currency: refund.currency } }, now);
      return subscription;
    });
  }

  async refund(viewer: Viewer, subscriptionId: string): Promise<Refund | undefined> {
    await this.subscriptions.subscription(viewer, subscriptionId);
    return this.policies.refundOf(subscriptionId);
  }
}
