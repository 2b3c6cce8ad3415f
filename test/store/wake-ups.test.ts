import { EACH_DATABASE } from '../support/databases';
import type { Db } from '../../store/db';
import { wakeAfterCommit } from '../../store/wake-ups';

const settle = () => new Promise((done) => setTimeout(done, 300));

describe.each(EACH_DATABASE)('wake-ups after commit on %s', (_name, database) => {
  let db: Db;
  let drop: () => Promise<void>;
  const heard: string[] = [];

  beforeAll(async () => {
    ({ db, drop } = await database.open());
    await db.listen('wake_probe', (payload) => heard.push(payload));
  });
  afterAll(() => drop());
  beforeEach(() => void heard.splice(0));

  it('wakes the listeners once the transaction has committed, each wake-up once', async () => {
    await db.transaction(async (tx) => {
      await wakeAfterCommit(tx, 'wake_probe', 'a');
      await wakeAfterCommit(tx, 'wake_probe', 'a');
      await wakeAfterCommit(tx, 'wake_probe', 'b');
    });
    for (let waited = 0; waited < 5_000 && heard.length < 2; waited += 50) await new Promise((done) => setTimeout(done, 50));
    await settle();
    expect(heard.sort()).toEqual(['a', 'b']);
  });

  it('wakes nobody for a transaction that rolled back', async () => {
    await expect(db.transaction(async (tx) => {
      await wakeAfterCommit(tx, 'wake_probe', 'lost');
      throw new Error('no');
    })).rejects.toThrow('no');
    await settle();
    expect(heard).toEqual([]);
  });

  it('joins the transaction of a unit of work: sent when the unit commits', async () => {
    await db.unitOfWork(async () => {
      await db.transaction((tx) => wakeAfterCommit(tx, 'wake_probe', 'unit'));
    });
    for (let waited = 0; waited < 5_000 && heard.length < 1; waited += 50) await new Promise((done) => setTimeout(done, 50));
    expect(heard).toEqual(['unit']);
  });
});
