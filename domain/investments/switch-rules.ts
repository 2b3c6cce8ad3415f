import { AppError, invalidFields, type ErrorDetail } from '../../errors/app-error';
import type { ErrorCode } from '../../errors/catalog';
import { toMinorUnits } from '../shared/scaled-money';
import { sharesFor, valueInMinorUnits } from './decimal';
import type { CatalogueFund, Decimal, Valuation } from './fund';
import type { ExecutedLeg, SwitchLeg, SwitchLegInput } from './switch-request';
import type { PositionMovement } from './position';

/** All of a position, in basis points. */
export const FULL = 10_000;
/** Selling more than this much of a position without selling all of it is refused (market-drop safety). */
export const MARKET_DROP_LIMIT = 9_000;
/** Most legs one switch may have. */
export const MAX_LEGS = 20;
/** Decimals of the shares a switch buys or sells. */
export const SWITCH_SHARE_SCALE = 6;

const leg = (i: number, field?: string) => `legs[${i}]${field ? `.${field}` : ''}`;

/**
 * The legs' shape, before anything is looked up (400 parameter_invalid, every problem at once): one to
 * twenty legs with at least one sell and one buy; a unit that fits the direction; `amount` exactly with
 * AMOUNT (exact to the cent, in the compartment's currency), `basisPoints` (a positive whole number)
 * exactly with the others.
 */
export function checkLegShapes(legs: readonly SwitchLegInput[], currency: string): SwitchLeg[] {
  if (legs.length === 0 || legs.length > MAX_LEGS) throw new AppError('parameter_invalid', 'SWITCH_LEG_COUNT_OUT_OF_RANGE', { field: 'legs' });
  const problems: ErrorDetail[] = [];
  const checked = legs.map((l, i): SwitchLeg => {
    if ((l.direction === 'SELL' && l.unit === 'BASIS_POINT_OF_SELL_PROCEED') || (l.direction === 'BUY' && l.unit === 'BASIS_POINT_OF_CURRENT_POSITION')) {
      problems.push({ field: leg(i, 'unit'), reason: 'UNIT_NOT_FOR_DIRECTION' });
    }
    let amount: number | null = null;
    let basisPoints: number | null = null;
    if (l.unit === 'AMOUNT') {
      if (l.basisPoints !== undefined && l.basisPoints !== null) problems.push({ field: leg(i, 'basisPoints'), reason: 'FIELD_NOT_FOR_UNIT' });
      if (!l.amount) problems.push({ field: leg(i, 'amount'), reason: 'AMOUNT_REQUIRED_FOR_UNIT' });
      else {
        try {
          amount = toMinorUnits(l.amount, [currency], leg(i, 'amount')).amount;
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          problems.push({ field: error.extra.field, reason: error.reason }, ...(error.extra.details ?? []));
        }
      }
    } else {
      if (l.amount !== undefined && l.amount !== null) problems.push({ field: leg(i, 'amount'), reason: 'FIELD_NOT_FOR_UNIT' });
      if (l.basisPoints === undefined || l.basisPoints === null) problems.push({ field: leg(i, 'basisPoints'), reason: 'BASIS_POINTS_REQUIRED_FOR_UNIT' });
      else if (!Number.isSafeInteger(l.basisPoints) || l.basisPoints < 1) problems.push({ field: leg(i, 'basisPoints'), reason: 'BASIS_POINTS_NOT_POSITIVE' });
      else basisPoints = l.basisPoints;
    }
    return { isin: l.isin, direction: l.direction, unit: l.unit, amount, basisPoints };
  });
  if (!problems.length && (!checked.some((l) => l.direction === 'SELL') || !checked.some((l) => l.direction === 'BUY'))) {
    problems.push({ field: 'legs', reason: 'SWITCH_NEEDS_A_SELL_AND_A_BUY' });
  }
  if (problems.length) throw invalidFields(problems.map((p) => ({ field: p.field ?? 'legs', reason: p.reason })));
  return checked;
}

