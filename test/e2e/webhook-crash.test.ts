import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { Db } from '../../store/db';
import { migrate } from '../../store/migrate';
import { openPgDb } from '../../store/pg-db';
import { openPgliteDb } from '../../store/pglite-db';
import { built, startMain, stop } from '../support/main-process';
import { insertEndpoint, publishEvent, Receiver } from '../support/webhook-fixtures';

const ENDPOINTS = 3;
const EVENTS = 4;
/** Lease = timeout + 5 s: the interrupted deliveries come back about 7 s after they were claimed. */
const ENV = { WEBHOOK_TIMEOUT_MS: '2000', WEBHOOK_RETRY_BASE_MS: '50', OUTBOX_POLL_MS: '100' };

/** Endpoints on one receiver (one path each) and events for all of them, pending, written before the server starts. */
async function writePending(db: Db, receiver: Receiver): Promise<{ eventIds: string[] }> {
  await migrate(db);
  const endpoints: string[] = [];
  for (let i = 0; i < ENDPOINTS; i++) endpoints.push((await insertEndpoint(db, { url: `${receiver.url}/${i}`, at: new Date() })).id);
  const eventIds: string[] = [];
  for (let i = 0; i < EVENTS; i++) eventIds.push((await publishEvent(db, { at: new Date(), endpoints })).eventId);
  return { eventIds };
}

/**
 * The receiver hangs, so the first server holds one leased attempt per endpoint when it is killed (-9),
 * the rest pending. A second server on the same database sends every delivery: the untouched ones at
 * once, the interrupted ones when their lease expires. At least once: those reach the receiver twice.
 */
async function pendingSurviveKill(env: Record<string, string>, open: () => Promise<Db>): Promise<void> {
  const receiver = await Receiver.start();
  try {
    receiver.behaviour = () => 'hang';
    const setup = await open();
    const { eventIds } = await writePending(setup, receiver);
    await setup.close();

    const first = await startMain({ ...env, ...ENV });
    await receiver.waitFor(ENDPOINTS, 60_000);
    await stop(first.child);
    expect(receiver.received).toHaveLength(ENDPOINTS);

    receiver.behaviour = () => 200;
    const second = await startMain({ ...env, ...ENV });
    try {
      await receiver.waitFor(ENDPOINTS + ENDPOINTS * EVENTS, 60_000);
    } finally {
      await stop(second.child, 'SIGTERM');
    }
    const answered = receiver.received.slice(ENDPOINTS);
    const pairs = new Set(answered.map((r) => `${r.headers['webhook-id']} ${r.path}`));
    expect(pairs.size).toBe(ENDPOINTS * EVENTS);
    expect(new Set(answered.map((r) => r.headers['webhook-id']))).toEqual(new Set(eventIds));

    const check = await open();
    try {
      const rows = await check.query<{ status: string; n: string }>('select status, count(*) as n from webhook_deliveries group by status');
      expect(rows.map((row) => ({ status: row.status, n: Number(row.n) }))).toEqual([{ status: 'succeeded', n: ENDPOINTS * EVENTS }]);
    } finally {
      await check.close();
    }
  } finally {
    await receiver.close();
  }
}

describe('pending webhook deliveries survive kill -9 of the server', () => {
  (built ? it : it.skip)('on PGlite, in its data folder', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gw-webhook-crash-'));
    try {
      await pendingSurviveKill({ DATA_DIR: dataDir, DATABASE_URL: '' }, () => openPgliteDb(dataDir));
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 240_000);

  (built && process.env.TEST_DATABASE_URL ? it : it.skip)('on PostgreSQL', async () => {
    const admin = new Client({ connectionString: process.env.TEST_DATABASE_URL });
    await admin.connect();
    const name = `gw_webhook_crash_${randomBytes(4).toString('hex')}`;
    await admin.query(`create database ${name}`);
    const url = new URL(process.env.TEST_DATABASE_URL!);
    url.pathname = `/${name}`;
    try {
      await pendingSurviveKill({ DATABASE_URL: url.toString() }, () => openPgDb(url.toString()));
    } finally {
      await admin.query(`drop database ${name} with (force)`);
      await admin.end();
    }
  }, 240_000);
});
