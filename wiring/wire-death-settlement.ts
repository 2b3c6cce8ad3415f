import { DeathSettlementService } from '../domain/death-settlement/death-settlement-service';
import type { PolicyDocuments } from '../domain/death-settlement/policy-documents';
import type { PolicyFreeze } from '../domain/shared/policy-freeze';
import { BeneficiaryStore } from '../store/beneficiary-store';
import { CatalogueStore } from '../store/catalogue-store';
import { OutboxStore } from '../store/outbox-store';
import type { Core } from './core';

/** Beneficiary designations of policies. */
export function deathSettlementService(core: Core, freeze: PolicyFreeze): DeathSettlementService {
  const { db, audit, events, clock, services } = core;
  // Beneficiary documents are evidence attached to the policy (read when an operation runs, once `services` exists).
  const policyDocuments: PolicyDocuments = {
    ofPolicy: (tx, kind, policyId) => services().evidence.ofSubject(tx, kind, policyId),
    accept: async (tx, acting, id) => void (await services().evidence.acceptWithin(tx, acting, id)),
  };
  return new DeathSettlementService(db, new BeneficiaryStore(db), core.policies, new CatalogueStore(db), policyDocuments, new OutboxStore(), events, audit, clock, freeze);
}
