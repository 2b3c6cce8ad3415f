import { AppError } from '../../errors/app-error';
import type { Queryable } from '../../store/db';
import type { OutboxStore } from '../../store/outbox-store';
import type { PayerStore } from '../../store/payer-store';
import type { PolicyStore } from '../../store/policy-store';
import type { PremiumStore } from '../../store/premium-store';
import type { ScheduleStore } from '../../store/schedule-store';
import type { PolicyService } from '../policy/policy-service';
import type { AuditTrail } from '../shared/audit-trail';
import type { Clock } from '../shared/clock';
import type { DomainEvent, EventPublisher } from '../shared/events';
import { newUuid } from '../shared/ids';
import { formatMoney } from '../shared/money-format';
import { parisDate } from '../shared/paris-calendar';
import type { WebhookEvent } from '../webhooks/registry';
import { rejectionOutcome } from './collection-rejection';
import { payerName } from './payer-name';
import { amountsByCompartment, type PremiumInvestment } from './premium-investment';
import { parsePremiumPaymentEvent, type CollectionOutcome, type CollectionType, type PremiumPaymentEvent } from './premium-payment-events';
import { rejectionLabel } from './rejection-codes';
import { unsettledAttempt, type PremiumAllocationLine } from './single-premium';

/** A collection attempt as settlement sees it, whichever kind it is. */
interface Attempt {
  type: CollectionType;
  id: string;
  policyId: string;
  payerId: string;
  scheduleId: string | null;
  status: string;
  amount: number;
  currency: string;
  allocation: PremiumAllocationLine[];
  attempt: number;
}

/** Statuses a collection settles from: waiting for the batch, or in a closed SEPA batch. */
const SETTLES_FROM = new Set(['pending_collection', 'submitted']);

/**
 * The payment provider's outcomes for our direct debits (`payments` webhook), applied in the webhook's
 * transaction: the inbox records each webhook-id once, and an attempt already collected or rejected
 * ignores any later event, so a premium is settled once. Collected: the ledger (premium and entry fee),
 * the investment, `premium.collected`. Rejected: the product's rule for the reason code makes a new
 * attempt due later, or tells the subscriber; a rule may suspend the schedule; `premium.rejected`.
 */
export class PremiumSettlement {
  constructor(
    private readonly premiums: PremiumStore,
    private readonly schedules: ScheduleStore,
    private readonly payers: Pick<PayerStore, 'payer'>,
    /** The ledger goes through the policy domain, with the entry-fee rule issue applies. */
    private readonly policyService: Pick<PolicyService, 'settlePremium'>,
    private readonly policies: Pick<PolicyStore, 'policy'>,
    private readonly investment: PremiumInvestment,
    private readonly audit: AuditTrail,
    private readonly outbox: OutboxStore,
    private readonly events: EventPublisher,
    private readonly clock: Clock,
  ) {}

  async apply(tx: Queryable, outcome: CollectionOutcome, event: WebhookEvent): Promise<void> {
    const parsed = parsePremiumPaymentEvent(event.data, outcome);
    const attempt = await this.locked(tx, parsed);
    if (!attempt) throw new AppError('unprocessable_content', 'UNKNOWN_PREMIUM_COLLECTION', { field: 'data.collection_id' });
    // Settled, cancelled or still waiting for its proof of funds: nothing to do (a replay, or a late event).
    if (!SETTLES_FROM.has(attempt.status)) return;
    const owner = (await this.policies.policy(attempt.policyId, tx))!;
    const now = this.clock.now();
    const by = { actor: { kind: 'system' as const, id: event.source }, requestId: null };
    const resource: DomainEvent['resource'] = attempt.type === 'single_premium_request' ? { requestId: attempt.id } : { policyId: attempt.policyId };
    const target = { type: attempt.type, id: attempt.id };

    if (outcome === 'collected') {
      await this.markCollected(tx, attempt, now);
      const invested = await this.policyService.settlePremium(tx, {
        policyId: attempt.policyId, collectionId: attempt.id, grossByCompartment: amountsByCompartment(attempt.allocation, attempt.amount), currency: attempt.currency,
      });
      await this.investment.invest(tx, { policyId: attempt.policyId, allocation: attempt.allocation, amount: invested, currency: attempt.currency, tradeDate: parisDate(now), cause: { type: 'payment', id: attempt.id } });
      await this.audit.record(tx, { ...by, action: 'premium.collected', target, details: { webhookId: event.id, policyId: attempt.policyId, amount: attempt.amount, invested, currency: attempt.currency, attempt: attempt.attempt } });
      await this.events.publish(tx, { type: 'premium.collected', distributorId: owner.distributorId, resource }, now);
      return;
    }

    const code = parsed.reasonCode!;
    const rule = await this.premiums.rejectionRule(owner.productId, code, tx);
    const next = rejectionOutcome(rule, attempt.attempt, parisDate(now));
    await this.markRejected(tx, attempt, { at: now, code, reason: parsed.reason });
    const retryId = next.retryOn ? await this.retry(tx, attempt, next.retryOn, event.source, now) : null;
    const suspended = attempt.scheduleId !== null && next.suspendsSchedule;
    if (suspended) await this.schedules.suspend(tx, attempt.scheduleId!, now);
    await this.audit.record(tx, {
      ...by, action: 'premium.rejected', target,
      details: { webhookId: event.id, policyId: attempt.policyId, reasonCode: code, reason: parsed.reason, attempt: attempt.attempt, retryId, retryOn: next.retryOn, scheduleSuspended: suspended },
    });
    await this.events.publish(tx, { type: 'premium.rejected', distributorId: owner.distributorId, resource }, now);
    if (!next.retryOn) await this.notify(tx, attempt, owner.userId, code, parsed.reason, suspended, now);
  }

