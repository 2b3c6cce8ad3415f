import { DEMO_IDS } from '../support/ids';
import { EACH_DATABASE } from '../support/databases';
import { call, login, type Answer } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';

let addressCounter = 0;
/** A distinct client address per login, so the per-address login throttle never interferes. */
const newAddress = () => `10.79.${Math.floor(++addressCounter / 250)}.${addressCounter % 250}`;
type Headers = Record<string, string>;

describe.each(EACH_DATABASE)('production mode (docs/SECURITY.md 17) on %s', (_name, database) => {
  let server: TestServer;
  let alice: Headers;
  const noStackTrace = (answer: Answer) => {
    expect(answer.text).not.toMatch(/\n\s+at \S|\bat [\w.<>]+ \(.*:\d+:\d+\)|\.ts:\d+|node_modules|"stacktrace"|"stack"/i);
  };

  beforeAll(async () => {
    server = await startTestServer(database, { env: { NODE_ENV: 'production', TRUSTED_PROXIES: '127.0.0.1' } });
    alice = { authorization: `Bearer ${(await login(server.url, 'alice@demo.test', newAddress())).token}` };
  });
  afterAll(async () => {
    await server?.close();
  });

  it('refuses introspection, anonymous or signed in', async () => {
    for (const headers of [{}, alice]) {
      for (const query of ['{ __schema { queryType { name } } }', '{ __type(name: "Query") { fields { name } } }']) {
        const answer = await call(`${server.url}/graphql`, { method: 'POST', headers, json: { query } });
        expect(answer.json?.data?.__schema ?? answer.json?.data?.__type ?? null).toBeNull();
        expect(answer.json?.errors?.length).toBeGreaterThan(0);
        noStackTrace(answer);
      }
    }
  });

  it('serves no playground at GET /graphql', async () => {
    for (const accept of ['text/html', 'text/html,application/xhtml+xml,*/*;q=0.8', '*/*']) {
      const answer = await call(`${server.url}/graphql`, { headers: { accept } });
      expect(answer.headers.get('content-type') ?? '').not.toMatch(/html/i);
      expect(answer.text).not.toMatch(/<html|<!doctype|playground|sandbox|apollo studio|embeddable/i);
    }
  });

  it('gives no field suggestions', async () => {
    for (const query of ['{ me { idd } }', `{ polic(id: "${DEMO_IDS.policies.aliceAv}") { id } }`, 'mutation { logou }', '{ policy(idd: "x") { id } }']) {
      const answer = await call(`${server.url}/graphql`, { method: 'POST', headers: alice, json: { query } });
      expect(answer.json?.errors?.length).toBeGreaterThan(0);
      expect(answer.text).not.toMatch(/did you mean/i);
      noStackTrace(answer);
    }
  });

  it('puts no stack trace in error bodies', async () => {
    const answers = await Promise.all([
      call(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' }),
      call(`${server.url}/graphql`, { method: 'POST', json: { query: '{ me { id' } }),
      call(`${server.url}/graphql`, { method: 'POST', json: { query: '{ me { id } }', variables: 'nope' } }),
      call(`${server.url}/graphql`, { method: 'POST', headers: alice, json: { query: 'query($id: ID!) { policy(id: $id) { id } }', variables: { id: { nested: [1, 2] } } } }),
      call(`${server.url}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': newAddress() }, body: '{"email":' }),
      call(`${server.url}/v1/auth/me`, { headers: { authorization: 'Bearer not.a.jwt' } }),
      call(`${server.url}/v1/subscription/subscribers`, { method: 'POST', headers: { ...alice, 'content-type': 'application/json' }, body: '[1,2,' }),
      call(`${server.url}/v1/pay-out/subscribers/${DEMO_IDS.subscribers.alice}/ibans`, { method: 'POST', headers: alice, json: { iban: 12, holderName: { x: 1 }, unknown: true } }),
      call(`${server.url}/v1/no-such-route`, { headers: alice }),
    ]);
    for (const answer of answers) {
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      noStackTrace(answer);
    }
  });

  it('never reflects an arbitrary Origin in CORS, with or without credentials', async () => {
    const evil = 'https://evil.example';
    const answers = await Promise.all([
      call(`${server.url}/graphql`, { method: 'POST', headers: { origin: evil }, json: { query: '{ me { id } }' } }),
      call(`${server.url}/graphql`, { method: 'POST', headers: { ...alice, origin: evil }, json: { query: '{ me { id } }' } }),
      call(`${server.url}/graphql`, { method: 'OPTIONS', headers: { origin: evil, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' } }),
      call(`${server.url}/v1/auth/me`, { headers: { ...alice, origin: evil } }),
      call(`${server.url}/v1/auth/me`, { headers: { origin: evil, cookie: '__Host-session=whatever' } }),
      call(`${server.url}/v1/auth/login`, { method: 'OPTIONS', headers: { origin: evil, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } }),
      call(`${server.url}/v1/auth/login`, { method: 'POST', headers: { origin: evil, 'x-forwarded-for': newAddress() }, json: { email: 'alice@demo.test', password: 'wrong-password' } }),
    ]);
    for (const answer of answers) {
      expect(answer.headers.get('access-control-allow-origin')).toBeNull();
      expect(answer.headers.get('access-control-allow-credentials')).toBeNull();
    }
  });
});
