import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createApp, type App } from '../../app';
import { loadConfig } from '../../config';
import { silentLogger } from '../../http/logger';
import type { Db } from '../../store/db';
import { migrate } from '../../store/migrate';
import { openPgDb } from '../../store/pg-db';
import { insertEndpoint, publishEvent, Receiver } from '../support/webhook-fixtures';

const url = process.env.TEST_DATABASE_URL;

const ENDPOINTS = 5;
const EVENTS = 60;

/**
 * Two replicas (two apps, each with its own pool and dispatcher) on one PostgreSQL database, sending
 * one outbox. Each endpoint answers 500 to the first request for an event and 200 after, so every
 * delivery is attempted exactly twice, at two due times. The receiver's log and the attempts table
 * must agree: no attempt made twice, none lost.
 */
(url ? describe : describe.skip)('two replicas on one PostgreSQL', () => {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const dbs: Db[] = [];
  const apps: App[] = [];
  let receiver: Receiver;

  beforeAll(async () => {
    const admin = new Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    await admin.end();
    for (let i = 0; i < 2; i++) dbs.push(await openPgDb(url!, { searchPath: schema, max: 10 }));
    await migrate(dbs[0]);
    const config = loadConfig({ PORT: '0', WEBHOOK_TIMEOUT_MS: '2000', WEBHOOK_RETRY_BASE_MS: '20', WEBHOOK_MAX_ATTEMPTS: '5', OUTBOX_POLL_MS: '20', OUTBOX_CONCURRENCY: '3' });
    for (const db of dbs) apps.push(await createApp({ config, db, logger: silentLogger }));
    receiver = await Receiver.start();
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await receiver?.close();
    for (const db of dbs) await db.close();
    const cleanup = new Client({ connectionString: url });
    await cleanup.connect();
    await cleanup.query(`drop schema ${schema} cascade`);
    await cleanup.end();
  });

  it('attempts each delivery once per due time, and the attempts table matches what the receiver got', async () => {
    const firstSeen = new Set<string>();
    const endpoints: string[] = [];
    for (let i = 0; i < ENDPOINTS; i++) {
      const endpoint = await insertEndpoint(dbs[0], { url: `${receiver.url}/${i}`, at: new Date() });
      endpoints.push(endpoint.id);
    }
    // The path tells the endpoint; the first request of an (event, endpoint) pair fails.
    receiver.behaviour = (_n, request) => {
      const key = `${request.headers['webhook-id']} ${request.path}`;
      if (firstSeen.has(key)) return 200;
      firstSeen.add(key);
      return 500;
    };
    for (const app of apps) await app.listen(0, '127.0.0.1');

    // Watch which replicas hold leases while the work goes on.
    const owners = new Set<string>();
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        for (const row of await dbs[1].query<{ lease_owner: string }>('select distinct lease_owner from webhook_deliveries where lease_owner is not null')) owners.add(row.lease_owner);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    for (let i = 0; i < EVENTS; i++) await publishEvent(dbs[i % 2], { at: new Date(), endpoints });
    await receiver.waitFor(2 * ENDPOINTS * EVENTS, 60_000);
    // Let any stray duplicate arrive before counting.
    await new Promise((resolve) => setTimeout(resolve, 300));
    watching = false;
    await watcher;

    expect(receiver.received).toHaveLength(2 * ENDPOINTS * EVENTS);
    const perPair = new Map<string, number>();
    for (const request of receiver.received) {
      const key = `${request.headers['webhook-id']} ${request.path}`;
      perPair.set(key, (perPair.get(key) ?? 0) + 1);
    }
    expect(perPair.size).toBe(ENDPOINTS * EVENTS);
    expect(new Set(perPair.values())).toEqual(new Set([2]));

    const statuses = await dbs[0].query<{ status: string; attempts: number; n: string }>('select status, attempts, count(*) as n from webhook_deliveries group by status, attempts');
    expect(statuses.map((row) => ({ ...row, n: Number(row.n) }))).toEqual([{ status: 'succeeded', attempts: 2, n: ENDPOINTS * EVENTS }]);
    const attempts = await dbs[0].query<{ attempt: number; status_code: number; n: string }>(
      'select attempt, status_code, count(*) as n from webhook_delivery_attempts group by attempt, status_code order by attempt',
    );
    expect(attempts.map((row) => ({ ...row, n: Number(row.n) }))).toEqual([
      { attempt: 1, status_code: 500, n: ENDPOINTS * EVENTS },
      { attempt: 2, status_code: 200, n: ENDPOINTS * EVENTS },
    ]);
    // Both replicas did some of the work.
    expect(new Set([...owners].map((owner) => apps.findIndex((app) => app.outbox.owner === owner)))).toEqual(new Set([0, 1]));
  }, 120_000);
});
