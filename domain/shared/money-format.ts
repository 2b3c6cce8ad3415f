/** French formatting of money and rates for documents people read (contracts, statements). */

// No-break space: groups digits and ties units to numbers, and unlike U+202F it exists in WinAnsi.
export const NBSP = '\u00a0';

/** Formats minor units the French way with no-break spaces: 125000 EUR -> "1 250,00 €", 1200 USD -> "12,00 USD". */
export function formatMoney(amount: number, currency: string): string {
  if (!Number.isSafeInteger(amount)) throw new RangeError(`amount must be an integer number of minor units, got ${amount}`);
  const code = currency.toUpperCase();
  const digits = minorUnitDigits(code);
  const scale = 10 ** digits;
  const absolute = Math.abs(amount);
  const units = groupThousands(String(Math.floor(absolute / scale)));
  const fraction = digits > 0 ? `,${String(absolute % scale).padStart(digits, '0')}` : '';
  const sign = amount < 0 ? '-' : '';
  return `${sign}${units}${fraction}${NBSP}${code === 'EUR' ? '€' : code}`;
}

/** Formats basis points as a French percentage: 4000 -> "40,00 %". */
export function formatBasisPoints(basisPoints: number): string {
  if (!Number.isSafeInteger(basisPoints)) throw new RangeError(`basis points must be an integer, got ${basisPoints}`);
  const absolute = Math.abs(basisPoints);
  const sign = basisPoints < 0 ? '-' : '';
  return `${sign}${groupThousands(String(Math.floor(absolute / 100)))},${String(absolute % 100).padStart(2, '0')}${NBSP}%`;
}

const minorDigitsCache = new Map<string, number>();

/** Digits of a currency's minor unit. ISO 4217 exponents differ (JPY 0, KWD 3): ICU knows them, and rejects malformed codes. */
export function minorUnitDigits(code: string): number {
  if (!/^[A-Z]{3}$/.test(code)) throw new RangeError(`currency must be an ISO 4217 code, got "${code}"`);
  let digits = minorDigitsCache.get(code);
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits ?? 2;
    minorDigitsCache.set(code, digits);
  }
  return digits;
}

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, NBSP);
}
