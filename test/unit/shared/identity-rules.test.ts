import { ageOn, checkBirthDate, checkPostalCode, isIsoCountry, normalizePhone } from '../../../domain/shared/identity-rules';

const TODAY = new Date('2025-06-15T10:00:00Z');

describe('checkBirthDate', () => {
  it.each(['1980-01-01', '1958-12-31', '2000-02-29', '2024-02-29', '1900-01-01', '2025-06-14'])('accepts %s', (date) => {
    expect(checkBirthDate(date, TODAY)).toBeUndefined();
  });

  it('accepts a baby born today', () => {
    expect(checkBirthDate('2025-06-15', TODAY)).toBeUndefined();
  });

  it.each([
    ['29 February of a common year', '2023-02-29'],
    ['29 February of a century year not divisible by 400', '1900-02-29'],
    ['30 February', '2024-02-30'],
    ['31 April', '1990-04-31'],
    ['31 June', '1990-06-31'],
    ['31 September', '1990-09-31'],
    ['31 November', '1990-11-31'],
    ['month 00', '1990-00-10'],
    ['month 13', '1990-13-10'],
    ['day 00', '1990-05-00'],
    ['day 32', '1990-01-32'],
    ['French order', '15/06/1990'],
    ['day first with dashes', '15-06-1990'],
    ['no zero padding', '1990-6-5'],
    ['two-digit year', '90-06-05'],
    ['five-digit year', '19900-06-05'],
    ['a time part', '1990-06-05T00:00:00Z'],
    ['surrounding spaces', ' 1990-06-05 '],
    ['empty', ''],
    ['non-ASCII digits', '١٩٩٠-٠٦-٠٥'],
  ])('refuses %s as BIRTH_DATE_INVALID', (_label, date) => {
    expect(checkBirthDate(date, TODAY)).toBe('BIRTH_DATE_INVALID');
  });

  it.each(['1899-12-31', '1800-01-01', '0000-01-01', '0001-01-01'])('refuses %s as BIRTH_DATE_BEFORE_1900', (date) => {
    expect(checkBirthDate(date, TODAY)).toBe('BIRTH_DATE_BEFORE_1900');
  });

  it('refuses tomorrow and later as BIRTH_DATE_IN_FUTURE', () => {
    expect(checkBirthDate('2025-06-16', TODAY)).toBe('BIRTH_DATE_IN_FUTURE');
    expect(checkBirthDate('2026-01-01', TODAY)).toBe('BIRTH_DATE_IN_FUTURE');
    expect(checkBirthDate('9999-12-31', TODAY)).toBe('BIRTH_DATE_IN_FUTURE');
  });

  it('reports an impossible date as invalid even when it would also be in the future', () => {
    expect(checkBirthDate('2027-02-29', TODAY)).toBe('BIRTH_DATE_INVALID');
  });

  it('compares calendar days in UTC, whatever the time of day', () => {
    expect(checkBirthDate('2025-06-15', new Date('2025-06-15T00:00:00Z'))).toBeUndefined();
    expect(checkBirthDate('2025-06-16', new Date('2025-06-15T23:59:59.999Z'))).toBe('BIRTH_DATE_IN_FUTURE');
  });

  it('throws on an invalid reference date instead of letting every date through', () => {
    expect(() => checkBirthDate('1990-01-01', new Date('nope'))).toThrow(RangeError);
  });
});

