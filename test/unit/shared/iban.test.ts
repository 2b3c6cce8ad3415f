import { checkIban, formatIban, maskIban, type IbanCheck } from '../../../domain/shared/iban';

// Published example IBANs (ECBS / national banking associations), each checked against an
// independent big-integer mod 97 before being listed here.
const VALID: ReadonlyArray<[iban: string, country: string]> = [
  ['FR1420041010050500013M02606', 'FR'],
  ['FR7630006000011234567890189', 'FR'], // our demo data
  ['DE89370400440532013000', 'DE'],
  ['GB29NWBK60161331926819', 'GB'],
  ['BE68539007547034', 'BE'],
  ['CH9300762011623852957', 'CH'],
  ['IT60X0542811101000000123456', 'IT'],
  ['ES9121000418450200051332', 'ES'],
  ['NL91ABNA0417164300', 'NL'],
  ['AT611904300234573201', 'AT'],
  ['NO9386011117947', 'NO'], // the shortest SEPA IBAN
  ['MT84MALT011000012345MTLCAST001S', 'MT'], // the longest SEPA IBAN
  ['LU280019400644750000', 'LU'],
  ['PT50000201231234567890154', 'PT'],
  ['IE29AIBK93115212345678', 'IE'],
  ['MC5811222000010123456789030', 'MC'],
  ['SM86U0322509800000000270100', 'SM'],
  ['VA59001123000012345678', 'VA'],
  ['GI75NWBK000000007099453', 'GI'],
  ['AL47212110090000000235698741', 'AL'],
  ['RS35260005601001611379', 'RS'],
];

// Independent oracle: the textbook definition with BigInt, to cross-check the piecewise mod 97.
function referenceCheckDigits(country: string, bban: string): string {
  const digits = [...`${bban}${country}00`].map((c) => parseInt(c, 36).toString()).join('');
  return String(98n - (BigInt(digits) % 97n)).padStart(2, '0');
}

// Deterministic pseudo-random numbers so that a failure is reproducible.
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function failure(iban: string): string | undefined {
  const result: IbanCheck = checkIban(iban);
  return result.ok ? undefined : result.reason;
}

