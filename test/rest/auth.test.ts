import { importJWK, SignJWT, type JWK } from 'jose';
import { EACH_DATABASE } from '../support/databases';
import { call, DEMO_PASSWORD, login, unauthorizedBody } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';
import { DEMO_IDS } from '../support/ids';

describe.each(EACH_DATABASE)('REST auth on %s', (_name, database) => {
  let server: TestServer;
  let base: string;
  beforeAll(async () => {
    server = await startTestServer(database, { throttle: { windowSeconds: 900, failuresPerAccount: 5, attemptsPerAddress: 8 } });
    base = server.url;
  });
  afterAll(() => server.close());

  const me = (headers: Record<string, string> = {}) => call(`${base}/v1/auth/me`, { headers });

  /** Signs a token with our real current private key, so only the field under test is wrong. */
  async function forge(mutate: (jwt: SignJWT) => SignJWT, header: Record<string, unknown> = {}): Promise<string> {
    const [key] = await server.db.query<{ kid: string; private_jwk: JWK }>('select kid, private_jwk from signing_keys where retired_at is null');
    const { token } = await login(base, 'alice@demo.test', '10.1.0.1');
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    const jwt = new SignJWT({ sid: claims.sid, jti: 'jti_forged' })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: key.kid, ...header })
      .setSubject(DEMO_IDS.users.alice)
      .setIssuer(server.config.issuer)
      .setAudience(server.config.audience)
      .setIssuedAt(Math.floor(server.clock.now().getTime() / 1000))
      .setExpirationTime(Math.floor(server.clock.now().getTime() / 1000) + 600);
    return mutate(jwt).sign(await importJWK(key.private_jwk, 'ES256'));
  }

  describe('POST /v1/auth/login', () => {
    it('returns a bearer token and an HttpOnly session cookie', async () => {
      const answer = await call(`${base}/v1/auth/login`, { method: 'POST', json: { email: 'alice@demo.test', password: DEMO_PASSWORD }, headers: { 'x-forwarded-for': '10.1.1.1' } });
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 900 });
      expect(answer.headers.get('set-cookie')).toMatch(/^session=[\w-]{40,}; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Strict/);
      const header = JSON.parse(Buffer.from(answer.json.access_token.split('.')[0], 'base64url').toString());
      expect(header).toMatchObject({ alg: 'ES256', typ: 'at+jwt', kid: expect.any(String) });
    });

    it('answers a wrong password and an unknown account identically', async () => {
      const wrong = await call(`${base}/v1/auth/login`, { method: 'POST', json: { email: 'bob@demo.test', password: 'nope' }, headers: { 'x-forwarded-for': '10.1.1.2' } });
      const unknown = await call(`${base}/v1/auth/login`, { method: 'POST', json: { email: 'nobody@demo.test', password: 'nope' }, headers: { 'x-forwarded-for': '10.1.1.2' } });
      for (const answer of [wrong, unknown]) {
        expect(answer.status).toBe(401);
        expect(answer.json).toEqual({ errors: [{ code: 'unauthorized', message: 'INVALID_CREDENTIALS', doc_url: `${base}/docs/errors/unauthorized` }] });
        expect(answer.headers.get('www-authenticate')).toBe('Bearer');
        expect(answer.headers.get('set-cookie')).toBeNull();
      }
    });

    it('throttles repeated failures on one account with 429 and Retry-After, whatever the address', async () => {
      const attempt = (i: number, password = 'wrong') =>
        call(`${base}/v1/auth/login`, { method: 'POST', json: { email: 'broker@demo.test', password }, headers: { 'x-forwarded-for': `10.2.0.${i}` } });
      for (let i = 0; i < 5; i++) expect((await attempt(i)).status).toBe(401);
      const limited = await attempt(6, DEMO_PASSWORD);
      expect(limited.status).toBe(429);
      expect(limited.json.errors[0]).toMatchObject({ code: 'rate_limited', reason: 'TOO_MANY_LOGIN_ATTEMPTS' });
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      server.clock.advance(901_000);
      expect((await attempt(7, DEMO_PASSWORD)).status).toBe(200);
    });

    it('throttles one address trying many accounts', async () => {
      const attempt = (i: number) => call(`${base}/v1/auth/login`, { method: 'POST', json: { email: `spray${i}@demo.test`, password: 'x' }, headers: { 'x-forwarded-for': '10.3.0.1' } });
      const statuses: number[] = [];
      for (let i = 0; i < 10; i++) statuses.push((await attempt(i)).status);
      expect(statuses.slice(0, 8)).toEqual(Array(8).fill(401));
      expect(statuses.slice(8)).toEqual([429, 429]);
    });
  });

  describe('GET /v1/auth/me', () => {
    it('401 NO_SESSION with the documented body without credentials', async () => {
      const answer = await me();
      expect(answer.status).toBe(401);
      expect(answer.json).toEqual(unauthorizedBody(base, 'NO_SESSION'));
      expect(answer.headers.get('www-authenticate')).toBe('Bearer');
    });

    it('returns the caller with a bearer token and with the session cookie', async () => {
      const { token, cookie } = await login(base, 'alice@demo.test', '10.4.0.1');
      expect((await me({ authorization: `Bearer ${token}` })).json).toEqual({ id: DEMO_IDS.users.alice, kind: 'subscriber', email: 'alice@demo.test', clientId: null, subscriberId: null, distributorId: null });
      expect((await me({ cookie })).json).toMatchObject({ id: DEMO_IDS.users.alice, kind: 'subscriber' });
    });

    it('tells a REST-only client its subscriber profile once created, and a broker or partner its distributor', async () => {
      const { token } = await login(base, 'bob@demo.test', '10.4.0.7');
      const bob = { authorization: `Bearer ${token}` };
      expect((await me(bob)).json).toMatchObject({ id: DEMO_IDS.users.bob, subscriberId: null, distributorId: null });
      const profile = await call(`${base}/v1/subscription/subscribers`, { method: 'POST', headers: bob, json: {
        civility: 'M', firstName: 'Bob', lastName: 'Durand', birthDate: '1979-03-04', birthPlace: 'Nantes', nationality: 'FR',
        address: { line1: '2 rue Neuve', postalCode: '44000', city: 'Nantes', country: 'FR' }, email: 'bob@demo.test', phone: '06 22 33 44 55', taxResidence: 'FR',
      } });
      expect(profile.status).toBe(201);
      expect((await me(bob)).json).toMatchObject({ subscriberId: profile.json.id, distributorId: null });
      const broker = await login(base, 'broker@demo.test', '10.4.0.8');
      expect((await me({ authorization: `Bearer ${broker.token}` })).json).toMatchObject({ kind: 'broker', subscriberId: null, distributorId: DEMO_IDS.distributor });
    });

    it.each([
      ['not a JWT', 'abc.def'],
      ['garbage', 'eyJhbGciOiJub25lIn0.e30.'],
    ])('INVALID_BEARER_TOKEN for %s', async (_label, token) => {
      const answer = await me({ authorization: `Bearer ${token}` });
      expect(answer.status).toBe(401);
      expect(answer.json).toEqual(unauthorizedBody(base, 'INVALID_BEARER_TOKEN'));
      expect(answer.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    });

    it('INVALID_BEARER_TOKEN for alg none, HS256 keyed with our public key, wrong issuer, audience and type', async () => {
      const good = await forge((jwt) => jwt);
      expect((await me({ authorization: `Bearer ${good}` })).status).toBe(200);
      const [header, payload] = good.split('.');
      const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url')}.${payload}.`;
      const [key] = await server.db.query<{ public_jwk: JWK; kid: string }>('select kid, public_jwk from signing_keys where retired_at is null');
      const hs = await new SignJWT(JSON.parse(Buffer.from(payload, 'base64url').toString()))
        .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: key.kid })
        .sign(new TextEncoder().encode(JSON.stringify(key.public_jwk)));
      const tampered = `${header}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), sub: DEMO_IDS.users.bob })).toString('base64url')}.${good.split('.')[2]}`;
      const tokens = [
        none,
        hs,
        tampered,
        await forge((jwt) => jwt.setIssuer('urn:someone-else')),
        await forge((jwt) => jwt.setAudience('urn:another-api')),
        await forge((jwt) => jwt, { typ: 'JWT' }),
      ];
      for (const token of tokens) expect((await me({ authorization: `Bearer ${token}` })).json).toEqual(unauthorizedBody(base, 'INVALID_BEARER_TOKEN'));
    });

    it('a malformed Authorization header is INVALID_BEARER_TOKEN, not NO_SESSION', async () => {
      expect((await me({ authorization: 'Basic YWxpY2U6eA==' })).json).toEqual(unauthorizedBody(base, 'INVALID_BEARER_TOKEN'));
    });

    it('SESSION_EXPIRED once the token has expired (past the 60 s skew)', async () => {
      const { token } = await login(base, 'bob@demo.test', '10.4.0.2');
      server.clock.advance(900_000 + 30_000);
      expect((await me({ authorization: `Bearer ${token}` })).status).toBe(200);
      server.clock.advance(31_000);
      const answer = await me({ authorization: `Bearer ${token}` });
      expect(answer.json).toEqual(unauthorizedBody(base, 'SESSION_EXPIRED'));
      expect(answer.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    });

    it('an unknown or revoked session cookie is SESSION_EXPIRED', async () => {
      expect((await me({ cookie: 'session=unknown-secret' })).json).toEqual(unauthorizedBody(base, 'SESSION_EXPIRED'));
    });
  });

  describe('POST /v1/auth/logout', () => {
    it('ends the session at once for the token and the cookie', async () => {
      const { token, cookie } = await login(base, 'alice@demo.test', '10.5.0.1');
      const answer = await call(`${base}/v1/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
      expect(answer.status).toBe(204);
      expect(answer.text).toBe('');
      expect((await me({ authorization: `Bearer ${token}` })).json).toEqual(unauthorizedBody(base, 'SESSION_EXPIRED'));
      expect((await me({ cookie })).json).toEqual(unauthorizedBody(base, 'SESSION_EXPIRED'));
    });

    it('with the cookie alone, needs a header a cross-site form cannot send', async () => {
      const { cookie } = await login(base, 'alice@demo.test', '10.5.0.2');
      const forged = await call(`${base}/v1/auth/logout`, { method: 'POST', headers: { cookie } });
      expect(forged.status).toBe(403);
      expect(forged.json.errors[0]).toMatchObject({ code: 'forbidden', reason: 'CSRF_HEADER_REQUIRED' });
      const answer = await call(`${base}/v1/auth/logout`, { method: 'POST', headers: { cookie, 'x-requested-with': 'fetch' } });
      expect(answer.status).toBe(204);
      expect(answer.headers.get('set-cookie')).toMatch(/^session=; .*Max-Age=0/);
    });

    it('401 NO_SESSION without credentials', async () => {
      expect((await call(`${base}/v1/auth/logout`, { method: 'POST' })).json).toEqual(unauthorizedBody(base, 'NO_SESSION'));
    });
  });

  describe('POST /v1/auth/token (machine clients)', () => {
    const SERIAL = '01:23:45:67:89:AB:CD:EF';
    const token = (fields: Record<string, string>, serial?: string, form = true) =>
      call(`${base}/v1/auth/token`, {
        method: 'POST',
        headers: { ...(serial !== undefined ? { 'x-client-certificate-serial': serial } : {}), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), 'x-forwarded-for': '10.6.0.1' },
        ...(form ? { body: new URLSearchParams(fields).toString() } : { json: fields }),
      });
    const good = { grant_type: 'client_credentials', client_id: 'demo-partner', client_secret: 'demo-partner-secret' };

    it('issues a token bound to the certificate serial (form or JSON)', async () => {
      const answer = await token(good, SERIAL);
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 900 });
      expect((await token(good, '0123456789abcdef', false)).status).toBe(200);
      const withCert = await me({ authorization: `Bearer ${answer.json.access_token}`, 'x-client-certificate-serial': '0123456789ABCDEF' });
      expect(withCert.json).toEqual({ id: 'demo-partner', kind: 'machine', email: null, clientId: 'demo-partner', subscriberId: null, distributorId: DEMO_IDS.distributor });
      // RFC 8705: the same token from another certificate, or none, is refused.
      for (const headers of [{}, { 'x-client-certificate-serial': 'AA:BB' }] as Array<Record<string, string>>) {
        expect((await me({ authorization: `Bearer ${answer.json.access_token}`, ...headers })).json).toEqual(unauthorizedBody(base, 'INVALID_BEARER_TOKEN'));
      }
    });

    it.each([
      ['no serial header', undefined, 'MISSING_CLIENT_CERTIFICATE_SERIAL'],
      ['a serial that is not hex', 'zz:11', 'MALFORMED_CLIENT_CERTIFICATE_SERIAL'],
      ['a serial over 20 octets', '01'.repeat(21), 'MALFORMED_CLIENT_CERTIFICATE_SERIAL'],
      ['a serial not registered to the client', '0A:0B:0C', 'INVALID_CLIENT_CREDENTIALS'],
    ])('401 for %s', async (_label, serial, reason) => {
      const answer = await token(good, serial);
      expect(answer.status).toBe(401);
      expect(answer.json).toEqual(unauthorizedBody(base, reason));
    });

    it('401 INVALID_CLIENT_CREDENTIALS for a wrong secret or client', async () => {
      expect((await token({ ...good, client_secret: 'nope' }, SERIAL)).json).toEqual(unauthorizedBody(base, 'INVALID_CLIENT_CREDENTIALS'));
      expect((await token({ ...good, client_id: 'ghost' }, SERIAL)).json).toEqual(unauthorizedBody(base, 'INVALID_CLIENT_CREDENTIALS'));
    });
  });

  describe('signing keys', () => {
    it('publishes the keys and keeps old tokens valid across a rotation', async () => {
      const before = await login(base, 'alice@demo.test', '10.7.0.1');
      const jwksBefore = await call(`${base}/.well-known/jwks.json`);
      await server.app.keys.rotate();
      const after = await login(base, 'alice@demo.test', '10.7.0.1');
      const jwks = await call(`${base}/.well-known/jwks.json`);
      const kid = (token: string) => JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()).kid;
      expect(kid(after.token)).not.toBe(kid(before.token));
      expect(jwks.json.keys.map((k: JWK) => k.kid)).toEqual(expect.arrayContaining([kid(before.token), kid(after.token)]));
      expect(jwksBefore.json.keys[0]).not.toHaveProperty('d');
      expect(jwks.json.keys.every((k: JWK) => k.d === undefined)).toBe(true);
      for (const { token } of [before, after]) expect((await me({ authorization: `Bearer ${token}` })).status).toBe(200);
    });
  });
});
