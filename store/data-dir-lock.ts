import { mkdirSync, openSync, readFileSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';

/** The file a process holding a PGlite data folder writes in it, with its pid. */
export const LOCK_FILE = 'gateway.pid';

/** Another live process holds the data folder (a server, or a rotate-keys run). */
export class DataDirInUseError extends Error {
  override name = 'DataDirInUseError';
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(`${dataDir} is in use by process ${pid}`);
  }
}

function alive(pid: number): boolean {
  // Our own pid in the file can only be left by a dead process that had it (a container restarted).
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function holder(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes the data folder for this process: PGlite is one process's embedded database, and a second
 * process opening the same folder would lose its writes (or corrupt the first's). The lock is a file
 * holding our pid, created exclusively; a file left by a process that died (kill -9) is taken over.
 * `release` removes it; so does the process's exit.
 */
export function lockDataDir(dataDir: string): { release(): void } {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_FILE);
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
      const pid = holder(path);
      if (pid !== undefined && alive(pid)) throw new DataDirInUseError(dataDir, pid);
      unlinkSync(path);
    }
  }
  const release = () => {
    process.off('exit', release);
    if (holder(path) !== process.pid) return;
    try {
      unlinkSync(path);
    } catch {
      // Already gone: nothing to release.
    }
  };
  process.on('exit', release);
  return { release };
}
