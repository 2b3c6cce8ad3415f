import { AppError } from '../../errors/app-error';
import type { Db } from '../../store/db';
import { conflictOnUnique } from '../../store/errors';
import { EACH_DATABASE } from '../support/databases';

// Database errors that mean a business conflict become one in the store: the domain sees a 409, never a SQLSTATE.
describe.each(EACH_DATABASE)('store conflicts on %s', (name, database) => {
  let db: Db;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    ({ db, drop } = await database.open());
    await db.query('create table conflict_notes (note text primary key, size int not null)');
  });
  beforeEach(() => db.query('delete from conflict_notes'));
  afterAll(() => drop());

  it('a unique violation becomes the conflict it stands for, and the transaction is undone', async () => {
    await db.query(`insert into conflict_notes values ('taken', 1)`);
    const attempt = db.transaction(async (tx) => {
      await tx.query(`insert into conflict_notes values ('fresh', 1)`);
      await conflictOnUnique(tx.query(`insert into conflict_notes values ('taken', 2)`), 'NOTE_ALREADY_TAKEN', { field: 'note' });
    });
    await expect(attempt).rejects.toBeInstanceOf(AppError);
    await expect(attempt).rejects.toMatchObject({ code: 'conflict', reason: 'NOTE_ALREADY_TAKEN', extra: { field: 'note' } });
    expect(await db.query('select note from conflict_notes order by note')).toEqual([{ note: 'taken' }]);
  });

  it('any other database error goes through as it is: a fault, not a conflict', async () => {
    const attempt = conflictOnUnique(db.query(`insert into conflict_notes values ('no size', null)`), 'NOTE_ALREADY_TAKEN');
    await expect(attempt).rejects.not.toBeInstanceOf(AppError);
    await expect(attempt).rejects.toMatchObject({ code: '23502' });
  });

  (name === 'postgres' ? it : it.skip)('a transaction that loses a serialization race is a conflict the client may retry', async () => {
    // Write skew under SERIALIZABLE: both read the empty table, both insert; PostgreSQL fails one of them.
    let bothRead!: () => void;
    const read = new Promise<void>((resolve) => (bothRead = resolve));
    let readers = 0;
    const racer = (note: string) =>
      db.transaction(async (tx) => {
        await tx.query('set transaction isolation level serializable');
        await tx.query('select count(*) from conflict_notes');
        if (++readers === 2) bothRead();
        await read;
        await tx.query('insert into conflict_notes values ($1, 1)', [note]);
      });
    const outcomes = await Promise.allSettled([racer('left'), racer('right')]);
    const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(failed).toHaveLength(1);
    expect(failed[0].reason).toBeInstanceOf(AppError);
    expect(failed[0].reason).toMatchObject({ code: 'conflict', reason: 'CHANGED_CONCURRENTLY' });
  });
});
