import { generateKeyPair } from 'jose';
import { randomBytes, randomUUID } from 'node:crypto';
import { createApp, type App } from '../../app';
import { loadConfig } from '../../config';
import { silentLogger } from '../../http/logger';
import { partnerHeaders } from '../support/actors';
import { EACH_DATABASE } from '../support/databases';
import { call, gql, unauthorizedBody, type Answer } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';
import { PARTNER_CERTIFICATE_PEM, PARTNER_THUMBPRINT, partnerPrivateKey, sha256Base64url, signRequest, type SignOptions } from '../support/signed-request';
import { subscriberBody } from '../support/subscription-inputs';

/**
 * Partners that sign every request (the public docs' authentication page, docs/SECURITY.md 27): an RS256
 * JWT built with `jose` from the demo partner's key in `demo/`, sent as `Authorization: Bearer`, on the
 * real server and real routes.
 */
describe.each(EACH_DATABASE)('signed partner requests on %s', (_name, database) => {
  let server: TestServer;
  let base: string;
  beforeAll(async () => {
    server = await startTestServer(database);
    base = server.url;
    // A whole second, so `iat` 5 s away is exactly 5 s away.
    server.clock.set(new Date(Math.floor(Date.now() / 1000) * 1000));
  });
  afterAll(() => server.close());

  const now = () => Math.floor(server.clock.now().getTime() / 1000);
  const sign = (options: Omit<SignOptions, 'now'> & { now?: number }) => signRequest({ now: now(), ...options });
  const send = (method: string, target: string, token: string, body?: string, headers: Record<string, string> = {}) =>
    call(`${base}${target}`, { method, body, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers } });
  /** Signs the request as described and sends it. */
  const signed = async (method: string, target: string, body?: string, options: Partial<SignOptions> = {}) => send(method, target, await sign({ method, target, body, ...options }), body);

  function expectRefused(answer: Answer): void {
    expect(answer.status).toBe(401);
    expect(answer.json).toEqual(unauthorizedBody(base, 'INVALID_BEARER_TOKEN'));
    expect(answer.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  }

  /** /graphql refuses in GraphQL's shape: the field that needs a caller fails with the same code and reason. */
  function expectRefusedByGraphql(answer: Answer): void {
    expect(answer.status).toBe(401);
    expect(answer.json.data ?? null).toBeNull();
    expect(answer.json.errors).toHaveLength(1);
    expect(answer.json.errors[0]).toMatchObject({ message: 'INVALID_BEARER_TOKEN', extensions: { code: 'unauthorized' } });
  }

  describe('a valid signed request acts as the machine client', () => {
    it('GET /v1/auth/me answers what a machine access token of demo-partner answers', async () => {
      const viaToken = await call(`${base}/v1/auth/me`, { headers: await partnerHeaders(base, '10.80.0.1') });
      expect(viaToken.status).toBe(200);
      const answer = await signed('GET', '/v1/auth/me');
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual(viaToken.json);
      expect(answer.json).toMatchObject({ id: 'demo-partner', kind: 'machine', email: null });
      expect(Object.values(answer.json)).toContain(viaToken.json.distributorId ?? viaToken.json.distributorId);
    });

    it('the query string is part of what is signed', async () => {
      expect((await signed('GET', '/v1/auth/me?x=1&y=two')).status).toBe(200);
    });

    it('POST /graphql with a body: the digest covers it, and `me` is the partner', async () => {
      const query = '{ me { id kind clientId distributorId } }';
      const viaToken = await gql(base, query, { headers: await partnerHeaders(base, '10.80.0.2') });
      const body = JSON.stringify({ query });
      const answer = await signed('POST', '/graphql', body);
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual(viaToken.json);
      expect(answer.json.data.me).toMatchObject({ id: 'demo-partner', kind: 'machine', clientId: 'demo-partner', distributorId: expect.any(String) });
    });

    it('POST /v1/subscription/subscribers with a body creates the subscriber', async () => {
      const answer = await signed('POST', '/v1/subscription/subscribers', JSON.stringify(subscriberBody({ email: 'signed.partner@example.com' })));
      expect(answer.status).toBe(201);
    });

    it('401 comes before 400: a bad body with a valid signature is 400, with an invalid one 401', async () => {
      const body = JSON.stringify({ unexpected: true });
      expect((await signed('POST', '/v1/subscription/subscribers', body)).status).toBe(400);
      expectRefused(await signed('POST', '/v1/subscription/subscribers', body, { claims: { sec: 'wrong' } }));
    });

    it('a route without a body accepts the digest of nothing, or none', async () => {
      expect((await signed('POST', '/v1/auth/logout')).status).toBe(204);
      expect((await signed('GET', '/v1/auth/me', undefined, { claims: { 'dig#S256': sha256Base64url('') } })).status).toBe(200);
    });

    it('`iat` may be up to 5 seconds either side of our clock', async () => {
      expect((await signed('GET', '/v1/auth/me', undefined, { now: now() - 5 })).status).toBe(200);
      expect((await signed('GET', '/v1/auth/me', undefined, { now: now() + 5 })).status).toBe(200);
    });

    it('every used `jti` is kept in the database', async () => {
      const jti = randomUUID();
      expect((await signed('GET', '/v1/auth/me', undefined, { claims: { jti } })).status).toBe(200);
      expect(await server.db.query('select client_id from signed_request_ids where jti = $1', [jti])).toEqual([{ client_id: 'demo-partner' }]);
    });
  });

  describe('any mismatch is 401 INVALID_BEARER_TOKEN', () => {
    it.each([
      ['the thumbprint in hex', { 'x5t#S256': Buffer.from(PARTNER_THUMBPRINT, 'base64url').toString('hex') }],
      ['the thumbprint in padded base64', { 'x5t#S256': Buffer.from(PARTNER_THUMBPRINT, 'base64url').toString('base64') }],
      ['a thumbprint of no registered certificate', { 'x5t#S256': randomBytes(32).toString('base64url') }],
      ['the SHA-1 thumbprint header instead', { 'x5t#S256': undefined, x5t: Buffer.from(PARTNER_THUMBPRINT, 'base64url').subarray(0, 20).toString('base64url') }],
      ['no typ', { typ: undefined }],
      ['typ at+jwt', { typ: 'at+jwt' }],
      ['typ jwt in lower case', { typ: 'jwt' }],
    ])('header: %s', async (_label, header) => {
      expectRefused(await signed('GET', '/v1/auth/me', undefined, { header }));
    });

    it('a signature by another key than the certificate’s', async () => {
      const { privateKey } = await generateKeyPair('RS256');
      expectRefused(await signed('GET', '/v1/auth/me', undefined, { key: privateKey }));
    });

    it('another algorithm: HS256 keyed with the certificate, RS512, PS256, none', async () => {
      const hmac = new TextEncoder().encode(PARTNER_CERTIFICATE_PEM);
      expectRefused(await signed('GET', '/v1/auth/me', undefined, { header: { alg: 'HS256' }, key: hmac }));
      expectRefused(await signed('GET', '/v1/auth/me', undefined, { header: { alg: 'RS512' }, key: await partnerPrivateKey('RS512') }));
      expectRefused(await signed('GET', '/v1/auth/me', undefined, { header: { alg: 'PS256' }, key: await partnerPrivateKey('PS256') }));
      const token = await sign({ method: 'GET', target: '/v1/auth/me' });
      const [, payload] = token.split('.');
      const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT', 'x5t#S256': PARTNER_THUMBPRINT })).toString('base64url')}.${payload}.`;
      expectRefused(await send('GET', '/v1/auth/me', none));
    });

    it.each([
      ['another method', 'POST /v1/auth/me'],
      ['another path', 'GET /v1/auth/logout'],
      ['the path without its query', 'GET /v1/auth/me'],
      ['another query', 'GET /v1/auth/me?x=2'],
      ['the query in another order', 'GET /v1/auth/me?y=2&x=1'],
      ['the method in lower case', 'get /v1/auth/me?x=1&y=2'],
      ['the full URL', 'GET http://localhost/v1/auth/me?x=1&y=2'],
    ])('sub names %s', async (_label, sub) => {
      expectRefused(await signed('GET', '/v1/auth/me?x=1&y=2', undefined, { claims: { sub } }));
    });

    it('sub without its query, when the request has one', async () => {
      const token = await sign({ method: 'GET', target: '/v1/auth/me' });
      expectRefused(await send('GET', '/v1/auth/me?x=1', token));
    });

    it.each([
      ['another host', { aud: 'api.example.com' }],
      ['no aud', { aud: undefined }],
      ['a URL', { aud: 'http://localhost' }],
    ])('aud: %s', async (_label, claims) => {
      expectRefused(await signed('GET', '/v1/auth/me', undefined, { claims }));
    });

    it.each([
      ['6 s old', -6],
      ['6 s ahead', 6],
      ['an hour old', -3600],
    ])('iat %s', async (_label, offset) => {
      expectRefused(await signed('GET', '/v1/auth/me', undefined, { now: now() + offset }));
    });

    it('iat missing or not a number; exp passed', async () => {
      expectRefused(await signed('GET', '/v1/auth/me', undefined, { claims: { iat: undefined } }));
      expectRefused(await signed('GET', '/v1/auth/me', undefined, { claims: { iat: String(now()) } }));
      expectRefused(await signed('GET', '/v1/auth/me', undefined, { claims: { exp: now() - 60 } }));
    });

    it('a replayed request: the same token twice, or the same jti in a new token', async () => {
      const token = await sign({ method: 'GET', target: '/v1/auth/me' });
      expect((await send('GET', '/v1/auth/me', token)).status).toBe(200);
      expectRefused(await send('GET', '/v1/auth/me', token));
      const jti = randomUUID();
      expect((await signed('GET', '/v1/auth/me', undefined, { claims: { jti } })).status).toBe(200);
      expectRefused(await signed('GET', '/v1/auth/me', undefined, { claims: { jti }, now: now() - 1 }));
      expectRefused(await signed('GET', '/v1/auth/me', undefined, { claims: { jti: jti.toUpperCase() } }));
    });

    it.each([
      ['not a UUID', 'request-1'],
      ['a UUID cut short', '5b1d7e2ca90-4f3e-8b6d-1c2a3e4f5d6'],
      ['a UUID without dashes', randomUUID().replaceAll('-', '')],
      ['a number', 12345],
      ['missing', undefined],
    ])('jti %s', async (_label, jti) => {
      expectRefused(await signed('GET', '/v1/auth/me', undefined, { claims: { jti } }));
    });

    it.each([
      ['wrong', 'not-the-secret'],
      ['missing', undefined],
      ['empty', ''],
      ['of the right length but wrong', 'demo-partner-secreT'],
    ])('sec %s', async (_label, sec) => {
      expectRefused(await signed('GET', '/v1/auth/me', undefined, { claims: { sec } }));
    });

    it('a right secret still passes after a wrong one (nothing cached the failure)', async () => {
      expectRefused(await signed('GET', '/v1/auth/me', undefined, { claims: { sec: 'nope' } }));
      expect((await signed('GET', '/v1/auth/me')).status).toBe(200);
    });

    it('a body without dig#S256, with a wrong one, or changed after signing', async () => {
      const body = JSON.stringify({ query: '{ me { id } }' });
      expectRefusedByGraphql(await signed('POST', '/graphql', body, { claims: { 'dig#S256': undefined } }));
      expectRefusedByGraphql(await signed('POST', '/graphql', body, { claims: { 'dig#S256': sha256Base64url('{}') } }));
      expectRefusedByGraphql(await signed('POST', '/graphql', body, { claims: { 'dig#S256': Buffer.from(sha256Base64url(body), 'base64url').toString('hex') } }));
      const token = await sign({ method: 'POST', target: '/graphql', body });
      expectRefusedByGraphql(await send('POST', '/graphql', token, JSON.stringify({ query: '{ me { kind } }' })));
    });

    it('a REST body changed after signing, and a digest on a request without a body', async () => {
      const signedBody = JSON.stringify(subscriberBody({ email: 'first@example.com' }));
      const token = await sign({ method: 'POST', target: '/v1/subscription/subscribers', body: signedBody });
      expectRefused(await send('POST', '/v1/subscription/subscribers', token, JSON.stringify(subscriberBody({ email: 'other@example.com' }))));
      expectRefused(await signed('GET', '/v1/auth/me', undefined, { claims: { 'dig#S256': sha256Base64url('{}') } }));
      // A route that reads no body still has its body checked.
      expectRefused(await send('POST', '/v1/auth/logout', await sign({ method: 'POST', target: '/v1/auth/logout' }), '{"x":1}'));
    });

    it('on /graphql the refusal is in GraphQL’s shape', async () => {
      const body = JSON.stringify({ query: '{ me { id } }' });
      expectRefusedByGraphql(await signed('POST', '/graphql', body, { claims: { sec: 'wrong' } }));
    });
  });

  describe('with another replica on the same database', () => {
    let replica: App;
    let replicaUrl: string;
    beforeAll(async () => {
      replica = await createApp({ config: loadConfig({ PORT: '0', TRUST_PROXY: '1' }), db: server.db, clock: server.clock, logger: silentLogger });
      replicaUrl = await replica.listen(0, '127.0.0.1');
    });
    afterAll(() => replica.close());

    it('a request accepted by one replica is a replay on the other', async () => {
      const token = await sign({ method: 'GET', target: '/v1/auth/me' });
      expect((await send('GET', '/v1/auth/me', token)).status).toBe(200);
      const again = await call(`${replicaUrl}/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(again.status).toBe(401);
      expect(again.json).toEqual(unauthorizedBody(replicaUrl, 'INVALID_BEARER_TOKEN'));
    });
  });

  it('API_HOST sets the audience', async () => {
    const other = await createApp({ config: loadConfig({ PORT: '0', TRUST_PROXY: '1', API_HOST: 'api.example.com' }), db: server.db, clock: server.clock, logger: silentLogger });
    const url = await other.listen(0, '127.0.0.1');
    try {
      const at = (aud: string) => sign({ method: 'GET', target: '/v1/auth/me', aud });
      expect((await call(`${url}/v1/auth/me`, { headers: { authorization: `Bearer ${await at('api.example.com')}` } })).status).toBe(200);
      expect((await call(`${url}/v1/auth/me`, { headers: { authorization: `Bearer ${await at('localhost')}` } })).status).toBe(401);
    } finally {
      await other.close();
    }
  });

});
