import { createHash, randomBytes } from 'node:crypto';
import { ManualClock } from '../../domain/shared/clock';
import { AppError } from '../../errors/app-error';
import { Idempotency } from '../../http/idempotency';
import type { Reply } from '../../http/reply';
import type { Db } from '../../store/db';
import { EACH_DATABASE } from '../support/databases';

const newKey = () => `key-${randomBytes(9).toString('base64url')}`;

const DAY_MS = 24 * 3600 * 1000;

describe.each(EACH_DATABASE)('%s', (_name, database) => {
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
