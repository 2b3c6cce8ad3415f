import type { CatalogueFund, Valuation } from '../../../domain/investments/fund';
import { executeSwitch } from '../../../domain/investments/switch-rules';
import type { SwitchLeg } from '../../../domain/investments/switch-request';

const fund = (isin: string, kind: 'euro' | 'unit_linked'): CatalogueFund => ({ isin, name: isin, kind, currency: 'EUR', assetClass: kind === 'euro' ? 'guaranteed' : 'equity', riskIndicator: 3 });
const FUNDS = new Map([fund('EURO', 'euro'), fund('A', 'unit_linked'), fund('B', 'unit_linked')].map((f) => [f.isin, f]));
const nav = (isin: string, value: number, valuedOn = '2026-12-02'): Valuation => ({ isin, valuedOn, nav: { value, scale: 4, currency: 'EUR' }, loadedAt: new Date(), correctedAt: null, correctionReason: null });
const leg = (isin: string, direction: 'SELL' | 'BUY', unit: SwitchLeg['unit'], n: number): SwitchLeg => ({ isin, direction, unit, amount: unit === 'AMOUNT' ? n : null, basisPoints: unit === 'AMOUNT' ? null : n });
const base = { compartmentId: 'c', causeId: 's', at: new Date('2026-12-02T18:00:00Z'), executedOn: '2026-12-02' };

describe('executing a switch', () => {
  const holdings = new Map([
    ['A', { shares: { value: 1_000_001, scale: 4 }, amount: null }], // 100.0001 shares
    ['EURO', { shares: null, amount: 500_000 }],
  ]);

  it('sells basis points of the shares held (rounded down), and shares the proceeds among the buys to the cent', () => {
    const { movements, executed } = executeSwitch(
      [leg('A', 'SELL', 'BASIS_POINT_OF_CURRENT_POSITION', 3_333), leg('B', 'BUY', 'BASIS_POINT_OF_SELL_PROCEED', 5_000), leg('EURO', 'BUY', 'BASIS_POINT_OF_SELL_PROCEED', 5_000)],
      holdings, FUNDS, new Map([['A', nav('A', 1_500_000)], ['B', nav('B', 999_999)]]), 2, base,
    );
    // 100.0001 x 0.3333 = 33.33003333 -> 33.3300 shares, at 150.0000 = 4999.50 EUR
    expect(executed[0]).toMatchObject({ shares: { value: 333_300, scale: 4 }, amount: 499_950 });
    expect(executed[1].amount + executed[2].amount).toBe(499_950);
    expect(executed[1]).toMatchObject({ isin: 'B', amount: 249_975, shares: { value: 24_997_524, scale: 6 } });
    expect(movements.map((m) => [m.isin, m.shares?.value ?? m.amount])).toEqual([['A', -333_300], ['B', 24_997_524], ['EURO', 249_975]]);
  });

  it('sells an amount as the shares it is worth, but never more than held: a fall below it sells the whole position', () => {
    const sold = executeSwitch([leg('A', 'SELL', 'AMOUNT', 100_000), leg('EURO', 'BUY', 'AMOUNT', 100_000)], holdings, FUNDS, new Map([['A', nav('A', 1_500_000)]]), 2, base);
    // 1000.00 EUR at 150.0000: 6.666667 shares (half up), proceeds exactly the amount.
    expect(sold.executed[0]).toMatchObject({ shares: { value: 6_666_667, scale: 6 }, amount: 100_000 });
    expect(sold.executed[1].amount).toBe(100_000);
    const crashed = executeSwitch([leg('A', 'SELL', 'AMOUNT', 100_000), leg('EURO', 'BUY', 'AMOUNT', 100_000)], holdings, FUNDS, new Map([['A', nav('A', 9_000)]]), 2, base);
    // At 0.9000 a share, 100.0001 shares are worth 90.00 EUR: all are sold, and all of that is bought.
    expect(crashed.executed[0]).toMatchObject({ shares: { value: 1_000_001, scale: 4 }, amount: 9_000 });
    expect(crashed.executed[1].amount).toBe(9_000);
  });

  it('sells all of a position at 10000 basis points, the euro fund at its amount', () => {
    const { executed } = executeSwitch([leg('EURO', 'SELL', 'BASIS_POINT_OF_CURRENT_POSITION', 10_000), leg('A', 'BUY', 'BASIS_POINT_OF_SELL_PROCEED', 10_000)], holdings, FUNDS, new Map([['A', nav('A', 1_500_000)]]), 2, base);
    expect(executed[0]).toMatchObject({ isin: 'EURO', shares: null, amount: 500_000, valuedOn: '2026-12-02' });
    expect(executed[1]).toMatchObject({ isin: 'A', amount: 500_000, shares: { value: 33_333_333, scale: 6 } });
  });
});
