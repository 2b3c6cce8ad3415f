import fc from 'fast-check';
import { addDecimals, compareDecimals, formatDecimal, normalizeDecimal, parseDecimal, sharesFor, valueInMinorUnits } from '../../../domain/investments/decimal';
import { isIsin } from '../../../domain/investments/isin';

describe('exact decimals (value x 10^-scale)', () => {
  it('compares across scales: 12.30 is 12.3, 12.31 is more', () => {
    expect(compareDecimals({ value: 1230, scale: 2 }, { value: 123, scale: 1 })).toBe(0);
    expect(compareDecimals({ value: 1231, scale: 2 }, { value: 123, scale: 1 })).toBe(1);
    expect(compareDecimals({ value: 5, scale: 0 }, { value: 50_000_001, scale: 7 })).toBe(-1);
  });

  it('adds at the larger scale and drops trailing zeros on request', () => {
    expect(addDecimals({ value: 15, scale: 1 }, { value: 225, scale: 3 })).toEqual({ value: 1725, scale: 3 });
    expect(normalizeDecimal({ value: 1234500, scale: 4 })).toEqual({ value: 12345, scale: 2 });
  });

  it('values shares at a NAV in cents, rounding half away from zero', () => {
    // 10.5 shares x 123.4567 = 1296.29535 EUR -> 1296.30
    expect(valueInMinorUnits({ value: 105, scale: 1 }, { value: 1234567, scale: 4 }, 2)).toBe(129_630);
    // 1 share x 0.125 = 0.125 -> 0.13; -1 share -> -0.13
    expect(valueInMinorUnits({ value: 1, scale: 0 }, { value: 125, scale: 3 }, 2)).toBe(13);
    expect(valueInMinorUnits({ value: -1, scale: 0 }, { value: 125, scale: 3 }, 2)).toBe(-13);
    // No float drift where binary floating point has it (0.1 x 3 shares).
    expect(valueInMinorUnits({ value: 3, scale: 0 }, { value: 1, scale: 1 }, 2)).toBe(30);
  });

  it('buys shares rounded down, never more than paid for', () => {
    // 3000.00 EUR at 123.4567 = 24.30003... shares -> 24.3000 at scale 4
    const shares = sharesFor(300_000, { value: 1234567, scale: 4 }, 2, 4);
    expect(shares).toEqual({ value: 243000, scale: 4 });
    fc.assert(
      // Amounts up to 10,000,000.00, NAVs from 1 to 99,999,999 units at 0 to 6 decimals.
      fc.property(fc.integer({ min: 1, max: 1_000_000_000 }), fc.integer({ min: 0, max: 6 }).chain((scale) => fc.tuple(fc.constant(scale), fc.integer({ min: 10 ** scale, max: 99_999_999 }))), (amount, [scale, nav]) => {
        const bought = sharesFor(amount, { value: nav, scale }, 2, 4);
        // Their value at the same NAV, before rounding, never exceeds the amount, and one more 0.0001 share would.
        expect(BigInt(bought.value) * BigInt(nav) * 100n <= BigInt(amount) * 10n ** BigInt(4 + scale)).toBe(true);
        expect(BigInt(bought.value + 1) * BigInt(nav) * 100n > BigInt(amount) * 10n ** BigInt(4 + scale)).toBe(true);
      }),
    );
  });

  it('reads and writes plain decimals, refusing anything else', () => {
    expect(parseDecimal('123.4567')).toEqual({ value: 1234567, scale: 4 });
    expect(parseDecimal('7')).toEqual({ value: 7, scale: 0 });
    for (const bad of ['', '-1', '1e3', '1,5', '1.', '.5', ' 1', '1.123456789', '12345678901234567', 'NaN']) expect([bad, parseDecimal(bad)]).toEqual([bad, undefined]);
    expect(formatDecimal({ value: 1234567, scale: 4 })).toBe('123.4567');
    expect(formatDecimal({ value: 5, scale: 3 })).toBe('0.005');
    fc.assert(fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 0, max: 8 }), (value, scale) => {
      expect(parseDecimal(formatDecimal({ value, scale }))).toEqual(formatDecimal({ value, scale }).length - (scale ? 1 : 0) > 16 ? undefined : { value, scale });
    }));
  });
});

describe('ISIN check digits', () => {
  it('accepts ISINs whose check digit verifies and refuses the rest', () => {
    for (const good of ['FR0010315770', 'LU0290358497', 'IE00B4L5Y983', 'US0378331005']) expect([good, isIsin(good)]).toEqual([good, true]);
    for (const bad of ['FR0010315771', 'FR0000000001', 'fr0010315770', 'FR001031577', 'FR00103157700', '', 'XX']) expect([bad, isIsin(bad)]).toEqual([bad, false]);
  });
});
