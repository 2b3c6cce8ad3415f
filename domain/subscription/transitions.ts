import { AppError } from '../../errors/app-error';
import type { Queryable } from '../../store/db';
import type { SubscriptionStore } from '../../store/subscription-store';
import type { Actor, AuditTrail } from '../shared/audit-trail';
import type { Clock } from '../shared/clock';
import { transition, visibleStatus, type SubscriptionAction, type SubscriptionStatus } from './lifecycle';
import type { Subscription } from './subscription';

/**
 * Applies one lifecycle step inside the caller's transaction: checks it against the lifecycle (409 naming
 * the current state), changes the row only if nobody changed it meanwhile, and records the history entry
 * and the audit entry. Every state change of a subscription goes through here.
 */
export class Transitions {
  constructor(
    private readonly store: SubscriptionStore,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
  ) {}

  async apply(
    tx: Queryable,
    subscription: Subscription,
    action: SubscriptionAction,
    by: { actor: Actor; requestId: string | null; note?: string | null; asOf?: Date },
    extra: { signedAt?: Date; withdrawalDeadline?: Date; withdrawnAt?: Date } = {},
  ): Promise<SubscriptionStatus> {
    const now = this.clock.now();
    // `asOf`: an act that took effect earlier (a withdrawal letter received before it was keyed in).
    const to = transition(visibleStatus(subscription.status, subscription.withdrawalDeadline, by.asOf ?? now), action);
    if (to !== subscription.status && !(await this.store.changeStatus(tx, subscription.id, subscription.status, to, now, extra))) {
      throw new AppError('conflict', 'SUBSCRIPTION_CHANGED_CONCURRENTLY');
    }
    await this.store.appendHistory(tx, {
      subscriptionId: subscription.id,
      at: now,
      fromStatus: subscription.status,
      toStatus: to,
      actorKind: by.actor.kind,
      actorId: by.actor.id,
      note: by.note ?? null,
    });
    await this.audit.record(tx, {
      actor: by.actor,
      action: `subscription.${action}`,
      target: { type: 'subscription', id: subscription.id },
      requestId: by.requestId,
      details: { from: subscription.status, to },
    });
    Object.assign(subscription, { status: to, updatedAt: now }, extra);
    return to;
  }
}
