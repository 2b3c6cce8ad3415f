import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { Client } from 'pg';
import { call } from '../support/http';
import { built, startMain, stop } from '../support/main-process';
import { parisToday, scaledEur } from '../support/surrender-fixtures';
import { DEMO_IDS } from '../support/ids';

const PASSWORD = 'demo-password-2026';

const DECLARATIONS = `/v1/partial-surrender/policies/${DEMO_IDS.policies.aliceAv}/compartments/${DEMO_IDS.compartments.aliceAvMain}/declarations`;

async function writeThenCrash(env: Record<string, string>): Promise<void> {
  const first = await startMain(env);
  const login = await call(`${first.url}/v1/auth/login`, { method: 'POST', json: { email: 'alice@demo.test', password: PASSWORD } });
  const declared = await call(`${first.url}${DECLARATIONS}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${login.json.access_token}`, 'idempotency-key': 'crash-1' },
    json: { amount: scaledEur(60_000), requestedAt: parisToday(), reason: 'client-request' },
  });
  // Acknowledged: 201. Then the process dies at once, with no chance to flush anything.
  expect(declared.status).toBe(201);
  await stop(first.child);

  const second = await startMain(env);
  try {
    const again = await call(`${second.url}/v1/auth/login`, { method: 'POST', json: { email: 'alice@demo.test', password: PASSWORD } });
    const auth = { authorization: `Bearer ${again.json.access_token}` };
    const read = await call(`${second.url}${DECLARATIONS}/${declared.json.id}`, { headers: auth });
    expect(read.status).toBe(200);
    expect(read.json).toEqual(declared.json);
    // The idempotency record survived too: the client's retry is answered, not applied again.
    const retry = await call(`${second.url}${DECLARATIONS}`, {
      method: 'POST',
      headers: { ...auth, 'idempotency-key': 'crash-1' },
      json: { amount: scaledEur(60_000), requestedAt: parisToday(), reason: 'client-request' },
    });
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.json.id).toBe(declared.json.id);
  } finally {
    await stop(second.child);
  }
}

// The demo compartment holds room for 23 surrenders of the product minimum: the rest are refused (422).
const KEYS = 30;
const declare = (url: string, token: string, key: string) =>
  call(`${url}${DECLARATIONS}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'idempotency-key': key },
    json: { amount: scaledEur(50_000), requestedAt: parisToday(), reason: 'client-request' },
  });

/**
 * Many keyed writes in flight, kill -9 once a few are acknowledged, restart, retry every key: each is
 * answered by the committed answer (replayed) or runs once; none is 409; every declaration in the
 * database belongs to exactly one key that got a 2xx.
 */
async function keyedWritesSurviveKill(env: Record<string, string>, declarations: () => Promise<string[]>): Promise<void> {
  const run = randomBytes(4).toString('hex');
  const keys = Array.from({ length: KEYS }, (_, i) => `kill-${run}-${i}`);
  const first = await startMain(env);
  const login = await call(`${first.url}/v1/auth/login`, { method: 'POST', json: { email: 'alice@demo.test', password: PASSWORD } });
  const acknowledged = new Map<string, string>();
  const killedOnce = new Promise<void>((resolve) => {
    const inFlight = keys.map((key) =>
      declare(first.url, login.json.access_token, key).then(
        (answer) => {
          if (answer.status === 201) acknowledged.set(key, answer.json.id);
          // Mid-flight: the others are still running (or queued) when the process dies.
          if (acknowledged.size === 3) resolve();
        },
        () => undefined,
      ),
    );
    void Promise.all(inFlight).then(() => resolve());
  });
  await killedOnce;
  await stop(first.child);
  expect(acknowledged.size).toBeGreaterThanOrEqual(3);

  const second = await startMain(env);
  const answers = new Map<string, { status: number; replayed: boolean; id?: string }>();
  try {
    const again = await call(`${second.url}/v1/auth/login`, { method: 'POST', json: { email: 'alice@demo.test', password: PASSWORD } });
    for (const key of keys) {
      const retry = await declare(second.url, again.json.access_token, key);
      answers.set(key, { status: retry.status, replayed: retry.headers.get('idempotent-replayed') === 'true', id: retry.json?.id });
    }
  } finally {
    await stop(second.child);
  }
  const statuses = [...answers.values()].map((a) => a.status);
  expect(statuses).not.toContain(409);
  expect(statuses.filter((status) => status >= 500)).toEqual([]);
  // An acknowledged write is replayed with its own answer, never run again.
  for (const [key, id] of acknowledged) expect(answers.get(key)).toEqual({ status: 201, replayed: true, id });
  const created = [...answers.entries()].filter(([, a]) => a.status === 201);
  expect(created.length).toBeGreaterThanOrEqual(acknowledged.size);
  // One declaration per key that got a 2xx, and no other: nothing ran twice, nothing was lost.
  expect((await declarations()).sort()).toEqual(created.map(([, a]) => a.id!).sort());
}

/** A PostgreSQL database of its own (the process under test runs migrations and demo data in it), dropped after. */
async function withScratchDatabase(work: (url: string) => Promise<void>): Promise<void> {
  const admin = new Client({ connectionString: process.env.TEST_DATABASE_URL });
  await admin.connect();
  const name = `gw_crash_${randomBytes(4).toString('hex')}`;
  await admin.query(`create database ${name}`);
  const url = new URL(process.env.TEST_DATABASE_URL!);
  url.pathname = `/${name}`;
  try {
    await work(url.toString());
  } finally {
    await admin.query(`drop database ${name} with (force)`);
    await admin.end();
  }
}

describe('an acknowledged surrender declaration survives kill -9 of the server', () => {
  (built ? it : it.skip)('on PGlite, in its data folder', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gw-crash-'));
    try {
      await writeThenCrash({ DATA_DIR: dataDir, DATABASE_URL: '' });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 240_000);

  (built && process.env.TEST_DATABASE_URL ? it : it.skip)('on PostgreSQL', () => withScratchDatabase((url) => writeThenCrash({ DATABASE_URL: url })), 240_000);
});

describe('keyed writes in flight at kill -9: every retry replays the committed answer or runs once, none is 409', () => {
  const partialIds = 'select id from surrender_declarations where kind = $1';
  (built ? it : it.skip)('on PGlite, in its data folder', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gw-crash-keys-'));
    try {
      await keyedWritesSurviveKill({ DATA_DIR: dataDir, DATABASE_URL: '' }, async () => {
        const pg = new PGlite(dataDir);
        try {
          return (await pg.query<{ id: string }>(partialIds, ['partial'])).rows.map((r) => r.id);
        } finally {
          await pg.close();
        }
      });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 300_000);

  (built && process.env.TEST_DATABASE_URL ? it : it.skip)('on PostgreSQL', () =>
    withScratchDatabase((url) =>
      keyedWritesSurviveKill({ DATABASE_URL: url }, async () => {
        const client = new Client({ connectionString: url });
        await client.connect();
        try {
          return (await client.query<{ id: string }>(partialIds, ['partial'])).rows.map((r) => r.id);
        } finally {
          await client.end();
        }
      }),
    ), 300_000);
});
