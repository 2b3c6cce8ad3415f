import type { Decimal } from './fund';

/**
 * Exact decimal arithmetic on `value` x 10^-`scale` numbers, in BigInt: NAVs, numbers of shares and
 * the values they make are never binary floating point. Results that must fit a currency's minor
 * unit are rounded half away from zero, as basisPointsOf rounds rates (domain/shared/basis-points.ts).
 */

/** The most decimals a NAV or a number of shares carries. */
export const MAX_DECIMAL_SCALE = 8;

const TEN = 10n;

function big(d: Decimal): bigint {
  return BigInt(d.value);
}

/** `a` and `b` at the larger of their scales, as BigInts. */
function aligned(a: Decimal, b: Decimal): { a: bigint; b: bigint; scale: number } {
  const scale = Math.max(a.scale, b.scale);
  return { a: big(a) * TEN ** BigInt(scale - a.scale), b: big(b) * TEN ** BigInt(scale - b.scale), scale };
}

/** -1, 0 or 1: numeric order, whatever the scales (12.30 at scale 2 equals 12.3 at scale 1). */
export function compareDecimals(a: Decimal, b: Decimal): number {
  const x = aligned(a, b);
  return x.a === x.b ? 0 : x.a < x.b ? -1 : 1;
}

/** The exact sum, at the larger scale. */
export function addDecimals(a: Decimal, b: Decimal): Decimal {
  const x = aligned(a, b);
  return { value: safe(x.a + x.b), scale: x.scale };
}

/** The same number without trailing zero decimals (123.4500 -> 123.45). */
export function normalizeDecimal(d: Decimal): Decimal {
  let value = big(d);
  let scale = d.scale;
  while (scale > 0 && value % TEN === 0n) {
    value /= TEN;
    scale -= 1;
  }
  return { value: safe(value), scale };
}

/** `numerator / 10^shift`, rounded half away from zero. */
function shiftRounded(numerator: bigint, shift: number): bigint {
  if (shift <= 0) return numerator * TEN ** BigInt(-shift);
  const divisor = TEN ** BigInt(shift);
  const half = divisor / 2n;
  return numerator >= 0n ? (numerator + half) / divisor : -((-numerator + half) / divisor);
}

/** shares x NAV in integer minor units of a currency with `minorDigits` decimals, rounded half away from zero. */
export function valueInMinorUnits(shares: Decimal, nav: Decimal, minorDigits: number): number {
  return safe(shiftRounded(big(shares) * big(nav), shares.scale + nav.scale - minorDigits));
}

/**
 * How many shares `amount` minor units buy at `nav`, to `scale` decimals, rounded down: a purchase
 * never creates more than was paid for.
 */
export function sharesFor(amount: number, nav: Decimal, minorDigits: number, scale: number): Decimal {
  // amount x 10^-minorDigits / (nav.value x 10^-nav.scale), at `scale` decimals.
  const numerator = BigInt(amount) * TEN ** BigInt(scale + nav.scale);
  const denominator = big(nav) * TEN ** BigInt(minorDigits);
  return { value: safe(numerator / denominator), scale };
}

/** Reads a plain decimal such as `123.4567` (digits, one optional dot; no sign, exponent or separator). */
export function parseDecimal(text: string): Decimal | undefined {
  const match = /^(\d{1,16})(?:\.(\d{1,8}))?$/.exec(text);
  if (!match) return undefined;
  const fraction = match[2] ?? '';
  const value = BigInt(match[1] + fraction);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return { value: Number(value), scale: fraction.length };
}

/** Writes a decimal the way parseDecimal reads it: 1234567 at scale 4 -> `123.4567`. */
export function formatDecimal(d: Decimal): string {
  const digits = big(d).toString().padStart(d.scale + 1, '0');
  return d.scale === 0 ? digits : `${digits.slice(0, -d.scale)}.${digits.slice(-d.scale)}`;
}

function safe(value: bigint): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`${value} is beyond exact integers`);
  return n;
}