/** A position as the rules see it: its fund, what is held, and its latest NAV (unit-linked). */
export interface HeldPosition {
  fund: CatalogueFund;
  shares: Decimal | null;
  amount: number | null;
  nav: Valuation | null;
  /** Minor units at the latest NAV (the euro fund: its amount). */
  value: number;
}

/** What the documented rules read: the compartment's positions, the legs' funds and their latest NAVs. */
export interface SwitchContext {
  held: ReadonlyMap<string, HeldPosition>;
  funds: ReadonlyMap<string, CatalogueFund>;
  latest: ReadonlyMap<string, Valuation>;
  currency: string;
  minorDigits: number;
}

const refuse = (code: ErrorCode, reason: string, field: string) => new AppError(code, reason, { field });

/**
 * The documented switch rules, each answered with its documented code and status (docs/INVESTMENTS.md
 * lists them in this order): first the 400s about the request itself, then the 422s about what the
 * positions can bear at their latest NAV.
 */
export function checkSwitch(legs: readonly SwitchLeg[], ctx: SwitchContext): void {
  const sells = legs.map((l, i) => ({ l, i })).filter(({ l }) => l.direction === 'SELL');
  const buys = legs.map((l, i) => ({ l, i })).filter(({ l }) => l.direction === 'BUY');

  const seen = new Set<string>();
  legs.forEach((l, i) => {
    if (seen.has(l.isin)) throw refuse('duplicate_fund_in_switch', 'DUPLICATE_FUND_IN_SWITCH', leg(i, 'isin'));
    seen.add(l.isin);
  });
  for (const { l, i } of sells) {
    if (l.basisPoints !== null && l.basisPoints > FULL) throw refuse('insufficient_funds_in_percentage', 'SELL_ABOVE_10000_BASIS_POINTS', leg(i, 'basisPoints'));
  }
  const sellsAll = sells.some(({ l }) => l.basisPoints === FULL);
  const buyInAmount = buys.find(({ l }) => l.unit === 'AMOUNT');
  if (sellsAll && buyInAmount) throw refuse('attempt_to_buy_in_amount_when_selling_full_position', 'BUY_IN_AMOUNT_WHILE_SELLING_FULL_POSITION', leg(buyInAmount.i, 'unit'));
  if (buyInAmount && buys.some(({ l }) => l.unit !== 'AMOUNT')) throw refuse('parameter_invalid', 'BUY_LEGS_MIX_UNITS', leg(buyInAmount.i, 'unit'));
  if (buyInAmount) {
    const sellInPercent = sells.find(({ l }) => l.unit !== 'AMOUNT');
    if (sellInPercent) throw refuse('parameter_invalid', 'BUY_IN_AMOUNT_NEEDS_SELLS_IN_AMOUNT', leg(sellInPercent.i, 'unit'));
  } else if (buys.reduce((sum, { l }) => sum + (l.basisPoints ?? 0), 0) !== FULL) {
    throw refuse('percentage_buy_legs_sum_is_not_10000_basis_points', 'BUY_LEGS_NOT_10000_BASIS_POINTS', 'legs');
  }
  for (const { l, i } of sells) {
    if (!ctx.held.has(l.isin)) throw refuse('self_investment_switch_position_is_unknown', 'SWITCH_POSITION_UNKNOWN', leg(i, 'isin'));
  }
  legs.forEach((l, i) => {
    const fund = ctx.funds.get(l.isin);
    if (!fund || (fund.kind === 'unit_linked' && !ctx.latest.has(l.isin))) throw refuse('self_investment_switch_share_valuation_is_unknown', 'SWITCH_SHARE_VALUATION_UNKNOWN', leg(i, 'isin'));
    if (fund.currency !== ctx.currency) throw refuse('parameter_invalid', 'FUND_CURRENCY_NOT_COMPARTMENT_CURRENCY', leg(i, 'isin'));
  });
  for (const { l, i } of sells) {
    if (l.amount !== null && l.amount === ctx.held.get(l.isin)!.value) throw refuse('attempt_to_sell_full_position_in_amount', 'FULL_POSITION_SOLD_IN_AMOUNT', leg(i, 'amount'));
  }
  if (buyInAmount) {
    const sold = sells.reduce((sum, { l }) => sum + l.amount!, 0);
    const bought = buys.reduce((sum, { l }) => sum + l.amount!, 0);
    if (sold !== bought) throw refuse('legs_are_not_balanced', 'LEGS_NOT_BALANCED', 'legs');
  }

  // 422: what the positions can bear at their latest NAV.
  let proceeds = 0;
  for (const { l, i } of sells) {
    const position = ctx.held.get(l.isin)!;
    const sold = l.amount ?? Math.floor((position.value * l.basisPoints!) / FULL);
    if (l.amount !== null && l.amount > position.value) throw refuse('insufficient_funds', 'SELL_ABOVE_POSITION_VALUE', leg(i, 'amount'));
    const all = l.basisPoints === FULL;
    // Past 90 % of a position, a fall of the market before the NAV it is priced at could leave too little to sell.
    const fraction = l.basisPoints ?? (l.amount! * FULL) / position.value;
    if (!all && fraction > MARKET_DROP_LIMIT) throw refuse('position_might_be_insufficient_due_to_market_drop_down', 'SELL_ABOVE_9000_BASIS_POINTS_WITHOUT_SELLING_ALL', leg(i, l.amount !== null ? 'amount' : 'basisPoints'));
    if (!all && position.nav && position.value - sold < oneShare(position.nav, ctx.minorDigits)) {
      throw refuse('remaining_position_might_be_lower_than_1_share_value', 'REMAINING_POSITION_BELOW_ONE_SHARE', leg(i, l.amount !== null ? 'amount' : 'basisPoints'));
    }
    proceeds += sold;
  }
  for (const { l, i } of buys) {
    const fund = ctx.funds.get(l.isin)!;
    if (fund.kind !== 'unit_linked') continue;
    const bought = l.amount ?? Math.floor((proceeds * l.basisPoints!) / FULL);
    const after = (ctx.held.get(l.isin)?.value ?? 0) + bought;
    if (after < oneShare(ctx.latest.get(l.isin)!, ctx.minorDigits)) {
      throw refuse('position_after_buying_would_be_lower_than_1_share_value', 'POSITION_AFTER_BUYING_BELOW_ONE_SHARE', leg(i, l.amount !== null ? 'amount' : 'basisPoints'));
    }
  }
}

