import { AppError } from '../../errors/app-error';
import type { Db } from '../../store/db';
import type { OutboxStore } from '../../store/outbox-store';
import type { PolicyStore, RefundRow } from '../../store/policy-store';
import type { SubscriptionRow, SubscriptionStore } from '../../store/subscription-store';
import type { Viewer } from '../auth/viewer';
import type { Clock } from '../shared/clock';
import { newId } from '../shared/ids';
import { visibleStatus } from './lifecycle';
import type { Acting } from '../shared/acting';
import type { SubscriptionService } from './subscription-service';
import type { Transitions } from './transitions';
import { refundDueBy } from './withdrawal-period';

/** Withdrawal (renonciation, L132-5-1): within the period the contract is void and every sum paid is refunded. */
export class WithdrawalService {
  constructor(
    private readonly db: Db,
    private readonly subscriptions: SubscriptionService,
    private readonly subscriptionStore: SubscriptionStore,
    private readonly policies: PolicyStore,
    private readonly outbox: OutboxStore,
    private readonly transitions: Transitions,
    private readonly clock: Clock,
  ) {}

  async withdraw({ viewer, requestId }: Acting, subscriptionId: string, reason: string | null): Promise<SubscriptionRow> {
    return this.db.transaction(async (tx) => {
      const subscription = await this.subscriptions.subscription(viewer, subscriptionId, tx, { forUpdate: true });
      const now = this.clock.now();
      // Past the deadline the contract stands: a rule refuses it (422), not the lifecycle (409).
      if (visibleStatus(subscription.status, subscription.withdrawal_deadline, now) === 'active') {
        throw new AppError('unprocessable', 'WITHDRAWAL_PERIOD_ENDED');
      }
      await this.transitions.apply(tx, subscription, 'withdraw', { actor: viewer, requestId, note: reason }, { withdrawn_at: now });
      const policy = await this.policies.ofSubscription(subscription.id, tx);
      if (policy) await this.policies.closeForWithdrawal(tx, policy.id);
      // All sums paid: the initial payment (scheduled payments start after the withdrawal period).
      await this.policies.insertRefund(tx, { id: newId('rfd'), subscription_id: subscription.id, amount: subscription.initial_payment, currency: subscription.currency, recorded_at: now, due_by: refundDueBy(now) });
      const subscriber = await this.subscriptionStore.subscriber(subscription.subscriber_id, tx);
      await this.outbox.enqueue(tx, { recipientUserId: subscriber?.user_id ?? null, channel: 'email', template: 'withdrawal_confirmed', payload: { subscriptionId: subscription.id, refund: subscription.initial_payment, currency: subscription.currency } }, now);
      return subscription;
    });
  }

  async refund(viewer: Viewer, subscriptionId: string): Promise<RefundRow | undefined> {
    await this.subscriptions.subscription(viewer, subscriptionId);
    return this.policies.refundOf(subscriptionId);
  }
}