describe('checkIban', () => {
  it('uses a reference oracle that reproduces the published check digits', () => {
    expect(referenceCheckDigits('DE', '370400440532013000')).toBe('89');
    expect(referenceCheckDigits('FR', '20041010050500013M02606')).toBe('14');
  });

  it.each(VALID)('accepts %s', (iban, country) => {
    expect(checkIban(iban)).toEqual({ ok: true, iban, country });
  });

  it('accepts the print format and lower case, and returns the electronic format', () => {
    expect(checkIban('FR76 3000 6000 0112 3456 7890 189')).toEqual({ ok: true, iban: 'FR7630006000011234567890189', country: 'FR' });
    expect(checkIban('fr14 2004 1010 0505 0001 3m02 606')).toEqual({ ok: true, iban: 'FR1420041010050500013M02606', country: 'FR' });
    expect(checkIban('gB29nWbK60161331926819')).toEqual({ ok: true, iban: 'GB29NWBK60161331926819', country: 'GB' });
  });

  it('ignores surrounding, irregular and non-breaking whitespace', () => {
    expect(checkIban('  DE89 3704  0044 0532 0130 00\n')).toMatchObject({ ok: true, iban: 'DE89370400440532013000' });
    expect(checkIban('DE89\u00a03704\u202f0044\t0532 0130 00')).toMatchObject({ ok: true, iban: 'DE89370400440532013000' });
  });

  describe('IBAN_MALFORMED', () => {
    it.each([
      ['empty', ''],
      ['blank', '   '],
      ['country code only', 'FR'],
      ['no BBAN', 'FR76'],
      ['digits instead of a country code', '7630006000011234567890189'],
      ['letters instead of check digits', 'FRAB30006000011234567890189'],
      ['hyphens', 'FR76-3000-6000-0112-3456-7890-189'],
      ['punctuation', 'FR76.3000.6000.0112.3456.7890.189'],
      ['non-ASCII letter', 'FR7630006000011234567890É89'],
      ['longer than 34 characters', `FR76${'1'.repeat(31)}`],
      ['prose', 'not an iban'],
    ])('%s', (_label, raw) => {
      expect(failure(raw)).toBe('IBAN_MALFORMED');
    });
  });

  describe('IBAN_COUNTRY_NOT_SEPA', () => {
    it.each([
      ['TR, an IBAN country outside SEPA', 'TR330006100519786457841326'],
      ['BR, an IBAN country outside SEPA', 'BR1800360305000010009795493C1'],
      ['SA, an IBAN country outside SEPA', 'SA0380000000608010167519'],
      ['US, which has no IBAN', 'US64SVBKUS6S3300958879'],
      ['a code that is no country', 'XX12345678901234'],
      ['the French Pacific territories (CFP franc, not SEPA)', 'NC1420041010050500013M02606'],
    ])('%s', (_label, raw) => {
      expect(failure(raw)).toBe('IBAN_COUNTRY_NOT_SEPA');
    });

    it('is decided before the length, so a foreign IBAN is not reported as too long', () => {
      expect(failure('TR33000610051978645784132600')).toBe('IBAN_COUNTRY_NOT_SEPA');
    });
  });

  describe('IBAN_WRONG_LENGTH', () => {
    it.each([
      ['one character short', 'FR763000600001123456789018'],
      ['one character too many', 'FR76300060000112345678901890'],
      ['a German account with a Belgian length', 'DE89370400440532'],
      ['a Dutch IBAN with a digit lost', 'NL91ABNA041716430'],
    ])('%s', (_label, raw) => {
      expect(failure(raw)).toBe('IBAN_WRONG_LENGTH');
    });
  });

  describe('IBAN_CHECKSUM_FAILED', () => {
    it.each([
      ['wrong check digits', 'FR7730006000011234567890189'],
      ['one digit mistyped', 'FR7630006000011234567890188'],
      ['two adjacent digits swapped', 'DE89370400440532013000'.replace('0532', '0523')],
      ['a letter mistyped', 'GB29NWBK60161331926819'.replace('NWBK', 'NWBC')],
      ['all zeros', 'DE00000000000000000000'],
    ])('%s', (_label, raw) => {
      expect(failure(raw)).toBe('IBAN_CHECKSUM_FAILED');
    });

    it('refuses check digits 01 even when they satisfy mod 97, since ISO 13616 only issues 02-98', () => {
      // 98 and 01 are congruent mod 97: the same account with 01 passes the bare equation.
      const withCheck98 = findBbanWithCheckDigits('DE', 18, '98');
      expect(checkIban(`DE98${withCheck98}`)).toMatchObject({ ok: true });
      expect(failure(`DE01${withCheck98}`)).toBe('IBAN_CHECKSUM_FAILED');
    });

    it('refuses check digits 99 and 00', () => {
      const withCheck02 = findBbanWithCheckDigits('FR', 23, '02');
      expect(checkIban(`FR02${withCheck02}`)).toMatchObject({ ok: true });
      expect(failure(`FR99${withCheck02}`)).toBe('IBAN_CHECKSUM_FAILED');
      expect(failure(`FR00${withCheck02}`)).toBe('IBAN_CHECKSUM_FAILED');
    });
  });

  it('agrees with a BigInt reference on generated IBANs of every SEPA length, and catches every single-digit typo', () => {
    const random = seededRandom(13616);
    const lengths: Record<string, number> = { FR: 27, DE: 22, BE: 16, IT: 27, ES: 24, NL: 18, LU: 20, CH: 21, GB: 22, MC: 27, PT: 25, IE: 22, AT: 20, NO: 15, MT: 31, PL: 28, HU: 28, CY: 28, IS: 26, GR: 27 };
    for (const [country, length] of Object.entries(lengths)) {
      for (let n = 0; n < 25; n += 1) {
        const bban = Array.from({ length: length - 4 }, () => Math.floor(random() * 10).toString()).join('');
        const iban = `${country}${referenceCheckDigits(country, bban)}${bban}`;
        expect(checkIban(iban)).toEqual({ ok: true, iban, country });

        const position = 4 + Math.floor(random() * bban.length);
        const typo = String((Number(iban[position]) + 1 + Math.floor(random() * 9)) % 10);
        expect(failure(iban.slice(0, position) + typo + iban.slice(position + 1))).toBe('IBAN_CHECKSUM_FAILED');
      }
    }
  });

  it('knows the registry length of every SEPA country', () => {
    const expected: Record<string, number> = {
      AD: 24, AL: 28, AT: 20, BE: 16, BG: 22, CH: 21, CY: 28, CZ: 24, DE: 22, DK: 18, EE: 20, ES: 24, FI: 18, FR: 27,
      GB: 22, GI: 23, GR: 27, HR: 21, HU: 28, IE: 22, IS: 26, IT: 27, LI: 21, LT: 20, LU: 20, LV: 21, MC: 27, MD: 24,
      ME: 22, MK: 19, MT: 31, NL: 18, NO: 15, PL: 28, PT: 25, RO: 24, RS: 22, SE: 24, SI: 19, SK: 24, SM: 27, VA: 22,
      BL: 27, GF: 27, GP: 27, MF: 27, MQ: 27, PM: 27, RE: 27, YT: 27,
    };
    for (const [country, length] of Object.entries(expected)) {
      const bban = '1'.repeat(length - 4);
      const iban = `${country}${referenceCheckDigits(country, bban)}${bban}`;
      expect({ country, result: checkIban(iban) }).toEqual({ country, result: { ok: true, iban, country } });
      expect({ country, result: failure(`${iban}1`) }).toEqual({ country, result: 'IBAN_WRONG_LENGTH' });
    }
  });
});

