import type { Queryable } from '../../store/db';
import { FundStore } from '../../store/fund-store';
import { PositionStore } from '../../store/position-store';
import { ValuationStore } from '../../store/valuation-store';
import { sharesFor, valueInMinorUnits } from '../investments/decimal';
import type { CatalogueFund, Valuation } from '../investments/fund';
import type { PositionMovement } from '../investments/position';
import { addDays } from '../shared/paris-calendar';
import { DEMO_IDS } from './demo-ids';

/** The demo fund catalogue: the euro fund and five unit-linked funds (README, "Demo funds"). */
export const DEMO_FUNDS = {
  euro: { isin: 'FR0000000001', name: 'Fonds Euro Démo', kind: 'euro', currency: 'EUR', assetClass: 'guaranteed', riskIndicator: 1 },
  europeEquity: { isin: 'FR0010315770', name: 'Actions Europe Démo', kind: 'unit_linked', currency: 'EUR', assetClass: 'equity', riskIndicator: 5 },
  worldBonds: { isin: 'LU0290358497', name: 'Obligations Monde Démo', kind: 'unit_linked', currency: 'EUR', assetClass: 'bond', riskIndicator: 2 },
  balanced: { isin: 'FR0011550185', name: 'Patrimoine Équilibré Démo', kind: 'unit_linked', currency: 'EUR', assetClass: 'mixed', riskIndicator: 3 },
  worldEquity: { isin: 'IE00B4L5Y983', name: 'Actions Monde Démo', kind: 'unit_linked', currency: 'EUR', assetClass: 'equity', riskIndicator: 4 },
  realEstate: { isin: 'FR0010135103', name: 'Pierre Patrimoine Démo', kind: 'unit_linked', currency: 'EUR', assetClass: 'real_estate', riskIndicator: 3 },
} as const satisfies Record<string, CatalogueFund>;

/** The first and last demo valuation dates: a year of business days. */
export const DEMO_VALUATION_RANGE = { from: '2025-12-01', to: '2026-11-30' } as const;

/** Days Euronext Paris does not trade in that year, besides weekends. */
const MARKET_HOLIDAYS = new Set(['2025-12-25', '2025-12-26', '2026-01-01', '2026-04-03', '2026-04-06', '2026-05-01']);

/**
 * How each unit-linked demo NAV walks: its first NAV (4 decimals), its daily drift and the largest
 * daily move either side, in parts per million. Product data, not code.
 */
const NAV_WALKS: ReadonlyArray<{ isin: string; start: number; driftPpm: number; swingPpm: number; seed: number }> = [
  { isin: DEMO_FUNDS.europeEquity.isin, start: 1_000_000, driftPpm: 250, swingPpm: 12_000, seed: 0x5eed0001 },
  { isin: DEMO_FUNDS.worldBonds.isin, start: 1_500_000, driftPpm: 80, swingPpm: 2_500, seed: 0x5eed0002 },
  { isin: DEMO_FUNDS.balanced.isin, start: 1_200_000, driftPpm: 150, swingPpm: 5_000, seed: 0x5eed0003 },
  { isin: DEMO_FUNDS.worldEquity.isin, start: 800_000, driftPpm: 300, swingPpm: 10_000, seed: 0x5eed0004 },
  { isin: DEMO_FUNDS.realEstate.isin, start: 2_000_000, driftPpm: 100, swingPpm: 3_000, seed: 0x5eed0005 },
];
const NAV_SCALE = 4;
const SHARE_SCALE = 4;

/** The business days of the demo year. */
export function demoValuationDates(): string[] {
  const dates: string[] = [];
  for (let date: string = DEMO_VALUATION_RANGE.from; date <= DEMO_VALUATION_RANGE.to; date = addDays(date, 1)) {
    const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
    if (weekday !== 0 && weekday !== 6 && !MARKET_HOLIDAYS.has(date)) dates.push(date);
  }
  return dates;
}

/** xorshift32: the same seed gives the same integers on every machine, with no floating point. */
function integers(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
}

