/**
 * Pure checks on a subscriber's or insuree's identity data. Each returns `undefined` (or `true`)
 * when the value is fine, otherwise a stable UPPER_SNAKE reason that API clients can switch on.
 */

/** Why a birth date was refused. */
export type BirthDateRejection = 'BIRTH_DATE_INVALID' | 'BIRTH_DATE_IN_FUTURE' | 'BIRTH_DATE_BEFORE_1900';

// Nobody alive was born before 1900: an earlier date is a typing mistake (or year 0, which SQL refuses).
const EARLIEST_BIRTH: CalendarDate = { year: 1900, month: 1, day: 1 };

interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

// Four-digit years only: `Date.UTC` maps years 0-99 to 1900-1999, and five-digit or signed years
// are never a birth date someone typed on purpose.
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Checks a `YYYY-MM-DD` birth date exists in the calendar, is not before 1900-01-01 nor after `today` (UTC); throws RangeError on an invalid `today`. */
export function checkBirthDate(birthDate: string, today: Date): BirthDateRejection | undefined {
  const birth = parseCalendarDate(birthDate);
  if (birth === undefined) return 'BIRTH_DATE_INVALID';
  if (compareDates(birth, EARLIEST_BIRTH) < 0) return 'BIRTH_DATE_BEFORE_1900';
  if (compareDates(birth, utcCalendarDate(today)) > 0) return 'BIRTH_DATE_IN_FUTURE';
  return undefined;
}

/** Age in full years on the UTC calendar day of `on`; throws RangeError on an invalid date or `on` before birth. */
export function ageOn(birthDate: string, on: Date): number {
  const birth = parseCalendarDate(birthDate);
  if (birth === undefined) throw new RangeError(`invalid birth date: ${birthDate}`);
  const day = utcCalendarDate(on);
  if (compareDates(birth, day) > 0) throw new RangeError('reference date is before the birth date');
  // Comparing (month, day) pairs, not adding years to the birth date, is what makes someone born on
  // 29 February a year older on 1 March in non-leap years: (2, 28) < (2, 29) < (3, 1).
  const birthdayPassed = day.month > birth.month || (day.month === birth.month && day.day >= birth.day);
  return day.year - birth.year - (birthdayPassed ? 0 : 1);
}

// National numbers of the French overseas departments and collectivities share the French
// 10-digit plan but have their own country codes, so "+33" would make them unreachable (an SMS
// signing code would never arrive). Keyed by the first four digits of the national number, after
// the main ARCEP allocations. Finer-grained blocks (a few 0694/0696 ranges assigned to Guadeloupe,
// the overseas VoIP 09 ranges) are beyond this table: collect E.164 where that precision matters.
const OVERSEAS_PREFIXES: Readonly<Record<string, string>> = {
  '0262': '262', '0263': '262', '0269': '262', '0639': '262', '0692': '262', '0693': '262', // Réunion, Mayotte
  '0590': '590', '0690': '590', '0691': '590', // Guadeloupe, Saint-Barthélemy, Saint-Martin
  '0594': '594', '0694': '594', // French Guiana
  '0596': '596', '0696': '596', '0697': '596', // Martinique
};

// Saint-Pierre-and-Miquelon keeps 6-digit subscriber numbers, reached as 05 08 xx xx xx nationally.
const SAINT_PIERRE_NATIONAL = /^0508(\d{6})$/;

const FRENCH_NATIONAL = /^0[1-9]\d{8}$/;
const FRENCH_E164 = /^\+33[1-9]\d{8}$/;
// E.164 allows at most 15 digits; a few small territories (Niue, +683) still have 4-digit subscriber
// numbers, hence 7 digits at least.
const E164 = /^\+[1-9]\d{6,14}$/;

/** Normalizes an E.164 or French national phone number to E.164, or `undefined` when it is neither. */
export function normalizePhone(raw: string): string | undefined {
  const compact = compactPhone(raw);
  if (compact === undefined) return undefined;
  if (compact.startsWith('+')) return normalizeInternational(compact);
  if (compact.startsWith('00')) return normalizeInternational(`+${compact.slice(2)}`);
  return normalizeFrenchNational(compact);
}

