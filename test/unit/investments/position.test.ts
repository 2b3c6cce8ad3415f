import type { CatalogueFund, Valuation } from '../../../domain/investments/fund';
import { holdings, totalValue, valueHistory, valuePositions, type PositionMovement } from '../../../domain/investments/position';

const EURO: CatalogueFund = { isin: 'FR0000000001', name: 'Euro', kind: 'euro', currency: 'EUR', assetClass: 'guaranteed', riskIndicator: 1 };
const EQUITY: CatalogueFund = { isin: 'FR0010315770', name: 'Actions', kind: 'unit_linked', currency: 'EUR', assetClass: 'equity', riskIndicator: 5 };
const FUNDS = new Map([EURO, EQUITY].map((f) => [f.isin, f]));
const at = new Date('2026-01-01T00:00:00Z');
const move = (isin: string, effectiveOn: string, m: { shares?: [number, number]; amount?: number }): PositionMovement => ({
  compartmentId: 'c', isin, effectiveOn, shares: m.shares ? { value: m.shares[0], scale: m.shares[1] } : null, amount: m.amount ?? null, causeType: 'opening', causeId: 'c', at,
});
const nav = (valuedOn: string, value: number): Valuation => ({ isin: EQUITY.isin, valuedOn, nav: { value, scale: 4, currency: 'EUR' }, loadedAt: at, correctedAt: null, correctionReason: null });

describe('positions', () => {
  const movements = [
    move(EQUITY.isin, '2026-01-05', { shares: [105, 1] }), // 10.5 shares
    move(EURO.isin, '2026-01-05', { amount: 500_000 }),
    move(EQUITY.isin, '2026-01-07', { shares: [-25, 1] }), // sells 2.5
    move(EURO.isin, '2026-01-07', { amount: 30_000 }),
  ];

  it('sums movements per fund up to a date, dropping funds sold out', () => {
    expect([...holdings(movements, '2026-01-06')]).toEqual([
      [EQUITY.isin, { shares: { value: 105, scale: 1 }, amount: null, lastMovedOn: '2026-01-05' }],
      [EURO.isin, { shares: null, amount: 500_000, lastMovedOn: '2026-01-05' }],
    ]);
    expect(holdings([...movements, move(EQUITY.isin, '2026-01-08', { shares: [-80000, 4] })]).has(EQUITY.isin)).toBe(false);
  });

  it('values unit-linked positions at the latest NAV and the euro fund at its amount; the compartment is their sum', () => {
    const positions = valuePositions({ id: 'c', currency: 'EUR' }, movements, FUNDS, new Map([[EQUITY.isin, nav('2026-01-08', 1234567)]]), 2);
    expect(positions).toEqual([
      { compartmentId: 'c', isin: EQUITY.isin, kind: 'unit_linked', shares: { value: 80, scale: 1 }, nav: { value: 1234567, scale: 4, currency: 'EUR' }, valuedOn: '2026-01-08', value: 98_765, currency: 'EUR' },
      { compartmentId: 'c', isin: EURO.isin, kind: 'euro', shares: null, nav: null, valuedOn: '2026-01-07', value: 530_000, currency: 'EUR' },
    ]);
    expect(totalValue(positions)).toBe(628_765);
  });

  it('tells the value history from what was held each day at that day\'s NAV', () => {
    const history = valueHistory(movements, FUNDS, [nav('2026-01-02', 1_000_000)], [nav('2026-01-05', 1_000_000), nav('2026-01-06', 1_100_000), nav('2026-01-07', 1_200_000)], 2);
    expect(history).toEqual([
      { date: '2026-01-05', value: 105_000 + 500_000 },
      { date: '2026-01-06', value: 115_500 + 500_000 },
      { date: '2026-01-07', value: 96_000 + 530_000 },
    ]);
    // Nothing held before the first movement: no point that day.
    expect(valueHistory(movements, FUNDS, [], [nav('2026-01-02', 1_000_000)], 2)).toEqual([]);
  });
});
