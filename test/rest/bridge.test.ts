import { request as httpRequest } from 'node:http';
import { CATALOG } from '../../errors/catalog';
import { EACH_DATABASE } from '../support/databases';
import { call, DEMO_PASSWORD, login, unauthorizedBody, type Answer } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';
import { messageIsReason, restReason } from '../support/errors';
import { DEMO_IDS } from '../support/ids';

const MAX_BODY_BYTES = 2048;
const PARTNER = { client_id: 'demo-partner', client_secret: 'demo-partner-secret', serial: '01:23:45:67:89:AB:CD:EF' };

let addressCounter = 0;
const newAddress = () => `10.30.${Math.floor(++addressCounter / 250)}.${addressCounter % 250}`;

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
}

/** Any method, headers and body (including a body on GET, which fetch refuses to send). */
function raw(server: TestServer, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${server.url}${path}`, { method, headers: { ...headers, ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        let json: unknown;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
    if (body !== undefined) req.write(body);
    req.end();
  });
}

function headerOf(answer: Answer | RawAnswer, name: string): string | null {
  if (answer.headers instanceof Headers) return answer.headers.get(name);
  const value = answer.headers[name];
  return Array.isArray(value) ? value.join(', ') : (value ?? null);
}

/** Checks the REST envelope: exactly code, message, doc_url (with the reason outside 401s and INSUFFICIENT_ROLES, and field when given), nothing else, no stack. */
function expectEnvelope(server: TestServer, answer: Answer | RawAnswer, status: number, code: string, message: string, field?: string): void {
  expect({ status: answer.status, body: answer.json }).toEqual({
    status,
    body: { errors: [{ code, ...restReason(code, message), doc_url: `${server.url}/docs/errors/${code}`, ...(field ? { field } : {}) }] },
  });
}

describe.each(EACH_DATABASE)('%s', (_name, database) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(database, { env: { MAX_BODY_BYTES: String(MAX_BODY_BYTES) } });
  });
  afterAll(async () => {
    await server?.close();
  });

  const loginJson = (body: unknown, headers: Record<string, string> = {}) =>
    call(`${server.url}/v1/auth/login`, { method: 'POST', json: body, headers: { 'x-forwarded-for': newAddress(), ...headers } });

  describe('routing', () => {
    it.each([['/v1/nope'], ['/v1/auth'], ['/v1/auth/me/extra'], ['/v1/']])('answers 404 ROUTE_NOT_FOUND for %s', async (path) => {
      expectEnvelope(server, await call(`${server.url}${path}`), 404, 'resource_not_found', 'ROUTE_NOT_FOUND');
    });

    it('answers 405 with Allow for a known path and another method, before looking at credentials', async () => {
      const answer = await call(`${server.url}/v1/auth/me`, { method: 'DELETE' });
      expectEnvelope(server, answer, 405, 'method_not_allowed', 'METHOD_NOT_ALLOWED');
      expect(answer.headers.get('allow')).toBe('GET');
      const get = await call(`${server.url}/v1/auth/login`);
      expectEnvelope(server, get, 405, 'method_not_allowed', 'METHOD_NOT_ALLOWED');
      expect(get.headers.get('allow')).toBe('POST');
    });

    it('answers 404 for paths outside /v1 and for non-GET on them', async () => {
      expectEnvelope(server, await call(`${server.url}/nope`), 404, 'resource_not_found', 'ROUTE_NOT_FOUND');
      expectEnvelope(server, await call(`${server.url}/healthz`, { method: 'POST' }), 404, 'resource_not_found', 'ROUTE_NOT_FOUND');
    });
  });

  describe('request bodies', () => {
    it('answers 400 MALFORMED_JSON for a body that is not JSON', async () => {
      const answer = await call(`${server.url}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': newAddress() }, body: '{"email": "alice@demo.test",' });
      expectEnvelope(server, answer, 400, 'parameter_invalid', 'MALFORMED_JSON');
    });

    it('answers 400 BODY_MUST_BE_A_JSON_OBJECT for JSON that is not an object', async () => {
      for (const body of [[], 'text', 42, null]) {
        expectEnvelope(server, await loginJson(body), 400, 'parameter_invalid', 'BODY_MUST_BE_A_JSON_OBJECT');
      }
    });

    it('answers 400 parameter_invalid with Accept for a text/plain body', async () => {
      const answer = await call(`${server.url}/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', 'x-forwarded-for': newAddress() },
        body: JSON.stringify({ email: 'alice@demo.test', password: DEMO_PASSWORD }),
      });
      expectEnvelope(server, answer, 400, 'parameter_invalid', 'UNSUPPORTED_CONTENT_TYPE');
      expect(answer.headers.get('accept')).toBe('application/json');
    });

    it('answers 400 parameter_invalid for a form body on a JSON-only route', async () => {
      const answer = await call(`${server.url}/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': newAddress() },
        body: new URLSearchParams({ email: 'alice@demo.test', password: DEMO_PASSWORD }).toString(),
      });
      expectEnvelope(server, answer, 400, 'parameter_invalid', 'UNSUPPORTED_CONTENT_TYPE');
    });

    it(`answers 413 BODY_TOO_LARGE for a body over MAX_BODY_BYTES (${MAX_BODY_BYTES})`, async () => {
      expect(server.config.maxBodyBytes).toBe(MAX_BODY_BYTES);
      const answer = await loginJson({ email: 'alice@demo.test', password: DEMO_PASSWORD, padding: 'x'.repeat(MAX_BODY_BYTES) });
      expectEnvelope(server, answer, 413, 'payload_too_large', 'BODY_TOO_LARGE');
    });

    it('answers 413 for an oversized body sent without Content-Length (chunked)', async () => {
      const body = JSON.stringify({ email: 'alice@demo.test', password: DEMO_PASSWORD, padding: 'x'.repeat(MAX_BODY_BYTES * 4) });
      const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = httpRequest(`${server.url}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked', 'x-forwarded-for': newAddress() } }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        });
        req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
        for (let i = 0; i < body.length; i += 512) req.write(body.slice(i, i + 512));
        req.end();
      });
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.text).errors[0].reason).toBe('BODY_TOO_LARGE');
    });

    it('accepts a body just under the limit', async () => {
      const address = newAddress();
      const answer = await loginJson({ email: 'alice@demo.test', password: DEMO_PASSWORD }, { 'x-forwarded-for': address });
      expect(answer.status).toBe(200);
    });

    it('answers 400 UNKNOWN_FIELD naming an unknown body property', async () => {
      const answer = await loginJson({ email: 'alice@demo.test', password: DEMO_PASSWORD, role: 'backoffice' });
      expectEnvelope(server, answer, 400, 'parameter_invalid', 'UNKNOWN_FIELD', 'role');
    });

    it('answers 400 REQUIRED_FIELD_MISSING naming a missing field', async () => {
      expectEnvelope(server, await loginJson({ email: 'alice@demo.test' }), 400, 'parameter_invalid', 'REQUIRED_FIELD_MISSING', 'password');
      expectEnvelope(server, await loginJson({ email: 'alice@demo.test', password: null }), 400, 'parameter_invalid', 'REQUIRED_FIELD_MISSING', 'password');
    });

    it('names every offending field at once', async () => {
      const answer = await loginJson({ email: 'alice@demo.test', is_admin: true });
      expect(answer.status).toBe(400);
      expect(answer.json.errors).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ code: 'parameter_invalid', reason: 'UNKNOWN_FIELD', field: 'is_admin' }),
          expect.objectContaining({ code: 'parameter_invalid', reason: 'REQUIRED_FIELD_MISSING', field: 'password' }),
        ]),
      );
      expect(answer.json.errors).toHaveLength(2);
    });

    it('treats an empty body without Content-Type as no fields', async () => {
      const answer = await call(`${server.url}/v1/auth/login`, { method: 'POST', headers: { 'x-forwarded-for': newAddress() } });
      expect(answer.status).toBe(400);
      expect(answer.json.errors.map((e: { field: string }) => e.field).sort()).toEqual(['email', 'password']);
    });

    it('answers 400 naming a field of the wrong type', async () => {
      const answer = await loginJson({ email: 5, password: DEMO_PASSWORD });
      expect(answer.status).toBe(400);
      expect(answer.json.errors[0]).toMatchObject({ code: 'parameter_invalid', field: 'email' });
    });
  });

  describe('authentication comes first on protected routes', () => {
    const body401 = () => unauthorizedBody(server.url, 'NO_SESSION');

    it.each([
      ['GET /v1/auth/me with a text/plain body', 'GET', '/v1/auth/me', { 'content-type': 'text/plain' }, 'not json at all'],
      ['GET /v1/auth/me with malformed JSON', 'GET', '/v1/auth/me', { 'content-type': 'application/json' }, '{"oops'],
      ['POST /v1/auth/logout with a text/plain body', 'POST', '/v1/auth/logout', { 'content-type': 'text/plain' }, 'hello'],
      ['POST /v1/auth/logout with malformed JSON', 'POST', '/v1/auth/logout', { 'content-type': 'application/json' }, '{"oops'],
      ['POST /v1/auth/logout with an unknown property', 'POST', '/v1/auth/logout', { 'content-type': 'application/json' }, '{"everyone":true}'],
      ['POST /v1/auth/logout with a body over the limit', 'POST', '/v1/auth/logout', { 'content-type': 'application/json' }, JSON.stringify({ x: 'y'.repeat(MAX_BODY_BYTES * 2) })],
      ['POST /v1/auth/logout with an invalid Idempotency-Key', 'POST', '/v1/auth/logout', { 'idempotency-key': 'k'.repeat(300) }, undefined],
    ])('%s and no credentials: 401 NO_SESSION', async (_label, method, path, headers, body) => {
      const answer = await raw(server, method, path, headers, body);
      expect(answer.status).toBe(401);
      expect(answer.text).toBe(JSON.stringify(body401()));
      expect(answer.headers['www-authenticate']).toBe('Bearer');
    });

    it('a rejected token with a bad body: 401 INVALID_BEARER_TOKEN with error="invalid_token"', async () => {
      const answer = await raw(server, 'POST', '/v1/auth/logout', { authorization: 'Bearer not.a.jwt', 'content-type': 'text/plain' }, 'junk');
      expect(answer.status).toBe(401);
      expect(answer.text).toBe(JSON.stringify(unauthorizedBody(server.url, 'INVALID_BEARER_TOKEN')));
      expect(answer.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    });

    it('with credentials, the protected routes work', async () => {
      const { token } = await login(server.url, 'alice@demo.test', newAddress());
      const me = await call(`${server.url}/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(me.status).toBe(200);
      expect(me.json).toEqual({ id: DEMO_IDS.users.alice, kind: 'subscriber', email: 'alice@demo.test', clientId: null, subscriberId: null, distributorId: null });
      const logout = await call(`${server.url}/v1/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
      expect(logout.status).toBe(204);
      expect(logout.text).toBe('');
    });
  });

  describe('the wire speaks GraphQL\'s names (camelCase), the OAuth 2.0 names on the token routes only', () => {
    it('answers with GraphQL\'s field names, and hears a snake_case key as an unknown field', async () => {
      const { token } = await login(server.url, 'alice@demo.test', newAddress());
      const me = await call(`${server.url}/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(Object.keys(me.json).sort()).toEqual(['clientId', 'distributorId', 'email', 'id', 'kind', 'subscriberId']);
      // wire-codemod: keep (the next two lines send and expect snake_case on purpose)
      const snake = await call(`${server.url}/v1/subscription/subscribers`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, json: { first_name: 'Alice' } });
      expect(snake.status).toBe(400);
      // wire-codemod: keep
      expect(snake.json.errors).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'parameter_invalid', message: expect.any(String), reason: 'UNKNOWN_FIELD', field: 'first_name' })]));
    });

    it('the login route answers access_token, token_type and expires_in', async () => {
      const answer = await loginJson({ email: 'alice@demo.test', password: DEMO_PASSWORD });
      expect(Object.keys(answer.json).sort()).toEqual(['access_token', 'expires_in', 'token_type']);
    });
  });

  describe('/v1/auth/token takes JSON and form bodies', () => {
    const token = (headers: Record<string, string>, body: string) =>
      call(`${server.url}/v1/auth/token`, { method: 'POST', headers: { 'x-client-certificate-serial': PARTNER.serial, 'x-forwarded-for': newAddress(), ...headers }, body });
    const fields = { grant_type: 'client_credentials', client_id: PARTNER.client_id, client_secret: PARTNER.client_secret };

    it.each([
      ['application/json', JSON.stringify(fields)],
      ['application/json; charset=utf-8', JSON.stringify(fields)],
      ['application/x-www-form-urlencoded', new URLSearchParams(fields).toString()],
      ['application/x-www-form-urlencoded; charset=UTF-8', new URLSearchParams(fields).toString()],
    ])('issues a token for a %s body', async (contentType, body) => {
      const answer = await token({ 'content-type': contentType }, body);
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: expect.any(Number) });
    });

    it('applies the same field checks to a form body', async () => {
      const missing = await token({ 'content-type': 'application/x-www-form-urlencoded' }, new URLSearchParams({ grant_type: 'client_credentials', client_id: 'x' }).toString());
      expectEnvelope(server, missing, 400, 'parameter_invalid', 'REQUIRED_FIELD_MISSING', 'client_secret');
      const unknown = await token({ 'content-type': 'application/x-www-form-urlencoded' }, new URLSearchParams({ ...fields, colour: 'blue' }).toString());
      expectEnvelope(server, unknown, 400, 'parameter_invalid', 'UNKNOWN_FIELD', 'colour');
    });

    it('answers 400 parameter_invalid with both accepted types for another media type', async () => {
      const answer = await token({ 'content-type': 'text/plain' }, JSON.stringify(fields));
      expectEnvelope(server, answer, 400, 'parameter_invalid', 'UNSUPPORTED_CONTENT_TYPE');
      expect(answer.headers.get('accept')).toBe('application/json, application/x-www-form-urlencoded');
    });
  });

  describe('operational endpoints and error pages', () => {
    it('/healthz and /readyz answer 200', async () => {
      const health = await call(`${server.url}/healthz`);
      expect(health.status).toBe(200);
      expect(health.json).toEqual({ status: 'ok' });
      const ready = await call(`${server.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(ready.json).toEqual({ status: 'ready' });
    });

    it('/docs/errors/unauthorized is an HTML page with the description, status and fixes', async () => {
      const page = await call(`${server.url}/docs/errors/unauthorized`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.text).toMatch(/^<!doctype html>/i);
      expect(page.text).toContain(CATALOG.unauthorized.description);
      expect(page.text).toContain('401');
      expect(page.text).toContain('How To Fix');
      expect(page.text).toContain(CATALOG.unauthorized.fixes[0]);
      expect(page.text).toContain('/errors/unauthorized');
    });

    it('serves a page for every catalog code', async () => {
      for (const [code, entry] of Object.entries(CATALOG)) {
        const page = await call(`${server.url}/docs/errors/${code}`);
        expect({ code, status: page.status }).toEqual({ code, status: 200 });
        expect(page.text).toContain(String(entry.status));
      }
    });

    it.each([['nope'], ['toString'], ['constructor'], ['']])('/docs/errors/%s answers 404', async (code) => {
      expectEnvelope(server, await call(`${server.url}/docs/errors/${code}`), 404, 'resource_not_found', 'ROUTE_NOT_FOUND');
    });
  });

  describe('every error response', () => {
    const requests: Array<[string, () => Promise<Answer | RawAnswer>]> = [
      ['unknown route', () => call(`${server.url}/v1/nope`)],
      ['wrong method', () => call(`${server.url}/v1/auth/me`, { method: 'DELETE' })],
      ['no credentials', () => call(`${server.url}/v1/auth/me`)],
      ['bad token', () => call(`${server.url}/v1/auth/me`, { headers: { authorization: 'Bearer abc' } })],
      ['malformed Authorization', () => call(`${server.url}/v1/auth/me`, { headers: { authorization: 'Basic abc' } })],
      ['malformed JSON', () => raw(server, 'POST', '/v1/auth/login', { 'content-type': 'application/json', 'x-forwarded-for': newAddress() }, '{')],
      ['media type', () => raw(server, 'POST', '/v1/auth/login', { 'content-type': 'text/plain', 'x-forwarded-for': newAddress() }, 'x')],
      ['too large', () => loginJson({ x: 'y'.repeat(MAX_BODY_BYTES) })],
      ['unknown field', () => loginJson({ email: 'a@b.c', password: 'p', x: 1 })],
      ['wrong type', () => loginJson({ email: ['a'], password: 'p' })],
      ['wrong password', () => loginJson({ email: 'bob@demo.test', password: 'wrong-password' })],
      ['missing certificate', () => call(`${server.url}/v1/auth/token`, { method: 'POST', json: { grant_type: 'client_credentials', client_id: 'x', client_secret: 'y' } })],
      ['unknown error page', () => call(`${server.url}/docs/errors/nope`)],
    ];

    it.each(requests)('%s: only code, message, doc_url (and reason, field), no stack trace, a working doc_url', async (_label, send) => {
      const answer = await send();
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(headerOf(answer, 'content-type')).toMatch(/^application\/json/);
      expect(Object.keys(answer.json)).toEqual(['errors']);
      expect(answer.json.errors.length).toBeGreaterThan(0);
      for (const error of answer.json.errors) {
        const keys = Object.keys(error).sort();
        expect(keys.filter((k) => k !== 'field' && k !== 'reason')).toEqual(['code', 'doc_url', 'message']);
        if (!messageIsReason(error.code, error.message)) expect(error.reason).toMatch(/^[A-Z][A-Z0-9_]+$/);
        expect(Object.keys(CATALOG)).toContain(error.code);
        expect(CATALOG[error.code as keyof typeof CATALOG].status).toBe(answer.status);
        expect(error.doc_url).toBe(`${server.url}/docs/errors/${error.code}`);
        expect(typeof error.message).toBe('string');
      }
      expect(answer.text).not.toMatch(/\bat .+:\d+:\d+/);
      expect(answer.text).not.toMatch(/stack|\.ts\b|node_modules|GraphQLError|TypeError/i);
      const page = await call(answer.json.errors[0].doc_url);
      expect(page.status).toBe(200);
    });
  });

  describe('X-Request-Id', () => {
    it('echoes a valid incoming id, on success and on error', async () => {
      const ok = await call(`${server.url}/healthz`, { headers: { 'x-request-id': 'trace-abc.123:4' } });
      expect(ok.headers.get('x-request-id')).toBe('trace-abc.123:4');
      const error = await call(`${server.url}/v1/auth/me`, { headers: { 'x-request-id': 'trace-err-1' } });
      expect(error.status).toBe(401);
      expect(error.headers.get('x-request-id')).toBe('trace-err-1');
      const bridged = await call(`${server.url}/v1/nope`, { headers: { 'x-request-id': 'trace-404' } });
      expect(bridged.headers.get('x-request-id')).toBe('trace-404');
    });

    it('makes one up when none or an unusable one is sent', async () => {
      const none = await call(`${server.url}/healthz`);
      const first = none.headers.get('x-request-id');
      expect(first).toMatch(/^req_[\w-]+$/);
      const again = await call(`${server.url}/healthz`);
      expect(again.headers.get('x-request-id')).not.toBe(first);
      for (const bad of ['has spaces', 'x'.repeat(65), '<script>']) {
        const answer = await call(`${server.url}/healthz`, { headers: { 'x-request-id': bad } });
        expect(answer.headers.get('x-request-id')).toMatch(/^req_[\w-]+$/);
      }
    });

    it('sends nosniff and no-referrer on every response', async () => {
      for (const path of ['/healthz', '/v1/nope', '/docs/errors/unauthorized']) {
        const answer = await call(`${server.url}${path}`);
        expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
        expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
      }
    });
  });
});
