import { randomBytes } from 'node:crypto';
import type { Db } from '../../store/db';
import { EACH_DATABASE } from '../support/databases';
import { call, DEMO_PASSWORD, gql, login, type Answer } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';
import { restReason } from '../support/errors';
import { DEMO_IDS } from '../support/ids';

const newKey = () => `key-${randomBytes(9).toString('base64url')}`;
let addressCounter = 0;
/** A distinct client address per test, so the per-address login throttle never interferes. */
const newAddress = () => `10.20.${Math.floor(++addressCounter / 250)}.${addressCounter % 250}`;

const LOGOUT = 'mutation { logout }';
const ME = 'query { me { id } }';

async function sessionsOf(db: Db, userId: string): Promise<Array<{ id: string; revoked: boolean }>> {
  const rows = await db.query<{ id: string; revoked: boolean }>('select id, revoked_at is not null as revoked from sessions where user_id = $1 order by created_at, id', [userId]);
  return rows.map((r) => ({ id: r.id, revoked: Boolean(r.revoked) }));
}

function expectError(answer: Answer, status: number, code: string, message: string): void {
  expect(answer.status).toBe(status);
  expect(answer.json.errors[0]).toMatchObject({ code, ...restReason(code, message) });
}

describe.each(EACH_DATABASE)('%s', (_name, database) => {
  describe('Idempotency-Key through the real server', () => {
    let server: TestServer;

    beforeAll(async () => {
      server = await startTestServer(database);
    });
    afterAll(async () => {
      await server?.close();
    });

    const graphqlWithKey = (token: string, key: string, query: string) => gql(server.url, query, { token, headers: { 'idempotency-key': key } });

    describe('POST /graphql', () => {
      it('runs the first request normally, without the replay header', async () => {
        const { token } = await login(server.url, 'alice@demo.test', newAddress());
        const answer = await graphqlWithKey(token, newKey(), ME);
        expect(answer.status).toBe(200);
        expect(answer.json).toEqual({ data: { me: { id: DEMO_IDS.users.alice } } });
        expect(answer.headers.get('idempotent-replayed')).toBeNull();
      });

      it('replays a stored response with Idempotent-Replayed: true and the same status and body', async () => {
        const { token } = await login(server.url, 'alice@demo.test', newAddress());
        const key = newKey();
        const first = await graphqlWithKey(token, key, ME);
        const replay = await graphqlWithKey(token, key, ME);
        expect(replay.status).toBe(first.status);
        expect(replay.text).toBe(first.text);
        expect(replay.headers.get('idempotent-replayed')).toBe('true');
        expect(replay.headers.get('content-type')).toBe(first.headers.get('content-type'));
        // Per-request headers are not replayed: each answer carries its own request id.
        expect(replay.headers.get('x-request-id')).not.toBe(first.headers.get('x-request-id'));
      });

      // Decision: a replay needs a live session, like every protected request (401 before anything else).
      // Logout revokes the session, so its retry answers SESSION_EXPIRED, which clients read as "already out".
      it('a retried `mutation { logout }` after success is 401 SESSION_EXPIRED, not a second logout or a replay', async () => {
        const address = newAddress();
        const { token } = await login(server.url, 'alice@demo.test', address);
        const key = newKey();
        const first = await graphqlWithKey(token, key, LOGOUT);
        expect(first.status).toBe(200);
        expect(first.json).toEqual({ data: { logout: true } });
        // The effect: the session behind the token is revoked.
        const me = await gql(server.url, ME, { token });
        expect(me.status).toBe(401);
        expect(me.json.errors[0].message).toBe('SESSION_EXPIRED');
        const retry = await graphqlWithKey(token, key, LOGOUT);
        expect(retry.status).toBe(401);
        expect(retry.json.errors[0]).toMatchObject({ message: 'SESSION_EXPIRED', extensions: { code: 'unauthorized' } });
        expect(retry.headers.get('idempotent-replayed')).toBeNull();
      });

      it('refuses the same key with a different body: 422 IDEMPOTENCY_KEY_REUSED, and the second request does not run', async () => {
        const address = newAddress();
        const { token } = await login(server.url, 'bob@demo.test', address);
        const key = newKey();
        expect((await graphqlWithKey(token, key, ME)).status).toBe(200);
        const sessionsBefore = await sessionsOf(server.db, DEMO_IDS.users.bob);
        const reused = await graphqlWithKey(token, key, LOGOUT);
        expect(reused.status).toBe(422);
        expect(reused.json.errors).toHaveLength(1);
        expect(reused.json.errors[0]).toMatchObject({ extensions: { reason: 'IDEMPOTENCY_KEY_REUSED', code: 'unprocessable_content', doc_url: `${server.url}/docs/errors/unprocessable_content` } });
        expect(reused.headers.get('idempotent-replayed')).toBeNull();
        // The logout did not run: the token still works and no session was revoked.
        expect(await sessionsOf(server.db, DEMO_IDS.users.bob)).toEqual(sessionsBefore);
        expect((await gql(server.url, ME, { token })).json).toEqual({ data: { me: { id: DEMO_IDS.users.bob } } });
      });

      it('scopes keys to the caller: bob reusing alice’s key and body runs his own request', async () => {
        const alice = await login(server.url, 'alice@demo.test', newAddress());
        const bob = await login(server.url, 'bob@demo.test', newAddress());
        const key = newKey();
        expect((await graphqlWithKey(alice.token, key, ME)).json).toEqual({ data: { me: { id: DEMO_IDS.users.alice } } });
        const bobs = await graphqlWithKey(bob.token, key, ME);
        expect(bobs.status).toBe(200);
        expect(bobs.json).toEqual({ data: { me: { id: DEMO_IDS.users.bob } } });
        expect(bobs.headers.get('idempotent-replayed')).toBeNull();
      });

      it('scopes keys to the caller: bob’s logout with alice’s key revokes bob’s session', async () => {
        const alice = await login(server.url, 'alice@demo.test', newAddress());
        const bob = await login(server.url, 'bob@demo.test', newAddress());
        const key = newKey();
        expect((await graphqlWithKey(alice.token, key, LOGOUT)).json).toEqual({ data: { logout: true } });
        const bobs = await graphqlWithKey(bob.token, key, LOGOUT);
        expect(bobs.status).toBe(200);
        expect(bobs.headers.get('idempotent-replayed')).toBeNull();
        expect((await gql(server.url, ME, { token: bob.token })).json.errors[0].message).toBe('SESSION_EXPIRED');
      });

      it('refuses an invalid key with 400 INVALID_IDEMPOTENCY_KEY, before running anything', async () => {
        const { token } = await login(server.url, 'alice@demo.test', newAddress());
        for (const key of ['k'.repeat(300), 'has space']) {
          const answer = await graphqlWithKey(token, key, LOGOUT);
          expect(answer.status).toBe(400);
          expect(answer.json.errors).toHaveLength(1);
          expect(answer.json.errors[0].extensions.reason).toBe('INVALID_IDEMPOTENCY_KEY');
        }
        // Nothing ran: the token still works.
        expect((await gql(server.url, ME, { token })).status).toBe(200);
      });
    });

    describe('POST /v1/auth/* (REST bridge)', () => {
      const restLogout = (token: string, key: string) => call(`${server.url}/v1/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'idempotency-key': key } });
      const restLogin = (token: string, key: string, address: string, body: Record<string, unknown>) =>
        call(`${server.url}/v1/auth/login`, { method: 'POST', json: body, headers: { authorization: `Bearer ${token}`, 'idempotency-key': key, 'x-forwarded-for': address } });

      it('replays POST /v1/auth/login for a signed-in caller: one new session, the same token returned twice', async () => {
        const address = newAddress();
        const { token } = await login(server.url, 'alice@demo.test', address);
        const before = await sessionsOf(server.db, DEMO_IDS.users.alice);
        const key = newKey();
        const body = { email: 'alice@demo.test', password: DEMO_PASSWORD };
        const first = await restLogin(token, key, address, body);
        expect(first.status).toBe(200);
        expect(first.headers.get('set-cookie')).toMatch(/^session=/);
        const replay = await restLogin(token, key, address, body);
        expect(replay.status).toBe(200);
        expect(replay.headers.get('idempotent-replayed')).toBe('true');
        expect(replay.json).toEqual(first.json);
        expect(replay.json.access_token).toEqual(expect.any(String));
        // Cookies are not replayed (they belong to the response that created them).
        expect(replay.headers.get('set-cookie')).toBeNull();
        expect((await sessionsOf(server.db, DEMO_IDS.users.alice)).length).toBe(before.length + 1);
      });

      it('takes the documented alias X-Quarzo-Life-Idempotency-Key: the same key under either header replays one write', async () => {
        const address = newAddress();
        const { token } = await login(server.url, 'alice@demo.test', address);
        const before = await sessionsOf(server.db, DEMO_IDS.users.alice);
        const key = newKey();
        const body = { email: 'alice@demo.test', password: DEMO_PASSWORD };
        const send = (header: string) =>
          call(`${server.url}/v1/auth/login`, { method: 'POST', json: body, headers: { authorization: `Bearer ${token}`, [header]: key, 'x-forwarded-for': address } });
        const first = await send('x-quarzo-life-idempotency-key');
        expect(first.status).toBe(200);
        const replay = await send('idempotency-key');
        expect(replay.headers.get('idempotent-replayed')).toBe('true');
        expect(replay.json).toEqual(first.json);
        expect((await sessionsOf(server.db, DEMO_IDS.users.alice)).length).toBe(before.length + 1);
        const blank = await call(`${server.url}/v1/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'x-quarzo-life-idempotency-key': '   ' } });
        expect(blank.status).toBe(400);
        expect(blank.json.errors[0]).toMatchObject({ code: 'invalid_idempotency_key', doc_url: `${server.url}/docs/errors/invalid_idempotency_key` });
      });

      it('refuses the same key with another body on REST: 422 IDEMPOTENCY_KEY_REUSED naming the header', async () => {
        const address = newAddress();
        const { token } = await login(server.url, 'alice@demo.test', address);
        const key = newKey();
        expect((await restLogin(token, key, address, { email: 'alice@demo.test', password: DEMO_PASSWORD })).status).toBe(200);
        const before = await sessionsOf(server.db, DEMO_IDS.users.bob);
        const reused = await restLogin(token, key, address, { email: 'bob@demo.test', password: DEMO_PASSWORD });
        expect(reused.status).toBe(422);
        expect(reused.json).toEqual({
          errors: [{ code: 'unprocessable_content', message: expect.any(String), reason: 'IDEMPOTENCY_KEY_REUSED', doc_url: `${server.url}/docs/errors/unprocessable_content`, field: 'Idempotency-Key' }],
        });
        expect(await sessionsOf(server.db, DEMO_IDS.users.bob)).toEqual(before);
      });

      it('treats the same key on another path as a different request (422)', async () => {
        const address = newAddress();
        const { token } = await login(server.url, 'alice@demo.test', address);
        const key = newKey();
        expect((await graphqlWithKey(token, key, ME)).status).toBe(200);
        const other = await call(`${server.url}/v1/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'idempotency-key': key } });
        expectError(other, 422, 'unprocessable_content', 'IDEMPOTENCY_KEY_REUSED');
        expect((await gql(server.url, ME, { token })).status).toBe(200);
      });

      it('a retried POST /v1/auth/logout after success is 401 SESSION_EXPIRED (a replay needs a live session)', async () => {
        const { token } = await login(server.url, 'bob@demo.test', newAddress());
        const key = newKey();
        const first = await restLogout(token, key);
        expect(first.status).toBe(204);
        expect(first.text).toBe('');
        const me = await call(`${server.url}/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } });
        expectError(me, 401, 'unauthorized', 'SESSION_EXPIRED');
        const retry = await restLogout(token, key);
        expectError(retry, 401, 'unauthorized', 'SESSION_EXPIRED');
        expect(retry.headers.get('idempotent-replayed')).toBeNull();
      });

      it('scopes REST keys to the caller: bob’s logout with alice’s key logs bob out', async () => {
        const alice = await login(server.url, 'alice@demo.test', newAddress());
        const bob = await login(server.url, 'bob@demo.test', newAddress());
        const key = newKey();
        expect((await restLogout(alice.token, key)).status).toBe(204);
        const bobs = await restLogout(bob.token, key);
        expect(bobs.status).toBe(204);
        expect(bobs.headers.get('idempotent-replayed')).toBeNull();
        const me = await call(`${server.url}/v1/auth/me`, { headers: { authorization: `Bearer ${bob.token}` } });
        expectError(me, 401, 'unauthorized', 'SESSION_EXPIRED');
      });

      it('refuses a 300-character key with 400 naming Idempotency-Key, and does not log out', async () => {
        const { token } = await login(server.url, 'alice@demo.test', newAddress());
        const answer = await restLogout(token, 'k'.repeat(300));
        expect(answer.status).toBe(400);
        expect(answer.json).toEqual({ errors: [{ code: 'invalid_idempotency_key', message: expect.any(String), reason: 'INVALID_IDEMPOTENCY_KEY', doc_url: `${server.url}/docs/errors/invalid_idempotency_key`, field: 'Idempotency-Key' }] });
        expect((await call(`${server.url}/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      });

      it('accepts a 255-character key', async () => {
        const address = newAddress();
        const { token } = await login(server.url, 'alice@demo.test', address);
        const key = 'k'.repeat(250) + randomBytes(3).toString('hex').slice(0, 5);
        const body = { email: 'alice@demo.test', password: DEMO_PASSWORD };
        expect((await restLogin(token, key, address, body)).status).toBe(200);
        expect((await restLogin(token, key, address, body)).headers.get('idempotent-replayed')).toBe('true');
      });
    });
  });
});
