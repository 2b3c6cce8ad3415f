import { seedSwitchPolicies, SWITCH_FUND } from '../../bench/seed';
import { newUuid } from '../../domain/shared/ids';
import { OrderStore } from '../../store/order-store';
import { EACH_DATABASE } from '../support/databases';
import { call, gql, login } from '../support/http';
import { QueryCounter } from '../support/query-counter';
import { startTestServer, type TestServer } from '../support/server';
import { DEMO_IDS } from '../support/ids';

/** A page of policies with everything a servicing screen shows: product, compartments, positions and their funds, pending orders. */
const PAGE = `query($first: Int) { policies(first: $first) { nodes { id status value { amount currency } product { kind name }
  compartments { code status management valuedOn value { amount } pendingCash { amount } pendingOrders { id direction amount { amount } }
    positions { isin fund { name assetClass } shares { value scale } nav { value scale currency } valuedOn value { amount currency } } } } } }`;
const ONE = `query($id: ID!) { policy(id: $id) { id value { amount } product { kind name }
  compartments { code management value { amount } positions { isin fund { name } shares { value } nav { value } value { amount } } } } }`;

/**
 * Issue 15 item 2: a policy with its compartments, positions and product costs at most two round trips
 * to the database, over GraphQL and over REST, whatever the page size: the policies with their
 * compartments, then their holdings (movements, funds, latest NAVs, pending orders). Counted once the
 * caller is authenticated: a token's session is read on its first request and remembered (one more
 * statement then), and the product catalogue is read at most once a minute per process.
 */