/** One share's value in minor units at a NAV. */
function oneShare(nav: Valuation, minorDigits: number): number {
  return valueInMinorUnits({ value: 1, scale: 0 }, nav.nav, minorDigits);
}

/** `total` shared by weights, each rounded down, the cents left over going to the first share. */
export function distribute(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const shares = weights.map((w) => Number((BigInt(total) * BigInt(w)) / BigInt(sum)));
  shares[0] += total - shares.reduce((a, b) => a + b, 0);
  return shares;
}

/** `shares` x bp / 10000, rounded down (all of them at 10000 bp). */
function portion(shares: Decimal, basisPoints: number): Decimal {
  if (basisPoints >= FULL) return shares;
  return { value: Number((BigInt(shares.value) * BigInt(basisPoints)) / BigInt(FULL)), scale: shares.scale };
}

/** Shares that `amount` sells at `nav`, rounded half up, never more than held. */
function sharesToSell(amount: number, nav: Decimal, minorDigits: number, held: Decimal): { shares: Decimal; all: boolean } {
  const numerator = BigInt(amount) * 10n ** BigInt(SWITCH_SHARE_SCALE + nav.scale);
  const denominator = BigInt(nav.value) * 10n ** BigInt(minorDigits);
  const value = (numerator * 2n + denominator) / (denominator * 2n);
  const heldAtScale = BigInt(held.value) * 10n ** BigInt(Math.max(0, SWITCH_SHARE_SCALE - held.scale)) / 10n ** BigInt(Math.max(0, held.scale - SWITCH_SHARE_SCALE));
  return value >= heldAtScale ? { shares: held, all: true } : { shares: { value: Number(value), scale: SWITCH_SHARE_SCALE }, all: false };
}

