import { DEMO_FUNDS } from '../../domain/demo/demo-investments';
import { newUuid } from '../../domain/shared/ids';
import { DemoStore, DemoPortfolioStore } from '../../store/demo-store';
import { PositionStore } from '../../store/position-store';
import { EACH_DATABASE } from '../support/databases';
import { call, login, type Answer } from '../support/http';
import { DEMO_IDS } from '../support/ids';
import { startTestServer, type TestServer } from '../support/server';
import { DEMO_IBAN } from '../support/surrender-fixtures';

const E = DEMO_FUNDS.europeEquity.isin;
const EURO = DEMO_FUNDS.euro.isin;
/** Half the euro fund into a unit-linked fund: valid, and left waiting (no NAV dated on or after the day it is received). */
const LEGS = [{ isin: EURO, direction: 'SELL', unit: 'BASIS_POINT_OF_CURRENT_POSITION', basisPoints: 5_000 }, { isin: E, direction: 'BUY', unit: 'BASIS_POINT_OF_SELL_PROCEED', basisPoints: 10_000 }];
const ROUNDS = 8;

/**
 * A notice of death racing a switch request and a premium schedule's set-up on the same policy: each
 * act either lands before the notice (and the notice stops it) or after it (409 POLICY_UNDER_DEATH_CLAIM).
 * Never an act left waiting on a frozen policy. On PostgreSQL the three run truly at once.
 */
