import type { Config } from '../config';
import { PayerService } from '../domain/premiums/payer-service';
import { PremiumFunding } from '../domain/premiums/premium-funding';
import { RecordedAmountInvestment, type PremiumInvestment } from '../domain/premiums/premium-investment';
import { PremiumScheduleService } from '../domain/premiums/premium-schedule-service';
import { PremiumSettlement } from '../domain/premiums/premium-settlement';
import { SepaBatchService } from '../domain/premiums/sepa-batch-service';
import { SinglePremiumService } from '../domain/premiums/single-premium-service';
import type { PolicyFreeze } from '../domain/shared/policy-freeze';
import { CatalogueStore } from '../store/catalogue-store';
import { OutboxStore } from '../store/outbox-store';
import { PayerStore } from '../store/payer-store';
import { PolicyStore } from '../store/policy-store';
import { PremiumStore } from '../store/premium-store';
import { ScheduleStore } from '../store/schedule-store';
import { SepaStore } from '../store/sepa-store';
import { SubscriptionStore } from '../store/subscription-store';
import type { Core } from './core';

/** Payers, single and scheduled premiums, their SEPA batches and the payment provider's outcomes for them. */
export function premiumServices(core: Core, sepa: Config['sepa'], freeze: PolicyFreeze) {
  const { db, audit, events, clock, policies, services } = core;
  const payers = new PayerService(db, new PayerStore(db), new SubscriptionStore(db), audit, clock);
  const funding = new PremiumFunding(policies, new PolicyStore(db), new SubscriptionStore(db), new CatalogueStore(db), payers, freeze);
  // A collected premium counts in its compartments' recorded amounts, as issue's money does, and buys
  // fund positions at the first NAVs dated on or after its arrival (position orders).
  const recordedAmounts = new RecordedAmountInvestment(new PolicyStore(db));
  const premiumInvestment: PremiumInvestment = {
    invest: async (tx, premium) => {
      await recordedAmounts.invest(tx, premium);
      if (premium.amount > 0) await services().orders.invest(tx, { ...premium, cause: { type: 'premium', id: premium.cause.id } });
    },
  };
  return {
    payers,
    singlePremiums: new SinglePremiumService(db, new PremiumStore(db), policies, new PolicyStore(db), funding, audit, clock),
    premiumSchedules: new PremiumScheduleService(db, new ScheduleStore(db), policies, funding, audit, clock),
    premiumSettlement: new PremiumSettlement(
      new PremiumStore(db), new ScheduleStore(db), new PayerStore(db), policies, new PolicyStore(db), premiumInvestment, audit, new OutboxStore(), events, clock,
    ),
    sepaBatches: new SepaBatchService(db, new SepaStore(db), payers, new OutboxStore(), sepa, audit, clock),
  };
}