/**
 * The switch priced at each fund's first NAV on or after the day it was received (`navs`): sells
 * first (basis points of what is held then, rounded down; an amount sells the shares it is worth,
 * never more than held: if the price fell below it, the whole position goes), then the proceeds are
 * shared among the buys (by their basis points, or their amounts when the sells gave exactly those),
 * each buying shares rounded down. Returns the movements and what each leg did.
 */
export function executeSwitch(
  legs: readonly SwitchLeg[],
  holdings: ReadonlyMap<string, { shares: Decimal | null; amount: number | null }>,
  funds: ReadonlyMap<string, CatalogueFund>,
  navs: ReadonlyMap<string, Valuation>,
  minorDigits: number,
  base: { compartmentId: string; causeId: string; at: Date; executedOn: string; causeType?: string; cash?: number },
): { movements: PositionMovement[]; executed: ExecutedLeg[] } {
  const movements: PositionMovement[] = [];
  const executed: ExecutedLeg[] = [];
  const movement = (isin: string, effectiveOn: string, m: { shares?: Decimal; amount?: number }): PositionMovement => ({
    compartmentId: base.compartmentId, isin, effectiveOn, shares: m.shares ?? null, amount: m.amount ?? null, causeType: base.causeType ?? 'switch', causeId: base.causeId, at: base.at,
  });
  // A position order buying with money paid in (position-order.ts) starts with that cash; a switch with none.
  let proceeds = base.cash ?? 0;
  for (const l of legs.filter((x) => x.direction === 'SELL')) {
    const held = holdings.get(l.isin);
    const nav = navs.get(l.isin);
    if (funds.get(l.isin)?.kind === 'euro' || !held?.shares || !nav) {
      const available = held?.amount ?? 0;
      const amount = l.amount !== null ? Math.min(l.amount, available) : l.basisPoints! >= FULL ? available : Math.floor((available * l.basisPoints!) / FULL);
      movements.push(movement(l.isin, base.executedOn, { amount: -amount }));
      executed.push({ isin: l.isin, direction: 'SELL', shares: null, nav: null, valuedOn: base.executedOn, amount });
      proceeds += amount;
      continue;
    }
    let shares: Decimal;
    let amount: number;
    if (l.amount !== null) {
      const sold = sharesToSell(l.amount, nav.nav, minorDigits, held.shares);
      shares = sold.shares;
      amount = sold.all ? valueInMinorUnits(held.shares, nav.nav, minorDigits) : l.amount;
    } else {
      shares = portion(held.shares, l.basisPoints!);
      amount = valueInMinorUnits(shares, nav.nav, minorDigits);
    }
    movements.push(movement(l.isin, nav.valuedOn, { shares: { value: -shares.value, scale: shares.scale } }));
    executed.push({ isin: l.isin, direction: 'SELL', shares, nav: nav.nav, valuedOn: nav.valuedOn, amount });
    proceeds += amount;
  }
  const buys = legs.filter((x) => x.direction === 'BUY');
  if (!buys.length) return { movements, executed };
  const amounts = distribute(proceeds, buys.map((l) => l.amount ?? l.basisPoints!));
  buys.forEach((l, k) => {
    const amount = amounts[k];
    const nav = navs.get(l.isin);
    if (funds.get(l.isin)?.kind === 'euro' || !nav) {
      movements.push(movement(l.isin, base.executedOn, { amount }));
      executed.push({ isin: l.isin, direction: 'BUY', shares: null, nav: null, valuedOn: base.executedOn, amount });
      return;
    }
    const shares = sharesFor(amount, nav.nav, minorDigits, SWITCH_SHARE_SCALE);
    movements.push(movement(l.isin, nav.valuedOn, { shares }));
    executed.push({ isin: l.isin, direction: 'BUY', shares, nav: nav.nav, valuedOn: nav.valuedOn, amount });
  });
  return { movements, executed };
}
