/**
 * The one small interface every repository uses. Two implementations: `pglite-db.ts` (embedded,
 * in-process) and `pg-db.ts` (a PostgreSQL server through a pool). SQL is plain PostgreSQL, so
 * every repository runs unchanged on both.
 */
export interface Queryable {
  /** Runs one statement with `$1`-style parameters and returns its rows. */
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
}

export interface Db extends Queryable {
  readonly dialect: 'pglite' | 'postgres';
  /**
   * Runs `work` in one transaction: committed when it resolves, rolled back when it throws. Inside a
   * unit of work it is a SAVEPOINT of the unit's transaction instead, rolled back to when it throws.
   */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Runs `work` in one transaction that everything it calls joins: `query` and `transaction` from its
   * async context run inside it (each as a savepoint, undone alone when it fails). Committed when `work`
   * resolves, rolled back when it throws. An idempotency record and the write it answers for commit
   * together this way (http/idempotency.ts).
   */
  unitOfWork<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Calls `onMessage` for every NOTIFY on `channel` (from any process sharing the database), and `onGap`
   * when notifications may have been missed (the listening connection dropped and came back).
   */
  listen(channel: string, onMessage: (payload: string) => void, onGap?: () => void): Promise<void>;
  close(): Promise<void>;
}
