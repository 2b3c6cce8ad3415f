import type { Services } from '../context/context';
import { CLAIM_PAYMENT_EVENTS } from '../domain/death-claims/claim-payment-events';
import { PREMIUM_PAYMENT_EVENTS } from '../domain/premiums/premium-payment-events';
import { SURRENDER_PAYMENT_EVENTS } from '../domain/surrender/payment-events';
import { WebhookRegistry } from '../domain/webhooks/registry';
import { AppError } from '../errors/app-error';

/** The providers' webhooks we take, each handled by the domain its event is about. */
export function providerWebhooks(services: Services): WebhookRegistry {
  const webhooks = new WebhookRegistry();
  for (const [type, outcome] of [['signature.completed', 'completed'], ['signature.declined', 'declined'], ['signature.expired', 'expired']] as const) {
    webhooks.register('esign', type, (event, tx) => services.signing.applyProviderOutcome(tx, signatureIdOf(event.data), outcome, 'esign'));
  }
  for (const [type, outcome] of SURRENDER_PAYMENT_EVENTS) {
    webhooks.register('payments', type, (event, tx) => services.surrenderPayments.apply(tx, outcome, event));
  }
  for (const [type, outcome] of PREMIUM_PAYMENT_EVENTS) {
    webhooks.register('payments', type, (event, tx) => services.premiumSettlement.apply(tx, outcome, event));
  }
  for (const [type, outcome] of CLAIM_PAYMENT_EVENTS) {
    webhooks.register('payments', type, (event, tx) => services.deathClaimPayments.apply(tx, outcome, event));
  }
  return webhooks;
}

/** The esign webhook names our signature in `data.signature_id`. */
function signatureIdOf(data: unknown): string {
  const id = (data as { signature_id?: unknown } | null)?.signature_id;
  if (typeof id !== 'string') throw new AppError('parameter_invalid', 'SIGNATURE_ID_MISSING', { field: 'data.signature_id' });
  return id;
}
