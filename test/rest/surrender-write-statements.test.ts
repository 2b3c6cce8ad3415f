import { randomUUID } from 'node:crypto';
import { SURRENDER_STATEMENTS } from '../../bench/bare-surrender';
import { EACH_DATABASE } from '../support/databases';
import { call, login } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';
import { freshPolicy, parisToday, scaledEur } from '../support/surrender-fixtures';
import { squeeze, StatementLog } from '../support/statement-log';

/**
 * What a partial surrender declaration with an Idempotency-Key costs the database (issue 15 item 3):
 * exactly the statements the bench's bare peer sends (bench/bare-surrender.ts), in one transaction,
 * plus the unit of work's one savepoint (never released: COMMIT releases it); so the count cannot creep
 * up unseen, and the bench compares
 * our service with a peer doing the same work.
 */
describe.each(EACH_DATABASE)('the statements of a partial surrender declaration on %s', (name, database) => {
  let server: TestServer;
  let log: StatementLog;
  let token: string;

  beforeAll(async () => {
    log = new StatementLog();
    server = await startTestServer(database, { demoPortfolio: true, wrapDb: (db) => log.wrap(db), outbox: 'manual' });
    token = (await login(server.url, 'alice@demo.test', '10.63.0.1')).token;
  });
  afterAll(() => server.close());

  const declare = (policyId: string, compartmentId: string) =>
    call(`${server.url}/v1/partial-surrender/policies/${policyId}/compartments/${compartmentId}/declarations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'idempotency-key': randomUUID() },
      json: { amount: scaledEur(50_000), requestedAt: parisToday(server.clock) },
    });

  it('sends the bare peer’s statements, in one transaction with the idempotency key, and the wake-ups once committed', async () => {
    const { policyId, compartments } = await freshPolicy(server, 'alice', 'av', { MAIN: 100_000_000 });
    // A first declaration warms the caches (the session); the second one is counted, on a policy that has an open one.
    expect((await declare(policyId, compartments.MAIN)).status).toBe(201);
    const woken: string[] = [];
    await server.db.listen('outbox', (payload) => woken.push(payload));
    log.clear();

    const declared = await declare(policyId, compartments.MAIN);
    expect(declared.status).toBe(201);
    expect(declared.json.history).toEqual([expect.objectContaining({ toStatus: 'received' })]);

    const sent = log.transactionWith('insert into surrender_declarations');
    // PGlite has one connection and no commits to serialise: its wake-ups go inside the transaction.
    const inside = name === 'pglite' ? ['select pg_notify($1, $2)', 'select pg_notify($1, $2)'] : [];
    const business = sent.filter((sql) => !/^(begin|commit|savepoint |release savepoint )/.test(sql) && !(inside.length && sql.startsWith('select pg_notify')));
    expect(business).toEqual(Object.values(SURRENDER_STATEMENTS).map(squeeze));
    expect(sent[0]).toBe('begin');
    expect(sent.at(-1)).toBe('commit');
    expect(sent.length).toBe(business.length + inside.length + 3);
    expect(sent.filter((sql) => sql.startsWith('savepoint '))).toHaveLength(1);
    expect(business.length).toBe(18);

    // The outbox's lanes are woken all the same: the e-mail and the webhook event.
    for (let waited = 0; waited < 5_000 && !(woken.includes('email') && woken.includes('webhook')); waited += 50) await new Promise((done) => setTimeout(done, 50));
    expect(woken).toEqual(expect.arrayContaining(['email', 'webhook']));
  });
});
