/**
 * Child-process plumbing for the benchmark: free ports, spawning servers, waiting for them to be
 * ready, and stopping them for sure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/** Ask the OS for a free port on loopback. The tiny race until the child binds it is acceptable for a bench. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => (port > 0 ? resolve(port) : reject(new Error('could not read the probe port'))));
    });
  });
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

/** Output kept per child: enough to show why a server died, small enough to never matter. */
const OUTPUT_TAIL_BYTES = 64 * 1024;

export class Child {
  /** `performance.now()` just before spawn: the zero of the cold-start measurement. */
  readonly spawnedAt: number;
  private readonly process: ChildProcess;
  private readonly exited: Promise<Exit>;
  private exit: Exit | undefined;
  private tail: Buffer[] = [];
  private tailBytes = 0;

  constructor(
    readonly name: string,
    command: readonly string[],
    env: NodeJS.ProcessEnv,
    cwd: string,
  ) {
    const [file, ...args] = command;
    if (file === undefined) throw new Error(`${name}: empty command`);
    this.spawnedAt = performance.now();
    // Output is piped, not inherited: our stdout must carry only the JSON report, and a server
    // that logs every request must not be slowed down by a terminal. BENCH_VERBOSE=1 echoes it.
    this.process = spawn(file, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const verbose = process.env.BENCH_VERBOSE === '1';
    for (const stream of [this.process.stdout, this.process.stderr]) {
      stream?.on('data', (chunk: Buffer) => {
        this.remember(chunk);
        if (verbose) process.stderr.write(chunk);
      });
    }
    this.exited = new Promise<Exit>((resolve) => {
      // 'error' covers a command that cannot be spawned at all (ENOENT); no 'exit' follows it then.
      this.process.once('error', (error) => resolve({ code: null, signal: null, error }));
      this.process.once('exit', (code, signal) => resolve({ code, signal }));
    }).then((exit) => (this.exit = exit));
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  /** Last lines the child printed, for error messages. */
  output(): string {
    return Buffer.concat(this.tail).toString('utf8').trimEnd();
  }

  describeExit(): string {
    const exit = this.exit;
    if (exit === undefined) return `${this.name} is still running`;
    if (exit.error !== undefined) return `${this.name} could not start: ${exit.error.message}`;
    return `${this.name} exited (${exit.signal ?? `code ${String(exit.code)}`})`;
  }

  get hasExited(): boolean {
    return this.exit !== undefined;
  }

  /**
   * Poll `url` until it answers `status`; returns ms since spawn. Fails fast if the child dies,
   * since waiting out the timeout would only hide the reason.
   */
  async waitForStatus(url: string, status: number, timeoutMs: number): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    let last = 'no answer yet';
    while (performance.now() < deadline) {
      if (this.hasExited) throw new Error(`${this.describeExit()} before ${url} answered ${status}`);
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
        await res.arrayBuffer(); // drain so the socket goes back to the pool
        if (res.status === status) return performance.now() - this.spawnedAt;
        last = `last answer ${res.status}`;
      } catch (err) {
        last = err instanceof Error ? `last error: ${errorText(err)}` : 'last error: unknown';
      }
      // Short interval: the polling period is the resolution of the cold-start figure.
      await sleep(25);
    }
    throw new Error(`${this.name}: ${url} did not answer ${status} within ${timeoutMs} ms (${last})`);
  }

  /** SIGTERM, then SIGKILL if the child has not exited after `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.hasExited || this.process.pid === undefined) return;
    this.process.kill('SIGTERM');
    // Unref'd so a child that exits promptly does not keep us alive for the rest of the grace period.
    const timer = sleep(graceMs, 'timeout' as const, { ref: false });
    if ((await Promise.race([this.exited, timer])) === 'timeout') {
      this.process.kill('SIGKILL');
      await this.exited;
    }
  }

  /** Synchronous last resort for `process.on('exit')`, where nothing can be awaited. */
  killNow(): void {
    if (!this.hasExited && this.process.pid !== undefined) this.process.kill('SIGKILL');
  }

  private remember(chunk: Buffer): void {
    this.tail.push(chunk);
    this.tailBytes += chunk.length;
    while (this.tailBytes > OUTPUT_TAIL_BYTES && this.tail.length > 1) {
      this.tailBytes -= this.tail.shift()?.length ?? 0;
    }
  }
}

/** fetch() hides the useful part (ECONNREFUSED…) in `cause`. */
function errorText(err: Error): string {
  const cause: unknown = err.cause;
  return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
}
