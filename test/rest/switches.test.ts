import { DEMO_FUNDS } from '../../domain/demo/demo-investments';
import { PositionStore } from '../../store/position-store';
import { EACH_DATABASE } from '../support/databases';
import { call, login, type Answer } from '../support/http';
import { partnerHeaders } from '../support/actors';
import { startTestServer, type TestServer } from '../support/server';
import { DEMO_IDS, testId } from '../support/ids';
import { freshPolicy } from '../support/surrender-fixtures';

const requests = (policyId: string, compartmentId: string) => `/v1/switches/policies/${policyId}/compartments/${compartmentId}/requests`;
const ALICE_MAIN = requests(DEMO_IDS.policies.aliceAv, DEMO_IDS.compartments.aliceAvMain);
const E = DEMO_FUNDS.europeEquity.isin;
const B = DEMO_FUNDS.worldBonds.isin;
const W = DEMO_FUNDS.worldEquity.isin;
const EURO = DEMO_FUNDS.euro.isin;
const eur = (cents: number) => ({ value: cents, scale: 2, currency: 'EUR' });
const sell = (isin: string, how: { bp?: number; cents?: number }) =>
  how.bp !== undefined ? { isin, direction: 'SELL', unit: 'BASIS_POINT_OF_CURRENT_POSITION', basisPoints: how.bp } : { isin, direction: 'SELL', unit: 'AMOUNT', amount: eur(how.cents!) };
const buy = (isin: string, how: { bp?: number; cents?: number }) =>
  how.bp !== undefined ? { isin, direction: 'BUY', unit: 'BASIS_POINT_OF_SELL_PROCEED', basisPoints: how.bp } : { isin, direction: 'BUY', unit: 'AMOUNT', amount: eur(how.cents!) };
/** Status, documented code, reason and field of the first error. */
const failure = (answer: Answer) => [answer.status, answer.json.errors[0].code, answer.json.errors[0].reason, answer.json.errors[0].field];

