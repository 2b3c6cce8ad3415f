import type { Db } from './db';
import { openPgDb } from './pg-db';
import { openPgliteDb } from './pglite-db';
import { migrate } from './migrate';

/** Opens the configured database and brings its schema up to date. */
export async function openDatabase(options: { databaseUrl?: string; dataDir?: string }): Promise<Db> {
  const db = options.databaseUrl ? await openPgDb(options.databaseUrl) : await openPgliteDb(options.dataDir);
  await migrate(db);
  return db;
}
