import { DEMO_FUNDS } from '../../domain/demo/demo-investments';
import { partnerHeaders } from '../support/actors';
import { EACH_DATABASE } from '../support/databases';
import { call, login, type Answer } from '../support/http';
import { DEMO_IDS } from '../support/ids';
import { startTestServer, type TestServer } from '../support/server';
import { scaledEur } from '../support/surrender-fixtures';

type Body = Record<string, any>;
type Caller = Record<string, string>;

const IBAN = 'FR7630006000011234567890189';
const E = DEMO_FUNDS.europeEquity.isin;
const BAL = DEMO_FUNDS.balanced.isin;
const BOB_AV = DEMO_IDS.policies.bobAv;
const BOB_PER = DEMO_IDS.policies.bobPer;
const BOB_MAIN = DEMO_IDS.compartments.bobAvMain;
const switchPath = `/v1/switches/policies/${BOB_AV}/compartments/${BOB_MAIN}/requests`;
const partialPath = `/v1/partial-surrender/policies/${BOB_AV}/compartments/${BOB_MAIN}/declarations`;
const designationPath = (policyId: string) => `/v1/death-settlement/policies/${policyId}/beneficiary-designation`;
const legs = [{ isin: BAL, direction: 'SELL', unit: 'BASIS_POINT_OF_CURRENT_POSITION', basisPoints: 5_000 }, { isin: E, direction: 'BUY', unit: 'BASIS_POINT_OF_SELL_PROCEED', basisPoints: 10_000 }];
const person = (firstName: string, rank: number, share: number) => ({ firstName, lastName: 'Durand', birthDate: '1990-05-01', address: { line1: '5 quai Saint-Antoine', postalCode: '69002', city: 'Lyon', country: 'FR' }, rank, shareBasisPoints: share });

const failure = (answer: Answer) => [answer.status, answer.json?.errors?.[0]?.code, answer.json?.errors?.[0]?.reason];
const FROZEN = [409, 'conflict', 'POLICY_UNDER_DEATH_CLAIM'];
const FORBIDDEN = [403, 'forbidden', undefined];

