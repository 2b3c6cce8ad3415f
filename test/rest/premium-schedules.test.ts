import { insertBroker, partnerHeaders } from '../support/actors';
import { EACH_DATABASE } from '../support/databases';
import { restReason } from '../support/errors';
import { call, login, type Answer } from '../support/http';
import { DEMO_IDS, testId } from '../support/ids';
import { startTestServer, type TestServer } from '../support/server';
import { freshPolicy } from '../support/surrender-fixtures';
import { PremiumScheduleService } from '../../domain/premiums/premium-schedule-service';
import { ScheduleStore } from '../../store/schedule-store';
import { PremiumFunding } from '../../domain/premiums/premium-funding';
import { PolicyStore } from '../../store/policy-store';
import { SubscriptionStore } from '../../store/subscription-store';
import { CatalogueStore } from '../../store/catalogue-store';

const IBAN = 'FR7630006000011234567890189';
const IBAN_MASKED = 'FR76 **** **** **** **** ***0 189';
const IBAN_DE = 'DE89370400440532013000';

type Body = Record<string, any>;
type Caller = Record<string, string>;

let addressCounter = 0;
const newAddress = () => `10.64.${Math.floor(++addressCounter / 250)}.${addressCounter % 250}`;

function expectError(answer: Answer, status: number, code: string, reason?: string, field?: string): void {
  expect({ status: answer.status, code: answer.json?.errors?.[0]?.code }).toEqual({ status, code });
  expect(answer.json.errors[0]).toEqual(expect.objectContaining({ ...(reason ? restReason(code, reason) : {}), ...(field ? { field } : {}) }));
}

