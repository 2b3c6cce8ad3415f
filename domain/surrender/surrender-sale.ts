import { AppError, invalidFields } from '../../errors/app-error';
import { distribute } from '../investments/switch-rules';
import { toMinorUnits } from '../shared/scaled-money';
import type { SurrenderFundInput } from './position-sales';

/** The most funds a partial surrender may name. */
const MAX_FUNDS = 20;
const FULL = 10_000;

/** The funds a partial surrender names, once their shape is checked: amounts in minor units, or basis points of the amount. */
export type NamedFunds = { by: 'amount'; lines: Array<{ isin: string; amount: number }> } | { by: 'basisPoints'; lines: Array<{ isin: string; basisPoints: number }> };

/**
 * The shape of `funds` (400 parameter_invalid, each problem named `funds[i].x`): 1 to 20 funds, each
 * once, each with an amount (exact to the cent, the surrender's currency) or a positive whole number
 * of basis points, not both; all in amounts adding up to the amount asked, or all in basis points
 * adding up to 10000. Absent or null: the sale is pro rata.
 */
export function checkNamedFunds(funds: readonly SurrenderFundInput[] | null | undefined, requested: number, currencies: readonly string[]): NamedFunds | null {
  if (funds === null || funds === undefined) return null;
  if (funds.length < 1 || funds.length > MAX_FUNDS) throw new AppError('parameter_invalid', 'FUNDS_COUNT_OUT_OF_RANGE', { field: 'funds' });
  const problems: Array<{ field: string; reason: string }> = [];
  const seen = new Set<string>();
  const amounts: Array<{ isin: string; amount: number }> = [];
  const points: Array<{ isin: string; basisPoints: number }> = [];
  funds.forEach((f, i) => {
    if (typeof f.isin !== 'string' || !f.isin.trim()) problems.push({ field: `funds[${i}].isin`, reason: 'ISIN_MISSING' });
    else if (seen.has(f.isin)) problems.push({ field: `funds[${i}].isin`, reason: 'FUND_LISTED_TWICE' });
    seen.add(f.isin);
    const hasAmount = f.amount !== null && f.amount !== undefined;
    const hasPoints = f.basisPoints !== null && f.basisPoints !== undefined;
    if (hasAmount === hasPoints) {
      problems.push({ field: `funds[${i}]`, reason: 'AMOUNT_XOR_BASIS_POINTS' });
      return;
    }
    if (hasAmount) {
      try {
        amounts.push({ isin: f.isin, amount: toMinorUnits(f.amount!, currencies, `funds[${i}].amount`).amount });
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        problems.push({ field: error.extra.field ?? `funds[${i}].amount`, reason: error.reason }, ...(error.extra.details ?? []).map((d) => ({ field: d.field ?? `funds[${i}].amount`, reason: d.reason })));
      }
    } else if (!Number.isSafeInteger(f.basisPoints) || f.basisPoints! <= 0 || f.basisPoints! > FULL) {
      problems.push({ field: `funds[${i}].basisPoints`, reason: 'SHARE_OUT_OF_RANGE' });
    } else points.push({ isin: f.isin, basisPoints: f.basisPoints! });
  });
  if (problems.length) throw invalidFields(problems);
  if (amounts.length && points.length) throw new AppError('parameter_invalid', 'FUNDS_MIX_AMOUNTS_AND_BASIS_POINTS', { field: 'funds' });
  if (amounts.length) {
    if (amounts.reduce((s, l) => s + l.amount, 0) !== requested) throw new AppError('parameter_invalid', 'FUND_AMOUNTS_NOT_THE_AMOUNT', { field: 'funds' });
    return { by: 'amount', lines: amounts };
  }
  if (points.reduce((s, l) => s + l.basisPoints, 0) !== FULL) throw new AppError('parameter_invalid', 'FUND_BASIS_POINTS_NOT_10000', { field: 'funds' });
  return { by: 'basisPoints', lines: points };
}

/**
 * What a partial surrender sells from each fund, in minor units, sized on the positions' values at
 * their latest NAVs: the funds named, or else every position pro rata to its value (each share
 * rounded down, the cents left over to the first). A fund named but not held, or asked for more than
 * its position is worth, is a 422 naming it.
 */
export function planPartialSale(requested: number, positions: ReadonlyArray<{ isin: string; value: number }>, named: NamedFunds | null): Array<{ isin: string; amount: number }> {
  const valueOf = new Map(positions.map((p) => [p.isin, p.value]));
  if (named === null) {
    const held = positions.filter((p) => p.value > 0);
    const shares = distribute(requested, held.map((p) => p.value));
    return held.map((p, i) => ({ isin: p.isin, amount: shares[i] })).filter((l) => l.amount > 0);
  }
  const amounts = named.by === 'amount' ? named.lines : (() => {
    const shares = distribute(requested, named.lines.map((l) => l.basisPoints));
    return named.lines.map((l, i) => ({ isin: l.isin, amount: shares[i] }));
  })();
  amounts.forEach((l, i) => {
    const value = valueOf.get(l.isin);
    if (value === undefined) throw new AppError('unprocessable_content', 'SURRENDER_FUND_NOT_HELD', { field: `funds[${i}].isin` });
    if (l.amount > value) throw new AppError('unprocessable_content', 'SURRENDER_EXCEEDS_FUND_VALUE', { field: `funds[${i}].${named.by === 'amount' ? 'amount' : 'basisPoints'}` });
  });
  return amounts.filter((l) => l.amount > 0);
}