function findBbanWithCheckDigits(country: string, bbanLength: number, wanted: string): string {
  for (let seed = 0; seed < 100_000; seed += 1) {
    const bban = String(seed).padStart(bbanLength, '0');
    if (referenceCheckDigits(country, bban) === wanted) return bban;
  }
  throw new Error(`no ${country} BBAN with check digits ${wanted}`);
}

describe('formatIban', () => {
  it('groups the electronic format by four', () => {
    expect(formatIban('FR7630006000011234567890189')).toBe('FR76 3000 6000 0112 3456 7890 189');
    expect(formatIban('DE89370400440532013000')).toBe('DE89 3704 0044 0532 0130 00');
    expect(formatIban('BE68539007547034')).toBe('BE68 5390 0754 7034');
  });

  it('normalizes case and existing spacing first', () => {
    expect(formatIban('fr76 30006 000011234567890 189')).toBe('FR76 3000 6000 0112 3456 7890 189');
    expect(formatIban('FR76 3000 6000 0112 3456 7890 189')).toBe('FR76 3000 6000 0112 3456 7890 189');
  });

  it('round-trips through checkIban', () => {
    for (const [iban] of VALID) {
      const printed = formatIban(iban);
      expect(printed).toMatch(/^(?:[A-Z0-9]{4} )*[A-Z0-9]{1,4}$/);
      expect(checkIban(printed)).toMatchObject({ ok: true, iban });
    }
  });

  it('returns an empty string for an empty input', () => {
    expect(formatIban('')).toBe('');
  });
});

describe('maskIban', () => {
  it('keeps the country code, check digits and last four characters, in print format', () => {
    expect(maskIban('FR7630006000011234567890189')).toBe('FR76 **** **** **** **** ***0 189');
  });

  it('accepts the print format and lower case', () => {
    expect(maskIban('fr76 3000 6000 0112 3456 7890 189')).toBe('FR76 **** **** **** **** ***0 189');
  });

  it('masks IBANs of other lengths the same way', () => {
    expect(maskIban('DE89370400440532013000')).toBe('DE89 **** **** **** **30 00');
    expect(maskIban('BE68539007547034')).toBe('BE68 **** **** 7034');
    expect(maskIban('NO9386011117947')).toBe('NO93 **** ***7 947');
    expect(maskIban('MT84MALT011000012345MTLCAST001S')).toBe('MT84 **** **** **** **** **** ***0 01S');
  });

  it('never reveals more than eight characters, and hides the bank and account identifiers', () => {
    for (const [iban] of VALID) {
      const masked = maskIban(iban);
      expect(masked.replace(/[ *]/g, '')).toHaveLength(8);
      expect(masked.replace(/ /g, '')).toHaveLength(iban.length);
      expect(masked).not.toContain(iban.slice(4, 8));
    }
  });

  it('masks short garbage entirely rather than disclosing most of it', () => {
    expect(maskIban('FR761234')).toBe('**** ****');
    expect(maskIban('FR7612345678')).toBe('**** **** ****');
    expect(maskIban('')).toBe('');
  });
});
