import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const DIST = join(__dirname, '..', '..', 'dist');
export const MAIN = join(DIST, 'main.js');

// `npm test` builds dist/ first; CI must run these, a laptop running one Jest file may not have built.
export const built = existsSync(MAIN) || Boolean(process.env.CI);

/** A port the system just handed out and took back: free unless someone grabs it in the meantime. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/**
 * The real process, as `npm start` runs it, on a port of its own; fails with its stderr if it exits.
 * Another test's server may take the port between the probe and the start: then it tries another one.
 */
export async function startMain(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(env, await freePort());
    } catch (error) {
      if (attempt >= 3 || !String(error).includes('already in use')) throw error;
    }
  }
}

async function startOnce(env: Record<string, string>, port: number): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [MAIN], { env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: '' }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  // A loaded machine (two cores, several Jest workers) may take a while to migrate and seed PGlite.
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) return { child, url };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`server did not start: ${stderr.trim() || 'no output'}`);
}

/** Stops a process with `signal` and waits for its exit. */
export function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/** Runs a compiled script (`dist/<path>`) to its end: exit code and output. */
export function runScript(path: string, env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(DIST, path)], { env: { ...process.env, ...env, NODE_ENV: '' }, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
