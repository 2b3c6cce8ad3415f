import BigNumber from 'bignumber.js';
import { DEMO_FUNDS } from '../../domain/demo/demo-investments';
import { PositionStore } from '../../store/position-store';
import { partnerHeaders } from './actors';
import { call, login, type Answer } from './http';
import type { TestServer } from './server';
import { freshPolicy } from './surrender-fixtures';

/** The demo funds a test portfolio holds. */
export const E = DEMO_FUNDS.europeEquity.isin;
export const B = DEMO_FUNDS.worldBonds.isin;
export const W = DEMO_FUNDS.worldEquity.isin;
export const EURO = DEMO_FUNDS.euro.isin;

export const partialPath = (policyId: string, compartmentId: string) => `/v1/partial-surrender/policies/${policyId}/compartments/${compartmentId}/declarations`;
export const positionsPath = (policyId: string, compartmentId: string) => `/v1/investments/policies/${policyId}/compartments/${compartmentId}/positions`;

// Expected figures are computed with bignumber.js, not with our own decimal code.
BigNumber.config({ DECIMAL_PLACES: 40 });
/** Shares an amount (cents) sells at a NAV (4 decimals): rounded half up to 6 decimals. */
export const sharesSold = (cents: number, nav4: number) => new BigNumber(cents).div(100).div(new BigNumber(nav4).shiftedBy(-4)).decimalPlaces(6, BigNumber.ROUND_HALF_UP);
/** What shares fetch at a NAV (4 decimals), in cents rounded half away from zero. */
export const fetches = (shares: BigNumber, nav4: number) => shares.times(new BigNumber(nav4).shiftedBy(-4)).shiftedBy(2).decimalPlaces(0, BigNumber.ROUND_HALF_UP).toNumber();
/** Shares a buy of `cents` gets at a NAV (4 decimals): rounded down to 6 decimals. */
export const sharesBought = (cents: number, nav4: number) => new BigNumber(cents).div(100).div(new BigNumber(nav4).shiftedBy(-4)).decimalPlaces(6, BigNumber.ROUND_DOWN);
export const sharesOf = (s: { value: number; scale: number }) => new BigNumber(s.value).shiftedBy(-s.scale);

/** A test file's way to its server: requests as a signed-in user, days, NAVs and portfolios. */
export interface PositionsDesk {
  send(who: string, method: string, path: string, json?: unknown): Promise<Answer>;
  /** Moves the clock to a day (10:00 UTC) and signs everyone in again (tokens follow the clock). */
  on(day: string): Promise<void>;
  /** Loads a fund's NAV (4 decimals) for a day, as the partner. */
  nav(isin: string, day: string, value: number): Promise<Answer>;
  /** A fresh policy of alice's or bob's whose MAIN holds 100 E, 50 B, 200 W and 1,000.00 EUR of the euro fund. */
  portfolio(who: 'alice' | 'bob'): Promise<{ policyId: string; compartmentId: string }>;
}

/**
 * `users` sign in on each `on`, from addresses of `network` (`10.77`: one network per test file, so
 * the login throttle of one never counts another's).
 */
export function positionsDesk(server: () => TestServer, users: readonly string[], network: string): PositionsDesk {
  const headers: Record<string, Record<string, string>> = {};
  let address = 0;
  const send = (who: string, method: string, path: string, json?: unknown): Promise<Answer> =>
    call(`${server().url}${path}`, { method, headers: headers[who], ...(json !== undefined ? { json } : {}) });
  return {
    send,
    async on(day) {
      server().clock.set(`${day}T10:00:00Z`);
      for (const who of users) headers[who] = { authorization: `Bearer ${(await login(server().url, `${who}@demo.test`, `${network}.0.${++address}`)).token}` };
      headers.partner = await partnerHeaders(server().url, `${network}.1.${++address}`);
    },
    nav: (isin, day, value) => send('partner', 'PUT', `/v1/investments/funds/${isin}/valuations/${day}`, { nav: { value, scale: 4, currency: 'EUR' } }),
    async portfolio(who) {
      const fresh = await freshPolicy(server(), who, 'av', { MAIN: 0 });
      const compartmentId = fresh.compartments.MAIN;
      const base = { compartmentId, effectiveOn: '2026-11-30', causeType: 'opening', causeId: 'test', at: server().clock.now() };
      await new PositionStore(server().db).append(server().db, [
        { ...base, isin: E, shares: { value: 100, scale: 0 }, amount: null },
        { ...base, isin: B, shares: { value: 50, scale: 0 }, amount: null },
        { ...base, isin: W, shares: { value: 200, scale: 0 }, amount: null },
        { ...base, isin: EURO, shares: null, amount: 100_000 },
      ]);
      return { policyId: fresh.policyId, compartmentId };
    },
  };
}
