import { createApp, type App } from '../../app';
import { loadConfig } from '../../config';
import type { RequestContext } from '../../context/context';
import { ExecutionPipeline, HOT_DOCUMENT_RUNS } from '../../execution/pipeline';
import { silentLogger } from '../../http/logger';
import { loadOperations } from '../../rest-bridge/operations';
import { ROUTES } from '../../rest-bridge/routes';
import { buildSchema } from '../../schema';
import { EACH_DATABASE } from '../support/databases';
import { call, gql, login } from '../support/http';
import { DEMO_IDS, testId } from '../support/ids';
import { startTestServer, type TestServer } from '../support/server';

/** Demo ids for the path parameters alice's reads name; any other parameter gets an id nobody has (a 404 path). */
const PARAMS: Record<string, string> = {
  policyId: DEMO_IDS.policies.alicePer,
  compartmentId: DEMO_IDS.compartments.alicePerC1,
  subscriberId: DEMO_IDS.subscribers.alice,
  subscriptionId: DEMO_IDS.subscriptions.alicePer,
};

describe('graphql-jit compiles every named operation of the REST bridge', () => {
  it('no operation falls back to graphql-js on our schema', () => {
    const schema = buildSchema({ production: false });
    const pipeline = new ExecutionPipeline(schema, { production: false, logger: silentLogger });
    const fallbacks = [...loadOperations(schema).values()].map((op) => ({ name: op.name, compiled: pipeline.compile(op.document, op.name) })).filter((c) => c.compiled.engine !== 'jit');
    expect(fallbacks).toEqual([]);
  });

  it('an ad-hoc text runs compiled from its HOT_DOCUMENT_RUNS-th run, and not before', async () => {
    const schema = buildSchema({ production: false });
    const pipeline = new ExecutionPipeline(schema, { production: false, logger: silentLogger });
    // A text that reads no service: the context needs no viewer and no services for it.
    const context = { viewer: null, authFailure: 'NO_SESSION', response: { cookies: [] } } as unknown as RequestContext;
    const query = 'query Hot { __typename }';
    for (let run = 1; run < HOT_DOCUMENT_RUNS; run += 1) {
      expect((await pipeline.run({ query, operationName: 'Hot' }, context)).data).toEqual({ __typename: 'Query' });
      expect(pipeline.engineOf(query, 'Hot')).toBeUndefined();
    }
    // The HOT_DOCUMENT_RUNS-th run is the first compiled one.
    expect((await pipeline.run({ query, operationName: 'Hot' }, context)).data).toEqual({ __typename: 'Query' });
    expect(pipeline.engineOf(query, 'Hot')).toBe('jit');
    // Another operation of a cached text is compiled for itself.
    expect(pipeline.engineOf(query, 'Other')).toBeUndefined();
  });

  it('GRAPHQL_JIT=0 runs every operation on graphql-js', () => {
    const schema = buildSchema({ production: false });
    const pipeline = new ExecutionPipeline(schema, { production: false, logger: silentLogger, jit: false });
    const [first] = loadOperations(schema).values();
    expect(pipeline.compile(first.document, first.name)).toEqual({ engine: 'graphql-js', reason: 'GRAPHQL_JIT=0' });
  });
});

describe.each(EACH_DATABASE)('REST answers with graphql-jit and with graphql-js on %s', (_name, database) => {
  let jit: TestServer;
  let plain: App;
  let plainUrl: string;
  beforeAll(async () => {
    jit = await startTestServer(database, { demoPortfolio: true });
    // The same database and clock, the named operations on graphql-js.
    plain = await createApp({ config: loadConfig({ PORT: '0', TRUST_PROXY: '1', GRAPHQL_JIT: '0', MAIL_DIR: jit.config.outbox.mailDir }), db: jit.db, clock: jit.clock, logger: silentLogger });
    plainUrl = await plain.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await plain.close();
    await jit.close();
  });

  it('every GET route answers the same status, headers that matter and body both ways (alice, the broker, and no one)', async () => {
    const alice = await login(jit.url, 'alice@demo.test', '10.41.0.1');
    const broker = await login(jit.url, 'broker@demo.test', '10.41.0.2');
    const reads = ROUTES.filter((r) => r.method === 'GET');
    expect(reads.length).toBeGreaterThan(20);
    let compared = 0;
    for (const route of reads) {
      const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) => PARAMS[name] ?? testId(`jit_${name}`));
      for (const token of [alice.token, broker.token, undefined]) {
        const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
        const [a, b] = await Promise.all([call(`${jit.url}${path}`, { headers }), call(`${plainUrl}${path}`, { headers })]);
        const seen = (answer: typeof a) => ({ path, status: answer.status, type: answer.headers.get('content-type'), etag: answer.headers.get('etag'), body: answer.text.replaceAll(plainUrl, jit.url) });
        expect(seen(a)).toEqual(seen(b));
        compared += 1;
      }
    }
    expect(compared).toBe(reads.length * 3);
  });

  it('ad-hoc /graphql texts answer the same before and after they are compiled as hot, and as graphql-js answers them', async () => {
    const { token } = await login(jit.url, 'alice@demo.test', '10.41.0.4');
    const texts: Array<{ query: string; variables?: Record<string, unknown> }> = [
      { query: '{ me { id email } }' },
      // Aliases, a fragment, a directive on a variable, and a policy nobody has (an error with a path).
      {
        query: `query($id: ID!, $withCompartments: Boolean!) { mine: policy(id: $id) { ...P compartments @include(if: $withCompartments) { code status } } none: policy(id: "${testId('jit_none')}") { id } } fragment P on Policy { id status }`,
        variables: { id: DEMO_IDS.policies.alicePer, withCompartments: true },
      },
      { query: 'query($first: Int) { me { id } }', variables: { first: 'not a number' } },
    ];
    for (const { query, variables } of texts) {
      const expected = await gql(plainUrl, query, { token, variables });
      for (let run = 0; run < HOT_DOCUMENT_RUNS + 2; run += 1) {
        const answer = await gql(jit.url, query, { token, variables });
        expect({ run, status: answer.status, body: answer.text.replaceAll(jit.url, '') }).toEqual({ run, status: expected.status, body: expected.text.replaceAll(plainUrl, '') });
      }
    }
  });

  it('malformed or out-of-range query parameters answer identically both ways (a variable graphql-js words, an enum, a page size)', async () => {
    const { token } = await login(jit.url, 'backoffice@demo.test', '10.41.0.3');
    const headers = { authorization: `Bearer ${token}` };
    for (const path of ['/v1/support/requests?first=abc', '/v1/support/requests?status=bogus', '/v1/support/requests?first=1000', '/v1/support/requests?first=2', '/v1/support/requests?after=not-a-cursor']) {
      const [a, b] = await Promise.all([call(`${jit.url}${path}`, { headers }), call(`${plainUrl}${path}`, { headers })]);
      expect({ path, status: a.status, body: a.text.replaceAll(jit.url, '') }).toEqual({ path, status: b.status, body: b.text.replaceAll(plainUrl, '') });
    }
  });
});