/** A year of daily NAVs per unit-linked demo fund, generated from fixed seeds: the same on every run. */
export function demoValuations(loadedAt: Date): Valuation[] {
  const dates = demoValuationDates();
  return NAV_WALKS.flatMap((walk) => {
    const next = integers(walk.seed);
    let nav = BigInt(walk.start);
    return dates.map((valuedOn, day) => {
      if (day > 0) {
        const ppm = BigInt(walk.driftPpm + (next() % (2 * walk.swingPpm + 1)) - walk.swingPpm);
        // nav x (1 + ppm / 10^6), rounded half up at the NAV's last decimal.
        nav = (nav * (1_000_000n + ppm) + 500_000n) / 1_000_000n;
      }
      return { isin: walk.isin, valuedOn, nav: { value: Number(nav), scale: NAV_SCALE, currency: 'EUR' }, loadedAt, correctedAt: null, correctionReason: null };
    });
  });
}

/**
 * What alice's and bob's assurance-vie compartment (self-invested) holds: three unit-linked funds
 * bought for these amounts at the first demo NAV, and the euro fund for the rest of the compartment's
 * recorded value at the last demo NAV, so both say the same value.
 */
const DEMO_HOLDINGS: ReadonlyArray<{ compartmentId: string; recordedValue: number; buys: ReadonlyArray<{ isin: string; amount: number }> }> = [
  {
    compartmentId: DEMO_IDS.compartments.aliceAvMain,
    recordedValue: 1_287_450,
    buys: [{ isin: DEMO_FUNDS.europeEquity.isin, amount: 300_000 }, { isin: DEMO_FUNDS.worldBonds.isin, amount: 250_000 }, { isin: DEMO_FUNDS.worldEquity.isin, amount: 200_000 }],
  },
  {
    compartmentId: DEMO_IDS.compartments.bobAvMain,
    recordedValue: 1_287_450,
    buys: [{ isin: DEMO_FUNDS.balanced.isin, amount: 250_000 }, { isin: DEMO_FUNDS.worldBonds.isin, amount: 200_000 }, { isin: DEMO_FUNDS.realEstate.isin, amount: 300_000 }],
  },
];

/** The demo positions' opening movements, effective on the first demo valuation date. */
export function demoPositionMovements(valuations: readonly Valuation[], at: Date): PositionMovement[] {
  const first = (isin: string) => valuations.find((v) => v.isin === isin && v.valuedOn === DEMO_VALUATION_RANGE.from)!.nav;
  const last = (isin: string) => valuations.filter((v) => v.isin === isin).at(-1)!.nav;
  return DEMO_HOLDINGS.flatMap((holding) => {
    const base = { compartmentId: holding.compartmentId, effectiveOn: DEMO_VALUATION_RANGE.from, causeType: 'opening', causeId: holding.compartmentId, at };
    const units = holding.buys.map((buy): PositionMovement => ({ ...base, isin: buy.isin, shares: sharesFor(buy.amount, first(buy.isin), 2, SHARE_SCALE), amount: null }));
    const invested = units.reduce((sum, m) => sum + valueInMinorUnits(m.shares!, last(m.isin), 2), 0);
    return [...units, { ...base, isin: DEMO_FUNDS.euro.isin, shares: null, amount: holding.recordedValue - invested }];
  });
}

/** The demo funds with their currency and asset class, before the products list them. */
export async function seedDemoFunds(tx: Queryable): Promise<void> {
  const funds = new FundStore(tx);
  for (const fund of Object.values(DEMO_FUNDS)) await funds.insert(tx, fund);
}

/** The demo year of valuations, once (nothing when the demo funds already have valuations). */
export async function seedDemoValuations(tx: Queryable, at: Date): Promise<Valuation[]> {
  const valuations = demoValuations(at);
  await new ValuationStore(tx).insertMany(tx, valuations, { kind: 'system', id: 'demo' });
  return valuations;
}

/** Alice's and bob's positions, with the policies they belong to (seedDemoPortfolio). */
export async function seedDemoPositions(tx: Queryable, at: Date): Promise<void> {
  await new PositionStore(tx).append(tx, demoPositionMovements(demoValuations(at), at));
}
