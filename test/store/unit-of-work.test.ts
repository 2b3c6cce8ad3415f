import type { Db } from '../../store/db';
import { EACH_DATABASE } from '../support/databases';
import { StatementLog } from '../support/statement-log';

describe.each(EACH_DATABASE)('unit of work on %s', (_name, database) => {
  let db: Db;
  let drop: () => Promise<void>;
  const notes = async () => (await db.query<{ note: string }>('select note from uow_notes order by note')).map((r) => r.note);
  beforeAll(async () => {
    ({ db, drop } = await database.open());
    await db.query('create table uow_notes (note text primary key)');
  });
  beforeEach(() => db.query('delete from uow_notes'));
  afterAll(() => drop());

  it('joins db.query and db.transaction into its transaction: all or nothing', async () => {
    await expect(
      db.unitOfWork(async () => {
        await db.query(`insert into uow_notes values ('query')`);
        await db.transaction((tx) => tx.query(`insert into uow_notes values ('transaction')`));
        expect(await notes()).toEqual(['query', 'transaction']);
        throw new Error('abandon');
      }),
    ).rejects.toThrow('abandon');
    expect(await notes()).toEqual([]);
  });

  it('undoes a joined transaction that throws, and goes on: the rest commits', async () => {
    await db.unitOfWork(async () => {
      await db.query(`insert into uow_notes values ('kept')`);
      await expect(
        db.transaction(async (tx) => {
          await tx.query(`insert into uow_notes values ('undone')`);
          await db.transaction((inner) => inner.query(`insert into uow_notes values ('undone too')`));
          throw new Error('refused');
        }),
      ).rejects.toThrow('refused');
    });
    expect(await notes()).toEqual(['kept']);
  });

  it('survives a failing statement, as autocommit would: the unit is not aborted', async () => {
    await db.unitOfWork(async () => {
      await db.query(`insert into uow_notes values ('one')`);
      await expect(db.query(`insert into uow_notes values ('one')`)).rejects.toMatchObject({ code: '23505' });
      await expect(db.query('select $1::uuid', ['not-a-uuid'])).rejects.toBeDefined();
      await db.query(`insert into uow_notes values ('two')`);
    });
    expect(await notes()).toEqual(['one', 'two']);
  });

  it('takes concurrent joined work in turns, so one failing never undoes another', async () => {
    await db.unitOfWork(async () => {
      const outcomes = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          db.transaction(async (tx) => {
            await tx.query('insert into uow_notes values ($1)', [`n${String(i).padStart(2, '0')}`]);
            await new Promise((resolve) => setTimeout(resolve, 1));
            if (i % 2) throw new Error('odd');
          }),
        ),
      );
      expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(10);
    });
    expect(await notes()).toEqual(Array.from({ length: 10 }, (_, i) => `n${String(i * 2).padStart(2, '0')}`));
  });

  it('never reports as committed a transaction whose failed statement was swallowed, alone or joined', async () => {
    const swallowing = () =>
      db.transaction(async (tx) => {
        await tx.query(`insert into uow_notes values ('swallowed')`);
        await tx.query(`insert into uow_notes values ('swallowed')`).catch(() => undefined);
      });
    await expect(swallowing()).rejects.toThrow();
    await db.unitOfWork(async () => {
      await expect(swallowing()).rejects.toThrow();
      await db.query(`insert into uow_notes values ('after')`);
    });
    expect(await notes()).toEqual(['after']);
  });

  it('releases a joined statement’s savepoint just before the next one, so one is held at a time; COMMIT releases the last', async () => {
    const log = new StatementLog();
    const recorded = log.wrap(db);
    await recorded.unitOfWork(async () => {
      for (const note of ['a', 'b', 'c']) await recorded.query('insert into uow_notes values ($1)', [note]);
    });
    const insert = 'insert into uow_notes values ($1)';
    expect(log.transactions).toEqual([
      ['begin', 'savepoint uow_1', insert, 'release savepoint uow_1', 'savepoint uow_2', insert, 'release savepoint uow_2', 'savepoint uow_3', insert, 'commit'],
    ]);
    expect(await notes()).toEqual(['a', 'b', 'c']);
  });

  it('sends work left running after the unit ended to a connection of its own', async () => {
    let late!: Promise<unknown>;
    await db.unitOfWork(async () => {
      late = new Promise((resolve) => setTimeout(resolve, 20)).then(() => db.query(`insert into uow_notes values ('late')`));
    });
    await late;
    expect(await notes()).toEqual(['late']);
  });
});
