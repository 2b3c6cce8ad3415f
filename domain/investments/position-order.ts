import type { ExecutedLeg, SwitchLeg } from './switch-request';

/** A buy invests money paid in; a sell turns positions into money leaving them. */
export type OrderDirection = 'buy' | 'sell';
export type OrderStatus = 'pending' | 'executed' | 'cancelled';

/** What placed an order: a subscription (issue), a premium, a surrender declaration... and its id. */
export interface OrderCause {
  type: string;
  id: string;
}

/**
 * A pending change to one compartment's positions, executed by forward pricing at each of its
 * unit-linked funds' first valuation dated on or after `tradeDate` (as a switch is). Its lines are
 * the switch legs' shape: a buy has BUY legs in amounts (the money shared by the allocation), a sell
 * SELL legs in amounts or in basis points of the position (10000: all of it). Amounts in minor units.
 */
export interface PositionOrder {
  id: string;
  policyId: string;
  compartmentId: string;
  direction: OrderDirection;
  status: OrderStatus;
  tradeDate: string;
  currency: string;
  /** Buy: the money to invest; sell: what was asked (null when everything is sold). */
  amount: number | null;
  lines: SwitchLeg[];
  cause: OrderCause;
  createdAt: Date;
  executedAt: Date | null;
  /** What each line did so far: a sell's euro fund lines when it was placed, the rest at execution. */
  execution: ExecutedLeg[] | null;
  /** Sell: the sum its lines produced, once executed. */
  proceeds: number | null;
  cancelledReason: string | null;
}

/** The money a sell's executed lines produced, in minor units. */
export function saleProceeds(execution: readonly ExecutedLeg[]): number {
  return execution.filter((e) => e.direction === 'SELL').reduce((sum, e) => sum + e.amount, 0);
}

/** The lines an execution has not carried out yet (each fund once per order). */
export function remainingLines(order: Pick<PositionOrder, 'lines' | 'execution'>): SwitchLeg[] {
  const done = new Set((order.execution ?? []).map((e) => `${e.direction}:${e.isin}`));
  return order.lines.filter((l) => !done.has(`${l.direction}:${l.isin}`));
}
