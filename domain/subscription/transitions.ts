import { AppError } from '../../errors/app-error';
import type { Queryable } from '../../store/db';
import type { SubscriptionRow, SubscriptionStore } from '../../store/subscription-store';
import type { Actor, AuditTrail } from '../shared/audit-trail';
import type { Clock } from '../shared/clock';
import { transition, visibleStatus, type SubscriptionAction, type SubscriptionStatus } from './lifecycle';

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
    subscription: SubscriptionRow,
    action: SubscriptionAction,
    by: { actor: Actor; requestId: string | null; note?: string | null; asOf?: Date },
    extra: { signed_at?: Date; withdrawal_deadline?: Date; withdrawn_at?: Date } = {},
  ): Promise<SubscriptionStatus> {
    const now = this.clock.now();
    // `asOf`: an act that took effect earlier (a withdrawal letter received before it was keyed in).
    const to = transition(visibleStatus(subscription.status, subscription.withdrawal_deadline, by.asOf ?? now), action);
    if (to !== subscription.status && !(await this.store.changeStatus(tx, subscription.id, subscription.status, to, now, extra))) {
      throw new AppError('conflict', 'SUBSCRIPTION_CHANGED_CONCURRENTLY');
    }
    await this.store.appendHistory(tx, {
      subscription_id: subscription.id,
      at: now,
      from_status: subscription.status,
      to_status: to,
      actor_kind: by.actor.kind,
      actor_id: by.actor.id,
      note: by.note ?? null,
    });
    await this.audit.record(tx, {
      actor: by.actor,
      action: `subscription.${action}`,
      target: { type: 'subscription', id: subscription.id },
      requestId: by.requestId,
      details: { from: subscription.status, to },
    });
    Object.assign(subscription, { status: to, updated_at: now }, extra);
    return to;
  }
}
