import type { ClaimBeneficiary } from './death-claim';

const WHOLE = 10_000;

/**
 * Splits `total` basis points in proportion to `weights`, in integers that add up to `total`: each gets
 * the floor of its exact part, and the basis points left over go one each to the largest remainders
 * (the earlier line first on a tie), so no basis point is lost or made up.
 */
export function splitProportionally(weights: readonly number[], total: number = WHOLE): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum <= 0) return weights.map(() => 0);
  const exact = weights.map((w) => (w * total) / sum);
  const parts = exact.map(Math.floor);
  let left = total - parts.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => ({ i, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    parts[i]! += 1;
    left -= 1;
  }
  return parts;
}

/** Equal shares of a whole rank for `count` persons identified from a class clause (3 → 3334, 3333, 3333). */
export function equalShares(count: number): number[] {
  return splitProportionally(Array.from({ length: count }, () => 1));
}

/**
 * Each line's share of the claim's capital in basis points (the lines that take add up to 10000), as
 * French practice reads a designation once some beneficiaries renounce:
 *
 * - the capital goes to the first rank that still has a beneficiary; a later rank takes only when every
 *   beneficiary of the ranks before is gone (here: renounced);
 * - within that rank, a renouncing beneficiary's share passes to the others of the rank in proportion to
 *   their shares (accroissement), as if the renouncer had never been named;
 * - a beneficiary still being searched for keeps their share (it is held for them, not redistributed);
 * - a class clause not yet resolved into persons leaves its rank's shares unknown: null for every line.
 *
 * Lines that do not take (other ranks, renounced lines, a resolved clause whose persons carry its share)
 * get null. When every beneficiary of every rank renounced, nobody takes: the capital falls into the
 * insured's estate (L132-11), which the claim shows as every share null.
 */
export function sharesOfClaim(lines: readonly ClaimBeneficiary[]): Map<string, number | null> {
  const shares = new Map<string, number | null>(lines.map((l) => [l.id, null]));
  const holders = (l: ClaimBeneficiary) => l.status !== 'renounced' && l.status !== 'identified';
  const ranks = [...new Set(lines.filter(holders).map((l) => l.rank))].sort((a, b) => a - b);
  const taking = ranks[0];
  if (taking === undefined) return shares;
  const inRank = lines.filter((l) => l.rank === taking && holders(l));
  if (inRank.some((l) => l.kind === 'class_clause')) return shares;
  const parts = splitProportionally(inRank.map((l) => l.shareBasisPoints ?? 0));
  inRank.forEach((l, i) => shares.set(l.id, parts[i]!));
  return shares;
}

/** The lines with `shareOfClaimBasisPoints` filled in by sharesOfClaim. */
export function withSharesOfClaim(lines: ClaimBeneficiary[]): ClaimBeneficiary[] {
  const shares = sharesOfClaim(lines);
  return lines.map((l) => ({ ...l, shareOfClaimBasisPoints: shares.get(l.id) ?? null }));
}
