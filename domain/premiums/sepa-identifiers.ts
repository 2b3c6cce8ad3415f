/**
 * The identifiers a SEPA file carries (EPC rulebooks, ISO 20022 pain.008.001.02 / pain.001.001.03):
 * the creditor identifier (ICS), mandate references and message ids in the SEPA character set, and
 * amounts written as decimal text.
 */

/** The Latin characters every SEPA bank accepts; anything else is replaced before it reaches a file. */
const SEPA_TEXT = /[^A-Za-z0-9/\-?:().,'+ ]/g;
/** A mandate reference or an end-to-end id: the SEPA set without spaces, 1 to 35 characters. */
const SEPA_REFERENCE = /^[A-Za-z0-9/\-?:().,'+]{1,35}$/;

/** Free text (a name, a remittance line) cut to `max` characters of the SEPA set. */
export function sepaText(value: string, max: number): string {
  const latin = value.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
  return latin.replace(SEPA_TEXT, ' ').replace(/\s+/g, ' ').trim().slice(0, max) || 'NOTPROVIDED';
}

export function isSepaReference(value: string): boolean {
  return SEPA_REFERENCE.test(value) && !value.startsWith('/') && !value.includes('//');
}

/** A reference of ours from a UUID: a prefix and the 32 hex digits, 34 characters at most. */
export function referenceFromUuid(prefix: string, uuid: string): string {
  return `${prefix}${uuid.replace(/-/g, '').toUpperCase()}`.slice(0, 35);
}

/** ISO 7064 MOD 97-10 over letters (A=10 .. Z=35) and digits, as IBANs and creditor identifiers use it. */
function mod97(text: string): number {
  let rest = 0;
  for (const char of text) {
    const code = /[0-9]/.test(char) ? char : String(char.charCodeAt(0) - 55);
    for (const digit of code) rest = (rest * 10 + Number(digit)) % 97;
  }
  return rest;
}

/**
 * A SEPA creditor identifier (ICS in France): country, two check digits, a three-character business
 * code that the check ignores (ZZZ by default) and the national identifier. The check digits are ISO 7064
 * MOD 97-10 over the national identifier followed by the country and the digits. Upper case, no spaces.
 */
export function checkCreditorId(raw: string): string | undefined {
  const id = raw.replace(/\s+/g, '').toUpperCase();
  if (!/^[A-Z]{2}[0-9]{2}[A-Z0-9]{3}[A-Z0-9]{1,28}$/.test(id)) return undefined;
  const national = id.slice(7);
  return mod97(`${national}${id.slice(0, 4)}`) === 1 ? id : undefined;
}

/** The creditor identifier for a national identifier (used to build demo values; the check is above). */
export function creditorIdFor(country: string, national: string, businessCode = 'ZZZ'): string {
  const check = 98 - mod97(`${national}${country}00`);
  return `${country}${String(check).padStart(2, '0')}${businessCode}${national}`;
}

/** Minor units (cents) as the decimal text ISO 20022 amounts take, exactly: 123456 -> "1234.56". */
export function decimalAmount(minor: number | bigint): string {
  const value = BigInt(minor);
  const sign = value < 0n ? '-' : '';
  const abs = value < 0n ? -value : value;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}
