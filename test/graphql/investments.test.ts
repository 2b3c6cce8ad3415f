import { DEMO_FUNDS, DEMO_VALUATION_RANGE } from '../../domain/demo/demo-investments';
import { EACH_DATABASE } from '../support/databases';
import { gql, login, type Answer } from '../support/http';
import { partnerHeaders } from '../support/actors';
import { startTestServer, type TestServer } from '../support/server';
import { DEMO_IDS } from '../support/ids';
import { QueryCounter } from '../support/query-counter';

const reasonOf = (answer: Answer) => [answer.json.errors?.[0]?.extensions?.code, answer.json.errors?.[0]?.extensions?.reason ?? answer.json.errors?.[0]?.message];

describe.each(EACH_DATABASE)('investments over GraphQL on %s', (_name, database) => {
  let server: TestServer;
  let counter: QueryCounter;
  const tokens: Record<string, string> = {};
  let partner: Record<string, string>;

  beforeAll(async () => {
    counter = new QueryCounter();
    // The outbox stays still: its dispatcher's polls would count as the requests' queries.
    server = await startTestServer(database, { demoPortfolio: true, wrapDb: (db) => counter.wrap(db), outbox: 'manual' });
    server.clock.set('2026-12-02T10:00:00Z');
    for (const [i, who] of ['alice', 'bob', 'backoffice'].entries()) tokens[who] = (await login(server.url, `${who}@demo.test`, `10.62.0.${i + 1}`)).token;
    partner = await partnerHeaders(server.url, '10.62.0.9');
  });
  afterAll(() => server.close());

  it("exposes a policy's value, its compartments' positions with their valuation date and value, and a value history", async () => {
    const answer = await gql(server.url, `query($id: ID!) { policy(id: $id) {
      value { amount currency }
      valueHistory(from: "2026-11-23", to: "2026-11-30") { date value { amount } }
      compartments { code value { amount } valuedOn positions { isin fund { name currency assetClass riskIndicator } shares { value scale } nav { value scale currency } valuedOn value { amount currency } } }
    } }`, { token: tokens.alice, variables: { id: DEMO_IDS.policies.aliceAv } });
    expect(answer.json.errors).toBeUndefined();
    const policy = answer.json.data.policy;
    expect(policy.value).toEqual({ amount: 1_287_450, currency: 'EUR' });
    expect(policy.valueHistory.map((p: { date: string }) => p.date)).toEqual(['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27', '2026-11-30']);
    expect(policy.valueHistory.at(-1).value.amount).toBe(1_287_450);
    const [main] = policy.compartments;
    expect(main).toMatchObject({ code: 'MAIN', value: { amount: 1_287_450 }, valuedOn: DEMO_VALUATION_RANGE.to });
    expect(main.positions).toHaveLength(4);
    expect(main.positions[1]).toMatchObject({ isin: DEMO_FUNDS.worldBonds.isin, fund: { name: 'Obligations Monde Démo', currency: 'EUR', assetClass: 'bond', riskIndicator: 2 }, valuedOn: DEMO_VALUATION_RANGE.to });
  });

  it('batches a page of policies with their positions into a bounded number of queries', async () => {
    counter.count = 0;
    const answer = await gql(server.url, '{ policies(first: 20) { nodes { value { amount } compartments { value { amount } positions { isin value { amount } fund { name assetClass } } } } } }', { token: tokens.backoffice });
    expect(answer.json.errors).toBeUndefined();
    expect(answer.json.data.policies.nodes.length).toBeGreaterThanOrEqual(4);
    // Authentication, the page, its compartments, their movements, funds and latest NAVs: not one per policy.
    expect(counter.count).toBeLessThanOrEqual(10);
  });

  it('reads a compartment by id only where the policy is reachable', async () => {
    const query = 'query($p: ID!, $c: ID!) { compartment(policyId: $p, id: $c) { code value { amount } } }';
    const own = await gql(server.url, query, { token: tokens.alice, variables: { p: DEMO_IDS.policies.aliceAv, c: DEMO_IDS.compartments.aliceAvMain } });
    expect(own.json.data.compartment).toEqual({ code: 'MAIN', value: { amount: 1_287_450 } });
    const other = await gql(server.url, query, { token: tokens.bob, variables: { p: DEMO_IDS.policies.aliceAv, c: DEMO_IDS.compartments.aliceAvMain } });
    expect(reasonOf(other)).toEqual(['resource_not_found', 'POLICY_NOT_FOUND']);
  });

  it('loads valuations (partner platforms and back-office), and the fund answers them', async () => {
    const load = `mutation($isin: String!, $input: FundValuationInput!) { loadFundValuation(isin: $isin, input: $input) { outcome valuation { valuedOn nav { value scale currency } correctionReason } } }`;
    const input = { valuedOn: '2026-12-01', nav: { value: 1_602_500, scale: 4, currency: 'EUR' } };
    const created = await gql(server.url, load, { headers: partner, variables: { isin: DEMO_FUNDS.realEstate.isin, input } });
    expect(created.json.data.loadFundValuation).toEqual({ outcome: 'created', valuation: { valuedOn: '2026-12-01', nav: input.nav, correctionReason: null } });
    expect(reasonOf(await gql(server.url, load, { token: tokens.alice, variables: { isin: DEMO_FUNDS.realEstate.isin, input } }))).toEqual(['forbidden', 'INSUFFICIENT_ROLES']);
    const conflict = await gql(server.url, load, { token: tokens.backoffice, variables: { isin: DEMO_FUNDS.realEstate.isin, input: { ...input, nav: { ...input.nav, value: 1_602_501 } } } });
    expect(reasonOf(conflict)).toEqual(['conflict', 'VALUATION_ALREADY_LOADED_WITH_ANOTHER_NAV']);
    const fund = await gql(server.url, `query($isin: String!) { fund(isin: $isin) { latestValuation { valuedOn nav { value } } valuations(from: "2026-11-30", to: "2026-12-01") { valuedOn } } }`, { token: tokens.bob, variables: { isin: DEMO_FUNDS.realEstate.isin } });
    expect(fund.json.data.fund).toEqual({ latestValuation: { valuedOn: '2026-12-01', nav: { value: 1_602_500 } }, valuations: [{ valuedOn: '2026-11-30' }, { valuedOn: '2026-12-01' }] });
    const file = await gql(server.url, 'mutation($csv: String!) { loadFundValuationFile(csv: $csv) { rows created unchanged corrected } }', {
      headers: partner, variables: { csv: `isin,valuedOn,nav,currency\n${DEMO_FUNDS.realEstate.isin},2026-12-01,160.25,EUR\n${DEMO_FUNDS.realEstate.isin},2026-12-02,161,EUR\n` },
    });
    expect(file.json.data.loadFundValuationFile).toEqual({ rows: 2, created: 1, unchanged: 1, corrected: 0 });
  });

  it('lists the products\' funds with the catalogue\'s currency and asset class', async () => {
    const answer = await gql(server.url, '{ products { funds { isin currency assetClass } } }', { token: tokens.alice });
    expect(answer.json.data.products[0].funds).toContainEqual({ isin: DEMO_FUNDS.euro.isin, currency: 'EUR', assetClass: 'guaranteed' });
  });

  it('asks for a switch: refused with the documented code in extensions, or requested and listed on the compartment', async () => {
    const mutation = `mutation($p: ID!, $c: ID!, $input: SwitchRequestInput!) { requestSwitch(policyId: $p, compartmentId: $c, input: $input) { id status receivedOn legs { isin direction unit basisPoints amount { amount } } } }`;
    const ids = { p: DEMO_IDS.policies.aliceAv, c: DEMO_IDS.compartments.aliceAvMain };
    const twice = [{ isin: DEMO_FUNDS.europeEquity.isin, direction: 'SELL', unit: 'BASIS_POINT_OF_CURRENT_POSITION', basisPoints: 2_000 }, { isin: DEMO_FUNDS.europeEquity.isin, direction: 'BUY', unit: 'BASIS_POINT_OF_SELL_PROCEED', basisPoints: 10_000 }];
    const refused = await gql(server.url, mutation, { token: tokens.alice, variables: { ...ids, input: { legs: twice } } });
    expect(refused.json.errors[0].extensions).toMatchObject({ code: 'duplicate_fund_in_switch', reason: 'DUPLICATE_FUND_IN_SWITCH', field: 'legs[1].isin' });
    const legs = [twice[0], { ...twice[1], isin: DEMO_FUNDS.worldBonds.isin }];
    const asked = await gql(server.url, mutation, { token: tokens.alice, variables: { ...ids, input: { legs } } });
    expect(asked.json.data.requestSwitch).toMatchObject({ status: 'requested', receivedOn: '2026-12-02', legs: [{ direction: 'SELL', basisPoints: 2_000, amount: null }, { direction: 'BUY', unit: 'BASIS_POINT_OF_SELL_PROCEED' }] });
    const listed = await gql(server.url, 'query($p: ID!, $c: ID!) { compartment(policyId: $p, id: $c) { switchRequests { id status } } }', { token: tokens.alice, variables: ids });
    expect(listed.json.data.compartment.switchRequests).toEqual([{ id: asked.json.data.requestSwitch.id, status: 'requested' }]);
  });
});
