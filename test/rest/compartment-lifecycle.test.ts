import { DemoPortfolioStore } from '../../store/demo-store';
import { EACH_DATABASE } from '../support/databases';
import { call, login, type Answer } from '../support/http';
import { partnerHeaders } from '../support/actors';
import { startTestServer, type TestServer } from '../support/server';
import { DEMO_IDS, testId } from '../support/ids';

const base = (policyId: string) => `/v1/compartment-lifecycle/policies/${policyId}/compartments`;

describe.each(EACH_DATABASE)('compartment lifecycle on %s', (_name, database) => {
  let server: TestServer;
  const headers: Record<string, Record<string, string>> = {};
  const send = (who: string, method: string, path: string, json?: unknown): Promise<Answer> => call(`${server.url}${path}`, { method, headers: headers[who], ...(json !== undefined ? { json } : {}) });

  beforeAll(async () => {
    server = await startTestServer(database, { demoPortfolio: true });
    for (const [i, who] of ['alice', 'broker', 'backoffice'].entries()) headers[who] = { authorization: `Bearer ${(await login(server.url, `${who}@demo.test`, `10.50.0.${i + 1}`)).token}` };
    headers.partner = await partnerHeaders(server.url, '10.50.0.9');
    // A PER of bob's that holds only C1, so C2 can be opened.
    await server.db.transaction((tx) =>
      new DemoPortfolioStore().insertPolicy(
        tx,
        { subscriberId: DEMO_IDS.subscribers.bob, subscriptionId: testId('sbs_bob_per2'), policyId: testId('pol_bob_per2'), productId: DEMO_IDS.products.per, signedAt: new Date('2025-01-10T10:00:00Z'), initialPayment: 100_000, compartments: [{ id: testId('cmp_bob_per2_c1'), code: 'C1', value: 99_000 }] },
        'FR7630006000011234567890189',
        'Bob Durand',
        new Date('2025-02-10T23:00:00Z'),
      ),
    );
  });
  afterAll(() => server.close());

  it('lists a policy’s compartments for back-office and for the distributor’s partner platform', async () => {
    for (const who of ['backoffice', 'partner']) {
      const answer = await send(who, 'GET', base(DEMO_IDS.policies.alicePer));
      expect(answer.status).toBe(200);
      expect(answer.json.map((c: { code: string; status: string }) => [c.code, c.status])).toEqual([['C1', 'active'], ['C2', 'active'], ['C3', 'active']]);
    }
  });

  it('is refused to subscribers and brokers (403), after authentication (401 first)', async () => {
    for (const who of ['alice', 'broker']) {
      expect((await send(who, 'GET', base(DEMO_IDS.policies.alicePer))).json.errors[0]).toMatchObject({ code: 'forbidden', message: 'INSUFFICIENT_ROLES' });
      expect((await send(who, 'POST', `${base(DEMO_IDS.policies.alicePer)}/${DEMO_IDS.compartments.alicePerC1}/suspend`, { reason: 'x' })).status).toBe(403);
    }
    expect((await call(`${server.url}${base(DEMO_IDS.policies.alicePer)}/${DEMO_IDS.compartments.alicePerC1}/suspend`, { method: 'POST', body: 'not json' })).status).toBe(401);
  });

  it('suspends, resumes, liquidates and closes with a reason, recording who, when and why', async () => {
    const path = `${base(DEMO_IDS.policies.aliceAv)}/${DEMO_IDS.compartments.aliceAvMain}`;
    const suspended = await send('backoffice', 'POST', `${path}/suspend`, { reason: 'KYC review' });
    expect(suspended.status).toBe(200);
    expect(suspended.json).toMatchObject({ status: 'suspended', events: [{ fromStatus: 'active', toStatus: 'suspended', actorKind: 'backoffice', reason: 'KYC review' }] });
    const again = await send('backoffice', 'POST', `${path}/suspend`, { reason: 'twice' });
    expect(again.status).toBe(409);
    expect(again.json.errors[0].reason).toBe('CANNOT_SUSPEND_IN_STATE_SUSPENDED');
    expect((await send('partner', 'POST', `${path}/resume`, { reason: 'documents received' })).json.status).toBe('active');
    expect((await send('backoffice', 'POST', `${path}/close`, { reason: 'too early' })).json.errors[0].reason).toBe('CANNOT_CLOSE_IN_STATE_ACTIVE');
    expect((await send('backoffice', 'POST', `${path}/liquidate`, { reason: 'surrender' })).json.status).toBe('liquidating');
    const closed = await send('backoffice', 'POST', `${path}/close`, { reason: 'paid out' });
    expect(closed.json.status).toBe('closed');
    expect(closed.json.events.map((e: { toStatus: string }) => e.toStatus)).toEqual(['suspended', 'active', 'liquidating', 'closed']);
    const audit = await server.db.query<{ action: string; actor_kind: string }>(`select action, actor_kind from audit_log where target_id = '${DEMO_IDS.compartments.aliceAvMain}' order by id`);
    expect(audit.map((a) => a.action)).toEqual(['compartment.suspend', 'compartment.resume', 'compartment.liquidate', 'compartment.close']);
  });

  it('needs a reason', async () => {
    const answer = await send('backoffice', 'POST', `${base(DEMO_IDS.policies.bobPer)}/${DEMO_IDS.compartments.bobPerC2}/suspend`, { reason: ' ' });
    expect(answer.status).toBe(400);
    expect(answer.json.errors[0]).toMatchObject({ reason: 'REASON_REQUIRED', field: 'reason' });
    expect((await send('backoffice', 'POST', `${base(DEMO_IDS.policies.bobPer)}/${DEMO_IDS.compartments.bobPerC2}/suspend`, {})).json.errors[0]).toMatchObject({ code: 'parameter_invalid', field: 'reason' });
  });

  it('opens a PER compartment that does not exist yet, once, and only codes the product allows', async () => {
    const opened = await send('backoffice', 'POST', base(testId('pol_bob_per2')), { code: 'C2', reason: 'employee savings transfer' });
    expect(opened.status).toBe(201);
    expect(opened.json).toMatchObject({ code: 'C2', status: 'open', value: { amount: 0, currency: 'EUR' } });
    expect((await send('backoffice', 'POST', `${base(testId('pol_bob_per2'))}/${opened.json.id}/activate`, { reason: 'first payment' })).json.status).toBe('active');
    expect((await send('backoffice', 'POST', base(testId('pol_bob_per2')), { code: 'C2', reason: 'again' })).json.errors[0]).toMatchObject({ code: 'conflict', reason: 'COMPARTMENT_ALREADY_EXISTS' });
    expect((await send('backoffice', 'POST', base(DEMO_IDS.policies.bobAv), { code: 'C1', reason: 'no' })).json.errors[0]).toMatchObject({ code: 'parameter_invalid', reason: 'COMPARTMENT_CODE_NOT_ALLOWED', field: 'code' });
  });

  it('unknown policies and compartments are 404', async () => {
    expect((await send('backoffice', 'GET', base(testId('pol_nobody')))).json.errors[0].reason).toBe('POLICY_NOT_FOUND');
    expect((await send('backoffice', 'POST', `${base(DEMO_IDS.policies.bobPer)}/${DEMO_IDS.compartments.alicePerC1}/suspend`, { reason: 'x' })).json.errors[0].reason).toBe('COMPARTMENT_NOT_FOUND');
  });
});
