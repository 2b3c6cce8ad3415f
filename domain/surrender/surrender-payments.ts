import { AppError } from '../../errors/app-error';
import { declarationResource } from './surrender-declaration';
import type { EventPublisher } from '../shared/events';
import type { Queryable } from '../../store/db';
import type { OutboxStore } from '../../store/outbox-store';
import type { PolicyStore } from '../../store/policy-store';
import type { SurrenderStore } from '../../store/surrender-store';
import type { PolicyService } from '../policy/policy-service';
import type { AuditTrail } from '../shared/audit-trail';
import type { Clock } from '../shared/clock';
import type { WebhookEvent } from '../webhooks/registry';
import { parseSurrenderPaymentEvent } from './payment-events';
import { paymentTransition, type PaymentOutcome } from './surrender-rules';
import type { SurrenderDeclaration } from './surrender-declaration';
import type { PositionSales } from './position-sales';

/**
 * The payment provider's outcomes for our declarations (`payments` webhook), applied in the webhook's
 * transaction: the inbox records each webhook-id once, and a declaration that is already paid or
 * rejected ignores any later event, so a payment takes effect exactly once.
 */
export class SurrenderPayments {
  constructor(
    private readonly store: SurrenderStore,
    /** Settlement goes through the policy domain: it changes the policy and records the ledger movements. */
    private readonly policyService: PolicyService,
    private readonly policies: PolicyStore,
    private readonly audit: AuditTrail,
    private readonly outbox: OutboxStore,
    private readonly events: EventPublisher,
    private readonly clock: Clock,
    private readonly sales: PositionSales,
  ) {}

  async apply(tx: Queryable, outcome: PaymentOutcome, event: WebhookEvent): Promise<void> {
    const { declarationId, reason } = parseSurrenderPaymentEvent(event.data, outcome);
    const found = await this.store.byId(declarationId, tx);
    if (!found) throw new AppError('unprocessable_content', 'UNKNOWN_SURRENDER_DECLARATION', { field: 'data.declaration_id' });
    // Policy first, then the declaration: the order declarations lock in, so the two never wait on each other.
    await this.policies.lock(tx, found.policyId);
    // A rejection may give a sale back: its compartments before the declaration, as an execution locks them.
    if (outcome === 'rejected') await this.sales.lockSales(tx, declarationId);
    const declaration = (await this.store.byId(declarationId, tx, { forUpdate: true }))!;
    const to = paymentTransition(declaration.status, outcome);
    if (to === undefined) return;
    // What is paid is what the sale produces: nothing may move before it is known (the provider retries on 409).
    // A rejection pays nothing: it may come while the sale waits, which it then cancels.
    if (declaration.saleStatus === 'pending' && to !== 'rejected') throw new AppError('conflict', 'SURRENDER_SALE_PENDING');
    const now = this.clock.now();
    const paidAmount = to === 'paid' ? await this.settle(tx, declaration, event.source) : undefined;
    // Money a rejected declaration's sale took out of the positions goes back into them.
    if (to === 'rejected' && declaration.saleStatus !== null) await this.sales.returnSales(tx, declaration.id, `surrender declaration ${declaration.id} rejected`);
    await this.store.changeStatus(tx, declaration.id, declaration.status, { to, at: now, paidAmount, rejectionReason: reason ?? undefined });
    await this.store.appendEvent(tx, { declarationId: declaration.id, at: now, from: declaration.status, to, actorKind: 'system', actorId: event.source, note: reason });
    await this.audit.record(tx, {
      actor: { kind: 'system', id: event.source }, action: `surrender.${to}`, target: { type: 'surrender_declaration', id: declaration.id }, requestId: null,
      details: { webhookId: event.id, policyId: declaration.policyId, kind: declaration.kind, from: declaration.status, to, paidAmount: paidAmount ?? null, rejectionReason: reason },
    });
    const owner = await this.policies.policy(declaration.policyId, tx);
    if (to === 'paid') await this.events.publish(tx, { type: 'surrender.paid', distributorId: owner?.distributorId ?? null, resource: declarationResource(declaration) }, now);
    await this.outbox.enqueue(tx, {
      recipientUserId: owner?.userId ?? null, channel: 'email', template: `surrender_${to}`,
      payload: { declarationId: declaration.id, policyId: declaration.policyId, kind: declaration.kind, paidAmount: paidAmount ?? null, currency: declaration.currency, payoutIban: declaration.payoutIban, rejectionReason: reason },
    }, now);
  }

  /**
   * Money left, through the policy's own rules: a total surrender closes the policy and pays out every
   * compartment, a partial one takes its amount out of its compartment; each payout is a ledger
   * movement. Returns what was paid.
   */
  private async settle(tx: Queryable, declaration: SurrenderDeclaration, source: string): Promise<number> {
    // A sold compartment pays its sale's proceeds (its positions already moved); one holding no positions, its recorded amount.
    const sold = declaration.saleStatus === 'executed' ? new Map((await this.sales.ofDeclarations([declaration.id], tx)).map((s) => [s.compartmentId, s.proceeds ?? 0])) : new Map<string, number>();
    if (declaration.kind === 'partial') {
      return this.policyService.settlePartialSurrender(tx, {
        policyId: declaration.policyId, compartmentId: declaration.compartmentId!, declarationId: declaration.id, amount: declaration.amount, currency: declaration.currency,
        fromPositions: sold.has(declaration.compartmentId!),
      });
    }
    return this.policyService.settleTotalSurrender(tx, { policyId: declaration.policyId, declarationId: declaration.id, by: { kind: 'system', id: source }, sold });
  }
}
