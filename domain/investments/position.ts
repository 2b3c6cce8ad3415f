import { addDecimals, compareDecimals, valueInMinorUnits } from './decimal';
import type { CatalogueFund, Decimal, Valuation } from './fund';

/**
 * One change to what a compartment holds, effective on a valuation date: shares of a unit-linked
 * fund (signed: + bought, - sold), or an amount of the euro fund in minor units of the compartment's
 * currency. Exactly one of `shares` and `amount` is set.
 */
export interface PositionMovement {
  compartmentId: string;
  isin: string;
  effectiveOn: string;
  shares: Decimal | null;
  amount: number | null;
  /** What moved it: `opening` (demo, issue), `switch`, `surrender`... and that thing's id. */
  causeType: string;
  causeId: string;
  at: Date;
}

/** A fund a compartment holds, valued: shares at the fund's latest NAV, or the euro fund's amount. */
export interface Position {
  compartmentId: string;
  isin: string;
  kind: 'euro' | 'unit_linked';
  /** Unit-linked: the number of shares held; null for the euro fund. */
  shares: Decimal | null;
  /** The NAV per share it is valued at; null for the euro fund (valued at its amount). */
  nav: Valuation['nav'] | null;
  /** The date of that NAV; for the euro fund, the date its amount last moved. Null when no NAV is known. */
  valuedOn: string | null;
  /** In integer minor units of `currency`; null when the fund has no known NAV. */
  value: number | null;
  currency: string;
}

/** What a compartment's movements add up to per fund on `onOrBefore` (all of them when absent), in first-bought order. */
export function holdings(movements: readonly PositionMovement[], onOrBefore?: string): Map<string, { shares: Decimal | null; amount: number | null; lastMovedOn: string }> {
  const held = new Map<string, { shares: Decimal | null; amount: number | null; lastMovedOn: string }>();
  for (const m of movements) {
    if (onOrBefore !== undefined && m.effectiveOn > onOrBefore) continue;
    const current = held.get(m.isin) ?? { shares: null, amount: null, lastMovedOn: m.effectiveOn };
    held.set(m.isin, {
      shares: m.shares ? (current.shares ? addDecimals(current.shares, m.shares) : m.shares) : current.shares,
      amount: m.amount !== null ? (current.amount ?? 0) + m.amount : current.amount,
      lastMovedOn: m.effectiveOn > current.lastMovedOn ? m.effectiveOn : current.lastMovedOn,
    });
  }
  for (const [isin, h] of held) {
    const empty = (h.shares === null || compareDecimals(h.shares, { value: 0, scale: 0 }) === 0) && (h.amount === null || h.amount === 0);
    if (empty) held.delete(isin);
  }
  return held;
}

/**
 * A compartment's positions valued now: each unit-linked holding at its fund's latest known NAV
 * (rounded half away from zero to the minor unit), the euro fund at its amount.
 */
export function valuePositions(
  compartment: { id: string; currency: string },
  movements: readonly PositionMovement[],
  funds: ReadonlyMap<string, CatalogueFund>,
  latest: ReadonlyMap<string, Valuation>,
  minorDigits: number,
): Position[] {
  return [...holdings(movements)].map(([isin, h]): Position => {
    const fund = funds.get(isin);
    if (fund?.kind === 'euro' || h.shares === null) {
      return { compartmentId: compartment.id, isin, kind: 'euro', shares: null, nav: null, valuedOn: h.lastMovedOn, value: h.amount ?? 0, currency: compartment.currency };
    }
    const valuation = latest.get(isin);
    return {
      compartmentId: compartment.id, isin, kind: 'unit_linked', shares: h.shares, nav: valuation?.nav ?? null, valuedOn: valuation?.valuedOn ?? null,
      value: valuation ? valueInMinorUnits(h.shares, valuation.nav, minorDigits) : null, currency: compartment.currency,
    };
  });
}

/** The sum of valued positions, in minor units (a position without a known NAV counts for nothing). */
export function totalValue(positions: readonly Position[]): number {
  const sum = positions.reduce((total, p) => total + BigInt(p.value ?? 0), 0n);
  const n = Number(sum);
  if (!Number.isSafeInteger(n)) throw new RangeError(`positions total ${sum} is beyond exact integers`);
  return n;
}

/** The latest valuation date among positions: what a compartment's value is "as of". */
export function valuedAsOf(positions: readonly Position[]): string | null {
  return positions.reduce<string | null>((latest, p) => (p.valuedOn !== null && (latest === null || p.valuedOn > latest) ? p.valuedOn : latest), null);
}

/** One point of a value history: what the positions held that day were worth at that day's NAVs. */
export interface ValuePoint {
  date: string;
  value: number;
}

/**
 * The value, on each valuation date from `from` to `to`, of what the movements say was held that day,
 * each unit-linked fund at its NAV of that day or, failing one, its latest before (`before`); the
 * euro fund at its amount. Dates are those on which a held fund was valued.
 */
export function valueHistory(
  movements: readonly PositionMovement[],
  funds: ReadonlyMap<string, CatalogueFund>,
  before: readonly Valuation[],
  range: readonly Valuation[],
  minorDigits: number,
): ValuePoint[] {
  const navs = new Map<string, Valuation>(before.map((v) => [v.isin, v]));
  const dates = [...new Set(range.map((v) => v.valuedOn))].sort();
  const byDate = new Map<string, Valuation[]>();
  for (const v of range) byDate.set(v.valuedOn, [...(byDate.get(v.valuedOn) ?? []), v]);
  const points: ValuePoint[] = [];
  for (const date of dates) {
    for (const v of byDate.get(date)!) navs.set(v.isin, v);
    const held = holdings(movements, date);
    if (!held.size) continue;
    let total = 0n;
    for (const [isin, h] of held) {
      if (funds.get(isin)?.kind === 'euro' || h.shares === null) total += BigInt(h.amount ?? 0);
      else {
        const nav = navs.get(isin);
        if (nav) total += BigInt(valueInMinorUnits(h.shares, nav.nav, minorDigits));
      }
    }
    points.push({ date, value: Number(total) });
  }
  return points;
}
