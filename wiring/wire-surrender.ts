import type { Services } from '../context/context';
import type { DeathSettlementService } from '../domain/death-settlement/death-settlement-service';
import type { OrderService } from '../domain/investments/order-service';
import { remainingLines } from '../domain/investments/position-order';
import type { PayOutService } from '../domain/pay-out/pay-out-service';
import type { PolicyFreeze } from '../domain/shared/policy-freeze';
import type { AcceptedBeneficiaryConsents } from '../domain/surrender/accepted-beneficiaries';
import { EarlyReleaseFile, type EarlyReleaseProofs } from '../domain/surrender/early-release-file';
import type { PayoutIbans } from '../domain/surrender/payout-account';
import type { PositionSales } from '../domain/surrender/position-sales';
import { SurrenderPayments } from '../domain/surrender/surrender-payments';
import { SurrenderService } from '../domain/surrender/surrender-service';
import type { Queryable } from '../store/db';
import { OutboxStore } from '../store/outbox-store';
import { PolicyStore } from '../store/policy-store';
import { SurrenderStore } from '../store/surrender-store';
import type { Core } from './core';

/** What surrender reads from other domains, each through a small interface. */
interface SurrenderNeighbours {
  payoutIbans: PayoutIbans;
  acceptedBeneficiaries: AcceptedBeneficiaryConsents;
  proofs: EarlyReleaseProofs;
  sales: PositionSales;
}

/**
 * The one way a rejected surrender declaration's sales give their money back: the payment provider's
 * rejection and a notice of death both call it. The orders are returned, then the declaration's sale
 * says what became of them.
 */
export async function returnDeclarationSales(services: Services, tx: Queryable, id: string, reason: string): Promise<void> {
  await services.orders.returnSales(tx, { type: 'surrender_declaration', id }, { type: 'surrender_rejected', id }, reason);
  await services.surrender.saleReturned(tx, id);
}

/** Surrender declarations, their early-release files and the payment provider's outcomes for them. */
export function surrenderServices(core: Core, from: { payOut: PayOutService; deathSettlement: DeathSettlementService; orders: OrderService }, freeze: PolicyFreeze) {
  const { db, audit, events, clock, policies, services } = core;
  const { payOut, deathSettlement, orders } = from;
  const neighbours: SurrenderNeighbours = {
    // A payout goes to a confirmed pay-out IBAN: the one named, else the subscriber's default.
    payoutIbans: { find: (tx, subscriberId, ibanId) => payOut.payoutAccount(tx, subscriberId, ibanId) },
    // An accepted beneficiary's consent, read from the policy's current designation.
    acceptedBeneficiaries: { relyOnConsents: (tx, policyId, declarationId) => deathSettlement.relyOnConsents(tx, policyId, declarationId) },
    proofs: { ofDeclaration: (tx, declarationId) => services().evidence.ofSubject(tx, 'early_release_proof', declarationId) },
    sales: {
      heldValue: (tx, compartment) => orders.heldValue(tx, compartment),
      sell: (tx, input) => orders.sell(tx, input),
      executeDue: (ids) => orders.executeDue(ids),
      reduceBuys: (tx, compartmentId, by, cause, options) => orders.reduceBuys(tx, compartmentId, by, cause, options),
      // Every rejection path (the payment provider, a notice of death) gives a declaration's sales back this way.
      returnSales: (tx, id, reason) => returnDeclarationSales(services(), tx, id, reason),
      lockSales: (tx, id) => orders.lockForReturn(tx, { cause: { type: 'surrender_declaration', ids: [id] } }),
      ofDeclarations: async (ids, tx) => (await orders.ofCause('surrender_declaration', ids, tx)).map((o) => ({
        id: o.id, compartmentId: o.compartmentId, status: o.status, proceeds: o.proceeds,
        unsold: o.status === 'pending' ? remainingLines(o).reduce((sum, l) => sum + (l.amount ?? 0), 0) : 0,
      })),
    },
  };
  const store = new SurrenderStore(db);
  const policyStore = new PolicyStore(db);
  const outbox = new OutboxStore();
  const earlyReleaseFile = new EarlyReleaseFile(store, policyStore, neighbours.proofs, audit, outbox, clock);
  return {
    surrender: new SurrenderService(db, store, policies, policyStore, core.products, neighbours.payoutIbans, neighbours.acceptedBeneficiaries, earlyReleaseFile, audit, outbox, events, clock, freeze, neighbours.sales),
    surrenderPayments: new SurrenderPayments(store, policies, policyStore, audit, outbox, events, clock, neighbours.sales),
    earlyReleaseFile,
  };
}
