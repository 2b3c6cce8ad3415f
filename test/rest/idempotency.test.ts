import { createHash, randomBytes } from 'node:crypto';
import { ManualClock } from '../../domain/shared/clock';
import { AppError } from '../../errors/app-error';
import { Idempotency } from '../../http/idempotency';
import type { Reply } from '../../http/reply';
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
const DAY_MS = 24 * 3600 * 1000;

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

  describe('Idempotency (http/idempotency.ts) on the real store', () => {
    let db: Db;
    let drop: () => Promise<void>;
    let clock: ManualClock;
    let idempotency: Idempotency;
    const request = (body = '{"a":1}') => ({ method: 'POST', path: '/v1/things', body: Buffer.from(body) });
    const reply = (status: number, body: string): Reply => ({ status, headers: { 'content-type': 'application/json', 'set-cookie': ['s=1'], 'x-other': 'no' }, body });

    beforeAll(async () => {
      ({ db, drop } = await database.open());
      clock = new ManualClock(new Date('2026-03-01T10:00:00Z'));
      idempotency = new Idempotency(db, clock);
    });
    afterAll(async () => {
      await drop?.();
    });

    /** An execute that counts its runs and answers `status`. */
    function counted(status = 201) {
      const runs = { count: 0 };
      const execute = async () => {
        runs.count += 1;
        return reply(status, JSON.stringify({ run: runs.count }));
      };
      return { runs, execute };
    }

    it('runs once and replays the stored status, body and replayable headers', async () => {
      const { runs, execute } = counted();
      const key = newKey();
      const first = await idempotency.run('user:a', key, request(), execute);
      expect(first).toMatchObject({ status: 201, body: '{"run":1}' });
      const second = await idempotency.run('user:a', key, request(), execute);
      expect(runs.count).toBe(1);
      expect(second).toEqual({ status: 201, body: '{"run":1}', headers: { 'content-type': 'application/json', 'idempotent-replayed': 'true' } });
    });

    // The documented contract: a retry that comes while the first request with its key is still at work is a 409.
    it('answers a retry that arrives while the first request still runs with 409 and Retry-After, and runs nothing', async () => {
      const key = newKey();
      let finish!: (r: Reply) => void;
      let started!: () => void;
      const running = new Promise<void>((resolve) => (started = resolve));
      const slow = idempotency.run('user:a', key, request(), () => {
        started();
        return new Promise<Reply>((resolve) => (finish = resolve));
      });
      await running;
      const { runs, execute } = counted();
      const busy = await idempotency.run('user:a', key, request(), execute).catch((error: unknown) => error);
      expect(busy).toMatchObject({ code: 'conflict', reason: 'IDEMPOTENT_REQUEST_IN_PROGRESS', extra: { headers: { 'Retry-After': '1' } } });
      finish(reply(200, '{"slow":true}'));
      expect(await slow).toMatchObject({ status: 200, body: '{"slow":true}' });
      // Once the first has answered, the same retry replays it.
      expect(await idempotency.run('user:a', key, request(), execute)).toMatchObject({ status: 200, body: '{"slow":true}', headers: { 'idempotent-replayed': 'true' } });
      expect(runs.count).toBe(0);
    });

    it('lets exactly one of several concurrent requests with one key run; the others get 409 and their retry replays', async () => {
      const key = newKey();
      let runs = 0;
      const execute = async () => {
        runs += 1;
        await new Promise((resolve) => setTimeout(resolve, 50));
        return reply(201, `{"run":${runs}}`);
      };
      const outcomes = await Promise.all([0, 1, 2, 3, 4].map(() => idempotency.run('user:c', key, request(), execute).catch((error: unknown) => error)));
      expect(runs).toBe(1);
      expect(outcomes.filter((o) => (o as Reply).body === '{"run":1}')).toHaveLength(1);
      expect(outcomes.filter((o) => (o as { reason?: string }).reason === 'IDEMPOTENT_REQUEST_IN_PROGRESS')).toHaveLength(4);
      expect(await idempotency.run('user:c', key, request(), execute)).toMatchObject({ body: '{"run":1}', headers: { 'idempotent-replayed': 'true' } });
    });

    // PGlite is one process: the in-process check above is the whole story there.
    (database.name === 'postgres' ? it : it.skip)('tells a replica that another replica still runs the key (409), through the database, not by waiting', async () => {
      const replica = new Idempotency(db, clock);
      const key = newKey();
      let finish!: (r: Reply) => void;
      let started!: () => void;
      const running = new Promise<void>((resolve) => (started = resolve));
      const slow = idempotency.run('user:r', key, request(), () => {
        started();
        return new Promise<Reply>((resolve) => (finish = resolve));
      });
      await running;
      const { runs, execute } = counted();
      await expect(replica.run('user:r', key, request(), execute)).rejects.toMatchObject({ code: 'conflict', reason: 'IDEMPOTENT_REQUEST_IN_PROGRESS' });
      finish(reply(201, '{"first":true}'));
      await slow;
      expect(await replica.run('user:r', key, request(), execute)).toMatchObject({ body: '{"first":true}', headers: { 'idempotent-replayed': 'true' } });
      expect(runs.count).toBe(0);
    });

    describe('the record and the write commit together', () => {
      const ledger = 'idem_test_ledger';
      beforeAll(async () => {
        await db.query(`create table ${ledger} (key text not null, note text not null)`);
      });
      const notes = async (key: string) => (await db.query<{ note: string }>(`select note from ${ledger} where key = $1 order by note`, [key])).map((r) => r.note);
      const keyRows = async (key: string) => db.query('select 1 from idempotency_keys where scope = $1 and key = $2', ['user:w', key]);
      /** An operation as the domain writes: a transaction, then a read of what it wrote through the pool. */
      const write = (key: string, note: string, status = 201) => async (): Promise<Reply> => {
        await db.transaction((tx) => tx.query(`insert into ${ledger} (key, note) values ($1, $2)`, [key, note]));
        const seen = await notes(key);
        return reply(status, JSON.stringify(seen));
      };

      it('reads its own write inside the unit and commits both', async () => {
        const key = newKey();
        const first = await idempotency.run('user:w', key, request(), write(key, 'a'));
        expect(first.body).toBe('["a"]');
        expect(await notes(key)).toEqual(['a']);
        expect(await keyRows(key)).toHaveLength(1);
      });

      it('rolls back the write with a 5xx answer: the retry runs once on the state before, never twice', async () => {
        const key = newKey();
        expect((await idempotency.run('user:w', key, request(), write(key, 'first', 503))).status).toBe(503);
        expect(await notes(key)).toEqual([]);
        expect(await keyRows(key)).toHaveLength(0);
        const retry = await idempotency.run('user:w', key, request(), write(key, 'retry'));
        expect(retry).toMatchObject({ status: 201, body: '["retry"]' });
        expect(await notes(key)).toEqual(['retry']);
      });

      it('rolls back everything when the operation throws', async () => {
        const key = newKey();
        const failing = async (): Promise<Reply> => {
          await write(key, 'lost')();
          throw new Error('boom');
        };
        await expect(idempotency.run('user:w', key, request(), failing)).rejects.toThrow('boom');
        expect(await notes(key)).toEqual([]);
        expect(await keyRows(key)).toHaveLength(0);
      });

      it('stores a 4xx answer without the partial write of the transaction that refused', async () => {
        const key = newKey();
        const refused = async (): Promise<Reply> => {
          await db.transaction(async (tx) => {
            await tx.query(`insert into ${ledger} (key, note) values ($1, 'partial')`, [key]);
            throw new AppError('unprocessable_content', 'SOME_RULE');
          }).catch(() => undefined);
          return reply(422, '{"refused":true}');
        };
        expect((await idempotency.run('user:w', key, request(), refused)).status).toBe(422);
        expect(await notes(key)).toEqual([]);
        expect((await idempotency.run('user:w', key, request(), refused)).headers['idempotent-replayed']).toBe('true');
      });
    });

    // Decision: a record an earlier version committed as running (it claimed keys in a transaction of its
    // own) may belong to a write that committed: 409 until it expires rather than risk running it twice.
    it('answers 409 only for a running record committed by an earlier version, and does not run', async () => {
      const key = newKey();
      const body = request();
      const fingerprint = createHash('sha256').update(body.method).update('\0').update(body.path).update('\0').update(body.body).digest('base64url');
      await db.query(`insert into idempotency_keys (scope, key, fingerprint, state, created_at, expires_at) values ('user:a', $1, $2, 'running', $3, $4)`, [
        key,
        fingerprint,
        clock.now(),
        new Date(clock.now().getTime() + DAY_MS),
      ]);
      const { runs, execute } = counted();
      await expect(idempotency.run('user:a', key, body, execute)).rejects.toMatchObject({ code: 'conflict', reason: 'IDEMPOTENT_REQUEST_IN_PROGRESS' });
      expect(runs.count).toBe(0);
    });

    it('refuses another body under the same key with 422 IDEMPOTENCY_KEY_REUSED', async () => {
      const { runs, execute } = counted();
      const key = newKey();
      await idempotency.run('user:a', key, request('{"a":1}'), execute);
      await expect(idempotency.run('user:a', key, request('{"a":2}'), execute)).rejects.toMatchObject({ code: 'unprocessable_content', reason: 'IDEMPOTENCY_KEY_REUSED' });
      await expect(idempotency.run('user:a', key, { ...request('{"a":1}'), path: '/v1/other' }, execute)).rejects.toMatchObject({ code: 'unprocessable_content' });
      await expect(idempotency.run('user:a', key, { ...request('{"a":1}'), method: 'PATCH' }, execute)).rejects.toMatchObject({ code: 'unprocessable_content' });
      expect(runs.count).toBe(1);
    });

    it('keeps scopes apart', async () => {
      const { runs, execute } = counted();
      const key = newKey();
      await idempotency.run('user:a', key, request(), execute);
      const other = await idempotency.run('user:b', key, request(), execute);
      expect(runs.count).toBe(2);
      expect(other.headers['idempotent-replayed']).toBeUndefined();
    });

    it('does not store a 5xx result: the retry runs again', async () => {
      const key = newKey();
      const first = counted(503);
      expect((await idempotency.run('user:a', key, request(), first.execute)).status).toBe(503);
      const second = counted(201);
      const retry = await idempotency.run('user:a', key, request(), second.execute);
      expect(second.runs.count).toBe(1);
      expect(retry.status).toBe(201);
      expect(retry.headers['idempotent-replayed']).toBeUndefined();
    });

    it('does not store a 429: a client that waits Retry-After and retries with its key gets a real answer', async () => {
      const key = newKey();
      const limited = async (): Promise<Reply> => ({ status: 429, headers: { 'content-type': 'application/json', 'retry-after': '60' }, body: '{"errors":[]}' });
      expect((await idempotency.run('user:a', key, request(), limited)).status).toBe(429);
      const { runs, execute } = counted(201);
      const retry = await idempotency.run('user:a', key, request(), execute);
      expect(runs.count).toBe(1);
      expect(retry.status).toBe(201);
    });

    it('stores a 4xx result: it is the answer to that request', async () => {
      const { runs, execute } = counted(404);
      const key = newKey();
      await idempotency.run('user:a', key, request(), execute);
      const replay = await idempotency.run('user:a', key, request(), execute);
      expect(runs.count).toBe(1);
      expect(replay).toMatchObject({ status: 404, headers: { 'idempotent-replayed': 'true' } });
    });

    it('forgets a request whose execute threw: the retry runs again', async () => {
      const key = newKey();
      await expect(idempotency.run('user:a', key, request(), () => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
      const { runs, execute } = counted();
      expect((await idempotency.run('user:a', key, request(), execute)).status).toBe(201);
      expect(runs.count).toBe(1);
    });

    it('keeps a record 24 hours, then lets the key run again', async () => {
      const start = clock.now();
      try {
        const key = newKey();
        const { runs, execute } = counted();
        await idempotency.run('user:a', key, request(), execute);
        clock.advance(DAY_MS - 1000);
        expect((await idempotency.run('user:a', key, request(), execute)).headers['idempotent-replayed']).toBe('true');
        expect(runs.count).toBe(1);
        clock.advance(1000);
        const fresh = await idempotency.run('user:a', key, request(), execute);
        expect(runs.count).toBe(2);
        expect(fresh).toMatchObject({ status: 201, body: '{"run":2}' });
        expect(fresh.headers['idempotent-replayed']).toBeUndefined();
        // After expiry the key is free for another body too.
        clock.advance(DAY_MS);
        expect((await idempotency.run('user:a', key, request('{"other":true}'), execute)).status).toBe(201);
        expect(runs.count).toBe(3);
      } finally {
        clock.set(start);
      }
    });

    it('validates header values: 1-255 visible ASCII characters once trimmed, from either documented header', () => {
      expect(Idempotency.keyOf({})).toBeUndefined();
      expect(Idempotency.keyOf({ 'idempotency-key': 'abc-123_XYZ:~' })).toBe('abc-123_XYZ:~');
      expect(Idempotency.keyOf({ 'idempotency-key': 'k'.repeat(255) })).toBe('k'.repeat(255));
      expect(Idempotency.keyOf({ 'x-quarzo-life-idempotency-key': '  7f9c2b1e-5d3a-4c8e-9b6f-2a1d0e4c7b3a ' })).toBe('7f9c2b1e-5d3a-4c8e-9b6f-2a1d0e4c7b3a');
      expect(Idempotency.keyOf({ 'idempotency-key': 'same', 'x-quarzo-life-idempotency-key': 'same' })).toBe('same');
      const refused = [
        ...['', '   ', 'k'.repeat(256), 'k'.repeat(300), 'with space', 'caf\u00e9', 'tab\tinside'].map((key) => ({ 'idempotency-key': key })),
        { 'x-quarzo-life-idempotency-key': ' ' },
        { 'idempotency-key': 'one', 'x-quarzo-life-idempotency-key': 'two' },
      ];
      for (const headers of refused) {
        let thrown: unknown;
        try {
          Idempotency.keyOf(headers);
        } catch (e) {
          thrown = e;
        }
        expect(thrown).toMatchObject({ code: 'invalid_idempotency_key', reason: 'INVALID_IDEMPOTENCY_KEY', extra: { field: 'Idempotency-Key' } });
      }
    });
  });
});
