import { ClaimBeneficiaryService } from '../domain/death-claims/claim-beneficiary-service';
import { DeathClaimPaymentService } from '../domain/death-claims/claim-payment-service';
import { DeathClaimService } from '../domain/death-claims/death-claim-service';
import { CatalogueStore } from '../store/catalogue-store';
import { DeathClaimBeneficiaryStore } from '../store/death-claim-beneficiary-store';
import { DeathClaimPaymentStore } from '../store/death-claim-payment-store';
import { DeathClaimStore } from '../store/death-claim-store';
import { OutboxStore } from '../store/outbox-store';
import { PolicyStore } from '../store/policy-store';
import { SubscriptionStore } from '../store/subscription-store';
import type { Core } from './core';
import { returnDeclarationSales } from './wire-surrender';

/** Death claims, their beneficiaries and the payments of their capital. */
export function deathClaimServices(core: Core) {
  const { db, audit, events, clock, services, policies } = core;
  // A death claim freezes its policy: every act on a policy's money or beneficiaries asks it.
  const deathClaims = new DeathClaimService(db, new DeathClaimStore(db), new SubscriptionStore(db), new CatalogueStore(db), new OutboxStore(), events, audit, clock, {
    lock: (tx, policyIds) => services().orders.lockForReturn(tx, { policyIds }),
    giveBack: async (tx, ids, reason) => {
      for (const id of ids) await returnDeclarationSales(services(), tx, id, `surrender declaration ${id} rejected: ${reason}`);
    },
  });
  return {
    deathClaims,
    // A beneficiary's documents are evidence (read when an operation runs: evidence needs this service's handler).
    claimBeneficiaries: new ClaimBeneficiaryService(db, new DeathClaimBeneficiaryStore(), new DeathClaimStore(db), deathClaims, () => services().evidence, new OutboxStore(), events, audit, clock),
    deathClaimPayments: new DeathClaimPaymentService(db, new DeathClaimPaymentStore(db), new DeathClaimStore(db), new DeathClaimBeneficiaryStore(), new PolicyStore(db), new OutboxStore(), events, audit, clock, policies),
  };
}
