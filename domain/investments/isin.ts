import isISIN from 'validator/lib/isISIN';

/**
 * Whether `value` is an ISIN (ISO 6166): two letters, nine letters or digits, and a check digit that
 * verifies (Luhn over the letters written as numbers). validator.js does the arithmetic.
 */
export function isIsin(value: string): boolean {
  return isISIN(value);
}
