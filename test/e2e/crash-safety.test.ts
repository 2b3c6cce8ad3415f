import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { call } from '../support/http';

const MAIN = join(__dirname, '..', '..', 'dist', 'main.js');
const PASSWORD = 'demo-password-2026';

/** The real process, as `npm start` runs it, on a port of its own. */
async function start(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const child = spawn(process.execPath, [MAIN], { env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: '' }, stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) return { child, url };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('server did not start');
}

function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

const DECLARATIONS = '/v1/partial-surrender/policies/pol_alice_av/compartments/cmp_alice_av_main/declarations';

async function writeThenCrash(env: Record<string, string>): Promise<void> {
  const first = await start(env);
  const login = await call(`${first.url}/v1/auth/login`, { method: 'POST', json: { email: 'alice@demo.test', password: PASSWORD } });
  const declared = await call(`${first.url}${DECLARATIONS}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${login.json.access_token}`, 'idempotency-key': 'crash-1' },
    json: { amount: { amount: 60_000, currency: 'EUR' }, reason: 'kill -9 test' },
  });
  // Acknowledged: 201. Then the process dies at once, with no chance to flush anything.
  expect(declared.status).toBe(201);
  await killHard(first.child);

  const second = await start(env);
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
      json: { amount: { amount: 60_000, currency: 'EUR' }, reason: 'kill -9 test' },
    });
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.json.id).toBe(declared.json.id);
  } finally {
    await killHard(second.child);
  }
}

// `npm test` builds dist/ first; CI must run these, a laptop running one Jest file may not have built.
const built = existsSync(MAIN) || Boolean(process.env.CI);

describe('an acknowledged surrender declaration survives kill -9 of the server', () => {
  (built ? it : it.skip)('on PGlite, in its data folder', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gw-crash-'));
    try {
      await writeThenCrash({ DATA_DIR: dataDir, DATABASE_URL: '' });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);

  (built && process.env.TEST_DATABASE_URL ? it : it.skip)('on PostgreSQL', async () => {
    const admin = new Client({ connectionString: process.env.TEST_DATABASE_URL });
    await admin.connect();
    const name = `gw_crash_${randomBytes(4).toString('hex')}`;
    await admin.query(`create database ${name}`);
    const url = new URL(process.env.TEST_DATABASE_URL!);
    url.pathname = `/${name}`;
    try {
      await writeThenCrash({ DATABASE_URL: url.toString() });
    } finally {
      await admin.query(`drop database ${name} with (force)`);
      await admin.end();
    }
  }, 120_000);
});
