import type { Queryable } from '../../store/db';
import type { PremiumAllocationLine } from './single-premium';

/** What a collected premium leaves to invest, net of the entry fee, as its settlement states it. */
export interface PremiumToInvest {
  policyId: string;
  /** The request's or schedule's allocation, by compartment and fund, in basis points adding up to 10000. */
  allocation: readonly PremiumAllocationLine[];
  /** Integer minor units of `currency`, after the entry fee. */
  amount: number;
  currency: string;
  /** YYYY-MM-DD (Paris) the money arrived: orders take the first valuation from this date. */
  tradeDate: string;
  cause: { type: 'payment'; id: string };
}

/**
 * The port a premium's settlement invests through, inside its transaction. The wiring (app.ts) adds the
 * amount to the compartments' recorded amounts, as issue does, and places position orders that buy the
 * funds at the next valuation.
 */
export interface PremiumInvestment {
  invest(tx: Queryable, premium: PremiumToInvest): Promise<void>;
}

/**
 * `amount` shared by the allocation's basis points, summed per compartment: each line gets the floor of
 * its share and the cents left go one by one to the lines in order, so the parts always add up to `amount`.
 */
export function amountsByCompartment(allocation: readonly PremiumAllocationLine[], amount: number): Map<string, number> {
  const shares = allocation.map((line) => Number((BigInt(amount) * BigInt(line.basisPoints)) / 10_000n));
  let left = amount - shares.reduce((a, b) => a + b, 0);
  for (let i = 0; left > 0 && shares.length > 0; i = (i + 1) % shares.length, left -= 1) shares[i] += 1;
  const byCompartment = new Map<string, number>();
  allocation.forEach((line, i) => byCompartment.set(line.compartmentId, (byCompartment.get(line.compartmentId) ?? 0) + shares[i]));
  return byCompartment;
}

/** The compartments' recorded amounts grow by their share (what a compartment without positions is worth). */
export class RecordedAmountInvestment implements PremiumInvestment {
  constructor(private readonly compartments: { raiseCompartmentValue(tx: Queryable, compartmentId: string, amount: number): Promise<void> }) {}

  async invest(tx: Queryable, premium: PremiumToInvest): Promise<void> {
    for (const [compartmentId, amount] of amountsByCompartment(premium.allocation, premium.amount)) {
      if (amount > 0) await this.compartments.raiseCompartmentValue(tx, compartmentId, amount);
    }
  }
}
