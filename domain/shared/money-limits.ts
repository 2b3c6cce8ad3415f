/**
 * The largest amount a client may send, in integer minor units: 100,000,000.00 EUR. Far above any real
 * payment or surrender, it keeps sums of amounts exact (below 2^53) and out of overflow in SQL.
 */
export const MAX_AMOUNT_MINOR_UNITS = 10_000_000_000;

/** Whether a client-sent amount is within MAX_AMOUNT_MINOR_UNITS (sign and minimum are the domain rules' business). */
export function isWithinAmountLimit(amount: number): boolean {
  return amount <= MAX_AMOUNT_MINOR_UNITS;
}
