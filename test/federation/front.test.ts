/**
 * The GraphQL front (gateway/front.ts) with two parts behind it: our service (in-process, as
 * test/support/server.ts starts it) and another team's subgraph (crm-subgraph.ts).
 *
 * The front runs in this process too and shares the service's database object: the edge checks
 * tokens and sessions in the service's database, and PGlite serves one process only. In production
 * both processes point DATABASE_URL at the same PostgreSQL (README, "GraphQL front").
 */
import { serverAudits } from 'graphql-http';
import { loadGatewayConfig } from '../../config/gateway';
import { silentLogger } from '../../http/logger';
import { createFront, type Front } from '../../gateway/front';
import { EACH_DATABASE } from '../support/databases';
import { call, gql, login } from '../support/http';
import { DEMO_IDS } from '../support/ids';
import { startTestServer, type TestServer } from '../support/server';
import { startCrmSubgraph, type CrmSubgraph } from './crm-subgraph';
import { ROUTES } from '../../rest-bridge/routes';
import { parisToday, scaledEur } from '../support/surrender-fixtures';

// One public documentation base for the service and the front, as deployed: doc_url is the same whoever answers.
const DOCS = 'https://docs.example.test';

describe.each(EACH_DATABASE)('GraphQL front over our service and a foreign subgraph on %s', (_name, database) => {
  let service: TestServer;
  let crm: CrmSubgraph;
  let front: Front;
  let url: string;
  let alice: string;

  beforeAll(async () => {
    service = await startTestServer(database, { demoPortfolio: true, env: { DOCS_BASE_URL: DOCS } });
    crm = await startCrmSubgraph();
    const config = loadGatewayConfig({ PORT: '0', TRUST_PROXY: '1', DOCS_BASE_URL: DOCS, SUBGRAPHS: `insurance=${service.url}/graphql crm=${crm.url}` });
    front = await createFront({ config, db: service.db, clock: service.clock, logger: silentLogger });
    url = await front.listen(0, '127.0.0.1');
    alice = (await login(service.url, 'alice@demo.test', '10.52.0.1')).token;
  }, 120_000);
  afterAll(async () => {
    await front?.close();
    await crm?.stop();
    await service?.close();
  });

  it('answers a query mixing our fields and the foreign ones with both', async () => {
    const answer = await gql(url, '{ mySubscriberProfile { id lastName crmSegment openCases { id title } } policies { edges { node { id adviserName } } } }', { token: alice, headers: { 'x-request-id': 'front-test-1', 'x-forwarded-for': '10.52.0.7' } });
    expect(answer.status).toBe(200);
    // Each subgraph sees the caller as the front did: credentials, request id, the client's address appended.
    expect(crm.lastHeaders).toMatchObject({ authorization: `Bearer ${alice}`, 'x-request-id': 'front-test-1', 'x-forwarded-for': '10.52.0.7, 127.0.0.1' });
    expect(answer.json.errors).toBeUndefined();
    expect(answer.json.data.mySubscriberProfile).toEqual({ id: DEMO_IDS.subscribers.alice, lastName: expect.any(String), crmSegment: 'gold', openCases: [{ id: 'case-1', title: 'Address change' }] });
    const policies = answer.json.data.policies.edges.map((e: { node: unknown }) => e.node);
    expect(policies).toContainEqual({ id: DEMO_IDS.policies.aliceAv, adviserName: 'Camille Martin' });
  });

  it("nulls another customer's policy with our resource_not_found, code, message and doc_url intact, and keeps the foreign data", async () => {
    const answer = await gql(url, '{ crmCases { id title policy { id status } } }', { token: alice });
    expect(answer.status).toBe(200);
    expect(answer.json.data.crmCases).toEqual([
      { id: 'case-1', title: 'Address change', policy: { id: DEMO_IDS.policies.aliceAv, status: expect.any(String) } },
      { id: 'case-2', title: 'Beneficiary question', policy: null },
    ]);
    expect(answer.json.errors).toEqual([
      expect.objectContaining({ path: ['crmCases', 1, 'policy'], extensions: expect.objectContaining({ code: 'resource_not_found', doc_url: `${DOCS}/errors/resource_not_found` }) }),
    ]);
    expect(answer.json.errors[0].extensions.serviceName).toBeUndefined();
    // The message is our service's own sentence, not "404: Not Found".
    const direct = await gql(service.url, 'query ($id: ID!) { policy(id: $id) { id } }', { token: alice, variables: { id: DEMO_IDS.policies.bobAv } });
    expect(answer.json.errors[0].message).toBe(direct.json.errors[0].message);
  });

  it('answers our documented 401 at the edge, before any planning, when our fields are asked for without credentials', async () => {
    const before = crm.requests;
    const query = '{ mySubscriberProfile { id crmSegment } crmCases { id } }';
    const answer = await gql(url, query);
    const direct = await gql(service.url, '{ mySubscriberProfile { id } }');
    expect(answer.status).toBe(401);
    // The service's own error, as a request-level 401 (no data: the request did not run).
    expect(answer.json).toEqual({ errors: [{ message: 'NO_SESSION', extensions: { code: 'unauthorized', doc_url: `${DOCS}/errors/unauthorized` } }] });
    expect(direct.status).toBe(401);
    expect(direct.json.errors[0]).toMatchObject({ message: 'NO_SESSION', extensions: { code: 'unauthorized', doc_url: `${DOCS}/errors/unauthorized` } });
    expect(answer.headers.get('www-authenticate')).toBe(direct.headers.get('www-authenticate'));
    expect(answer.json.data).toBeUndefined();
    expect(crm.requests).toBe(before);
    // A token that is not ours: the same 401, naming the reason.
    expect((await gql(url, query, { token: 'not-a-token' })).json.errors[0].message).toBe('INVALID_BEARER_TOKEN');
  });

  it('keeps our fields answering while the foreign subgraph is down, and heals when it is back, without restarting the front', async () => {
    const query = '{ mySubscriberProfile { id lastName crmSegment } }';
    await crm.stop();
    try {
      const down = await gql(url, query, { token: alice });
      expect(down.status).toBe(200);
      expect(down.json.data.mySubscriberProfile).toEqual({ id: DEMO_IDS.subscribers.alice, lastName: expect.any(String), crmSegment: null });
      expect(down.json.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'service_unavailable', reason: 'SUBGRAPH_UNAVAILABLE' }) })]);
      // Where the part lives stays ours to know.
      expect(down.text).not.toContain(crm.url);
    } finally {
      await crm.start();
    }
    const healed = await gql(url, query, { token: alice });
    expect(healed.status).toBe(200);
    expect(healed.json.errors).toBeUndefined();
    expect(healed.json.data.mySubscriberProfile.crmSegment).toBe('gold');
  });

  describe("/graphql on the front follows the execution pipeline's one rule, as the service does", () => {
    const responseJson = { accept: 'application/graphql-response+json' };
    /** Status, whether data came, and the errors' codes, messages and doc_urls: the same at the front as at the service. */
    const seen = (a: Awaited<ReturnType<typeof gql>>) => ({
      status: a.status,
      type: a.headers.get('content-type'),
      data: a.json.data,
      hasData: 'data' in a.json,
      errors: (a.json.errors ?? []).map((e: { message: string; path?: unknown; extensions: Record<string, unknown> }) => ({ message: e.message, path: e.path, code: e.extensions.code, doc_url: e.extensions.doc_url, reason: e.extensions.reason })),
      wwwAuthenticate: a.headers.get('www-authenticate'),
    });

    it('passes graphql-http’s server audit with the same three application/json deviations as the service', async () => {
      const results = await Promise.all(serverAudits({ url: `${url}/graphql` }).map((audit) => audit.fn()));
      const deviations = ['572B', 'FDE2', '7B9B'];
      expect(results.filter((r) => r.status !== 'ok' && !deviations.includes(r.id)).map((r) => `${r.id} ${r.status} ${r.name}: ${'reason' in r ? r.reason : ''}`)).toEqual([]);
    });

    it.each([
      ['field errors beside data: 200 with the data read', `{ me { id } mine: policy(id: "${DEMO_IDS.policies.aliceAv}") { id } theirs: policy(id: "${DEMO_IDS.policies.bobPer}") { id } }`, undefined, 'alice'],
      ['no credentials for a protected field: 401 without data', '{ me { id } }', undefined, 'none'],
      ['a token that is not ours: 401 without data', '{ me { id } }', undefined, 'bad'],
      ['a document that does not parse: 400 without data', '{ me { id }', undefined, 'none'],
      ['a document that does not validate: 400 without data', '{ nope }', undefined, 'alice'],
      ['variables that do not coerce: 400 without data', 'query($id: ID!) { policy(id: $id) { id } }', { id: { nested: true } }, 'alice'],
      ['a rule refusing, at the root: 200 with data null', `mutation { login(email: "nobody@demo.test", password: "wrong") { tokenType } }`, undefined, 'none'],
    ])('%s', async (_label, query, variables, who) => {
      const token = who === 'alice' ? alice : who === 'bad' ? 'not-a-token' : undefined;
      for (const headers of [{ 'x-forwarded-for': '10.52.0.40' }, { ...responseJson, 'x-forwarded-for': '10.52.0.41' }]) {
        const direct = await gql(service.url, query, { token, variables, headers });
        const viaFront = await gql(url, query, { token, variables, headers });
        expect(seen(viaFront)).toEqual(seen(direct));
      }
    });

    it('GET runs queries and refuses a mutation with 405 (Allow: POST); another method is 405', async () => {
      const mutation = encodeURIComponent('mutation { logout }');
      const direct = await call(`${service.url}/graphql?query=${mutation}`, { headers: { authorization: `Bearer ${alice}` } });
      const viaFront = await call(`${url}/graphql?query=${mutation}`, { headers: { authorization: `Bearer ${alice}` } });
      expect({ status: viaFront.status, allow: viaFront.headers.get('allow'), body: viaFront.json }).toEqual({ status: 405, allow: 'POST', body: direct.json });
      const get = await call(`${url}/graphql?query=${encodeURIComponent('{ me { id } }')}`, { headers: { authorization: `Bearer ${alice}` } });
      expect(get.json).toEqual({ data: { me: { id: DEMO_IDS.users.alice } } });
      expect((await call(`${url}/graphql`, { method: 'PUT', json: { query: '{ __typename }' } })).status).toBe(405);
    });

    it('a session cookie goes out only with an answer without errors', async () => {
      const ok = await gql(url, 'mutation { login(email: "bob@demo.test", password: "demo-password-2026") { tokenType } }', { headers: { 'x-forwarded-for': '10.52.0.42' } });
      expect(ok.headers.get('set-cookie')).toMatch(/session/i);
      const mixed = await gql(url, 'mutation { a: login(email: "bob@demo.test", password: "demo-password-2026") { tokenType } b: login(email: "bob@demo.test", password: "wrong") { tokenType } }', { headers: { 'x-forwarded-for': '10.52.0.43' } });
      expect({ status: mixed.status, code: mixed.json.errors[0].extensions.code, cookie: mixed.headers.get('set-cookie') }).toEqual({ status: 200, code: 'unauthorized', cookie: null });
    });
  });

  describe('the REST bridge through the front answers as the service does', () => {
    const same = async (path: string, init: Parameters<typeof call>[1] = {}) => {
      const direct = await call(`${service.url}${path}`, init);
      const viaFront = await call(`${url}${path}`, init);
      expect({ status: viaFront.status, body: viaFront.json }).toEqual({ status: direct.status, body: direct.json });
      return viaFront;
    };
    const bearer = () => ({ headers: { authorization: `Bearer ${alice}` } });

    // Every GET seed route, for three roles, with the demo ids a caller would use (or an unknown one).
    const PARAMS: Record<string, string> = {
      policyId: DEMO_IDS.policies.alicePer,
      compartmentId: DEMO_IDS.compartments.alicePerC2,
      subscriberId: DEMO_IDS.subscribers.alice,
      subscriptionId: DEMO_IDS.subscriptions.aliceAv,
      iban: DEMO_IDS.payoutIbans.aliceDebit,
    };
    const UNKNOWN = '00000000-0000-7000-8000-00000000f999';
    const GETS = ROUTES.filter((r) => r.method === 'GET').map((r) => r.path.replace(/\{(\w+)\}/g, (_m, name: string) => PARAMS[name] ?? UNKNOWN));
    it.each(['alice', 'broker', 'backoffice'])('every GET seed route as %s: the same status, body and ETag', async (who) => {
      const { token } = await login(service.url, `${who}@demo.test`, '10.52.0.20');
      expect(GETS.length).toBeGreaterThan(15);
      const statuses = new Set<number>();
      for (const path of GETS) {
        const init = { headers: { authorization: `Bearer ${token}` } };
        const direct = await call(`${service.url}${path}`, init);
        const viaFront = await call(`${url}${path}`, init);
        const seen = (a: typeof direct) => ({ path, status: a.status, body: a.json ?? a.text.length, type: a.headers.get('content-type'), etag: a.headers.get('etag') });
        expect(seen(viaFront)).toEqual(seen(direct));
        statuses.add(direct.status);
      }
      // The sweep reaches answers and refusals alike.
      expect(statuses.has(200)).toBe(true);
      expect([...statuses].some((s) => s >= 400)).toBe(true);
    });

    it('GET /v1/auth/me: 200 with the caller', async () => {
      expect((await same('/v1/auth/me', bearer())).status).toBe(200);
    });

    it('without credentials: the documented 401', async () => {
      expect((await same('/v1/auth/me')).status).toBe(401);
    });

    it("another customer's subscriber: 404", async () => {
      expect((await same(`/v1/subscription/subscribers/${DEMO_IDS.subscribers.bob}`, bearer())).status).toBe(404);
    });

    it('a malformed path id and a malformed body date: 400 naming the field', async () => {
      expect((await same('/v1/subscription/subscribers/not-an-id', bearer())).status).toBe(400);
      const answer = await same(`/v1/total-surrender/policies/${DEMO_IDS.policies.aliceAv}/declarations`, { method: 'POST', ...bearer(), json: { reason: 'client-request', requestedAt: '31/12/2026' } });
      expect(answer.status).toBe(400);
    });

    it('writes through the front once per Idempotency-Key, and a replay looks exactly as on the service', async () => {
      const path = `/v1/partial-surrender/policies/${DEMO_IDS.policies.aliceAv}/compartments/${DEMO_IDS.compartments.aliceAvMain}/declarations`;
      const body = { amount: scaledEur(100_000), requestedAt: parisToday(service.clock), reason: 'client-request' };
      const post = (base: string, key: string, json: unknown = body) => call(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${alice}`, 'idempotency-key': key }, json });
      const headers = (a: Awaited<ReturnType<typeof call>>) => Object.fromEntries(['content-type', 'location', 'etag', 'idempotent-replayed'].map((name) => [name, a.headers.get(name)]));
      const declared = await post(url, 'front-write-1');
      expect({ status: declared.status, body: declared.json }).toEqual({ status: 201, body: expect.objectContaining({ id: expect.any(String) }) });
      expect(declared.headers.get('idempotent-replayed')).toBeNull();
      const replayed = await post(url, 'front-write-1');
      expect({ status: replayed.status, body: replayed.json, headers: headers(replayed) }).toEqual({ status: 201, body: declared.json, headers: { ...headers(declared), 'idempotent-replayed': 'true' } });
      // The single process, the same write and its replay: the same status and headers (the body names its own declaration).
      const direct = await post(service.url, 'front-write-2');
      const directReplay = await post(service.url, 'front-write-2');
      expect({ status: replayed.status, headers: headers(replayed) }).toEqual({ status: directReplay.status, headers: headers(directReplay) });
      expect(directReplay.json).toEqual(direct.json);
      // The key with another body: the same 422 as on the service, not a replay.
      const other = { ...body, amount: scaledEur(90_000) };
      const reused = await post(url, 'front-write-1', other);
      const directReused = await post(service.url, 'front-write-2', other);
      expect({ status: reused.status, body: reused.json, replayed: reused.headers.get('idempotent-replayed') }).toEqual({ status: directReused.status, body: directReused.json, replayed: null });
      expect(reused.status).toBe(422);
      const read = await same(`${path}/${declared.json.id}`, bearer());
      expect(read.json).toEqual(declared.json);
    });

    it('the e-mailing route through the front keeps its documented key rules: a reused key is 409, a blank one its own 400', async () => {
      const { token } = await login(service.url, 'backoffice@demo.test', '10.52.0.21');
      const json = { from: 'hello@quarzo-life.com', to: 'test@quarzo-life.com', subject: 'Front', content: { template_name: 'information', variables: { body: 'Par la façade.' } } };
      const send = (key: string) => call(`${url}/v1/emailing/messages`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'idempotency-key': key }, json });
      expect((await send('front-mail-1')).status).toBe(202);
      const again = await send('front-mail-1');
      expect({ status: again.status, error: again.json.errors?.[0] }).toEqual({ status: 409, error: expect.objectContaining({ code: 'conflict', message: 'Idempotency key already used' }) });
      const blank = await send('  ');
      expect({ status: blank.status, error: blank.json.errors?.[0] }).toEqual({ status: 400, error: expect.objectContaining({ code: 'queue_email_message_invalid_idempotency_key' }) });
    });

    it('GraphQL through the front: a replayed mutation is the same answer with Idempotent-Replayed, as on the service', async () => {
      const mutation = 'mutation { login(email: "alice@demo.test", password: "demo-password-2026") { accessToken tokenType } }';
      const send = (base: string, key: string) => gql(base, mutation, { token: alice, headers: { 'idempotency-key': key, 'x-forwarded-for': '10.52.0.51' } });
      const seen = (a: Awaited<ReturnType<typeof gql>>) => ({ status: a.status, replayed: a.headers.get('idempotent-replayed'), cookie: a.headers.get('set-cookie') === null ? 'none' : 'set' });
      const first = await send(url, 'front-gql-1');
      expect(seen(first)).toEqual({ status: 200, replayed: null, cookie: 'set' });
      const replay = await send(url, 'front-gql-1');
      expect(replay.json).toEqual(first.json);
      const directFirst = await send(service.url, 'front-gql-2');
      const directReplay = await send(service.url, 'front-gql-2');
      expect(directReplay.json).toEqual(directFirst.json);
      // Cookies belong to the response that created them: neither replay hands the session out again.
      expect(seen(replay)).toEqual(seen(directReplay));
      expect(seen(replay)).toEqual({ status: 200, replayed: 'true', cookie: 'none' });
    });

    it('a partner platform: a certificate-bound token through the front, its serial forwarded', async () => {
      const serial = { 'x-client-certificate-serial': '01:23:45:67:89:AB:CD:EF' };
      const token = await call(`${url}/v1/auth/token`, { method: 'POST', headers: { ...serial, 'x-forwarded-for': '10.52.0.30' }, json: { grant_type: 'client_credentials', client_id: 'demo-partner', client_secret: 'demo-partner-secret' } });
      expect(token.status).toBe(200);
      const me = await same('/v1/auth/me', { headers: { authorization: `Bearer ${token.json.access_token}`, ...serial } });
      expect(me.json).toMatchObject({ kind: 'machine' });
      // Without its certificate the token is refused, at the edge as at the service.
      expect((await same('/v1/auth/me', { headers: { authorization: `Bearer ${token.json.access_token}` } })).status).toBe(401);
    });

    it('signs in through the front: a token and the session cookie', async () => {
      const answer = await call(`${url}/v1/auth/login`, { method: 'POST', json: { email: 'bob@demo.test', password: 'demo-password-2026' }, headers: { 'x-forwarded-for': '10.52.0.9' } });
      expect(answer.status).toBe(200);
      expect(answer.json.access_token).toEqual(expect.any(String));
      expect(answer.headers.get('set-cookie')).toMatch(/session/i);
      const me = await call(`${url}/v1/auth/me`, { headers: { authorization: `Bearer ${answer.json.access_token}` } });
      expect(me.json.id).toBe(DEMO_IDS.users.bob);
      // Signed out at the service: the edge knows at once (it follows the service's revocations).
      expect((await call(`${service.url}/v1/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${answer.json.access_token}` } })).status).toBe(204);
      let after = await call(`${url}/v1/auth/me`, { headers: { authorization: `Bearer ${answer.json.access_token}` } });
      for (let i = 0; i < 40 && after.status !== 401; i++) {
        await new Promise((r) => setTimeout(r, 100));
        after = await call(`${url}/v1/auth/me`, { headers: { authorization: `Bearer ${answer.json.access_token}` } });
      }
      expect(after.status).toBe(401);
    });
  });
});
