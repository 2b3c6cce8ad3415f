import { subgraphSdl } from '../../schema/federation';
import { buildSchema } from '../../schema/index';
import { EACH_DATABASE } from '../support/databases';
import { gql, login } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';
import { DEMO_IDS } from '../support/ids';
import { QueryCounter } from '../support/query-counter';

const ENTITIES = `query ($representations: [_Any!]!) {
  _entities(representations: $representations) {
    __typename
    ... on Policy { id status subscriberId }
    ... on Subscriber { id lastName }
    ... on SubscriptionContract { id }
    ... on Compartment { id policyId code }
  }
}`;
const ALICES_POLICY = { __typename: 'Policy', id: DEMO_IDS.policies.aliceAv };
const POLICY = 'query ($id: ID!) { policy(id: $id) { id } }';

describe.each(EACH_DATABASE)('Federation subgraph on %s', (_name, database) => {
  let server: TestServer;
  const tokens: Record<string, string> = {};
  const counter = new QueryCounter();
  beforeAll(async () => {
    // The outbox stays still: its dispatcher's polls would count as the requests' queries.
    server = await startTestServer(database, { demoPortfolio: true, wrapDb: counter.wrap, outbox: 'manual' });
    for (const [i, who] of ['alice', 'bob', 'broker', 'backoffice'].entries()) tokens[who] = (await login(server.url, `${who}@demo.test`, `10.41.0.${i + 1}`)).token;
  });
  afterAll(() => server?.close());

  it('answers `_service { sdl }` without credentials: the SDL npm run subgraph-sdl prints, with Policy and Subscriber keyed by id', async () => {
    const answer = await gql(server.url, '{ _service { sdl } }');
    expect(answer.status).toBe(200);
    const sdl: string = answer.json.data._service.sdl;
    expect(sdl).toMatch(/extend schema @link\(url: "https:\/\/specs\.apollo\.dev\/federation\/v2\.\d+", import: \["@key"\]\)/);
    expect(sdl).toContain('type Policy @key(fields: "id")');
    expect(sdl).toContain('type Subscriber @key(fields: "id")');
    expect(sdl).toMatch(/policy\(\s*(?:"[^"]*"\s*)?id: ID!\s*\): Policy @signedIn/);
    expect(sdl).not.toMatch(/requires\(roles/);
    expect(sdl).toBe(await subgraphSdl(buildSchema()));
  });

  it('resolves alice’s policy for alice, her broker and back-office', async () => {
    for (const who of ['alice', 'broker', 'backoffice']) {
      const answer = await gql(server.url, ENTITIES, { token: tokens[who], variables: { representations: [ALICES_POLICY] } });
      expect({ who, status: answer.status, json: answer.json }).toEqual({
        who,
        status: 200,
        json: { data: { _entities: [{ __typename: 'Policy', id: DEMO_IDS.policies.aliceAv, status: 'active', subscriberId: DEMO_IDS.subscribers.alice }] } },
      });
    }
  });

  it('resolves alice’s policy for bob to null with the error the policy field gives him, beside the data he may see', async () => {
    const rootField = await gql(server.url, POLICY, { token: tokens.bob, variables: { id: DEMO_IDS.policies.aliceAv } });
    const rootError = rootField.json.errors[0];
    expect(rootError.extensions.code).toMatch(/not_found$/);

    const answer = await gql(server.url, ENTITIES, {
      token: tokens.bob,
      variables: { representations: [ALICES_POLICY, { __typename: 'Policy', id: DEMO_IDS.policies.bobAv }, { __typename: 'Subscriber', id: DEMO_IDS.subscribers.alice }] },
    });
    expect(answer.status).toBe(200);
    expect(answer.json.data._entities).toEqual([null, { __typename: 'Policy', id: DEMO_IDS.policies.bobAv, status: 'active', subscriberId: DEMO_IDS.subscribers.bob }, null]);
    // Errors come in the order they happen (batched policies after the subscriber), not the items'.
    const errors = [...answer.json.errors].sort((a: { path: number[] }, b: { path: number[] }) => a.path[1] - b.path[1]);
    expect(errors.map((e: { path: unknown; message: string; extensions: { code: string } }) => ({ path: e.path, code: e.extensions.code }))).toEqual([
      { path: ['_entities', 0], code: rootError.extensions.code },
      { path: ['_entities', 2], code: rootError.extensions.code },
    ]);
    expect(errors[0].message).toBe(rootError.message);
    expect(answer.text).not.toContain(DEMO_IDS.subscribers.alice);
  });

  it('reads the policies of one `_entities` call in one query, each item with its own access check', async () => {
    const policies = [DEMO_IDS.policies.aliceAv, DEMO_IDS.policies.bobAv, DEMO_IDS.policies.alicePer, DEMO_IDS.policies.bobPer];
    const representations = policies.map((id) => ({ __typename: 'Policy', id }));
    const cost = async (count: number) => {
      counter.count = 0;
      const answer = await gql(server.url, '{ __typename }', { token: tokens.alice });
      const base = counter.count;
      counter.count = 0;
      const batched = await gql(server.url, ENTITIES, { token: tokens.alice, variables: { representations: representations.slice(0, count) } });
      expect(answer.status).toBe(200);
      return { answer: batched, queries: counter.count - base };
    };
    const one = await cost(1);
    const four = await cost(4);
    expect(four.answer.json.data._entities.map((e: { id: string } | null) => e?.id ?? null)).toEqual([DEMO_IDS.policies.aliceAv, null, DEMO_IDS.policies.alicePer, null]);
    expect(four.answer.json.errors.map((e: { path: unknown[] }) => e.path)).toEqual(expect.arrayContaining([['_entities', 1], ['_entities', 3]]));
    expect(four.queries).toBe(one.queries);
  });

  it('answers 401 without credentials, exactly as a protected root field does', async () => {
    const entities = await gql(server.url, ENTITIES, { variables: { representations: [ALICES_POLICY] } });
    const policy = await gql(server.url, POLICY, { variables: { id: DEMO_IDS.policies.aliceAv } });
    expect(entities.status).toBe(401);
    const shape = (a: typeof policy) => ({ status: a.status, challenge: a.headers.get('www-authenticate'), data: a.json.data, errors: a.json.errors.map((e: Record<string, unknown>) => ({ message: e.message, extensions: e.extensions })) });
    expect(shape(entities)).toEqual(shape(policy));
  });

  it('resolves compartments and subscriptions by their keys, through their policy’s access check', async () => {
    const representations = [
      { __typename: 'Compartment', policyId: DEMO_IDS.policies.alicePer, id: DEMO_IDS.compartments.alicePerC1 },
      { __typename: 'SubscriptionContract', id: DEMO_IDS.subscriptions.aliceAv },
    ];
    const alice = await gql(server.url, ENTITIES, { token: tokens.alice, variables: { representations } });
    expect(alice.json).toEqual({
      data: { _entities: [{ __typename: 'Compartment', id: DEMO_IDS.compartments.alicePerC1, policyId: DEMO_IDS.policies.alicePer, code: 'C1' }, { __typename: 'SubscriptionContract', id: DEMO_IDS.subscriptions.aliceAv }] },
    });
    const bob = await gql(server.url, ENTITIES, { token: tokens.bob, variables: { representations } });
    expect(bob.json.data._entities).toEqual([null, null]);
    // A compartment of alice's named under bob's policy is not found either.
    const mixed = await gql(server.url, ENTITIES, { token: tokens.bob, variables: { representations: [{ __typename: 'Compartment', policyId: DEMO_IDS.policies.bobPer, id: DEMO_IDS.compartments.alicePerC1 }] } });
    expect(mixed.json.data._entities).toEqual([null]);
    expect(mixed.json.errors[0].extensions.code).toMatch(/not_found$/);
  });

  it('refuses representations that are not of our entities, or whose keys are not ids: parameter_invalid naming each', async () => {
    const answer = await gql(server.url, ENTITIES, {
      token: tokens.alice,
      variables: { representations: [{ __typename: 'PolicyMoney' }, { __typename: 'Policy', id: 42 }, { __typename: 'Compartment', id: DEMO_IDS.compartments.alicePerC1 }, DEMO_IDS.policies.aliceAv] },
    });
    // `_entities` ran and refused its argument: a field error, so 200 (GraphQL over HTTP); the field is non-null, so data is null.
    expect(answer.status).toBe(200);
    expect(answer.json.data).toBeNull();
    const error = answer.json.errors[0];
    expect(error.extensions.code).toBe('parameter_invalid');
    expect([{ reason: error.extensions.reason, field: error.extensions.field }, ...error.extensions.details.map((d: { reason: string; field: string }) => ({ reason: d.reason, field: d.field }))]).toEqual([
      { reason: 'UNKNOWN_ENTITY_TYPE', field: 'representations.0.__typename' },
      { reason: 'INVALID_ID', field: 'representations.1.id' },
      { reason: 'INVALID_ID', field: 'representations.2.policyId' },
      { reason: 'INVALID_REPRESENTATION', field: 'representations.3' },
    ]);
  });
});
