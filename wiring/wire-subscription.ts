import type { Services } from '../context/context';
import { DocumentService } from '../domain/subscription/document-service';
import type { ESignProvider } from '../domain/subscription/esign-provider';
import { SigningService } from '../domain/subscription/signing-service';
import { SubscriptionService } from '../domain/subscription/subscription-service';
import { Transitions } from '../domain/subscription/transitions';
import { WithdrawalService } from '../domain/subscription/withdrawal-service';
import { parisDate } from '../domain/shared/paris-calendar';
import { CatalogueStore } from '../store/catalogue-store';
import { DocumentStore } from '../store/document-store';
import { OutboxStore } from '../store/outbox-store';
import { PolicyStore } from '../store/policy-store';
import { SignatureStore } from '../store/signature-store';
import { SubscriptionStore } from '../store/subscription-store';
import type { Core } from './core';

/** The subscription journey's services, sharing one transition recorder. */
export function subscriptionServices(core: Core, esign: ESignProvider) {
  const { db, audit, events, clock, policies: policyService } = core;
  const subscriptionStore = new SubscriptionStore(db);
  const catalogue = new CatalogueStore(db);
  const policies = new PolicyStore(db);
  const outbox = new OutboxStore();
  const transitions = new Transitions(subscriptionStore, audit, clock);
  const subscription = new SubscriptionService(db, subscriptionStore, catalogue, audit, clock, core.products);
  return {
    subscription,
    documents: new DocumentService(db, subscription, subscriptionStore, catalogue, new DocumentStore(db), transitions, audit, clock),
    signing: new SigningService(db, subscription, subscriptionStore, catalogue, new SignatureStore(db), policies, outbox, events, transitions, esign, clock, onPolicyIssued(core.services)),
    withdrawal: new WithdrawalService(db, subscription, subscriptionStore, policies, policyService, outbox, events, transitions, clock),
  };
}

/** What issuing a policy starts in other domains, in the issuing transaction. */
function onPolicyIssued(services: () => Services): ConstructorParameters<typeof SigningService>[11] {
  return async (tx, issued) => {
    if (issued.standardClauseId) await services().deathSettlement.initialDesignation(tx, issued.policyId, issued.standardClauseId);
    // No silent fallback to the debit IBAN at pay-out time: it becomes a confirmed pay-out IBAN here.
    await services().payOut.adoptDebitIban(tx, issued);
    // The policy's value becomes positions bought by the subscription's allocation at the first NAVs dated on or after payment.
    if (issued.invested.amount > 0) await services().orders.invest(tx, {
      policyId: issued.policyId, allocation: issued.invested.allocation.map((l) => ({ compartmentId: issued.invested.compartmentId, ...l })),
      amount: issued.invested.amount, currency: issued.invested.currency, tradeDate: parisDate(issued.invested.paidAt), cause: { type: 'issue', id: issued.policyId },
    });
  };
}
