import { FundService } from '../domain/investments/fund-service';
import { MandateService } from '../domain/investments/mandate-service';
import { OrderService } from '../domain/investments/order-service';
import { PositionService } from '../domain/investments/position-service';
import { SwitchService } from '../domain/investments/switch-service';
import type { PolicyFreeze } from '../domain/shared/policy-freeze';
import { FundStore } from '../store/fund-store';
import { MandateStore } from '../store/mandate-store';
import { OrderStore } from '../store/order-store';
import { OutboxStore } from '../store/outbox-store';
import { PolicyStore } from '../store/policy-store';
import { PositionStore } from '../store/position-store';
import { SwitchStore } from '../store/switch-store';
import { ValuationStore } from '../store/valuation-store';
import type { Core } from './core';

/** Funds and their NAVs, positions, switches, mandates and position orders. */
export function investmentServices(core: Core, freeze: PolicyFreeze) {
  const { db, audit, events, clock, policies, services } = core;
  // Position orders: what issue and premiums invest and surrenders sell, executed by forward pricing.
  const orders = new OrderService(db, new OrderStore(db), new PositionStore(db), new FundStore(db), new ValuationStore(db), new PolicyStore(db), audit, clock, async (tx, order) => {
    if (order.cause.type === 'surrender_declaration') await services().surrender.saleExecuted(tx, order.cause.id);
  });
  const switches = new SwitchService(db, policies, new SwitchStore(db), new PositionStore(db), new FundStore(db), new ValuationStore(db), audit, clock, new PolicyStore(db), new OutboxStore(), events, freeze);
  // Loading a NAV may complete what a waiting switch needs to be priced (forward pricing).
  const mandates = new MandateService(db, new MandateStore(db), policies, new SwitchStore(db), switches, new PositionStore(db), new FundStore(db), audit, clock, new PolicyStore(db), freeze);
  // Loading NAVs may price waiting switches and position orders alike.
  const funds = new FundService(db, new FundStore(db), new ValuationStore(db), audit, clock, async () => {
    await switches.executeDue();
    await orders.executeDue();
  });
  return {
    funds,
    switches,
    mandates,
    orders,
    positions: new PositionService(new PositionStore(db), new FundStore(db), new ValuationStore(db), funds),
  };
}
