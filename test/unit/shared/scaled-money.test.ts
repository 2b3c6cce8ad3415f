import { AppError } from '../../../errors/app-error';
import { toMinorUnits } from '../../../domain/shared/scaled-money';
import { MAX_AMOUNT_MINOR_UNITS } from '../../../domain/shared/money-limits';

const EUR = ['EUR'];

function problems(work: () => unknown): Array<[string | undefined, string]> {
  try {
    work();
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return [[error.extra.field, error.reason], ...(error.extra.details ?? []).map((d): [string | undefined, string] => [d.field, d.reason])];
  }
  throw new Error('expected an error, none was thrown');
}

describe('toMinorUnits: a {value, scale, currency} amount as exact cents', () => {
  it.each([
    [123_456, 2, 123_456],
    [12_345_600, 4, 123_456],
    [10_005, 1, 100_050],
    [1, 1, 10],
    [9_000_000_000_000_000, 17, 9],
    [MAX_AMOUNT_MINOR_UNITS * 1000, 5, MAX_AMOUNT_MINOR_UNITS],
  ])('%p at scale %p is %p cents', (value, scale, cents) => {
    expect(toMinorUnits({ value, scale, currency: 'EUR' }, EUR)).toEqual({ amount: cents, currency: 'EUR' });
  });

  it.each([
    [125, 3],
    [1_000_001, 3],
    [Number.MAX_SAFE_INTEGER, 3],
    [60_000, 18],
    [60_000, 2_000_000_000],
  ])('%p at scale %p has digits finer than the cent: refused on value and scale, never rounded', (value, scale) => {
    expect(problems(() => toMinorUnits({ value, scale, currency: 'EUR' }, EUR))).toEqual([
      ['amount.value', 'AMOUNT_FINER_THAN_MINOR_UNIT'],
      ['amount.scale', 'AMOUNT_FINER_THAN_MINOR_UNIT'],
    ]);
  });

  it('names every malformed part at once', () => {
    expect(problems(() => toMinorUnits({ value: 0, scale: -1, currency: 'USD' }, EUR))).toEqual([
      ['amount.value', 'VALUE_NOT_POSITIVE_INTEGER'],
      ['amount.scale', 'SCALE_NOT_POSITIVE_INTEGER'],
      ['amount.currency', 'CURRENCY_NOT_ACCEPTED'],
    ]);
    expect(problems(() => toMinorUnits({ value: 1.5, scale: 2, currency: 'EUR' }, EUR))).toEqual([['amount.value', 'VALUE_NOT_POSITIVE_INTEGER']]);
    expect(problems(() => toMinorUnits({ value: 2 ** 53, scale: 2, currency: 'EUR' }, EUR))).toEqual([['amount.value', 'VALUE_NOT_POSITIVE_INTEGER']]);
  });

  it('refuses more than the largest amount', () => {
    expect(problems(() => toMinorUnits({ value: MAX_AMOUNT_MINOR_UNITS + 1, scale: 2, currency: 'EUR' }, EUR))).toEqual([['amount.value', 'AMOUNT_ABOVE_MAXIMUM']]);
    expect(problems(() => toMinorUnits({ value: MAX_AMOUNT_MINOR_UNITS, scale: 1, currency: 'EUR' }, EUR))).toEqual([['amount.value', 'AMOUNT_ABOVE_MAXIMUM']]);
  });
});
