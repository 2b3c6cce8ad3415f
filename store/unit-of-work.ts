import { AsyncLocalStorage } from 'node:async_hooks';
import type { Db, Queryable } from './db';

type Base = Pick<Db, 'query' | 'transaction'>;
type Ambient = Pick<Db, 'query' | 'transaction' | 'unitOfWork'>;

/** Runs callers one after another: savepoints on one connection must nest, never interleave. */
class Turns {
  private tail: Promise<unknown> = Promise.resolve();

  take<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work);
    this.tail = run.catch(() => undefined);
    return run;
  }
}

interface Unit {
  tx: Queryable;
  /** False once the transaction has ended: work it started and left running then goes to the pool. */
  open: boolean;
  savepoints: number;
  /**
   * A statement failed since the last rollback to a savepoint: the database has aborted the transaction
   * then, so work that swallowed the failure must not succeed. (A RELEASE right after each savepoint's work
   * would tell too, at the cost of a round trip.)
   */
  failed: boolean;
}

/** The unit's transaction, noting each failed statement on the unit. */
function watched(unit: Unit, tx: Queryable): Queryable {
  return {
    query: <Row>(sql: string, params?: readonly unknown[]) =>
      tx.query<Row>(sql, params).catch((error: unknown) => {
        unit.failed = true;
        throw error;
      }),
  };
}

/** Where the code running now stands: its unit of work, and the turns of the block it runs in. */
interface Level {
  unit: Unit;
  turns: Turns;
  /**
   * The last savepoint this block made that succeeded, not yet released: its RELEASE is sent only
   * before the block's next savepoint, so the last one before COMMIT (which releases it anyway) costs
   * no round trip, and a block making many still holds one at a time.
   */
  settled?: string;
}

/**
 * Gives a database an ambient unit of work (`Db.unitOfWork`): while one runs, `query` and `transaction`
 * called from its async context join its transaction instead of taking a connection of their own.
 * Each joins as a SAVEPOINT, rolled back to when it fails, so what it did is undone and the unit goes
 * on as if an autocommit statement or a transaction of its own had failed. PGlite has one connection
 * (a query beside the open transaction would wait for it forever); on PostgreSQL the unit must read
 * what it wrote.
 */
export function withUnitOfWork(base: Base): Ambient {
  const ambient = new AsyncLocalStorage<Level>();
  const current = (): Level | undefined => {
    const level = ambient.getStore();
    return level?.unit.open ? level : undefined;
  };

  const savepoint = <T>(level: Level, work: (tx: Queryable) => Promise<T>): Promise<T> =>
    level.turns.take(async () => {
      const { unit } = level;
      if (level.settled) await unit.tx.query(`release savepoint ${level.settled}`);
      level.settled = undefined;
      const name = `uow_${++unit.savepoints}`;
      await unit.tx.query(`savepoint ${name}`);
      try {
        // Work inside the savepoint that joins again nests deeper, taking turns among its own. What it
        // leaves settled is released with this savepoint.
        const result = await ambient.run({ unit, turns: new Turns() }, () => work(unit.tx));
        if (unit.failed) throw new Error('a statement failed inside this transaction and was ignored: rolled back');
        level.settled = name;
        return result;
      } catch (error) {
        await unit.tx.query(`rollback to savepoint ${name}`).then(() => (unit.failed = false), () => undefined);
        await unit.tx.query(`release savepoint ${name}`).catch(() => undefined);
        throw error;
      }
    });

  return {
    query<Row>(sql: string, params?: readonly unknown[]): Promise<Row[]> {
      const level = current();
      return level ? savepoint(level, (tx) => tx.query<Row>(sql, params)) : base.query<Row>(sql, params);
    },
    transaction(work) {
      const level = current();
      return level ? savepoint(level, work) : base.transaction(work);
    },
    unitOfWork(work) {
      const level = current();
      if (level) return savepoint(level, work);
      return base.transaction(async (tx) => {
        const unit: Unit = { tx, open: true, savepoints: 0, failed: false };
        unit.tx = watched(unit, tx);
        try {
          return await ambient.run({ unit, turns: new Turns() }, () => work(unit.tx));
        } finally {
          unit.open = false;
        }
      });
    },
  };
}