  /** The attempt, its row locked (and its schedule's first, the order schedule changes lock in). */
  private async locked(tx: Queryable, e: PremiumPaymentEvent): Promise<Attempt | undefined> {
    if (e.collectionType === 'single_premium_request') {
      const r = await this.premiums.request(e.collectionId, tx, { forUpdate: true });
      return r && { type: e.collectionType, id: r.id, policyId: r.policyId, payerId: r.payerId, scheduleId: null, status: r.status, amount: r.amount, currency: r.currency, allocation: r.allocation, attempt: r.attempt };
    }
    const found = await this.schedules.collection(e.collectionId, tx);
    if (!found) return undefined;
    const schedule = (await this.schedules.schedule(found.scheduleId, tx, { forUpdate: true }))!;
    const c = (await this.schedules.collection(e.collectionId, tx, { forUpdate: true }))!;
    return { type: e.collectionType, id: c.id, policyId: c.policyId, payerId: schedule.payerId, scheduleId: c.scheduleId, status: c.status, amount: c.amount, currency: c.currency, allocation: c.allocation, attempt: c.attempt };
  }

  private async markCollected(tx: Queryable, a: Attempt, at: Date): Promise<void> {
    if (a.type === 'single_premium_request') await this.premiums.update(tx, a.id, { status: 'collected', updatedAt: at, collectedAt: at });
    else await this.schedules.settleCollection(tx, a.id, { status: 'collected', at });
  }

  private async markRejected(tx: Queryable, a: Attempt, r: { at: Date; code: string; reason: string | null }): Promise<void> {
    if (a.type === 'single_premium_request') await this.premiums.update(tx, a.id, { status: 'rejected', updatedAt: r.at, rejection: r });
    else await this.schedules.settleCollection(tx, a.id, { status: 'rejected', ...r });
  }

  /** A new attempt of the same premium due on `dueDate`; the unique key on the attempt it follows makes it once. */
  private async retry(tx: Queryable, a: Attempt, dueDate: string, source: string, now: Date): Promise<string> {
    const id = newUuid();
    if (a.type === 'single_premium_request') {
      const r = (await this.premiums.request(a.id, tx))!;
      await this.premiums.insert(tx, {
        ...r, id, status: 'pending_collection', createdByKind: 'system', createdById: source, createdAt: now, updatedAt: now, cancelledAt: null, ...unsettledAttempt(a), dueDate,
      });
    } else {
      const c = (await this.schedules.collection(a.id, tx))!;
      await this.schedules.insertCollection(tx, {
        ...c, id, dueDate, status: 'pending_collection', createdAt: now, ...unsettledAttempt(a),
      });
    }
    return id;
  }

  /**
   * No new attempt: the subscriber is told, with the payer who was debited, and so is a payer who gave an
   * address of their own (payers never sign in).
   */
  private async notify(tx: Queryable, a: Attempt, userId: string | null, code: string, reason: string | null, suspended: boolean, now: Date): Promise<void> {
    const payer = await this.payers.payer(a.payerId, tx);
    const payload = {
      collectionType: a.type, collectionId: a.id, policyId: a.policyId, amount: a.amount, currency: a.currency, amountText: formatMoney(a.amount, a.currency),
      payerName: payer && payer.relationship !== 'self' ? payerName(payer) : null, reasonCode: code, reasonLabel: rejectionLabel(code), reason, scheduleSuspended: suspended,
    };
    await this.outbox.enqueue(tx, { recipientUserId: userId, channel: 'email', template: 'premium_rejected', payload }, now);
    if (payer?.email) await this.outbox.enqueue(tx, { recipientUserId: null, channel: 'email', template: 'premium_rejected', payload: { ...payload, to: payer.email } }, now);
  }
}
