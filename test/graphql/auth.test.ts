import { buildSchema, loadTypeDefs } from '../../schema';
import { EACH_DATABASE } from '../support/databases';
import { call, DEMO_PASSWORD, gql, login } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';
import { DEMO_IDS } from '../support/ids';

describe.each(EACH_DATABASE)('GraphQL auth on %s', (_name, database) => {
  let server: TestServer;
  let base: string;
  beforeAll(async () => {
    server = await startTestServer(database, { throttle: { windowSeconds: 900, failuresPerAccount: 3, attemptsPerAddress: 50 } });
    base = server.url;
  });
  afterAll(() => server.close());

  it('{ me } without credentials cannot run: HTTP 401 without data, extensions.code unauthorized, doc_url, the REST reason', async () => {
    const answer = await gql(base, '{ me { id } }');
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toBe('Bearer');
    expect(answer.json).toEqual({ errors: [{ message: 'NO_SESSION', extensions: { code: 'unauthorized', doc_url: `${base}/docs/errors/unauthorized` } }] });
  });

  it('a protected field anywhere in the document is 401 before anything runs, fragments and nested fields included', async () => {
    for (const query of ['{ __typename ...F } fragment F on Query { me { id } }', '{ __typename ... on Query { policies { edges { cursor } } } }', 'mutation { logout }']) {
      const answer = await gql(base, query);
      expect({ query, status: answer.status, data: answer.json.data, message: answer.json.errors[0].message }).toEqual({ query, status: 401, data: undefined, message: 'NO_SESSION' });
    }
    // Public fields alone run without credentials, and with bad ones (a stale cookie must not lock anyone out of login).
    expect((await gql(base, '{ __typename }', { token: 'not-a-jwt' })).json).toEqual({ data: { __typename: 'Query' } });
  });

  it('{ me } with a bad or expired token gives the same reasons as REST', async () => {
    expect((await gql(base, '{ me { id } }', { token: 'not-a-jwt' })).json.errors[0].message).toBe('INVALID_BEARER_TOKEN');
    const { token } = await login(base, 'bob@demo.test', '10.9.0.1');
    server.clock.advance(3600_000);
    const expired = await gql(base, '{ me { id } }', { token });
    expect(expired.status).toBe(401);
    expect(expired.json.errors[0]).toMatchObject({ message: 'SESSION_EXPIRED', extensions: { code: 'unauthorized' } });
  });

  it('login mutation returns a token and sets the session cookie that later queries use', async () => {
    const answer = await gql(base, 'mutation { login(email: "alice@demo.test", password: "demo-password-2026") { accessToken tokenType expiresIn } }', {
      headers: { 'x-forwarded-for': '10.9.0.2' },
    });
    expect(answer.status).toBe(200);
    expect(answer.json.data.login).toEqual({ accessToken: expect.any(String), tokenType: 'Bearer', expiresIn: 900 });
    const cookie = (answer.headers.get('set-cookie') ?? '').split(';')[0];
    const me = await gql(base, '{ me { id kind email clientId subscriberId distributorId } }', { headers: { cookie } });
    expect(me.json.data.me).toEqual({ id: DEMO_IDS.users.alice, kind: 'subscriber', email: 'alice@demo.test', clientId: null, subscriberId: null, distributorId: null });
    const viaToken = await gql(base, '{ me { id } }', { token: answer.json.data.login.accessToken });
    expect(viaToken.json.data.me.id).toBe(DEMO_IDS.users.alice);
  });

  it('a wrong password is a field error (200, data null) INVALID_CREDENTIALS and sets no cookie', async () => {
    const answer = await gql(base, 'mutation { login(email: "alice@demo.test", password: "wrong") { accessToken } }', { headers: { 'x-forwarded-for': '10.9.0.3' } });
    // The request ran: the login field refused, so by GraphQL over HTTP it is 200 with the error (REST answers 401).
    expect(answer.status).toBe(200);
    expect(answer.json.data).toBeNull();
    expect(answer.json.errors[0]).toMatchObject({ message: 'INVALID_CREDENTIALS', extensions: { code: 'unauthorized' } });
    expect(answer.headers.get('set-cookie')).toBeNull();
  });

  it('aliases packing many login attempts into one document check one password at most, and each counts', async () => {
    const attempts = Array.from({ length: 6 }, (_, i) => `a${i}: login(email: "backoffice@demo.test", password: "guess${i}") { accessToken }`).join('\n');
    // Mutations run in order and login is non-null: the first failure ends the document.
    const packed = await gql(base, `mutation { ${attempts} }`, { headers: { 'x-forwarded-for': '10.9.0.4' } });
    expect(packed.json.data).toBeNull();
    expect(packed.json.errors.map((e: { message: string }) => e.message)).toEqual(['INVALID_CREDENTIALS']);
    for (let i = 0; i < 2; i++) expect((await gql(base, `mutation { ${attempts} }`, { headers: { 'x-forwarded-for': '10.9.0.4' } })).json.errors.map((e: { message: string }) => e.message)).toEqual(['INVALID_CREDENTIALS']);
    // Three failures: the right password is refused too while the account is throttled, from any address.
    const real = await gql(base, `mutation { login(email: "backoffice@demo.test", password: "${DEMO_PASSWORD}") { accessToken } }`, { headers: { 'x-forwarded-for': '10.9.0.5' } });
    expect(real.status).toBe(200);
    expect(real.json.data).toBeNull();
    expect(Number(real.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(real.json.errors[0]).toMatchObject({ extensions: { reason: 'TOO_MANY_LOGIN_ATTEMPTS', code: 'rate_limited' } });
  });

  it('logout mutation ends the session at once', async () => {
    const { token } = await login(base, 'alice@demo.test', '10.9.0.6');
    expect((await gql(base, 'mutation { logout }', { token })).json).toEqual({ data: { logout: true } });
    expect((await gql(base, '{ me { id } }', { token })).json.errors[0].message).toBe('SESSION_EXPIRED');
  });

  it('batched requests are refused', async () => {
    const { token } = await login(base, 'alice@demo.test', '10.9.0.7');
    const answer = await call(`${base}/graphql`, { method: 'POST', json: [{ query: '{ me { id } }' }, { query: '{ me { id } }' }], headers: { authorization: `Bearer ${token}` } });
    expect(answer.status).toBe(400);
    expect(answer.json.errors[0].extensions.code).toBe('parameter_invalid');
  });

  it('a document that does not validate is invalid_request with a doc_url', async () => {
    const answer = await gql(base, '{ nope }');
    expect(answer.status).toBe(400);
    expect(answer.json.errors[0]).toMatchObject({ extensions: { code: 'parameter_invalid', doc_url: `${base}/docs/errors/parameter_invalid` } });
  });

  it('mutations never run over GET (CSRF prevention: a link or an image cannot write): 405 with Allow: POST', async () => {
    const { cookie } = await login(base, 'bob@demo.test', '10.9.0.8');
    const simple = await call(`${base}/graphql?query=${encodeURIComponent('mutation { logout }')}`, { headers: { cookie } });
    expect(simple.status).toBe(405);
    expect(simple.headers.get('allow')).toBe('POST');
    expect(simple.json.data).toBeUndefined();
    expect((await call(`${base}/graphql?query=${encodeURIComponent('{ me { id } }')}`, { headers: { cookie } })).json.data.me.id).toBe(DEMO_IDS.users.bob);
    expect((await gql(base, '{ me { id } }', { headers: { cookie } })).json.data.me.id).toBe(DEMO_IDS.users.bob);
  });
});

describe('deny by default', () => {
  it('a root field that declares neither @public nor @signedIn stops the schema from building', () => {
    const typeDefs = [...loadTypeDefs(), 'extend type Query { leak: String }'];
    expect(() => buildSchema({ typeDefs })).toThrow(/without @public or @signedIn \(deny by default\): Query\.leak$/);
  });
});
