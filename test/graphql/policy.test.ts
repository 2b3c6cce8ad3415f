import { EACH_DATABASE } from '../support/databases';
import { gql, login } from '../support/http';
import { QueryCounter } from '../support/query-counter';
import { startTestServer, type TestServer } from '../support/server';
import { DEMO_IDS, testId } from '../support/ids';

const PAGE = `query Page($first: Int, $after: String) {
  policies(first: $first, after: $after) {
    edges { cursor node { id product { kind } compartments { code status value { amount currency } } } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

describe.each(EACH_DATABASE)('GraphQL policies on %s', (_name, database) => {
  let server: TestServer;
  const counter = new QueryCounter();
  const tokens: Record<string, string> = {};
  beforeAll(async () => {
    // The outbox stays still: its dispatcher's polls would count as the requests' queries.
    server = await startTestServer(database, { demoPortfolio: true, wrapDb: counter.wrap, outbox: 'manual' });
    for (const [i, who] of ['alice', 'bob', 'broker', 'backoffice'].entries()) tokens[who] = (await login(server.url, `${who}@demo.test`, `10.40.0.${i + 1}`)).token;
  });
  afterAll(() => server.close());

  it('a subscriber sees their own policies with compartments and values in minor units', async () => {
    const answer = await gql(server.url, PAGE, { token: tokens.alice });
    const nodes = answer.json.data.policies.edges.map((e: { node: unknown }) => e.node);
    expect(nodes).toEqual([
      { id: DEMO_IDS.policies.aliceAv, product: { kind: 'assurance_vie' }, compartments: [{ code: 'MAIN', status: 'active', value: { amount: 1_287_450, currency: 'EUR' } }] },
      {
        id: DEMO_IDS.policies.alicePer,
        product: { kind: 'per' },
        compartments: [
          { code: 'C1', status: 'active', value: { amount: 842_300, currency: 'EUR' } },
          { code: 'C2', status: 'active', value: { amount: 356_120, currency: 'EUR' } },
          { code: 'C3', status: 'active', value: { amount: 421_900, currency: 'EUR' } },
        ],
      },
    ]);
  });

  it('a broker sees its distributor’s policies, paged with a cursor', async () => {
    const first = await gql(server.url, PAGE, { token: tokens.broker, variables: { first: 3 } });
    expect(first.json.data.policies.edges).toHaveLength(3);
    expect(first.json.data.policies.pageInfo.hasNextPage).toBe(true);
    const rest = await gql(server.url, PAGE, { token: tokens.broker, variables: { first: 3, after: first.json.data.policies.pageInfo.endCursor } });
    const ids = [...first.json.data.policies.edges, ...rest.json.data.policies.edges].map((e: { node: { id: string } }) => e.node.id);
    expect(ids).toEqual([DEMO_IDS.policies.aliceAv, DEMO_IDS.policies.alicePer, DEMO_IDS.policies.bobAv, DEMO_IDS.policies.bobPer]);
    expect(rest.json.data.policies.pageInfo.hasNextPage).toBe(false);
    // Relay-complete PageInfo, with cursors that are not the ids they stand for (opaque: a client cannot build one).
    const cursors = first.json.data.policies.edges.map((e: { cursor: string }) => e.cursor);
    expect(first.json.data.policies.pageInfo).toMatchObject({ hasPreviousPage: false, startCursor: cursors[0], endCursor: cursors[2] });
    expect(rest.json.data.policies.pageInfo.hasPreviousPage).toBe(true);
    expect(cursors.filter((c: string) => ids.includes(c))).toEqual([]);
    // A bare policy id, the cursor before cursors were opaque, still pages; anything else is a 400.
    const legacy = await gql(server.url, PAGE, { token: tokens.broker, variables: { first: 3, after: ids[2] } });
    expect(legacy.json.data.policies.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([ids[3]]);
    const forged = await gql(server.url, PAGE, { token: tokens.broker, variables: { first: 3, after: Buffer.from('not-an-id').toString('base64url') } });
    expect(forged.json.errors[0]).toMatchObject({ extensions: { code: 'parameter_invalid', reason: 'INVALID_CURSOR', field: 'after' } });
  });

  it('links a policy to its subscriber and subscription, and a compartment back to its policy', async () => {
    const answer = await gql(server.url, `{ policy(id: "${DEMO_IDS.policies.aliceAv}") { id status subscriberId subscriber { id } subscription { policy { id } } compartments { status policy { id } } } }`, { token: tokens.alice });
    const policy = answer.json.data.policy;
    expect(policy).toMatchObject({ id: DEMO_IDS.policies.aliceAv, status: 'active', subscriber: { id: policy.subscriberId }, subscription: { policy: { id: DEMO_IDS.policies.aliceAv } } });
    expect(policy.compartments).toEqual([{ status: 'active', policy: { id: DEMO_IDS.policies.aliceAv } }]);
  });

  it('the page size is capped', async () => {
    const answer = await gql(server.url, PAGE, { token: tokens.backoffice, variables: { first: 1000 } });
    expect(answer.json.errors[0]).toMatchObject({ extensions: { reason: 'PAGE_SIZE_OUT_OF_RANGE', code: 'parameter_invalid', field: 'first' } });
  });

  it('a page of policies with their compartments costs a fixed number of queries, whatever its size', async () => {
    const cost = async (first: number) => {
      counter.count = 0;
      const answer = await gql(server.url, PAGE, { token: tokens.backoffice, variables: { first } });
      expect(answer.json.data.policies.edges).toHaveLength(first);
      return counter.count;
    };
    const one = await cost(1);
    const four = await cost(4);
    // One query for the page, one (batched by DataLoader) for every compartment of it; products are
    // read once; the session is cached. No N+1.
    expect(four).toBe(one);
    expect(four).toBeLessThanOrEqual(3);
  });

  it('a policy shows its money from the ledger, and a page with money and movements still costs a fixed number of queries', async () => {
    const MONEY_PAGE = `query ($first: Int) { policies(first: $first) { edges { node { id
      money { premiumsPaid { amount currency } entryFees { amount currency } paidOut { amount currency } netInvested { amount currency } refundable { amount currency } }
      movements { kind amount { amount currency } compartmentId causeType causeId } } } } }`;
    const mine = await gql(server.url, MONEY_PAGE, { token: tokens.alice });
    expect(mine.json.data.policies.edges[0].node).toEqual({
      id: DEMO_IDS.policies.aliceAv,
      money: {
        premiumsPaid: { amount: 1_250_000, currency: 'EUR' }, entryFees: { amount: 25_000, currency: 'EUR' }, paidOut: { amount: 0, currency: 'EUR' },
        netInvested: { amount: 1_225_000, currency: 'EUR' }, refundable: { amount: 1_250_000, currency: 'EUR' },
      },
      movements: [
        { kind: 'premium', amount: { amount: 1_250_000, currency: 'EUR' }, compartmentId: DEMO_IDS.compartments.aliceAvMain, causeType: 'subscription', causeId: DEMO_IDS.subscriptions.aliceAv },
        { kind: 'entry_fee', amount: { amount: -25_000, currency: 'EUR' }, compartmentId: DEMO_IDS.compartments.aliceAvMain, causeType: 'subscription', causeId: DEMO_IDS.subscriptions.aliceAv },
      ],
    });
    const cost = async (first: number) => {
      counter.count = 0;
      const answer = await gql(server.url, MONEY_PAGE, { token: tokens.backoffice, variables: { first } });
      expect(answer.json.data.policies.edges).toHaveLength(first);
      return counter.count;
    };
    expect(await cost(4)).toBe(await cost(1));
  });

  it('subscriber A gets not_found on B’s policy, exactly as for a policy that does not exist', async () => {
    const query = 'query($id: ID!) { policy(id: $id) { id compartments { code } } }';
    const other = await gql(server.url, query, { token: tokens.alice, variables: { id: DEMO_IDS.policies.bobPer } });
    const missing = await gql(server.url, query, { token: tokens.alice, variables: { id: testId('pol_nobody') } });
    expect(other.json.errors[0]).toMatchObject({ extensions: { reason: 'POLICY_NOT_FOUND', code: 'resource_not_found' } });
    expect(other.json.errors.map((e: { message: string }) => e.message)).toEqual(missing.json.errors.map((e: { message: string }) => e.message));
    expect((await gql(server.url, query, { token: tokens.broker, variables: { id: DEMO_IDS.policies.bobPer } })).json.data.policy.id).toBe(DEMO_IDS.policies.bobPer);
  });
});
