import type { Db, Queryable } from '../../store/db';

/** Counts the statements an app sends to a real database (the statements still run). */
export class QueryCounter {
  count = 0;
  /** The statements counted, in order (a failed count shows them). */
  statements: string[] = [];

  wrap = (db: Db): Db => {
    const counted = (runner: Queryable): Queryable => ({
      query: (sql, params) => {
        this.count += 1;
        this.statements.push(sql.replace(/\s+/g, ' ').slice(0, 120));
        return runner.query(sql, params);
      },
    });
    return {
      dialect: db.dialect,
      query: counted(db).query,
      transaction: (work) => db.transaction((tx) => work(counted(tx))),
      unitOfWork: (work) => db.unitOfWork((tx) => work(counted(tx))),
      listen: (channel, onMessage, onGap) => db.listen(channel, onMessage, onGap),
      close: () => db.close(),
    };
  };
}
