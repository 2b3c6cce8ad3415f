import { AppError } from '../../../errors/app-error';
import { checkNamedFunds, planPartialSale } from '../../../domain/surrender/surrender-sale';

const eur = (cents: number) => ({ value: cents, scale: 2, currency: 'EUR' });
const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return [error.code, error.reason, error.extra.field];
    throw error;
  }
  throw new Error('expected a refusal');
};
const positions = [
  { isin: 'A', value: 1_000_000 },
  { isin: 'B', value: 750_000 },
  { isin: 'C', value: 1_600_000 },
  { isin: 'EURO', value: 100_000 },
];

describe('what a partial surrender sells', () => {
  it('pro rata to the positions\' values, each rounded down, the cents left over to the first', () => {
    expect(planPartialSale(345_000, positions, null)).toEqual([
      { isin: 'A', amount: 100_000 }, { isin: 'B', amount: 75_000 }, { isin: 'C', amount: 160_000 }, { isin: 'EURO', amount: 10_000 },
    ]);
    // 100,001 cents: the shares rounded down leave a few cents, which go to the first fund.
    const odd = planPartialSale(100_001, positions, null);
    expect(odd.reduce((s, l) => s + l.amount, 0)).toBe(100_001);
    const floor = (v: number) => Math.floor((100_001 * v) / 3_450_000);
    expect(odd.slice(1).map((l) => l.amount)).toEqual([floor(750_000), floor(1_600_000), floor(100_000)]);
    expect(odd[0].amount).toBe(floor(1_000_000) + 100_001 - [1_000_000, 750_000, 1_600_000, 100_000].reduce((s, v) => s + floor(v), 0));
  });

  it('the funds named, in amounts or in basis points of the amount', () => {
    expect(planPartialSale(200_000, positions, checkNamedFunds([{ isin: 'A', amount: eur(150_000) }, { isin: 'EURO', amount: eur(50_000) }], 200_000, ['EUR']))).toEqual([
      { isin: 'A', amount: 150_000 }, { isin: 'EURO', amount: 50_000 },
    ]);
    expect(planPartialSale(100_001, positions, checkNamedFunds([{ isin: 'B', basisPoints: 5_000 }, { isin: 'C', basisPoints: 5_000 }], 100_001, ['EUR']))).toEqual([
      { isin: 'B', amount: 50_001 }, { isin: 'C', amount: 50_000 },
    ]);
  });

  it('refuses a badly shaped list (400 naming the field) and a fund not held or asked for more than it is worth (422)', () => {
    expect(refusal(() => checkNamedFunds([], 100, ['EUR']))).toEqual(['parameter_invalid', 'FUNDS_COUNT_OUT_OF_RANGE', 'funds']);
    expect(refusal(() => checkNamedFunds([{ isin: 'A', basisPoints: 5_000 }, { isin: 'A', basisPoints: 5_000 }], 100, ['EUR']))).toEqual(['parameter_invalid', 'FUND_LISTED_TWICE', 'funds[1].isin']);
    expect(refusal(() => checkNamedFunds([{ isin: 'A', basisPoints: 0 }], 100, ['EUR']))).toEqual(['parameter_invalid', 'SHARE_OUT_OF_RANGE', 'funds[0].basisPoints']);
    expect(refusal(() => checkNamedFunds([{ isin: 'A', amount: { value: 1, scale: 3, currency: 'EUR' } }], 100, ['EUR']))).toEqual(['parameter_invalid', 'AMOUNT_FINER_THAN_MINOR_UNIT', 'funds[0].amount.value']);
    expect(refusal(() => checkNamedFunds([{ isin: 'A', basisPoints: 9_000 }], 100, ['EUR']))).toEqual(['parameter_invalid', 'FUND_BASIS_POINTS_NOT_10000', 'funds']);
    expect(refusal(() => planPartialSale(100, positions, { by: 'amount', lines: [{ isin: 'Z', amount: 100 }] }))).toEqual(['unprocessable_content', 'SURRENDER_FUND_NOT_HELD', 'funds[0].isin']);
    expect(refusal(() => planPartialSale(200_000, positions, { by: 'amount', lines: [{ isin: 'EURO', amount: 100_001 }, { isin: 'A', amount: 99_999 }] }))).toEqual(['unprocessable_content', 'SURRENDER_EXCEEDS_FUND_VALUE', 'funds[0].amount']);
    expect(checkNamedFunds(null, 100, ['EUR'])).toBeNull();
  });
});
