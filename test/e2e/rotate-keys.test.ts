import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { built, runScript, startMain, stop } from '../support/main-process';

const kids = async (url: string): Promise<string[]> => ((await (await fetch(`${url}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid).sort();

describe('npm run rotate-keys on a PGlite data folder', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'gw-rotate-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));
  const env = () => ({ DATA_DIR: dataDir, DATABASE_URL: '' });

  (built ? it : it.skip)('refuses in one line while a server holds the folder, and rotates once it is stopped', async () => {
    const server = await startMain(env());
    let before: string[];
    try {
      before = await kids(server.url);
      expect(before).toHaveLength(1);
      const refused = runScript('scripts/rotate-keys.js', env());
      expect(refused.status).not.toBe(0);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toMatch(/^rotation refused: DATA_DIR .* is held by a running server \(process \d+\): stop the server, or use PostgreSQL/);
      expect(refused.stderr.trim().split('\n')).toHaveLength(1);
      // Nothing changed behind the server's back.
      expect(await kids(server.url)).toEqual(before);
    } finally {
      await stop(server.child, 'SIGTERM');
    }
    // A clean stop releases the folder.
    expect(existsSync(join(dataDir, 'gateway.pid'))).toBe(false);

    const rotated = runScript('scripts/rotate-keys.js', env());
    expect(rotated.stderr).toBe('');
    expect(rotated.status).toBe(0);
    const kid = /new signing key (\S+);/.exec(rotated.stdout)?.[1];
    expect(kid).toBeDefined();
    const again = await startMain(env());
    try {
      // The rotation is there: the new key and the retired one (its tokens may still be live).
      expect(await kids(again.url)).toEqual([...before, kid!].sort());
    } finally {
      await stop(again.child, 'SIGTERM');
    }
  }, 240_000);

  (built ? it : it.skip)('a second server on a held folder stops at start-up naming DATA_DIR; a folder left by kill -9 is taken over', async () => {
    const first = await startMain(env());
    try {
      const second = runScript('main.js', { ...env(), PORT: '0' });
      expect(second.status).toBe(1);
      expect(second.stderr).toMatch(/^configuration error: DATA_DIR: .* is in use by another process \(\d+\)/);
    } finally {
      await stop(first.child);
    }
    // Killed: the pid file stays, naming a dead process; the next start takes the folder over.
    expect(existsSync(join(dataDir, 'gateway.pid'))).toBe(true);
    const next = await startMain(env());
    await stop(next.child, 'SIGTERM');
  }, 240_000);
});