describe.each(EACH_DATABASE)('switch requests on %s', (_name, database) => {
  let server: TestServer;
  const headers: Record<string, Record<string, string>> = {};
  const send = (who: string, method: string, path: string, json?: unknown): Promise<Answer> => call(`${server.url}${path}`, { method, headers: headers[who], ...(json !== undefined ? { json } : {}) });
  /** alice's demo positions: value (cents) and NAV per share (cents) by ISIN. */
  const value: Record<string, number> = {};

  beforeAll(async () => {
    server = await startTestServer(database, { demoPortfolio: true });
    server.clock.set('2026-12-02T10:00:00Z');
    for (const [i, who] of ['alice', 'bob', 'broker', 'backoffice'].entries()) headers[who] = { authorization: `Bearer ${(await login(server.url, `${who}@demo.test`, `10.63.0.${i + 1}`)).token}` };
    headers.partner = await partnerHeaders(server.url, '10.63.0.9');
    const positions = await send('alice', 'GET', `/v1/investments/policies/${DEMO_IDS.policies.aliceAv}/compartments/${DEMO_IDS.compartments.aliceAvMain}/positions`);
    for (const p of positions.json.positions) value[p.isin] = p.value.amount;
  });
  afterAll(() => server.close());

  it.each([
    ['a fund twice', [sell(E, { bp: 5_000 }), buy(E, { bp: 10_000 })], [400, 'duplicate_fund_in_switch', 'DUPLICATE_FUND_IN_SWITCH', 'legs[1].isin']],
    ['a sell above 10000 bp', [sell(E, { bp: 10_001 }), buy(B, { bp: 10_000 })], [400, 'insufficient_funds_in_percentage', 'SELL_ABOVE_10000_BASIS_POINTS', 'legs[0].basisPoints']],
    ['a buy in amount while selling a full position', [sell(E, { bp: 10_000 }), buy(B, { cents: 10_000 })], [400, 'attempt_to_buy_in_amount_when_selling_full_position', 'BUY_IN_AMOUNT_WHILE_SELLING_FULL_POSITION', 'legs[1].unit']],
    ['buy legs not summing to 10000 bp', [sell(E, { bp: 5_000 }), buy(B, { bp: 6_000 }), buy(W, { bp: 3_000 })], [400, 'percentage_buy_legs_sum_is_not_10000_basis_points', 'BUY_LEGS_NOT_10000_BASIS_POINTS', 'legs']],
    ['a sell of a fund not held', [sell(DEMO_FUNDS.balanced.isin, { bp: 5_000 }), buy(B, { bp: 10_000 })], [400, 'self_investment_switch_position_is_unknown', 'SWITCH_POSITION_UNKNOWN', 'legs[0].isin']],
    ['a fund outside the catalogue', [sell(E, { bp: 5_000 }), buy('US0378331005', { bp: 10_000 })], [400, 'self_investment_switch_share_valuation_is_unknown', 'SWITCH_SHARE_VALUATION_UNKNOWN', 'legs[1].isin']],
    ['amounts that do not balance', [sell(E, { cents: 10_000 }), buy(B, { cents: 9_500 })], [400, 'legs_are_not_balanced', 'LEGS_NOT_BALANCED', 'legs']],
    ['a buy unit on a sell leg', [{ isin: E, direction: 'SELL', unit: 'BASIS_POINT_OF_SELL_PROCEED', basisPoints: 100 }, buy(B, { bp: 10_000 })], [400, 'parameter_invalid', 'UNIT_NOT_FOR_DIRECTION', 'legs[0].unit']],
    ['an amount finer than the cent', [sell(E, { cents: 1 }), { ...buy(B, { cents: 1 }), amount: { value: 1, scale: 3, currency: 'EUR' } }], [400, 'parameter_invalid', 'AMOUNT_FINER_THAN_MINOR_UNIT', 'legs[1].amount.value']],
    ['sells only', [sell(E, { bp: 100 })], [400, 'parameter_invalid', 'SWITCH_NEEDS_A_SELL_AND_A_BUY', 'legs']],
    ['a bad ISIN', [sell(E, { bp: 100 }), buy('FR0010315771', { bp: 10_000 })], [400, 'parameter_invalid', 'ISIN_INVALID', 'legs[1].isin']],
    ['buy legs in amounts against a sell in basis points', [sell(E, { bp: 1_000 }), buy(B, { cents: 10_000 })], [400, 'parameter_invalid', 'BUY_IN_AMOUNT_NEEDS_SELLS_IN_AMOUNT', 'legs[0].unit']],
  ])('refuses %s with its documented code', async (_case, legs, expected) => {
    expect(failure(await send('alice', 'POST', ALICE_MAIN, { legs, requestedAt: '2026-12-02' }))).toEqual(expected);
  });

  it('refuses, on the positions at their latest NAV, a full position sold in amount, more than held, and more than 9000 bp without all', async () => {
    const full = value[E];
    expect(failure(await send('alice', 'POST', ALICE_MAIN, { legs: [sell(E, { cents: full }), buy(B, { cents: full })] }))).toEqual([400, 'attempt_to_sell_full_position_in_amount', 'FULL_POSITION_SOLD_IN_AMOUNT', 'legs[0].amount']);
    expect(failure(await send('alice', 'POST', ALICE_MAIN, { legs: [sell(E, { cents: full + 1 }), buy(B, { cents: full + 1 })] }))).toEqual([422, 'insufficient_funds', 'SELL_ABOVE_POSITION_VALUE', 'legs[0].amount']);
    expect(failure(await send('alice', 'POST', ALICE_MAIN, { legs: [sell(E, { bp: 9_001 }), buy(B, { bp: 10_000 })] }))).toEqual([422, 'position_might_be_insufficient_due_to_market_drop_down', 'SELL_ABOVE_9000_BASIS_POINTS_WITHOUT_SELLING_ALL', 'legs[0].basisPoints']);
    const ninetyFive = Math.floor((full * 95) / 100);
    expect(failure(await send('alice', 'POST', ALICE_MAIN, { legs: [sell(E, { cents: ninetyFive }), buy(B, { cents: ninetyFive })] }))[1]).toBe('position_might_be_insufficient_due_to_market_drop_down');
  });

  it('refuses a fund whose NAV is unknown, a remainder below one share, and a resulting position below one share', async () => {
    expect((await send('backoffice', 'POST', '/v1/investments/funds', { isin: 'FR0010148981', name: 'Sans Prix', kind: 'unit_linked', currency: 'EUR', assetClass: 'equity', riskIndicator: 6 })).status).toBe(201);
    expect(failure(await send('alice', 'POST', ALICE_MAIN, { legs: [sell(E, { bp: 5_000 }), buy('FR0010148981', { bp: 10_000 })] }))).toEqual([400, 'self_investment_switch_share_valuation_is_unknown', 'SWITCH_SHARE_VALUATION_UNKNOWN', 'legs[1].isin']);

    // A small policy of alice's: 1.5 shares of E, 10 of W.
    const small = await freshPolicy(server, 'alice', 'av', { MAIN: 0 });
    await new PositionStore(server.db).append(server.db, [
      { compartmentId: small.compartments.MAIN, isin: E, effectiveOn: '2026-11-30', shares: { value: 15, scale: 1 }, amount: null, causeType: 'opening', causeId: 'test', at: server.clock.now() },
      { compartmentId: small.compartments.MAIN, isin: W, effectiveOn: '2026-11-30', shares: { value: 10, scale: 0 }, amount: null, causeType: 'opening', causeId: 'test', at: server.clock.now() },
    ]);
    const path = requests(small.policyId, small.compartments.MAIN);
    expect(failure(await send('alice', 'POST', path, { legs: [sell(E, { bp: 5_000 }), buy(B, { bp: 10_000 })] }))).toEqual([422, 'remaining_position_might_be_lower_than_1_share_value', 'REMAINING_POSITION_BELOW_ONE_SHARE', 'legs[0].basisPoints']);
    // A tenth of 10 W shares (~80 EUR) buys less than one B share (~150 EUR).
    expect(failure(await send('alice', 'POST', path, { legs: [sell(W, { bp: 1_000 }), buy(B, { bp: 10_000 })] }))).toEqual([422, 'position_after_buying_would_be_lower_than_1_share_value', 'POSITION_AFTER_BUYING_BELOW_ONE_SHARE', 'legs[1].basisPoints']);

    await server.db.query(`update compartments set management = 'managed' where id = $1`, [small.compartments.MAIN]);
    expect(failure(await send('alice', 'POST', path, { legs: [sell(W, { bp: 5_000 }), buy(E, { bp: 10_000 })] }))).toEqual([400, 'self_investment_switch_compartment_is_not_self_invested', 'COMPARTMENT_NOT_SELF_INVESTED', undefined]);
  });

  it("answers 404 for someone else's policy or a compartment of another policy, 401 first", async () => {
    const legs = [sell(E, { bp: 5_000 }), buy(B, { bp: 10_000 })];
    expect(failure(await send('bob', 'POST', ALICE_MAIN, { legs }))).toEqual([404, 'resource_not_found', 'POLICY_NOT_FOUND', undefined]);
    expect(failure(await send('alice', 'POST', requests(DEMO_IDS.policies.aliceAv, testId('cmp_nobody')), { legs }))).toEqual([404, 'compartment_not_found', 'COMPARTMENT_NOT_FOUND', undefined]);
    expect((await call(`${server.url}${ALICE_MAIN}`, { method: 'POST', body: 'x' })).status).toBe(401);
    expect(failure(await send('alice', 'POST', ALICE_MAIN, { legs, requestedAt: '2026-12-03' }))).toEqual([400, 'parameter_invalid', 'REQUESTED_AT_IN_THE_FUTURE', 'requestedAt']);
  });

  it('records a valid switch as requested and executes it at the first NAVs dated on or after the day it was received', async () => {
    const bobMain = requests(DEMO_IDS.policies.bobAv, DEMO_IDS.compartments.bobAvMain);
    const positionsPath = `/v1/investments/policies/${DEMO_IDS.policies.bobAv}/compartments/${DEMO_IDS.compartments.bobAvMain}/positions`;
    const before = (await send('bob', 'GET', positionsPath)).json;
    const balanced = before.positions.find((p: { isin: string }) => p.isin === DEMO_FUNDS.balanced.isin);
    const euroBefore = before.positions.find((p: { isin: string }) => p.isin === EURO).value.amount;

    const legs = [sell(DEMO_FUNDS.balanced.isin, { bp: 5_000 }), buy(E, { bp: 6_000 }), buy(EURO, { bp: 4_000 })];
    const created = await send('broker', 'POST', bobMain, { legs, requestedAt: '2026-12-01' });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ status: 'requested', requestedAt: '2026-12-01', receivedOn: '2026-12-02', requestedBy: 'broker', execution: null, legs: [{ isin: DEMO_FUNDS.balanced.isin, direction: 'SELL', unit: 'BASIS_POINT_OF_CURRENT_POSITION', basisPoints: 5_000, amount: null }, { isin: E }, { isin: EURO }] });
    expect(failure(await send('bob', 'POST', bobMain, { legs }))).toEqual([409, 'conflict', 'SWITCH_ALREADY_PENDING', undefined]);

    const nav = (value: number) => ({ nav: { value, scale: 4, currency: 'EUR' } });
    const one = `${bobMain}/${created.json.id}`;
    // A NAV dated before the request was received does not price it; one fund priced is not enough.
    await send('partner', 'PUT', `/v1/investments/funds/${DEMO_FUNDS.balanced.isin}/valuations/2026-12-01`, nav(1_300_000));
    await send('partner', 'PUT', `/v1/investments/funds/${DEMO_FUNDS.balanced.isin}/valuations/2026-12-02`, nav(1_310_000));
    expect((await send('bob', 'GET', one)).json.status).toBe('requested');
    await send('partner', 'PUT', `/v1/investments/funds/${E}/valuations/2026-12-02`, nav(1_111_100));

    const executed = await send('bob', 'GET', one);
    expect(executed.json).toMatchObject({ status: 'executed', executedAt: expect.any(String) });
    const [sold, boughtE, boughtEuro] = executed.json.execution;
    const halfShares = Math.floor(balanced.shares.value / 2);
    expect(sold).toMatchObject({ isin: DEMO_FUNDS.balanced.isin, direction: 'SELL', shares: { value: halfShares, scale: balanced.shares.scale }, nav: { value: 1_310_000, scale: 4 }, valuedOn: '2026-12-02' });
    const proceeds = sold.amount.amount;
    expect(boughtE).toMatchObject({ isin: E, direction: 'BUY', nav: { value: 1_111_100 }, valuedOn: '2026-12-02', shares: { scale: 6 } });
    expect(boughtE.amount.amount + boughtEuro.amount.amount).toBe(proceeds);
    expect(boughtEuro).toMatchObject({ isin: EURO, shares: null, nav: null, amount: { amount: Math.floor((proceeds * 4_000) / 10_000) } });

    const after = (await send('bob', 'GET', positionsPath)).json;
    expect(after.positions.map((p: { isin: string }) => p.isin)).toEqual(expect.arrayContaining([E, EURO, DEMO_FUNDS.balanced.isin]));
    expect(after.positions.find((p: { isin: string }) => p.isin === EURO).value.amount).toBe(euroBefore + boughtEuro.amount.amount);
    const audit = await server.db.query<{ action: string }>(`select action from audit_log where target_type = 'switch_request' and target_id = $1 order by id`, [created.json.id]);
    expect(audit.map((a) => a.action)).toEqual(['switch.requested', 'switch.executed']);
    // The next switch may now be asked.
    expect((await send('bob', 'POST', bobMain, { legs: [sell(E, { bp: 10_000 }), buy(DEMO_FUNDS.balanced.isin, { bp: 10_000 })] })).status).toBe(201);
  });
});
