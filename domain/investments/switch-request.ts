import type { Decimal, ScaledMoney } from './fund';

export type LegDirection = 'SELL' | 'BUY';
/** How a leg says how much: an amount, or basis points of the position (sell) or of the sell proceeds (buy). */
export type LegUnit = 'AMOUNT' | 'BASIS_POINT_OF_CURRENT_POSITION' | 'BASIS_POINT_OF_SELL_PROCEED';

/** A leg as a client sends it: `amount` with unit AMOUNT, `basisPoints` with the others. */
export interface SwitchLegInput {
  isin: string;
  direction: LegDirection;
  unit: LegUnit;
  amount?: { value: number; scale: number; currency: string } | null;
  basisPoints?: number | null;
}

/** A leg once its shape is checked: `amount` in minor units of the compartment's currency, or `basisPoints`. */
export interface SwitchLeg {
  isin: string;
  direction: LegDirection;
  unit: LegUnit;
  amount: number | null;
  basisPoints: number | null;
}

/** What one leg did when the switch was executed. */
export interface ExecutedLeg {
  isin: string;
  direction: LegDirection;
  /** Unit-linked: the shares sold or bought, and the NAV and its date; null for the euro fund. */
  shares: Decimal | null;
  nav: ScaledMoney | null;
  valuedOn: string;
  /** Minor units sold or bought. */
  amount: number;
}

/** A switch between funds of one self-invested compartment. */
export interface SwitchRequest {
  id: string;
  policyId: string;
  compartmentId: string;
  status: 'requested' | 'executed' | 'stopped';
  requestedAt: string;
  receivedOn: string;
  currency: string;
  legs: SwitchLeg[];
  requestedBy: { kind: string; id: string | null };
  createdAt: Date;
  executedAt: Date | null;
  execution: ExecutedLeg[] | null;
}

/** The path parameters of the switch request's REST read, by which its webhook event names it. */
export function switchResource(r: Pick<SwitchRequest, 'id' | 'policyId' | 'compartmentId'>): Record<string, string> {
  return { policyId: r.policyId, compartmentId: r.compartmentId, requestId: r.id };
}
