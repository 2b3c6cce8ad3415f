/**
 * A rate in basis points (1 bp = 0.01 %) applied to an amount in integer minor units, exactly: the
 * product is computed in BigInt (amount x rate passes 2^53 for large amounts, and a float would drift)
 * and rounded half away from zero to the minor unit, so 2 % of 100.25 EUR is 2.01 EUR and a negative
 * amount mirrors the positive one. Every rate applied to money goes through here: entry fees, commissions.
 */
export function basisPointsOf(amount: number, basisPoints: number): number {
  if (!Number.isSafeInteger(amount)) throw new RangeError(`amount must be integer minor units, got ${amount}`);
  if (!Number.isInteger(basisPoints) || basisPoints < 0 || basisPoints > 10_000) throw new RangeError(`rate must be 0-10000 basis points, got ${basisPoints}`);
  const product = BigInt(amount) * BigInt(basisPoints);
  const rounded = product >= 0n ? (product + 5_000n) / 10_000n : -((-product + 5_000n) / 10_000n);
  return Number(rounded);
}
