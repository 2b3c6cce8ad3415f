import { randomUUID } from 'node:crypto';
import { EACH_DATABASE } from '../support/databases';
import { call, login } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';
import { StatementLog } from '../support/statement-log';
import { freshPolicy, parisToday, scaledEur } from '../support/surrender-fixtures';

/**
 * What sending one notification costs the database (issue 15): the e-mail lane's claim and its outcome
 * are one statement each, never wrapped in BEGIN and COMMIT, and a claim that came back short is not
 * asked again. The only other claim is the one the freed slot makes, which finds nothing.
 */
describe.each(EACH_DATABASE)('the statements of sending a notification on %s', (_name, database) => {
  let server: TestServer;
  let log: StatementLog;

  beforeAll(async () => {
    log = new StatementLog();
    // The poll is pushed out of the test's way: only the commit's wake-up and the freed slot's wake the lane.
    server = await startTestServer(database, { demoPortfolio: true, wrapDb: (db) => log.wrap(db), env: { OUTBOX_POLL_MS: '600000' } });
  });
  afterAll(() => server.close());

  const sent = async () => Number((await server.db.query<{ n: number }>("select count(*)::int as n from notification_outbox where status = 'sent'"))[0].n);
  const mailStatements = () => log.outside.filter((sql) => /notification_outbox/.test(sql)).map((sql) => (sql.startsWith('with due as') ? 'claim' : sql.startsWith('update notification_outbox') ? 'record' : sql));
  async function until(done: () => boolean | Promise<boolean>): Promise<void> {
    for (let waited = 0; !(await done()); waited += 20) {
      if (waited > 10_000) throw new Error('waited 10 s');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('claims and records the message in one statement each, outside any transaction', async () => {
    const { token } = await login(server.url, 'alice@demo.test', '10.64.0.1');
    const { policyId, compartments } = await freshPolicy(server, 'alice', 'av', { MAIN: 100_000_000 });
    const declare = () =>
      call(`${server.url}/v1/partial-surrender/policies/${policyId}/compartments/${compartments.MAIN}/declarations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'idempotency-key': randomUUID() },
        json: { amount: scaledEur(50_000), requestedAt: parisToday(server.clock) },
      });
    // Whatever start-up and the login left to send goes first.
    await until(async () => (await server.db.query("select 1 from notification_outbox where status = 'pending'")).length === 0);
    const before = await sent();
    await until(() => mailStatements().length > 0 && mailStatements().at(-1) === 'claim');
    log.clear();

    expect((await declare()).status).toBe(201);
    await until(async () => (await sent()) === before + 1);
    await until(() => mailStatements().length >= 3);
    await new Promise((resolve) => setTimeout(resolve, 200));

    expect(mailStatements()).toEqual(['claim', 'record', 'claim']);
    const inTransactions = log.transactions.flat().filter((sql) => /notification_outbox/.test(sql));
    expect(inTransactions).toEqual([expect.stringMatching(/^insert into notification_outbox/)]);
  });
});
