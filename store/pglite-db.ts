import { PGlite } from '@electric-sql/pglite';
import type { Db, Queryable } from './db';
import { withUnitOfWork } from './unit-of-work';

/** Embedded PostgreSQL: `dataDir` on disk, or in memory when undefined (tests). */
export async function openPgliteDb(dataDir: string | undefined): Promise<Db> {
  const pg = dataDir ? new PGlite(dataDir) : new PGlite();
  await pg.waitReady;
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
    close: () => pg.close(),
  };
}