describe('ageOn', () => {
  it('counts full years', () => {
    expect(ageOn('1980-06-15', TODAY)).toBe(45);
    expect(ageOn('1980-06-16', TODAY)).toBe(44);
    expect(ageOn('1980-06-14', TODAY)).toBe(45);
    expect(ageOn('1980-12-31', TODAY)).toBe(44);
    expect(ageOn('1981-01-01', TODAY)).toBe(44);
  });

  it('is 0 on the day of birth and until the first birthday', () => {
    expect(ageOn('2025-06-15', TODAY)).toBe(0);
    expect(ageOn('2024-06-16', TODAY)).toBe(0);
    expect(ageOn('2024-06-15', TODAY)).toBe(1);
  });

  it('turns someone born on 29 February a year older on 1 March in common years', () => {
    expect(ageOn('2000-02-29', new Date('2023-02-28T12:00:00Z'))).toBe(22);
    expect(ageOn('2000-02-29', new Date('2023-03-01T00:00:00Z'))).toBe(23);
  });

  it('turns someone born on 29 February a year older on 29 February in leap years', () => {
    expect(ageOn('2000-02-29', new Date('2024-02-28T23:59:59Z'))).toBe(23);
    expect(ageOn('2000-02-29', new Date('2024-02-29T00:00:00Z'))).toBe(24);
  });

  it('handles 1 March birthdays across leap and common years alike', () => {
    expect(ageOn('2000-03-01', new Date('2024-02-29T00:00:00Z'))).toBe(23);
    expect(ageOn('2000-03-01', new Date('2024-03-01T00:00:00Z'))).toBe(24);
  });

  it('uses the UTC calendar day of the reference instant', () => {
    // 23:30 UTC on 14 June is already 15 June in Paris; the rule is UTC, so not yet 45.
    expect(ageOn('1980-06-15', new Date('2025-06-14T23:30:00Z'))).toBe(44);
    expect(ageOn('1980-06-15', new Date('2025-06-14T23:30:00-02:00'))).toBe(45);
  });

  it('works at the ages that matter for retirement and succession rules', () => {
    // 70 is the age that splits the tax regime of life-insurance premiums (art. 990 I / 757 B CGI).
    expect(ageOn('1955-06-16', TODAY)).toBe(69);
    expect(ageOn('1955-06-15', TODAY)).toBe(70);
    expect(ageOn('1900-01-01', new Date('2030-01-01T00:00:00Z'))).toBe(130);
  });

  it('throws on an invalid birth date, an invalid reference, or a reference before the birth', () => {
    expect(() => ageOn('2023-02-29', TODAY)).toThrow(RangeError);
    expect(() => ageOn('1980-01-01', new Date(Number.NaN))).toThrow(RangeError);
    expect(() => ageOn('2025-06-16', TODAY)).toThrow(RangeError);
  });
});

describe('normalizePhone', () => {
  it.each([
    ['+33612345678', '+33612345678'],
    ['06 12 34 56 78', '+33612345678'],
    ['0612345678', '+33612345678'],
    ['06.12.34.56.78', '+33612345678'],
    ['06-12-34-56-78', '+33612345678'],
    ['  06 12 34 56 78  ', '+33612345678'],
    ['06\u00a012\u00a034\u00a056\u00a078', '+33612345678'],
    ['07 81 56 27 85', '+33781562785'],
    ['01 23 45 67 89', '+33123456789'],
    ['09 70 12 34 56', '+33970123456'],
    ['+33 6 12 34 56 78', '+33612345678'],
    ['+33 (0)6 12 34 56 78', '+33612345678'],
    ['+33(0)612345678', '+33612345678'],
    ['0033 6 12 34 56 78', '+33612345678'],
  ])('normalizes the French number %j', (raw, expected) => {
    expect(normalizePhone(raw)).toBe(expected);
  });

  it.each([
    ['+49 30 901820', '+4930901820'],
    ['+44 20 7946 0958', '+442079460958'],
    ['+44 (0)20 7946 0958', '+442079460958'],
    ['+1 (415) 555-2671', '+14155552671'],
    ['+41 44 668 18 00', '+41446681800'],
    ['0041 44 668 18 00', '+41446681800'],
    ['+6834002', '+6834002'],
    ['+123456789012345', '+123456789012345'],
  ])('keeps the international number %j in E.164', (raw, expected) => {
    expect(normalizePhone(raw)).toBe(expected);
  });

  it.each([
    ['Réunion mobile', '06 92 12 34 56', '+262692123456'],
    ['Réunion landline', '02 62 12 34 56', '+262262123456'],
    ['Mayotte mobile', '06 39 12 34 56', '+262639123456'],
    ['Mayotte landline', '02 69 61 23 45', '+262269612345'],
    ['Guadeloupe mobile', '06 90 12 34 56', '+590690123456'],
    ['Guadeloupe landline', '05 90 12 34 56', '+590590123456'],
    ['French Guiana mobile', '06 94 20 12 34', '+594694201234'],
    ['French Guiana landline', '05 94 10 12 34', '+594594101234'],
    ['Martinique mobile', '06 96 20 12 34', '+596696201234'],
    ['Martinique landline', '05 96 30 12 34', '+596596301234'],
    ['Saint-Pierre-and-Miquelon', '05 08 41 23 45', '+508412345'],
  ])('gives an overseas number (%s) its own country code', (_label, raw, expected) => {
    expect(normalizePhone(raw)).toBe(expected);
  });

  it('keeps metropolitan numbers that merely look like overseas prefixes under +33', () => {
    expect(normalizePhone('06 89 12 34 56')).toBe('+33689123456');
    expect(normalizePhone('05 91 12 34 56')).toBe('+33591123456');
    expect(normalizePhone('02 61 12 34 56')).toBe('+33261123456');
  });

  it.each([
    ['empty', ''],
    ['blank', '   '],
    ['too short for France', '06 12 34 56 7'],
    ['too long for France', '06 12 34 56 78 9'],
    ['no trunk prefix', '612345678'],
    ['00 then nothing valid', '00'],
    ['national number starting 00', '0012'],
    ['trunk 0 kept after +33', '+33 06 12 34 56 78'],
    ['+33 with too few digits', '+3361234567'],
    ['+33 with too many digits', '+336123456789'],
    ['E.164 longer than 15 digits', '+1234567890123456'],
    ['E.164 shorter than 7 digits', '+123456'],
    ['country code starting with 0', '+0612345678'],
    ['letters', '06 12 AB 56 78'],
    ['an extension', '+33 1 23 45 67 89 ext 12'],
    ['a plus sign in the middle', '06+12345678'],
    ['two plus signs', '++33612345678'],
    ['a bare plus sign', '+'],
    ['non-ASCII digits', '٠٦١٢٣٤٥٦٧٨'],
  ])('refuses %s', (_label, raw) => {
    expect(normalizePhone(raw)).toBeUndefined();
  });

  it('is idempotent on its own output', () => {
    for (const raw of ['06 12 34 56 78', '+44 20 7946 0958', '06 92 12 34 56', '05 08 41 23 45']) {
      const once = normalizePhone(raw);
      expect(once).toBeDefined();
      expect(normalizePhone(once ?? '')).toBe(once);
    }
  });
});