describe.each(EACH_DATABASE)('a notice of death racing servicing acts on %s', (_name, database) => {
  let server: TestServer;
  let backoffice: Record<string, string>;
  const send = (method: string, path: string, json?: unknown): Promise<Answer> => call(`${server.url}${path}`, { method, headers: backoffice, ...(json !== undefined ? { json } : {}) });

  /** A new insured (their own user, subscriber and assurance-vie) holding the euro fund: each round needs one, a notice being once per insured. */
  async function insured(round: number): Promise<{ subscriberId: string; policyId: string; compartmentId: string }> {
    const userId = newUuid();
    const subscriberId = newUuid();
    const policyId = newUuid();
    const compartmentId = newUuid();
    const at = new Date('2025-01-15T10:00:00Z');
    await server.db.transaction(async (tx) => {
      await new DemoStore(tx).insertUser(tx, { id: userId, email: `race-${round}-${userId}@demo.test`, kind: 'subscriber', passwordHash: 'x', distributorId: DEMO_IDS.distributor, createdAt: at });
      const portfolio = new DemoPortfolioStore();
      await portfolio.insertSubscriber(tx, { id: subscriberId, userId, distributorId: DEMO_IDS.distributor, firstName: 'Jeanne', lastName: `Course${round}`, birthDate: '1950-03-01', email: `race-${round}@demo.test`, phone: '+33600000000', at });
      await portfolio.insertPolicy(tx, { subscriberId, subscriptionId: newUuid(), policyId, productId: DEMO_IDS.products.av, signedAt: at, initialPayment: 1_000_000, compartments: [{ id: compartmentId, code: 'MAIN', value: 1_000_000 }] }, DEMO_IBAN, 'Jeanne', at);
      await new PositionStore(tx).append(tx, [{ compartmentId, isin: EURO, effectiveOn: '2025-12-01', shares: null, amount: 1_000_000, causeType: 'opening', causeId: compartmentId, at }]);
    });
    return { subscriberId, policyId, compartmentId };
  }

  beforeAll(async () => {
    server = await startTestServer(database, { demoPortfolio: true });
    server.clock.set('2026-12-02T10:00:00Z');
    backoffice = { authorization: `Bearer ${(await login(server.url, 'backoffice@demo.test', '10.67.0.1')).token}` };
  });
  afterAll(() => server?.close());

  it('a switch request and a schedule set-up land wholly before the notice (stopped by it) or after it (409)', async () => {
    const outcomes = { switchRefused: 0, switchStopped: 0, scheduleRefused: 0, scheduleEnded: 0 };
    for (let round = 0; round < ROUNDS; round += 1) {
      const { subscriberId, policyId, compartmentId } = await insured(round);
      const payer = await send('POST', `/v1/premium-scheduling/subscribers/${subscriberId}/payers`, { relationship: 'self' });
      expect(payer.status).toBe(201);
      expect((await send('POST', `/v1/premium-scheduling/payers/${payer.json.id}/ibans`, { iban: DEMO_IBAN, holderName: 'Jeanne Course' })).status).toBe(201);

      // All three at once; the order in which they are sent alternates so that either may win.
      const acts = [
        () => send('POST', `/v1/switches/policies/${policyId}/compartments/${compartmentId}/requests`, { legs: LEGS }),
        () => send('POST', `/v1/premium-scheduling/policies/${policyId}/schedule`, { payerId: payer.json.id, frequency: 'monthly', amount: { value: 10_000, currency: 'EUR' }, dayOfMonth: 5 }),
      ];
      const notice = () => send('POST', '/v1/death-claims', { subscriberId, dateOfDeath: '2026-12-01', source: 'backoffice', deathCertificateReference: `ACTE-${round}` });
      const [switched, scheduled, noticed] = round % 2 === 0
        ? await Promise.all([acts[0](), acts[1](), notice()])
        : await Promise.all([notice(), acts[0](), acts[1]()]).then(([n, s, p]) => [s, p, n]);
      expect(noticed.status).toBe(201);

      if (switched.status === 409) {
        expect([switched.json.errors[0].code, switched.json.errors[0].reason]).toEqual(['conflict', 'POLICY_UNDER_DEATH_CLAIM']);
        outcomes.switchRefused += 1;
      } else {
        expect(switched.status).toBe(201);
        outcomes.switchStopped += 1;
      }
      if (scheduled.status === 409) {
        expect([scheduled.json.errors[0].code, scheduled.json.errors[0].reason]).toEqual(['conflict', 'POLICY_UNDER_DEATH_CLAIM']);
        outcomes.scheduleRefused += 1;
      } else {
        expect(scheduled.status).toBe(201);
        outcomes.scheduleEnded += 1;
      }
      // Whatever the order: nothing is left waiting on the frozen policy.
      const switches = await server.db.query<{ status: string; stopped_reason: string | null }>('select status, stopped_reason from switch_requests where policy_id = $1', [policyId]);
      expect(switches).toEqual(switched.status === 201 ? [{ status: 'stopped', stopped_reason: 'INSURED_DECEASED' }] : []);
      const schedules = await server.db.query<{ status: string }>('select status from premium_schedules where policy_id = $1', [policyId]);
      expect(schedules).toEqual(scheduled.status === 201 ? [{ status: 'ended' }] : []);
    }
    // A frozen policy's compartment is neither delegated to a mandate (that would ask a rebalancing) nor taken back.
    const { subscriberId, policyId, compartmentId } = await insured(ROUNDS);
    expect((await send('POST', '/v1/death-claims', { subscriberId, dateOfDeath: '2026-12-01', source: 'backoffice', deathCertificateReference: 'ACTE-M' })).status).toBe(201);
    const mandate = await send('POST', '/v1/investments/mandates', { name: 'Prudent', riskLevel: 2 });
    expect((await send('PUT', `/v1/investments/mandates/${mandate.json.id}/target-allocation`, { lines: [{ isin: EURO, basisPoints: 10_000 }] })).status).toBe(200);
    const lifecycle = `/v1/compartment-lifecycle/policies/${policyId}/compartments/${compartmentId}`;
    for (const answer of [await send('POST', `${lifecycle}/delegate`, { mandateId: mandate.json.id }), await send('POST', `${lifecycle}/revoke-delegation`)]) {
      expect([answer.status, answer.json.errors[0].reason]).toEqual([409, 'POLICY_UNDER_DEATH_CLAIM']);
    }

    expect(outcomes.switchRefused + outcomes.switchStopped).toBe(ROUNDS);
    expect(outcomes.scheduleRefused + outcomes.scheduleEnded).toBe(ROUNDS);
  });
});
