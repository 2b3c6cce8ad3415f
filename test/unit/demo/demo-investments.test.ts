import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_FUNDS, DEMO_VALUATION_RANGE, demoPositionMovements, demoValuationDates, demoValuations } from '../../../domain/demo/demo-investments';
import { valueInMinorUnits } from '../../../domain/investments/decimal';
import { isIsin } from '../../../domain/investments/isin';
import { DEMO_IDS } from '../../support/ids';

describe('demo investments', () => {
  const at = new Date('2026-01-01T00:00:00Z');

  it('has the euro fund and at least five unit-linked funds, each listed in the README', () => {
    const funds = Object.values(DEMO_FUNDS);
    expect(funds.filter((f) => f.kind === 'euro')).toHaveLength(1);
    expect(funds.filter((f) => f.kind === 'unit_linked').length).toBeGreaterThanOrEqual(5);
    // The euro fund's ISIN predates check digits being verified (docs/INVESTMENTS.md); every other verifies.
    for (const fund of funds.filter((f) => f.kind === 'unit_linked')) expect([fund.isin, isIsin(fund.isin)]).toEqual([fund.isin, true]);
    const readme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
    const demoFunds = readme.slice(readme.indexOf('### Demo funds'), readme.indexOf('The standard clauses are reference data'));
    for (const fund of funds) expect([fund.isin, demoFunds.includes(`| ${fund.name} `) && demoFunds.includes(`\`${fund.isin}\``)]).toEqual([fund.isin, true]);
  });

  it('prices every unit-linked fund on every business day of a year, the same on every run, without floats', () => {
    const dates = demoValuationDates();
    expect(dates[0]).toBe(DEMO_VALUATION_RANGE.from);
    expect(dates.at(-1)).toBe(DEMO_VALUATION_RANGE.to);
    expect(dates.length).toBeGreaterThanOrEqual(250);
    expect(dates.every((d) => ![0, 6].includes(new Date(`${d}T00:00:00Z`).getUTCDay()))).toBe(true);
    const valuations = demoValuations(at);
    expect(valuations).toHaveLength(dates.length * 5);
    expect(valuations.every((v) => Number.isSafeInteger(v.nav.value) && v.nav.value > 0 && v.nav.scale === 4)).toBe(true);
    expect(demoValuations(new Date(0)).map((v) => [v.isin, v.valuedOn, v.nav.value])).toEqual(valuations.map((v) => [v.isin, v.valuedOn, v.nav.value]));
    // The walk moves: no fund ends where it started.
    for (const fund of Object.values(DEMO_FUNDS).filter((f) => f.kind === 'unit_linked')) {
      const own = valuations.filter((v) => v.isin === fund.isin);
      expect([fund.isin, own[0].nav.value === own.at(-1)!.nav.value]).toEqual([fund.isin, false]);
    }
  });

  it("gives alice's and bob's assurance-vie compartments three unit-linked funds and the euro fund, worth their recorded value at the last NAV", () => {
    const valuations = demoValuations(at);
    const movements = demoPositionMovements(valuations, at);
    for (const compartmentId of [DEMO_IDS.compartments.aliceAvMain, DEMO_IDS.compartments.bobAvMain]) {
      const own = movements.filter((m) => m.compartmentId === compartmentId);
      expect(own.filter((m) => m.shares && m.shares.value > 0)).toHaveLength(3);
      const euro = own.find((m) => m.isin === DEMO_FUNDS.euro.isin)!;
      expect(euro.amount).toBeGreaterThan(0);
      const last = (isin: string) => valuations.filter((v) => v.isin === isin).at(-1)!.nav;
      const total = own.reduce((sum, m) => sum + (m.shares ? valueInMinorUnits(m.shares, last(m.isin), 2) : m.amount!), 0);
      expect(total).toBe(1_287_450);
    }
  });
});
