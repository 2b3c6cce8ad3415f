import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { Db } from '../../store/db';
import { migrate } from '../../store/migrate';
import { openPgDb } from '../../store/pg-db';
import { openPgliteDb } from '../../store/pglite-db';

export interface TestDatabase {
  name: 'pglite' | 'postgres';
  /** A fresh, migrated database; on PostgreSQL a schema of its own, dropped by `drop`. */
  open(): Promise<{ db: Db; drop(): Promise<void> }>;
}

const pglite: TestDatabase = {
  name: 'pglite',
  async open() {
    const db = await openPgliteDb(undefined);
    await migrate(db);
    return { db, drop: () => db.close() };
  },
};

const postgres = (url: string): TestDatabase => ({
  name: 'postgres',
  async open() {
    // One schema per test file keeps parallel Jest workers apart on one database.
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const admin = new Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    await admin.end();
    const db = await openPgDb(url, { searchPath: schema, max: 30 });
    await migrate(db);
    return {
      db,
      async drop() {
        await db.close();
        const cleanup = new Client({ connectionString: url });
        await cleanup.connect();
        await cleanup.query(`drop schema ${schema} cascade`);
        await cleanup.end();
      },
    };
  },
});

/** PGlite always; PostgreSQL too when TEST_DATABASE_URL is set (CI sets it). */
export const DATABASES: TestDatabase[] = [pglite, ...(process.env.TEST_DATABASE_URL ? [postgres(process.env.TEST_DATABASE_URL)] : [])];

/** `describe.each` rows: [name, database]. */
export const EACH_DATABASE = DATABASES.map((d) => [d.name, d] as const);
