/**
 * IBAN checks for SEPA pay-outs and direct debits (ISO 13616, ISO 7064 mod 97-10).
 *
 * Only the SEPA geographical scope is accepted: euro pay-outs and direct debits of a French
 * life-insurance contract go through SEPA schemes, so a valid IBAN from elsewhere is still unusable.
 */

/** Why an IBAN was refused; stable codes, safe to return to API clients. */
export type IbanRejection = 'IBAN_MALFORMED' | 'IBAN_COUNTRY_NOT_SEPA' | 'IBAN_WRONG_LENGTH' | 'IBAN_CHECKSUM_FAILED';

/** Outcome of `checkIban`: the IBAN in electronic format and its country, or why it was refused. */
export type IbanCheck = { ok: true; iban: string; country: string } | { ok: false; reason: IbanRejection };

// Total IBAN length per IBAN country code, from the SWIFT IBAN registry, restricted to the EPC's
// SEPA geographical scope: the EU and EEA states, CH, GB, SM, VA, MC, AD, GI, and the enlargement
// countries admitted in 2024-2025 (AL, ME, MD, MK, RS). Territories that are part of SEPA without a
// prefix of their own (Åland, Azores, Madeira, Canaries, Ceuta, Melilla, Guernsey, Jersey, Isle of
// Man) issue IBANs under FI, PT, ES or GB and need no entry.
const SEPA_IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AL: 28, AT: 20, BE: 16, BG: 22, CH: 21, CY: 28, CZ: 24, DE: 22, DK: 18,
  EE: 20, ES: 24, FI: 18, FR: 27, GB: 22, GI: 23, GR: 27, HR: 21, HU: 28, IE: 22,
  IS: 26, IT: 27, LI: 21, LT: 20, LU: 20, LV: 21, MC: 27, MD: 24, ME: 22, MK: 19,
  MT: 31, NL: 18, NO: 15, PL: 28, PT: 25, RO: 24, RS: 22, SE: 24, SI: 19, SK: 24,
  SM: 27, VA: 22,
  // The French overseas departments and collectivities in SEPA. The registry files them under
  // France and their banks issue FR IBANs; their own codes are accepted too, with France's layout,
  // as the subscription rules ask. The check digits cover the prefix, so typos are still caught.
  BL: 27, GF: 27, GP: 27, MF: 27, MQ: 27, PM: 27, RE: 27, YT: 27,
};

// ISO 13616: two letters, two check digits, then a BBAN of at most 30 alphanumerics.
const IBAN_STRUCTURE = /^[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}$/;

const CHAR_CODE_0 = 48;
const CHAR_CODE_A = 65;

/** Validates an IBAN given in electronic or print format, in any case, against the SEPA rules. */
export function checkIban(raw: string): IbanCheck {
  const iban = toElectronicFormat(raw);
  if (!IBAN_STRUCTURE.test(iban)) return { ok: false, reason: 'IBAN_MALFORMED' };
  const country = iban.slice(0, 2);
  const expectedLength = Object.hasOwn(SEPA_IBAN_LENGTHS, country) ? SEPA_IBAN_LENGTHS[country] : undefined;
  if (expectedLength === undefined) return { ok: false, reason: 'IBAN_COUNTRY_NOT_SEPA' };
  if (iban.length !== expectedLength) return { ok: false, reason: 'IBAN_WRONG_LENGTH' };
  if (!hasValidCheckDigits(iban)) return { ok: false, reason: 'IBAN_CHECKSUM_FAILED' };
  return { ok: true, iban, country };
}

/** The print format: upper case, groups of four characters separated by single spaces. */
export function formatIban(iban: string): string {
  return groupByFour(toElectronicFormat(iban));
}

/** The print format with all but the country code, check digits and last four characters masked. */
export function maskIban(iban: string): string {
  const electronic = toElectronicFormat(iban);
  const kept = 4;
  // Below the shortest real IBAN (NO, 15), showing 8 characters would disclose most of the value:
  // garbage that reaches a log is masked entirely.
  if (electronic.length < 15) return groupByFour('*'.repeat(electronic.length));
  const hidden = '*'.repeat(electronic.length - 2 * kept);
  return groupByFour(electronic.slice(0, kept) + hidden + electronic.slice(-kept));
}

// Whitespace of any kind, not just ASCII spaces: copies from PDFs and French-locale documents often
// carry (narrow) no-break spaces between the groups.
function toElectronicFormat(raw: string): string {
  return raw.replace(/\s+/g, '').toUpperCase();
}

function groupByFour(value: string): string {
  return (value.match(/.{1,4}/g) ?? []).join(' ');
}

function hasValidCheckDigits(iban: string): boolean {
  // The algorithm only ever produces 02..98 (98 minus a remainder in 0..96); 00, 01 and 99 can
  // satisfy the mod 97 equation but are not valid check digits per ISO 13616.
  const checkDigits = Number(iban.slice(2, 4));
  if (checkDigits < 2 || checkDigits > 98) return false;
  return mod97(iban.slice(4) + iban.slice(0, 4)) === 1;
}

// The rearranged IBAN stands for a number of up to 68 digits: folding it in one character at a time
// keeps every intermediate value below 10,000, far from Number's safe-integer limit, without BigInt.
function mod97(alphanumeric: string): number {
  let remainder = 0;
  for (const char of alphanumeric) {
    const code = char.charCodeAt(0);
    const value = code >= CHAR_CODE_A ? code - CHAR_CODE_A + 10 : code - CHAR_CODE_0;
    // Letters stand for two digits (A = 10 ... Z = 35), digits for one.
    remainder = value >= 10 ? (remainder * 100 + value) % 97 : (remainder * 10 + value) % 97;
  }
  return remainder;
}
