import { Client, Pool, types } from 'pg';
import type { Db, Queryable } from './db';
import { concurrencyConflict } from './errors';
import { withUnitOfWork } from './unit-of-work';
import { collectWakeUps, sendWakeUps } from './wake-ups';

// bigint (int8) and numeric come back as strings by default; our int8 columns hold counters and minor
// units far below 2^53, so numbers are the honest type (PGlite returns numbers too).
types.setTypeParser(20, (value) => Number(value));

/** Names given to statement texts: `s1`, `s2`… in the order first seen, the same on every connection. */
const statementNames = new Map<string, string>();
/** Our statements are a few hundred texts; past this, a new text goes unnamed rather than fill every connection. */
const MAX_NAMED_STATEMENTS = 2_000;

/**
 * A statement with parameters goes as a named prepared statement, so each connection parses and plans it
 * once instead of on every run: a policy read went from about 4,500 to 12,000 a second on a 2-core
 * machine. Without parameters it goes as a simple query (several statements, DDL, begin and commit).
 */
function statement(text: string, params: readonly unknown[] | undefined): { text: string; values?: unknown[]; name?: string } {
  if (params === undefined) return { text };
  let name = statementNames.get(text);
  if (name === undefined && statementNames.size < MAX_NAMED_STATEMENTS) statementNames.set(text, (name = `s${statementNames.size + 1}`));
  return name === undefined ? { text, values: params as unknown[] } : { text, values: params as unknown[], name };
}

/** A PostgreSQL server through a pool. `searchPath` isolates a schema (tests run one per file). */
export async function openPgDb(connectionString: string, options: { searchPath?: string; max?: number } = {}): Promise<Db> {
  const pool = new Pool({
    connectionString,
    max: options.max ?? 10,
    options: options.searchPath ? `-c search_path=${options.searchPath}` : undefined,
  });
  // An idle client that loses its server must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  await pool.query('select 1');
  const listeners = new Set<Client>();
  let closing = false;
  const retries = new Set<NodeJS.Timeout>();
  const ambient = withUnitOfWork({
    query: async (sql, params) => (await pool.query(statement(sql, params))).rows,
    async transaction(work) {
      const client = await pool.connect();
      const scoped: Queryable = { query: async (sql, params) => (await client.query(statement(sql, params))).rows };
      let committed = false;
      const { result, collected } = collectWakeUps(async () => {
        await client.query('begin');
        const value = await work(scoped);
        // COMMIT of a transaction a failed statement aborted answers ROLLBACK, without an error: a
        // caller that swallowed the failure must not report a write that did not happen.
        const commit = await client.query('commit');
        if (commit.command === 'ROLLBACK') throw new Error('transaction aborted by an earlier failed statement: rolled back');
        committed = true;
        return value;
      });
      try {
        return await result;
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        throw concurrencyConflict(error);
      } finally {
        // The wake-ups it asked for (store/wake-ups.ts), once committed; a failure here loses none of the work.
        await sendWakeUps(scoped, collected, committed).catch(() => undefined);
        client.release();
      }
    },
  });
  return {
    dialect: 'postgres',
    ...ambient,
    async listen(channel, onMessage, onGap) {
      // LISTEN needs a connection of its own for the process's lifetime; a pooled one would be reused.
      // When it drops, notifications sent meanwhile are lost: reconnect, then tell the listener (onGap).
      const connect = async (): Promise<void> => {
        const client = new Client({ connectionString, options: options.searchPath ? `-c search_path=${options.searchPath}` : undefined });
        client.on('notification', (message) => {
          if (message.channel === channel) onMessage(message.payload ?? '');
        });
        client.on('error', () => undefined);
        client.once('end', () => {
          listeners.delete(client);
          if (closing) return;
          onGap?.();
          // A pending retry must not outlive close(): it would open a connection nobody ends.
          const later = () => {
            const timer = setTimeout(() => {
              retries.delete(timer);
              if (!closing) connect().then(() => onGap?.(), later);
            }, 1_000).unref();
            retries.add(timer);
          };
          later();
        });
        await client.connect();
        await client.query(`listen "${channel.replace(/"/g, '')}"`);
        listeners.add(client);
      };
      await connect();
    },
    async close() {
      closing = true;
      for (const timer of retries) clearTimeout(timer);
      retries.clear();
      await Promise.all([...listeners].map((client) => client.end().catch(() => undefined)));
      await pool.end();
    },
  };
}