// People write numbers with spaces, dots or hyphens between digit pairs, and "+33 (0)6 ..." with the
// trunk prefix in brackets; none of that is part of the number.
function compactPhone(raw: string): string | undefined {
  const withoutTrunk = raw.trim().replace(/^(\+\d{1,3})\s*\(0\)/, '$1');
  if (!/^\+?[\d\s.\-/()]+$/.test(withoutTrunk)) return undefined;
  return withoutTrunk.replace(/[\s.\-/()]/g, '');
}

function normalizeInternational(candidate: string): string | undefined {
  if (!E164.test(candidate)) return undefined;
  // +33 is the one country code whose length we know for sure: a trunk 0 kept after it ("+33 06...")
  // is a typo we refuse rather than guess at.
  if (candidate.startsWith('+33') && !FRENCH_E164.test(candidate)) return undefined;
  return candidate;
}

function normalizeFrenchNational(candidate: string): string | undefined {
  const saintPierre = SAINT_PIERRE_NATIONAL.exec(candidate);
  if (saintPierre !== null) return `+508${saintPierre[1]}`;
  if (!FRENCH_NATIONAL.test(candidate)) return undefined;
  const countryCode = OVERSEAS_PREFIXES[candidate.slice(0, 4)] ?? '33';
  return `+${countryCode}${candidate.slice(1)}`;
}

// Countries and territories served by La Poste's 5-digit codes (overseas: 971xx-976xx, 986xx-988xx,
// Monaco 980xx).
const FRENCH_POSTAL_SYSTEM = new Set(['FR', 'GP', 'MQ', 'GF', 'RE', 'YT', 'PM', 'BL', 'MF', 'MC', 'NC', 'PF', 'WF']);
const FRENCH_POSTAL_CODE = /^\d{5}$/;
// Starts and ends with a letter or digit so a lone "-" or blank padding is not a postal code.
const OTHER_POSTAL_CODE = /^[A-Za-z0-9](?:[A-Za-z0-9 -]{0,8}[A-Za-z0-9])$/;

/** Checks a postal code's shape for a country: 5 digits in the French postal system, else 2-10 letters, digits, spaces or hyphens. */
export function checkPostalCode(country: string, postalCode: string): boolean {
  const pattern = FRENCH_POSTAL_SYSTEM.has(country.toUpperCase()) ? FRENCH_POSTAL_CODE : OTHER_POSTAL_CODE;
  return pattern.test(postalCode);
}

// The 249 officially assigned ISO 3166-1 alpha-2 codes. User-assigned codes such as XK (Kosovo) and
// reserved ones such as UK or EU are not country codes of the standard.
const ISO_3166_ALPHA_2 = new Set(
  (
    'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ ' +
    'BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ ' +
    'CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ ' +
    'DE DJ DK DM DO DZ ' +
    'EC EE EG EH ER ES ET ' +
    'FI FJ FK FM FO FR ' +
    'GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY ' +
    'HK HM HN HR HT HU ' +
    'ID IE IL IM IN IO IQ IR IS IT ' +
    'JE JM JO JP ' +
    'KE KG KH KI KM KN KP KR KW KY KZ ' +
    'LA LB LC LI LK LR LS LT LU LV LY ' +
    'MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ ' +
    'NA NC NE NF NG NI NL NO NP NR NU NZ ' +
    'OM ' +
    'PA PE PF PG PH PK PL PM PN PR PS PT PW PY ' +
    'QA ' +
    'RE RO RS RU RW ' +
    'SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ ' +
    'TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ ' +
    'UA UG UM US UY UZ ' +
    'VA VC VE VG VI VN VU ' +
    'WF WS ' +
    'YE YT ' +
    'ZA ZM ZW'
  ).split(' '),
);

/** Whether `code` is an officially assigned ISO 3166-1 alpha-2 code, in upper case as the standard writes it. */
export function isIsoCountry(code: string): boolean {
  return ISO_3166_ALPHA_2.has(code);
}

function parseCalendarDate(value: string): CalendarDate | undefined {
  const match = ISO_DATE.exec(value);
  if (match === null) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return { year, month, day };
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

// An Invalid Date would compare as NaN, which reads as "not after" and would let any date through.
function utcCalendarDate(date: Date): CalendarDate {
  if (Number.isNaN(date.getTime())) throw new RangeError('invalid reference date');
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

function compareDates(a: CalendarDate, b: CalendarDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}
