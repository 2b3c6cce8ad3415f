import { DEMO_FUNDS } from '../../domain/demo/demo-investments';
import { newUuid } from '../../domain/shared/ids';
import { DemoStore, DemoPortfolioStore } from '../../store/demo-store';
import { PositionStore } from '../../store/position-store';
import { EACH_DATABASE } from '../support/databases';
import { call, login, type Answer } from '../support/http';
import { DEMO_IDS } from '../support/ids';
import { startTestServer, type TestServer } from '../support/server';
import { DEMO_IBAN } from '../support/surrender-fixtures';

const LEGS = [
  { isin: DEMO_FUNDS.euro.isin, direction: 'SELL', unit: 'BASIS_POINT_OF_CURRENT_POSITION', basisPoints: 5_000 },
  { isin: DEMO_FUNDS.europeEquity.isin, direction: 'BUY', unit: 'BASIS_POINT_OF_SELL_PROCEED', basisPoints: 10_000 },
];

/**
 * A write that read its policy before taking the policy's lock must act on the status as locked: a
 * policy closed meanwhile (a total surrender paid, a death benefit paid) refuses it. On PostgreSQL a
 * transaction of the test holds the lock while the request waits for it, then closes the policy; PGlite,
 * one connection, cannot have a request wait behind another transaction.
 */
describe.each(EACH_DATABASE)('a policy closed while a write waits for its lock, on %s', (name, database) => {
  let server: TestServer;
  let backoffice: Record<string, string>;

  beforeAll(async () => {
    server = await startTestServer(database, { demoPortfolio: true });
    server.clock.set('2026-12-02T10:00:00Z');
    backoffice = { authorization: `Bearer ${(await login(server.url, 'backoffice@demo.test', '10.68.0.1')).token}` };
  });
  afterAll(() => server?.close());

  /** A policy of its own holding the euro fund, active. */
  async function activePolicy(): Promise<{ policyId: string; compartmentId: string }> {
    const [userId, subscriberId, policyId, compartmentId] = [newUuid(), newUuid(), newUuid(), newUuid()];
    const at = new Date('2025-01-15T10:00:00Z');
    await server.db.transaction(async (tx) => {
      await new DemoStore(tx).insertUser(tx, { id: userId, email: `closing-${userId}@demo.test`, kind: 'subscriber', passwordHash: 'x', distributorId: DEMO_IDS.distributor, createdAt: at });
      const portfolio = new DemoPortfolioStore();
      await portfolio.insertSubscriber(tx, { id: subscriberId, userId, distributorId: DEMO_IDS.distributor, firstName: 'Paul', lastName: 'Clos', birthDate: '1960-03-01', email: `closing-${userId}@demo.test`, phone: '+33600000000', at });
      await portfolio.insertPolicy(tx, { subscriberId, subscriptionId: newUuid(), policyId, productId: DEMO_IDS.products.av, signedAt: at, initialPayment: 1_000_000, compartments: [{ id: compartmentId, code: 'MAIN', value: 1_000_000 }] }, DEMO_IBAN, 'Paul', at);
      await new PositionStore(tx).append(tx, [{ compartmentId, isin: DEMO_FUNDS.euro.isin, effectiveOn: '2025-12-01', shares: null, amount: 1_000_000, causeType: 'opening', causeId: compartmentId, at }]);
    });
    return { policyId, compartmentId };
  }

  (name === 'postgres' ? it : it.skip)('a switch request read the policy active, waited for its lock, and is refused once it is closed', async () => {
    const { policyId, compartmentId } = await activePolicy();
    let answer: Promise<Answer> | undefined;
    await server.db.transaction(async (tx) => {
      await tx.query('select 1 from policies where id = $1 for update', [policyId]);
      const [{ xid }] = await tx.query<{ xid: string }>('select txid_current()::text as xid');
      answer = call(`${server.url}/v1/switches/policies/${policyId}/compartments/${compartmentId}/requests`, { method: 'POST', headers: backoffice, json: { legs: LEGS } });
      // The request is past its reads and queued behind this transaction's lock.
      for (let waited = 0; ; waited += 20) {
        const [{ n }] = await server.db.query<{ n: number }>("select count(*)::int as n from pg_locks where locktype = 'transactionid' and transactionid::text = $1 and not granted", [xid]);
        if (n > 0) break;
        if (waited > 10_000) throw new Error('the switch request never waited for the policy lock');
        await new Promise((done) => setTimeout(done, 20));
      }
      await tx.query("update policies set status = 'closed' where id = $1", [policyId]);
    });
    const refused = await answer!;
    expect(refused.status).toBe(409);
    expect(refused.json.errors[0]).toMatchObject({ code: 'conflict', reason: 'CANNOT_SWITCH_IN_POLICY_STATE_CLOSED' });
    expect(await server.db.query('select id from switch_requests where compartment_id = $1', [compartmentId])).toEqual([]);
  });
});