describe.each(EACH_DATABASE)('policy reads on %s', (_name, database) => {
  let server: TestServer;
  const counter = new QueryCounter();
  const tokens: Record<string, string> = {};
  let seeded: Array<{ policyId: string; compartmentId: string }>;
  let pendingOrderId: string;

  beforeAll(async () => {
    // The outbox stays still: its dispatcher's polls would count as the requests' queries.
    server = await startTestServer(database, { demoPortfolio: true, wrapDb: counter.wrap, outbox: 'manual' });
    seeded = await seedSwitchPolicies(server.db, 55);
    // A buy waiting for its NAV on the first seeded policy, which backoffice's first page lists.
    pendingOrderId = newUuid();
    const first = [...seeded].sort((a, b) => a.policyId.localeCompare(b.policyId))[0];
    await new OrderStore(server.db).insert(server.db, {
      id: pendingOrderId, policyId: first.policyId, compartmentId: first.compartmentId, direction: 'buy', status: 'pending', tradeDate: '2099-01-02', currency: 'EUR',
      amount: 12_345, lines: [{ isin: SWITCH_FUND, direction: 'BUY', unit: 'AMOUNT', amount: 12_345, basisPoints: null }], cause: { type: 'premium', id: newUuid() },
      createdAt: new Date(), executedAt: null, execution: null, proceeds: null, cancelledReason: null,
    });
    for (const [i, who] of ['alice', 'backoffice'].entries()) tokens[who] = (await login(server.url, `${who}@demo.test`, `10.15.2.${i + 1}`)).token;
    // The first request of a token reads its session (and this process's catalogue): not counted below.
    await gql(server.url, ONE, { token: tokens.alice, variables: { id: DEMO_IDS.policies.aliceAv } });
    await gql(server.url, ONE, { token: tokens.backoffice, variables: { id: DEMO_IDS.policies.aliceAv } });
  });
  afterAll(() => server.close());

  const counted = async <T>(read: () => Promise<T>): Promise<{ answer: T; statements: number; sent: string[] }> => {
    counter.count = 0;
    counter.statements = [];
    const answer = await read();
    return { answer, statements: counter.count, sent: counter.statements };
  };

  it.each([1, 10, 50])('a page of %i policies with product, compartments, positions and pending orders costs two round trips', async (first) => {
    const { answer, statements } = await counted(() => gql(server.url, PAGE, { token: tokens.backoffice, variables: { first } }));
    expect(answer.json.errors).toBeUndefined();
    const nodes = answer.json.data.policies.nodes;
    expect(nodes).toHaveLength(first);
    expect(statements).toBeLessThanOrEqual(2);
    // What the two round trips brought is all there: the demo's assurance-vie first, valued from its positions.
    expect(nodes[0]).toMatchObject({ id: DEMO_IDS.policies.aliceAv, value: { amount: 1_287_450 }, product: { kind: 'assurance_vie', name: 'Démo Vie' } });
    expect(nodes[0].compartments[0]).toMatchObject({ code: 'MAIN', management: 'self_invested', value: { amount: 1_287_450 }, pendingOrders: [] });
    expect(nodes[0].compartments[0].positions).toHaveLength(4);
    expect(nodes[0].compartments[0].positions[1]).toMatchObject({ fund: { name: 'Obligations Monde Démo', assetClass: 'bond' } });
    if (first >= 10) {
      const waiting = nodes.flatMap((n: { compartments: Array<{ pendingOrders: unknown[]; pendingCash: unknown }> }) => n.compartments).find((c: { pendingOrders: unknown[] }) => c.pendingOrders.length > 0);
      expect(waiting).toMatchObject({ pendingCash: { amount: 12_345 }, pendingOrders: [{ id: pendingOrderId, direction: 'buy', amount: { amount: 12_345 } }] });
    }
  });

  it('one policy costs two round trips over GraphQL, as many compartments as it has', async () => {
    for (const id of [DEMO_IDS.policies.aliceAv, DEMO_IDS.policies.alicePer]) {
      const { answer, statements } = await counted(() => gql(server.url, ONE, { token: tokens.alice, variables: { id } }));
      expect(answer.json.errors).toBeUndefined();
      expect(answer.json.data.policy.product.name).toBeTruthy();
      expect(statements).toBeLessThanOrEqual(2);
    }
  });

  it('one policy with its product, compartments, positions and pending orders costs two round trips over REST', async () => {
    for (const id of [DEMO_IDS.policies.aliceAv, DEMO_IDS.policies.alicePer]) {
      const { answer, statements } = await counted(() => call(`${server.url}/v1/investments/policies/${id}/positions`, { headers: { authorization: `Bearer ${tokens.alice}` } }));
      expect(answer.status).toBe(200);
      expect(answer.json.product).toMatchObject({ id: expect.any(String), kind: expect.any(String), name: expect.any(String) });
      expect(answer.json.compartments.length).toBeGreaterThan(0);
      expect(statements).toBeLessThanOrEqual(2);
    }
    const { answer, statements } = await counted(() => call(`${server.url}/v1/investments/policies/${DEMO_IDS.policies.aliceAv}/positions`, { headers: { authorization: `Bearer ${tokens.alice}` } }));
    expect(answer.json.compartments[0].positions[0]).toMatchObject({ fund: { name: expect.any(String) }, shares: expect.anything(), value: { currency: 'EUR' } });
    expect(statements).toBe(2);
  });

  it('one compartment by id, with its management, value and positions, costs two round trips over GraphQL and REST', async () => {
    const [compartment] = (await gql(server.url, ONE, { token: tokens.alice, variables: { id: DEMO_IDS.policies.aliceAv } })).json.data.policy.compartments;
    const ids = await gql(server.url, 'query($id: ID!) { policy(id: $id) { compartments { id } } }', { token: tokens.alice, variables: { id: DEMO_IDS.policies.aliceAv } });
    const compartmentId = ids.json.data.policy.compartments[0].id;
    const query = 'query($p: ID!, $c: ID!) { compartment(policyId: $p, id: $c) { code management valuedOn value { amount } positions { isin fund { name } value { amount } } } }';
    const viaGraphql = await counted(() => gql(server.url, query, { token: tokens.alice, variables: { p: DEMO_IDS.policies.aliceAv, c: compartmentId } }));
    expect(viaGraphql.answer.json.data.compartment).toMatchObject({ code: compartment.code, management: compartment.management, value: compartment.value });
    expect(viaGraphql.answer.json.data.compartment.positions).toHaveLength(4);
    expect(viaGraphql.sent).toEqual([expect.stringMatching(/^select p\.id, p\.subscription_id/), expect.stringMatching(/^select 'movement' as row_kind/)]);
    const viaRest = await counted(() => call(`${server.url}/v1/investments/policies/${DEMO_IDS.policies.aliceAv}/compartments/${compartmentId}/positions`, { headers: { authorization: `Bearer ${tokens.alice}` } }));
    expect(viaRest.answer.status).toBe(200);
    expect(viaRest.answer.json.positions).toHaveLength(4);
    expect(viaRest.statements).toBe(2);
  });

  // The product comes from the catalogue in memory; the money is a third read, of the ledger, made only
  // when the money is asked for (GraphQL `money`, which this route's operation asks).
  it('the policy route (status, product, compartments, money from the ledger) costs three round trips, the product none', async () => {
    for (const id of [DEMO_IDS.policies.aliceAv, DEMO_IDS.policies.alicePer]) {
      const { answer, statements, sent } = await counted(() => call(`${server.url}/v1/policies/${id}`, { headers: { authorization: `Bearer ${tokens.alice}` } }));
      expect(answer.status).toBe(200);
      expect(sent).toEqual([expect.stringMatching(/^select p\.id, p\.subscription_id/), expect.stringMatching(/from policy_money_movements/), expect.stringMatching(/^select 'movement' as row_kind/)]);
      expect(answer.json).toMatchObject({ id, product: { id: expect.any(String), name: expect.any(String) }, money: { premiumsPaid: { currency: 'EUR' } } });
      expect(answer.json.compartments.length).toBeGreaterThan(0);
      expect(statements).toBe(3);
    }
  });

  it("another subscriber's policy is a 404 after one round trip", async () => {
    const { answer, statements } = await counted(() => call(`${server.url}/v1/investments/policies/${DEMO_IDS.policies.bobAv}/positions`, { headers: { authorization: `Bearer ${tokens.alice}` } }));
    expect(answer.status).toBe(404);
    expect(statements).toBe(1);
  });
});
