import { AppError } from '../../errors/app-error';
import type { Queryable } from '../../store/db';
import type { OutboxStore } from '../../store/outbox-store';
import type { PolicyStore } from '../../store/policy-store';
import type { SurrenderDeclarationRow, SurrenderStore } from '../../store/surrender-store';
import type { AuditTrail } from '../shared/audit-trail';
import type { Clock } from '../shared/clock';
import type { WebhookEvent } from '../webhooks/registry';
import { parseSurrenderPaymentEvent } from './payment-events';
import { paymentTransition, type PaymentOutcome } from './surrender-rules';

/**
 * The payment provider's outcomes for our declarations (`payments` webhook), applied in the webhook's
 * transaction: the inbox records each webhook-id once, and a declaration that is already paid or
 * rejected ignores any later event, so a payment takes effect exactly once.
 */
export class SurrenderPayments {
  constructor(
    private readonly store: SurrenderStore,
    private readonly policies: PolicyStore,
    private readonly audit: AuditTrail,
    private readonly outbox: OutboxStore,
    private readonly clock: Clock,
  ) {}

  async apply(tx: Queryable, outcome: PaymentOutcome, event: WebhookEvent): Promise<void> {
    const { declarationId, reason } = parseSurrenderPaymentEvent(event.data, outcome);
    const found = await this.store.byId(declarationId, tx);
    if (!found) throw new AppError('unprocessable', 'UNKNOWN_SURRENDER_DECLARATION', { field: 'data.declaration_id' });
    // Policy first, then the declaration: the order declarations lock in, so the two never wait on each other.
    await this.store.lockPolicy(tx, found.policy_id);
    const declaration = (await this.store.byId(declarationId, tx, { forUpdate: true }))!;
    const to = paymentTransition(declaration.status, outcome);
    if (to === undefined) return;
    const now = this.clock.now();
    const paidAmount = to === 'paid' ? await this.settle(tx, declaration, event.source) : undefined;
    await this.store.changeStatus(tx, declaration.id, declaration.status, { to, at: now, paidAmount, rejectionReason: reason ?? undefined });
    await this.store.appendEvent(tx, { declarationId: declaration.id, at: now, from: declaration.status, to, actorKind: 'system', actorId: event.source, note: reason });
    await this.audit.record(tx, {
      actor: { kind: 'system', id: event.source }, action: `surrender.${to}`, target: { type: 'surrender_declaration', id: declaration.id }, requestId: null,
      details: { webhookId: event.id, policyId: declaration.policy_id, kind: declaration.kind, from: declaration.status, to, paidAmount: paidAmount ?? null, rejectionReason: reason },
    });
    const owner = await this.policies.policy(declaration.policy_id, tx);
    await this.outbox.enqueue(tx, {
      recipientUserId: owner?.user_id ?? null, channel: 'email', template: `surrender_${to}`,
      payload: { declarationId: declaration.id, policyId: declaration.policy_id, kind: declaration.kind, paidAmount: paidAmount ?? null, currency: declaration.currency, payoutIban: declaration.payout_iban_masked, rejectionReason: reason },
    }, now);
  }

  /**
   * Money left: a total surrender closes the policy and every compartment (value 0), each closure
   * recorded in the compartment's lifecycle; a partial one lowers its compartment by the amount.
   * Returns what was paid.
   */
  private async settle(tx: Queryable, declaration: SurrenderDeclarationRow, source: string): Promise<number> {
    if (declaration.kind === 'partial') {
      if (!(await this.store.lowerCompartmentValue(tx, declaration.compartment_id!, declaration.amount))) {
        // Cannot happen while declarations reserve their amounts; refusing keeps the books right and the provider retries.
        throw new AppError('conflict', 'COMPARTMENT_VALUE_BELOW_SURRENDER_AMOUNT');
      }
      return declaration.amount;
    }
    const compartments = (await this.policies.compartments([declaration.policy_id], tx)).filter((c) => c.status !== 'closed');
    await this.store.closePolicy(tx, declaration.policy_id);
    const at = this.clock.now();
    for (const c of compartments) {
      await this.policies.appendCompartmentEvent(tx, { compartmentId: c.id, at, from: c.status, to: 'closed', actorKind: 'system', actorId: source, reason: `total surrender ${declaration.id} paid` });
    }
    return compartments.reduce((sum, c) => sum + c.value, 0);
  }
}