describe.each(EACH_DATABASE)('REST premium schedules on %s', (_name, database) => {
  let server: TestServer;
  let base: string;
  let alice: Caller;
  let bob: Caller;
  let broker: Caller;
  let otherBroker: Caller;
  let backoffice: Caller;
  let machine: Caller;
  let payerId: string;
  let otherPayerId: string;

  const path = (policyId: string) => `/v1/premium-scheduling/policies/${policyId}/schedule`;
  const create = (caller: Caller, policyId: string, body: Body) => call(`${base}${path(policyId)}`, { method: 'POST', json: body, headers: caller });
  const change = (caller: Caller, policyId: string, body: Body) => call(`${base}${path(policyId)}`, { method: 'PATCH', json: body, headers: caller });
  const act = (caller: Caller, policyId: string, action: 'suspend' | 'resume') => call(`${base}${path(policyId)}/${action}`, { method: 'POST', headers: caller });
  const get = (caller: Caller, policyId: string) => call(`${base}${path(policyId)}`, { headers: caller });
  const monthly = (extra: Body = {}): Body => ({ payerId, frequency: 'monthly', amount: { value: 10_000, currency: 'EUR' }, dayOfMonth: 5, ...extra });
  const collectionsOf = (policyId: string) =>
    server.db.query<{ due_date: string }>('select due_date::text as due_date from scheduled_premium_collections where policy_id = $1 order by due_date', [policyId]);

  const bearer = async (email: string): Promise<Caller> => ({ authorization: `Bearer ${(await login(base, email, newAddress())).token}` });
  const created = async (answer: Promise<Answer>): Promise<Body> => {
    const done = await answer;
    if (done.status !== 201) throw new Error(`expected 201, got ${done.status} ${done.text}`);
    return done.json;
  };

  beforeAll(async () => {
    server = await startTestServer(database, { demoPortfolio: true });
    base = server.url;
    server.clock.set(new Date('2026-03-10T09:00:00Z'));
    [alice, bob, broker, backoffice] = await Promise.all(['alice@demo.test', 'bob@demo.test', 'broker@demo.test', 'backoffice@demo.test'].map(bearer));
    machine = await partnerHeaders(base, newAddress());
    otherBroker = await bearer(await insertBroker(server.db, server.clock.now(), { userId: testId('usr_schedule_other'), distributorId: testId('dst_schedule_other') }));
    const payersPath = `/v1/premium-scheduling/subscribers/${DEMO_IDS.subscribers.alice}/payers`;
    payerId = (await created(call(`${base}${payersPath}`, { method: 'POST', headers: alice, json: { relationship: 'self' } }))).id;
    await created(call(`${base}/v1/premium-scheduling/payers/${payerId}/ibans`, { method: 'POST', headers: alice, json: { iban: IBAN, holderName: 'Alice Martin' } }));
    otherPayerId = (await created(call(`${base}${payersPath}`, { method: 'POST', headers: alice, json: { relationship: 'company', companyName: 'Martin SARL' } }))).id;
    await created(call(`${base}/v1/premium-scheduling/payers/${otherPayerId}/ibans`, { method: 'POST', headers: alice, json: { iban: IBAN_DE, holderName: 'Martin SARL' } }));
  });
  afterAll(() => server?.close());

  it('sets up a schedule: the first due date is the first dayOfMonth after today; one schedule a policy', async () => {
    const { policyId, compartments } = await freshPolicy(server, 'alice', 'av');
    const schedule = await created(create(broker, policyId, monthly()));
    expect(schedule).toEqual({
      id: expect.any(String), policyId, payerId, frequency: 'monthly', amount: { amount: 10_000, currency: 'EUR' }, dayOfMonth: 5, iban: IBAN_MASKED, holderName: 'Alice Martin',
      allocation: [{ compartmentId: compartments.MAIN, isin: 'FR0000000001', basisPoints: 10_000 }], status: 'active', nextDueDate: '2026-04-05',
      createdAt: expect.any(String), updatedAt: expect.any(String), collections: [],
    });
    expect((await get(alice, policyId)).json).toEqual({ ...schedule, iban: IBAN });
    expectError(await create(alice, policyId, monthly()), 409, 'conflict', 'PREMIUM_SCHEDULE_ALREADY_EXISTS');
    const later = await freshPolicy(server, 'alice', 'av');
    expect((await created(create(machine, later.policyId, monthly({ dayOfMonth: 12, startDate: '2026-03-11' })))).nextDueDate).toBe('2026-03-12');
  });

  it("refuses what the rules refuse: the product's minimum, a day every month lacks, a start before tomorrow, CASH-like values", async () => {
    const { policyId } = await freshPolicy(server, 'alice', 'av');
    expectError(await create(alice, policyId, monthly({ amount: { value: 4_999, currency: 'EUR' } })), 422, 'unprocessable_content', 'SCHEDULED_PREMIUM_BELOW_PRODUCT_MINIMUM', 'amount.value');
    expectError(await create(alice, policyId, monthly({ dayOfMonth: 29 })), 400, 'parameter_invalid', 'DAY_OF_MONTH_OUT_OF_RANGE', 'dayOfMonth');
    expectError(await create(alice, policyId, monthly({ startDate: '2026-03-10' })), 400, 'parameter_invalid', 'START_DATE_BEFORE_TOMORROW', 'startDate');
    expectError(await create(alice, policyId, monthly({ frequency: 'weekly' })), 400, 'parameter_invalid');
    expectError(await create(alice, policyId, monthly({ amount: { value: 100.5, currency: 'EUR' } })), 400, 'parameter_invalid');
    expect((await get(alice, policyId)).status).toBe(404);
  });

  it("someone else's policy answers like a missing one, for every route", async () => {
    const { policyId } = await freshPolicy(server, 'alice', 'av');
    await created(create(alice, policyId, monthly()));
    for (const stranger of [bob, otherBroker]) {
      expectError(await get(stranger, policyId), 404, 'resource_not_found', 'POLICY_NOT_FOUND');
      expectError(await create(stranger, policyId, monthly()), 404, 'resource_not_found');
      expectError(await change(stranger, policyId, { dayOfMonth: 7 }), 404, 'resource_not_found');
      expectError(await act(stranger, policyId, 'suspend'), 404, 'resource_not_found');
    }
  });

  it('changes only what is sent; a new payer brings their default IBAN; a new day starts again after today', async () => {
    const { policyId } = await freshPolicy(server, 'alice', 'av');
    await created(create(alice, policyId, monthly()));
    const amount = await change(broker, policyId, { amount: { value: 250, scale: 0, currency: 'EUR' } });
    expectError(amount, 400, 'parameter_invalid', 'SCALE_NOT_POSITIVE_INTEGER');
    const changed = await change(broker, policyId, { amount: { value: 2_500, scale: 1, currency: 'EUR' }, frequency: 'quarterly', dayOfMonth: 20 });
    expect(changed.status).toBe(200);
    expect(changed.json).toMatchObject({ amount: { amount: 25_000, currency: 'EUR' }, frequency: 'quarterly', dayOfMonth: 20, nextDueDate: '2026-03-20', payerId });
    const payer = await change(alice, policyId, { payerId: otherPayerId });
    expect(payer.json).toMatchObject({ payerId: otherPayerId, iban: IBAN_DE, holderName: 'Martin SARL', nextDueDate: '2026-03-20' });
    expectError(await change(alice, policyId, { payerId: testId('payer_schedule_none') }), 404, 'payer_not_found', 'PAYER_NOT_FOUND', 'payerId');
  });

  it('suspends and resumes (409 the second time); resuming skips the due dates passed while suspended', async () => {
    const { policyId } = await freshPolicy(server, 'alice', 'av');
    await created(create(alice, policyId, monthly({ dayOfMonth: 15 })));
    const suspended = await act(broker, policyId, 'suspend');
    expect(suspended.status).toBe(200);
    expect(suspended.json.status).toBe('suspended');
    expectError(await act(broker, policyId, 'suspend'), 409, 'conflict', 'CANNOT_SUSPEND_IN_STATE_SUSPENDED');
    server.clock.set(new Date('2026-05-20T09:00:00Z'));
    try {
      expect(await server.app.services.premiumSchedules.runDue()).toBeGreaterThanOrEqual(0);
      expect(await collectionsOf(policyId)).toEqual([]);
      // Tokens issued in March have expired by May: a fresh one.
      const partner = await partnerHeaders(base, newAddress());
      const resumed = await act(partner, policyId, 'resume');
      expect(resumed.json).toMatchObject({ status: 'active', nextDueDate: '2026-06-15' });
      expectError(await act(partner, policyId, 'resume'), 409, 'conflict', 'CANNOT_RESUME_IN_STATE_ACTIVE');
    } finally {
      server.clock.set(new Date('2026-03-10T09:00:00Z'));
    }
  });

  it('each due date produces exactly one collection, however many replicas run the due-date job at once', async () => {
    const { policyId } = await freshPolicy(server, 'alice', 'av');
    const schedule = await created(create(alice, policyId, monthly({ dayOfMonth: 5 })));
    // Three replicas: services of their own over the same database, running concurrently (PostgreSQL gives each its connection).
    const { policies, payers, audit, deathClaims } = server.app.services;
    const replicas = [0, 1, 2].map(() => {
      const funding = new PremiumFunding(policies, new PolicyStore(server.db), new SubscriptionStore(server.db), new CatalogueStore(server.db), payers, deathClaims);
      return new PremiumScheduleService(server.db, new ScheduleStore(server.db), policies, funding, audit, server.clock);
    });
    server.clock.set(new Date('2026-07-06T09:00:00Z'));
    try {
      const produced = await Promise.all([...replicas.map((r) => r.runDue()), server.app.services.premiumSchedules.runDue()]);
      const mine = await collectionsOf(policyId);
      expect(mine.map((c) => c.due_date)).toEqual(['2026-04-05', '2026-05-05', '2026-06-05', '2026-07-05']);
      expect(produced.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(4);
      // Run again: nothing more is due.
      await Promise.all(replicas.map((r) => r.runDue()));
      expect((await collectionsOf(policyId)).length).toBe(4);
      // The unique key itself refuses a second collection for a date, whatever a job does.
      const again = await server.db.transaction((tx) => new ScheduleStore(tx).insertCollection(tx, {
        id: testId('collection_again'), scheduleId: schedule.id, policyId, dueDate: '2026-05-05', amount: 10_000, currency: 'EUR', iban: IBAN, allocation: [], status: 'pending_collection', createdAt: server.clock.now(),
        collectedAt: null, rejectedAt: null, rejectionCode: null, rejectionReason: null, retryOf: null, attempt: 1,
      }));
      expect(again).toBe(false);
      const read = await get(await bearer('alice@demo.test'), policyId);
      expect(read.json.nextDueDate).toBe('2026-08-05');
      expect(read.json.collections.map((c: Body) => [c.dueDate, c.amount, c.status])).toEqual(
        ['2026-04-05', '2026-05-05', '2026-06-05', '2026-07-05'].map((d) => [d, { amount: 10_000, currency: 'EUR' }, 'pending_collection']),
      );
    } finally {
      server.clock.set(new Date('2026-03-10T09:00:00Z'));
    }
  });

  it('GraphQL: premiumSchedule and the mutations', async () => {
    const { policyId } = await freshPolicy(server, 'alice', 'per');
    const gql = (query: string, variables: Body) => call(`${base}/graphql`, { method: 'POST', headers: backoffice, json: { query, variables } });
    const made = await gql('mutation($p: ID!, $i: PremiumScheduleInput!) { createPremiumSchedule(policyId: $p, input: $i) { status frequency } }', { p: policyId, i: monthly({ frequency: 'annual' }) });
    expect(made.json.data.createPremiumSchedule).toEqual({ status: 'active', frequency: 'annual' });
    expect((await gql('mutation($p: ID!) { suspendPremiumSchedule(policyId: $p) { status } }', { p: policyId })).json.data.suspendPremiumSchedule.status).toBe('suspended');
    expect((await gql('mutation($p: ID!) { resumePremiumSchedule(policyId: $p) { status } }', { p: policyId })).json.data.resumePremiumSchedule.status).toBe('active');
    expect((await gql('mutation($p: ID!) { changePremiumSchedule(policyId: $p, input: { dayOfMonth: 3 }) { dayOfMonth } }', { p: policyId })).json.data.changePremiumSchedule.dayOfMonth).toBe(3);
    expect((await gql('query($p: ID!) { premiumSchedule(policyId: $p) { dayOfMonth collections { id } } }', { p: policyId })).json.data.premiumSchedule).toEqual({ dayOfMonth: 3, collections: [] });
  });
});
