import { PGlite } from '@electric-sql/pglite';
import type { Db, Queryable } from './db';
import { lockDataDir } from './data-dir-lock';
import { withUnitOfWork } from './unit-of-work';

/** Embedded PostgreSQL: `dataDir` on disk, or in memory when undefined (tests). */
export async function openPgliteDb(dataDir: string | undefined): Promise<Db> {
  // One process per data folder: a second one (a server, `npm run rotate-keys`) is refused at once.
  const lock = dataDir ? lockDataDir(dataDir) : undefined;
  const pg = dataDir ? new PGlite(dataDir) : new PGlite();
  try {
    await pg.waitReady;
  } catch (error) {
    lock?.release();
    throw error;
  }
  const query = async <Row>(runner: Pick<PGlite, 'query'>, sql: string, params?: readonly unknown[]) =>
    (await runner.query<Row>(sql, params as unknown[] | undefined)).rows;
  return {
    dialect: 'pglite',
    // Inside a unit of work everything must go through its transaction: PGlite has one connection, and
    // a query beside the open transaction would wait for it to end, which never comes.
    ...withUnitOfWork({
      query: (sql, params) => query(pg, sql, params),
      transaction: (work) =>
        pg.transaction((tx) => {
          const scoped: Queryable = { query: (sql, params) => query(tx, sql, params) };
          return work(scoped);
        }),
    }),
    async listen(channel, onMessage) {
      await pg.listen(channel, onMessage);
    },
    async close() {
      try {
        await pg.close();
      } finally {
        lock?.release();
      }
    },
  };
}