describe.each(EACH_DATABASE)('death claims on %s', (_name, database) => {
  let server: TestServer;
  const as: Record<string, Caller> = {};
  const send = (who: string, method: string, path: string, json?: unknown, headers: Caller = {}): Promise<Answer> =>
    call(`${server.url}${path}`, { method, headers: { ...as[who], ...headers }, ...(json !== undefined ? { json } : {}) });
  const notice = (extra: Body = {}) => ({ subscriberId: DEMO_IDS.subscribers.bob, dateOfDeath: '2026-12-01', source: 'backoffice', deathCertificateReference: 'ACTE-DC-2026-1187', ...extra });
  let payerId: string;
  let switchId: string;
  let surrenderId: string;
  let claims: Body[];

  beforeAll(async () => {
    server = await startTestServer(database, { demoPortfolio: true });
    server.clock.set('2026-12-02T10:00:00Z');
    for (const [i, who] of ['alice', 'bob', 'broker', 'backoffice'].entries()) as[who] = { authorization: `Bearer ${(await login(server.url, `${who}@demo.test`, `10.66.0.${i + 1}`)).token}` };
    as.partner = await partnerHeaders(server.url, '10.66.0.9');

    // Bob's affairs before his death: a payer with a schedule, a waiting switch, an open surrender, a named designation.
    payerId = (await send('backoffice', 'POST', `/v1/premium-scheduling/subscribers/${DEMO_IDS.subscribers.bob}/payers`, { relationship: 'self' })).json.id;
    expect((await send('backoffice', 'POST', `/v1/premium-scheduling/payers/${payerId}/ibans`, { iban: IBAN, holderName: 'Bob Durand' })).status).toBe(201);
    const schedule = await send('broker', 'POST', `/v1/premium-scheduling/policies/${BOB_AV}/schedule`, { payerId, frequency: 'monthly', amount: { value: 10_000, currency: 'EUR' }, dayOfMonth: 5 });
    expect(schedule.status).toBe(201);
    const switched = await send('broker', 'POST', switchPath, { legs, requestedAt: '2026-12-01' });
    expect([switched.status, switched.json.status]).toEqual([201, 'requested']);
    switchId = switched.json.id;
    const declared = await send('bob', 'POST', partialPath, { amount: scaledEur(100_000), requestedAt: '2026-12-02' });
    if (declared.status !== 201) throw new Error(declared.text);
    surrenderId = declared.json.id;
    expect((await send('bob', 'PUT', designationPath(BOB_AV), { beneficiaries: [person('Hugo', 1, 6_000), person('Inès', 1, 4_000), person('Odile', 2, 10_000)] }, { 'if-match': '"0"' })).status).toBe(200);
  });
  afterAll(() => server?.close());

  it('is recorded by back-office or a partner platform only, for an insured they reach, with a date not in the future', async () => {
    expect((await call(`${server.url}/v1/death-claims`, { method: 'POST', json: notice() })).status).toBe(401);
    expect(failure(await send('broker', 'POST', '/v1/death-claims', notice()))).toEqual(FORBIDDEN);
    expect(failure(await send('alice', 'POST', '/v1/death-claims', notice()))).toEqual(FORBIDDEN);
    expect(failure(await send('backoffice', 'POST', '/v1/death-claims', notice({ dateOfDeath: '2026-12-03' })))).toEqual([422, 'unprocessable_content', 'DATE_OF_DEATH_IN_FUTURE']);
    expect(failure(await send('backoffice', 'POST', '/v1/death-claims', notice({ deathCertificateReference: '  ' })))).toEqual([400, 'parameter_invalid', 'REQUIRED_FIELD_MISSING']);
    expect(failure(await send('backoffice', 'POST', '/v1/death-claims', notice({ subscriberId: '00000000-0000-7000-8000-000000000399' })))).toEqual([404, 'resource_not_found', 'SUBSCRIBER_NOT_FOUND']);
  });

  it('opens one claim per policy of the insured, with the value at notice and the beneficiaries in force at the date of death', async () => {
    const answer = await send('backoffice', 'POST', '/v1/death-claims', notice());
    expect(answer.status).toBe(201);
    claims = answer.json.claims;
    expect(claims.map((c) => c.policyId).sort()).toEqual([BOB_AV, BOB_PER].sort());
    for (const c of claims) expect(c).toMatchObject({ noticeId: answer.json.noticeId, status: 'notified', dateOfDeath: '2026-12-01', source: 'backoffice', deathCertificateReference: 'ACTE-DC-2026-1187', valueBasis: 'recorded_value_at_notice', notifiedByKind: 'backoffice' });
    const av = claims.find((c) => c.policyId === BOB_AV)!;
    // The designation made on 2 December is not the one in force on 1 December: the default clause was.
    expect(av.designationVersion).toBe(0);
    expect(av.beneficiaries).toEqual([expect.objectContaining({ id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7/), rank: 1, kind: 'class_clause', status: 'to_identify', shareBasisPoints: null, clause: expect.any(String), fileCompletedAt: null })]);
    // Each line is a row of its own, named by its id.
    const lines = await server.db.query<{ id: string; claim_id: string }>(`select id, claim_id from death_claim_beneficiaries where claim_id = $1`, [av.id]);
    expect(lines).toEqual([{ id: av.beneficiaries[0].id, claim_id: av.id }]);
    const values = await server.db.query<{ policy_id: string; amount: string }>(`select policy_id, sum(value)::text as amount from compartments where policy_id = any($1::text[]) group by policy_id`, [[BOB_AV, BOB_PER]]);
    for (const v of values) expect(claims.find((c) => c.policyId === v.policy_id)!.value).toEqual({ amount: Number(v.amount), currency: 'EUR' });
    expect(failure(await send('partner', 'POST', '/v1/death-claims', notice({ source: 'partner_platform' })))).toEqual([409, 'conflict', 'DEATH_ALREADY_NOTIFIED']);
  });

  it('stops what was pending: the waiting switch, the open surrender, the schedule', async () => {
    expect((await server.db.query<{ status: string; stopped_reason: string }>(`select status, stopped_reason from switch_requests where id = $1`, [switchId]))[0]).toEqual({ status: 'stopped', stopped_reason: 'INSURED_DECEASED' });
    expect((await server.db.query<{ status: string; rejection_reason: string }>(`select status, rejection_reason from surrender_declarations where id = $1`, [surrenderId]))[0]).toEqual({ status: 'rejected', rejection_reason: 'INSURED_DECEASED' });
    expect((await send('broker', 'GET', `/v1/premium-scheduling/policies/${BOB_AV}/schedule`)).json.status).toBe('ended');
  });

  it('freezes every policy of the insured: each act answers 409 saying the policy is under a death claim', async () => {
    expect(failure(await send('bob', 'POST', partialPath, { amount: scaledEur(100_000), requestedAt: '2026-12-02' }))).toEqual(FROZEN);
    expect(failure(await send('bob', 'POST', `/v1/total-surrender/policies/${BOB_PER}/declarations`, { requestedAt: '2026-12-02', reason: 'client-request' }))).toEqual(FROZEN);
    expect(failure(await send('broker', 'POST', switchPath, { legs, requestedAt: '2026-12-02' }))).toEqual(FROZEN);
    expect(failure(await send('broker', 'POST', '/v1/premium-scheduling/single-premium-requests', { policyId: BOB_AV, payerId, method: 'sepa_direct_debit', amount: { value: 150_000, currency: 'EUR' }, iban: IBAN }))).toEqual(FROZEN);
    expect(failure(await send('broker', 'POST', `/v1/premium-scheduling/policies/${BOB_PER}/schedule`, { payerId, frequency: 'monthly', amount: { value: 10_000, currency: 'EUR' }, dayOfMonth: 5 }))).toEqual(FROZEN);
    expect(failure(await send('broker', 'POST', `/v1/premium-scheduling/policies/${BOB_AV}/schedule/resume`))).toEqual(FROZEN);
    expect(failure(await send('broker', 'PATCH', `/v1/premium-scheduling/policies/${BOB_AV}/schedule`, { dayOfMonth: 6 }))).toEqual(FROZEN);
    expect(failure(await send('bob', 'PUT', designationPath(BOB_AV), { beneficiaries: [person('Hugo', 1, 10_000)] }, { 'if-match': '"1"' }))).toEqual(FROZEN);
    // Another insured's policy is untouched.
    expect((await send('alice', 'PUT', designationPath(DEMO_IDS.policies.aliceAv), { beneficiaries: [person('Zoé', 1, 10_000)] }, { 'if-match': '"0"' })).status).toBe(200);
  });

  it('publishes death_claim.notified per claim and e-mails the distributor\'s brokers and the back-office user', async () => {
    const events = await server.db.query<{ resource: { claimId: string } }>(`select resource from outbound_events where type = 'death_claim.notified'`);
    expect(events.map((e) => e.resource.claimId).sort()).toEqual(claims.map((c) => c.id).sort());
    const mails = await server.db.query<{ template: string; payload: Body }>(`select template, payload from notification_outbox where template = 'death_claim_notified'`);
    expect(mails.length).toBeGreaterThanOrEqual(2);
    expect(mails[0].payload).toMatchObject({ subscriberId: DEMO_IDS.subscribers.bob, dateOfDeath: '2026-12-01' });
  });

  it('reads a claim and lists claims: back-office all, a broker or partner their distributor\'s customers, a subscriber never', async () => {
    const [first] = claims;
    expect((await send('broker', 'GET', `/v1/death-claims/${first.id}`)).json).toEqual(first);
    expect((await send('partner', 'GET', `/v1/death-claims/${first.id}`)).status).toBe(200);
    expect(failure(await send('alice', 'GET', `/v1/death-claims/${first.id}`))).toEqual(FORBIDDEN);
    expect(failure(await send('backoffice', 'GET', '/v1/death-claims/00000000-0000-7000-8000-0000000009ff'))).toEqual([404, 'resource_not_found', 'DEATH_CLAIM_NOT_FOUND']);
    const page = await send('backoffice', 'GET', '/v1/death-claims?first=1');
    expect(page.json.items).toHaveLength(1);
    expect(page.json.pageInfo.hasNextPage).toBe(true);
    const next = await send('backoffice', 'GET', `/v1/death-claims?first=1&after=${page.json.pageInfo.endCursor}`);
    expect([page.json.items[0].id, next.json.items[0].id]).toEqual(claims.map((c) => c.id).sort());
    const gql = await send('broker', 'POST', '/graphql', { query: 'query { deathClaims(first: 10) { nodes { id policyId beneficiaries { kind status } } } }' });
    expect(gql.json.data.deathClaims.nodes.map((c: Body) => c.id).sort()).toEqual(claims.map((c) => c.id).sort());
  });
});
