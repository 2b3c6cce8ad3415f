import type { Queryable } from '../../store/db';

/** One compartment's sale for a declaration, as the investments domain placed and executed it. */
export interface PositionSale {
  id: string;
  compartmentId: string;
  status: 'pending' | 'executed' | 'cancelled';
  /** What the sale produced, in minor units, once executed. */
  proceeds: number | null;
  /** What is still to be sold (amount lines not yet executed), in minor units: what it still holds of the positions. */
  unsold: number;
}

/**
 * What a surrender needs from the investments domain (its position orders): what a compartment's
 * positions are worth, a sale placed in the declaration's transaction (amounts per fund, or
 * everything), its execution tried once the declaration is committed, and the sales of a declaration.
 */
export interface PositionSales {
  /**
   * Null when the compartment holds no positions: its recorded amount is then what it is worth. Locks
   * the compartment for the transaction, so that nothing moves its positions or its buys meanwhile.
   */
  heldValue(tx: Queryable, compartment: { id: string; currency: string }): Promise<{ value: number; positions: Array<{ isin: string; kind: 'euro' | 'unit_linked'; value: number }> } | null>;
  sell(tx: Queryable, input: { policyId: string; compartmentId: string; currency: string; tradeDate: string; cause: { type: string; id: string }; sell: 'everything' | ReadonlyArray<{ isin: string; amount: number }> }): Promise<{ id: string }>;
  executeDue(ids: readonly string[]): Promise<number>;
  /**
   * Money leaving a compartment not yet invested: its pending buys invest that much less (or nothing).
   * `locked`: this transaction already holds the compartment's lock (heldValue took it), not taken again.
   */
  reduceBuys(tx: Queryable, compartmentId: string, by: number | 'everything', cause: { type: string; id: string }, options?: { locked?: boolean }): Promise<void>;
  ofDeclarations(declarationIds: readonly string[], tx?: Queryable): Promise<PositionSale[]>;
  /**
   * A rejected declaration's sales give the money back (docs/INVESTMENTS.md, "Position orders"): a
   * pending sale is cancelled and its euro lines return; an executed one returns its euro lines and
   * buys its unit-linked proceeds back into the funds sold. Every rejection path calls it.
   */
  returnSales(tx: Queryable, declarationId: string, reason: string): Promise<void>;
  /** Locks the compartments a declaration's sales changed: called before the declaration is locked, the order execution takes them in. */
  lockSales(tx: Queryable, declarationId: string): Promise<void>;
}

/** A partial surrender naming its funds: amounts, or basis points of the amount asked (10000 in all). */
export interface SurrenderFundInput {
  isin: string;
  amount?: { value: number; scale: number; currency: string } | null;
  basisPoints?: number | null;
}
