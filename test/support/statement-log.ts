import type { Db, Queryable } from '../../store/db';
import { withUnitOfWork } from '../../store/unit-of-work';

const squeeze = (sql: string) => sql.replace(/\s+/g, ' ').replace(/\( /g, '(').trim();

/**
 * Records the statements an app sends to a real database (the statements still run): each
 * transaction's in order, from BEGIN to COMMIT, including what QueryCounter cannot see, the SAVEPOINTs a
 * unit of work adds around the transactions and queries that join it (the unit of work is rebuilt over
 * the recorded database, so its savepoints go through the recorder too). Statements outside any
 * transaction are kept apart (`outside`): the app's background work (pollers, renderers) sends them at
 * any time.
 */
export class StatementLog {
  /** Each transaction's statements, whitespace squeezed, oldest transaction first. */
  transactions: string[][] = [];
  /** Statements sent on their own, outside any transaction, oldest first. */
  outside: string[] = [];

  /** The one transaction that sent a statement starting with `start`, since the last `clear`. */
  transactionWith(start: string): string[] {
    const found = this.transactions.filter((statements) => statements.some((sql) => sql.startsWith(start)));
    if (found.length !== 1) throw new Error(`${found.length} transactions sent "${start}..."`);
    return found[0];
  }

  clear(): void {
    this.transactions = [];
    this.outside = [];
  }

  wrap = (db: Db): Db => {
    const ambient = withUnitOfWork({
      query: (sql, params) => {
        this.outside.push(squeeze(sql));
        return db.query(sql, params);
      },
      transaction: (work) =>
        db.transaction(async (tx) => {
          const statements = ['begin'];
          this.transactions.push(statements);
          const recorded: Queryable = {
            query: (sql, params) => {
              statements.push(squeeze(sql));
              return tx.query(sql, params);
            },
          };
          const result = await work(recorded);
          statements.push('commit');
          return result;
        }),
    });
    return { dialect: db.dialect, ...ambient, listen: (channel, onMessage, onGap) => db.listen(channel, onMessage, onGap), close: () => db.close() };
  };
}

export { squeeze };
