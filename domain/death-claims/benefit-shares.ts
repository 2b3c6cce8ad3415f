/**
 * Each beneficiary's part of a claim's value: value x share / 10000 in exact integers. Every part is first
 * rounded down to the cent; the cents this leaves over (fewer than the number of beneficiaries) go one
 * each to the beneficiaries whose dropped fraction was largest, ties to the earlier line (rank, then the
 * designation's order). So the parts of shares adding up to 100 % add up to the value exactly, and the
 * figure of one beneficiary never depends on when the others are paid.
 */
export interface ShareLine {
  id: string;
  /** Share of the claim in basis points (10000 = 100 %). */
  shareBasisPoints: number;
}

export function benefitShares(value: number, lines: readonly ShareLine[]): Map<string, number> {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`value must be integer minor units, got ${value}`);
  const exact = lines.map((l, index) => {
    if (!Number.isInteger(l.shareBasisPoints) || l.shareBasisPoints < 0 || l.shareBasisPoints > 10_000) throw new RangeError(`share must be 0-10000 basis points, got ${l.shareBasisPoints}`);
    const product = BigInt(value) * BigInt(l.shareBasisPoints);
    return { id: l.id, index, floor: product / 10_000n, fraction: product % 10_000n };
  });
  const totalShares = lines.reduce((sum, l) => sum + BigInt(l.shareBasisPoints), 0n);
  // What the shares give in all, to the cent below: the value itself when they add up to 100 %.
  const target = (BigInt(value) * totalShares) / 10_000n;
  let left = target - exact.reduce((sum, e) => sum + e.floor, 0n);
  const order = [...exact].sort((a, b) => (a.fraction === b.fraction ? a.index - b.index : a.fraction > b.fraction ? -1 : 1));
  const parts = new Map(exact.map((e) => [e.id, e.floor]));
  for (const e of order) {
    if (left <= 0n) break;
    parts.set(e.id, parts.get(e.id)! + 1n);
    left -= 1n;
  }
  return new Map([...parts].map(([id, amount]) => [id, Number(amount)]));
}