describe('checkPostalCode', () => {
  it.each(['75001', '13008', '20000', '97400', '01000', '00200'])('accepts the French code %s', (code) => {
    expect(checkPostalCode('FR', code)).toBe(true);
  });

  it.each(['7500', '750011', '75 001', '2A000', 'ABCDE', ' 75001', '75001 ', ''])('refuses the French code %j', (code) => {
    expect(checkPostalCode('FR', code)).toBe(false);
  });

  it('applies the French rule to every territory La Poste serves', () => {
    for (const [country, code] of [['GP', '97110'], ['RE', '97400'], ['YT', '97600'], ['MC', '98000'], ['NC', '98800'], ['PM', '97500']]) {
      expect({ country, ok: checkPostalCode(country, code) }).toEqual({ country, ok: true });
      expect({ country, ok: checkPostalCode(country, 'AB 12') }).toEqual({ country, ok: false });
    }
  });

  it('reads the country code case-insensitively', () => {
    expect(checkPostalCode('fr', '75001')).toBe(true);
    expect(checkPostalCode('fr', '7500')).toBe(false);
  });

  it.each([
    ['DE', '10115'],
    ['BE', '1000'],
    ['CH', '8001'],
    ['GB', 'SW1A 1AA'],
    ['NL', '1012 JS'],
    ['CA', 'K1A 0B1'],
    ['PT', '1000-001'],
    ['US', '94105-1804'],
    ['IE', 'D02 X285'],
    ['MT', 'VLT 1117'],
    ['XX', '12'],
    ['JP', '100-0001'],
  ])('accepts %s %j', (country, code) => {
    expect(checkPostalCode(country, code)).toBe(true);
  });

  it.each([
    ['too short', '1'],
    ['too long', '12345678901'],
    ['punctuation', '1000.01'],
    ['a slash', '10/00'],
    ['leading space', ' 1000'],
    ['trailing hyphen', '1000-'],
    ['only hyphens', '--'],
    ['only spaces', '    '],
    ['non-ASCII letters', 'ÅB 123'],
    ['empty', ''],
  ])('refuses, outside France, %s', (_label, code) => {
    expect(checkPostalCode('DE', code)).toBe(false);
  });
});

describe('isIsoCountry', () => {
  it.each(['FR', 'DE', 'US', 'GB', 'CH', 'MC', 'RE', 'GP', 'YT', 'AX', 'BQ', 'CW', 'SX', 'SS', 'AQ', 'UM', 'PS', 'VA'])('accepts %s', (code) => {
    expect(isIsoCountry(code)).toBe(true);
  });

  it.each([
    ['user-assigned (Kosovo)', 'XK'],
    ['exceptionally reserved (UK)', 'UK'],
    ['exceptionally reserved (EU)', 'EU'],
    ['withdrawn (Netherlands Antilles)', 'AN'],
    ['withdrawn (Serbia and Montenegro)', 'CS'],
    ['lower case', 'fr'],
    ['alpha-3', 'FRA'],
    ['one letter', 'F'],
    ['empty', ''],
    ['numeric', '25'],
    ['padded', ' FR'],
    ['an Object.prototype member', 'constructor'],
  ])('refuses %s', (_label, code) => {
    expect(isIsoCountry(code)).toBe(false);
  });

  it('knows the 249 officially assigned codes', () => {
    let assigned = 0;
    for (let first = 65; first <= 90; first += 1) {
      for (let second = 65; second <= 90; second += 1) {
        if (isIsoCountry(String.fromCharCode(first, second))) assigned += 1;
      }
    }
    expect(assigned).toBe(249);
  });
});
