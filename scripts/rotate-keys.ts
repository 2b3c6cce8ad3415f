/**
 * Rotates the JWT signing key: `npm run rotate-keys` (reads DATABASE_URL / DATA_DIR like the service).
 * The new key signs from now on, on every replica within a minute; tokens signed by the previous key
 * keep verifying until they expire. On PGlite the data folder belongs to one process: while a server
 * holds it, a rotation written beside it would be lost, so the script refuses instead.
 */
import { ConfigError, loadConfig } from '../config';
import { KeyRing } from '../domain/auth/key-ring';
import { systemClock } from '../domain/shared/clock';
import { DataDirInUseError } from '../store/data-dir-lock';
import { openDatabase } from '../store/open';
import { SigningKeyStore } from '../store/signing-key-store';

async function rotate(): Promise<void> {
  const config = loadConfig();
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const keys = new KeyRing(new SigningKeyStore(db), systemClock, { issuer: config.issuer, audience: config.audience, maxTokenSeconds: config.accessTokenTtl });
    await keys.init();
    const kid = await keys.rotate();
    process.stdout.write(`new signing key ${kid}; previous keys verify until their tokens expire\n`);
  } finally {
    await db.close();
  }
}

function failure(error: unknown): string {
  if (error instanceof ConfigError) return `configuration error: ${error.message}`;
  if (error instanceof DataDirInUseError) {
    return `rotation refused: DATA_DIR ${error.dataDir} is held by a running server (process ${error.pid}): stop the server, or use PostgreSQL (DATABASE_URL)`;
  }
  return `rotation failed: ${error instanceof Error ? error.message : String(error)}`;
}

rotate().catch((error: unknown) => {
  process.stderr.write(`${failure(error)}\n`);
  process.exit(1);
});
