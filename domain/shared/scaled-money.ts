import { invalidFields } from '../../errors/app-error';
import { MAX_AMOUNT_MINOR_UNITS } from './money-limits';

/**
 * An amount written as a decimal number: `value` x 10^-`scale` units of `currency` (12345 at scale 2
 * is 123.45; 1234500 at scale 4 is the same amount). The legacy REST contract sends partial-surrender
 * amounts this way; everything of ours counts integer minor units.
 */
export interface ScaledAmount {
  value: number;
  scale: number;
  currency: string;
}

/** Digits of each currency's minor unit (ISO 4217 exponent), for the currencies we take. */
const MINOR_UNIT_DIGITS: Readonly<Record<string, number>> = { EUR: 2, GBP: 2, CHF: 2, USD: 2 };

/** A positive safe integer below 10^16 has at most 16 digits: dividing it by 10^16 or more always leaves a remainder. */
const MAX_EXACT_SHIFT = 15;

/**
 * The amount in integer minor units, exactly: no rounding, no floating point (BigInt). Every problem is
 * one 400 naming each field under `path`: `value` not a positive integer, `scale` not a positive
 * integer, a currency not in `currencies`, digits finer than the minor unit (0.125 EUR names value
 * and scale), or more than MAX_AMOUNT_MINOR_UNITS.
 */
export function toMinorUnits(amount: ScaledAmount, currencies: readonly string[], path = 'amount'): { amount: number; currency: string } {
  const problems: Array<{ field: string; reason: string }> = [];
  if (!Number.isSafeInteger(amount.value) || amount.value <= 0) problems.push({ field: `${path}.value`, reason: 'VALUE_NOT_POSITIVE_INTEGER' });
  if (!Number.isSafeInteger(amount.scale) || amount.scale <= 0) problems.push({ field: `${path}.scale`, reason: 'SCALE_NOT_POSITIVE_INTEGER' });
  const digits = MINOR_UNIT_DIGITS[amount.currency];
  if (!currencies.includes(amount.currency) || digits === undefined) problems.push({ field: `${path}.currency`, reason: 'CURRENCY_NOT_ACCEPTED' });
  if (problems.length) throw invalidFields(problems);

  const value = BigInt(amount.value);
  let minor: bigint;
  if (amount.scale <= digits) minor = value * 10n ** BigInt(digits - amount.scale);
  else {
    const shift = amount.scale - digits;
    const divisor = shift > MAX_EXACT_SHIFT ? undefined : 10n ** BigInt(shift);
    if (divisor === undefined || value % divisor !== 0n) {
      throw invalidFields([
        { field: `${path}.value`, reason: 'AMOUNT_FINER_THAN_MINOR_UNIT' },
        { field: `${path}.scale`, reason: 'AMOUNT_FINER_THAN_MINOR_UNIT' },
      ]);
    }
    minor = value / divisor;
  }
  if (minor > BigInt(MAX_AMOUNT_MINOR_UNITS)) throw invalidFields([{ field: `${path}.value`, reason: 'AMOUNT_ABOVE_MAXIMUM' }]);
  return { amount: Number(minor), currency: amount.currency };
}
