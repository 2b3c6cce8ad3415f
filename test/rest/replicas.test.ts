import { createApp, type App } from '../../app';
import { loadConfig } from '../../config';
import { silentLogger } from '../../http/logger';
import { EACH_DATABASE } from '../support/databases';
import { call, login, unauthorizedBody } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';
import { DEMO_IDS } from '../support/ids';

/** Waits for `check` to hold (a notification crossing to another replica takes a few milliseconds). */
async function eventually(check: () => Promise<boolean>, attempts = 40): Promise<boolean> {
  for (let i = 0; i < attempts; i++) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

describe.each(EACH_DATABASE)('two replicas on one %s database', (name, database) => {
  let a: TestServer;
  let b: App;
  let bUrl: string;
  beforeAll(async () => {
    a = await startTestServer(database);
    // Replica B: its own process state (session cache, keys in memory), the same database.
    b = await createApp({ config: loadConfig({ PORT: '0', TRUST_PROXY: '1' }), db: a.db, clock: a.clock, logger: silentLogger });
    bUrl = await b.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  const meOnB = (token: string) => call(`${bUrl}/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } });

  it('a token issued by one replica works on the other, and a logout on one ends it on both', async () => {
    const { token } = await login(a.url, 'alice@demo.test', '10.70.0.1');
    expect((await meOnB(token)).status).toBe(200);
    expect((await call(`${a.url}/v1/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).status).toBe(204);
    expect(await eventually(async () => (await meOnB(token)).status === 401)).toBe(true);
    expect((await meOnB(token)).json).toEqual(unauthorizedBody(bUrl, 'SESSION_EXPIRED'));
  });

  // Only PostgreSQL has a listening connection that can drop (PGlite notifies in-process): skipped, visibly, on PGlite.
  const postgresOnly = name === 'postgres' ? it : it.skip;
  postgresOnly('when the listening connection drops, the replica stops trusting its cached sessions', async () => {
    const { token } = await login(a.url, 'bob@demo.test', '10.70.0.2');
    expect((await meOnB(token)).status).toBe(200);
    // Cut every LISTEN connection, then revoke behind the replicas' backs (no notification reaches them).
    await a.db.query(`select pg_terminate_backend(pid) from pg_stat_activity where query ilike 'listen %' and pid <> pg_backend_pid()`);
    await a.db.query(`update sessions set revoked_at = now() where user_id = '${DEMO_IDS.users.bob}' and revoked_at is null`);
    expect(await eventually(async () => (await meOnB(token)).status === 401)).toBe(true);
  });
});
