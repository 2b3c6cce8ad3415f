import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { DEMO_FUNDS } from '../../domain/demo/demo-investments';
import { EACH_DATABASE } from '../support/databases';
import { tinyPng } from '../support/files';
import { call, login, type Answer } from '../support/http';
import { insertBroker, partnerHeaders } from '../support/actors';
import { startTestServer, type TestServer } from '../support/server';
import { DEMO_IDS, testId } from '../support/ids';
import { subscriptionBody } from '../support/subscription-inputs';
import { freshPolicy, parisToday, paymentsEvent, PAYMENTS_SECRET, scaledEur } from '../support/surrender-fixtures';
import { acceptIbanProof, payoutIbansPath } from '../support/payout-fixtures';

type Caller = Record<string, string>;
interface StoredEvent {
  id: string;
  type: string;
  distributor_id: string | null;
  resource: Record<string, string>;
  data: unknown;
  rendered_at: Date | null;
}

const EVENT_ID = /^evt_[0-9A-HJKMNP-TV-Z]{26}$/;

/**
 * Every event type of the catalogue, published by a real REST flow on the demo data: stored in the
 * change's transaction with one pending delivery per endpoint that takes it, and rendered as the
 * REST read of its resource answers it.
 */
describe.each(EACH_DATABASE)('webhook events on %s', (_name, database) => {
  let server: TestServer;
  const as: Record<string, Caller> = {};
  const endpoints: Record<string, string> = {};
  let seen = new Set<string>();
  let deathClaim: any;

  const send = (who: string, method: string, path: string, json?: unknown, headers: Caller = {}): Promise<Answer> =>
    call(`${server.url}${path}`, { method, headers: { ...as[who], ...headers }, ...(json !== undefined ? { json } : {}) });
  async function ok(answer: Promise<Answer>, what: string): Promise<any> {
    const done = await answer;
    if (done.status < 200 || done.status > 299) throw new Error(`${what}: ${done.status} ${done.text}`);
    return done.json;
  }

  /** Events published since the last call, oldest first. */
  async function newEvents(): Promise<StoredEvent[]> {
    const rows = await server.db.query<StoredEvent>('select id, type, distributor_id, resource, data, rendered_at from outbound_events order by created_at, id');
    const fresh = rows.filter((r) => !seen.has(r.id));
    seen = new Set(rows.map((r) => r.id));
    return fresh;
  }
  async function deliveredTo(eventId: string): Promise<string[]> {
    const rows = await server.db.query<{ endpoint_id: string; status: string; attempts: number }>('select endpoint_id, status, attempts from webhook_deliveries where event_id = $1', [eventId]);
    for (const r of rows) expect({ status: r.status, attempts: r.attempts }).toEqual({ status: 'pending', attempts: 0 });
    const names = Object.fromEntries(Object.entries(endpoints).map(([name, id]) => [id, name]));
    return rows.map((r) => names[r.endpoint_id] ?? r.endpoint_id).sort();
  }
  /** The event's `data` once rendered, which must equal what `reader` reads at `path` now. */
  async function expectRendered(event: StoredEvent, path: string, reader = 'partner'): Promise<void> {
    await server.app.eventRenderer.renderPending();
    const [row] = await server.db.query<{ data: unknown; rendered_at: Date | null }>('select data, rendered_at from outbound_events where id = $1', [event.id]);
    expect(row.rendered_at).not.toBeNull();
    const read = await send(reader, 'GET', path);
    expect(read.status).toBe(200);
    expect(row.data).toEqual(read.json);
  }
  function expectEvent(events: StoredEvent[], type: string, resource: Record<string, string>): StoredEvent {
    const event = events.find((e) => e.type === type && isDeepStrictEqual(e.resource, resource));
    if (!event) throw new Error(`no ${type} ${JSON.stringify(resource)} among ${JSON.stringify(events.map((e) => [e.type, e.resource]))}`);
    expect(event.id).toMatch(EVENT_ID);
    expect(event.distributor_id).toBe(DEMO_IDS.distributor);
    return event;
  }
  /** A distributor's event goes to its endpoints that take the type and to back-office's, never to another distributor's. */
  async function expectFannedOut(event: StoredEvent): Promise<void> {
    const expected = event.type === 'support_request.created' ? ['all', 'backoffice', 'narrow'] : ['all', 'backoffice'];
    expect(await deliveredTo(event.id)).toEqual(expected);
  }

  beforeAll(async () => {
    // Publication only: the deliveries stay as published (test/outbox sends them).
    server = await startTestServer(database, { demoPortfolio: true, webhookSecrets: { payments: [PAYMENTS_SECRET] }, outbox: 'manual' });
    for (const [i, who] of ['alice', 'broker', 'backoffice'].entries()) as[who] = { authorization: `Bearer ${(await login(server.url, `${who}@demo.test`, `10.65.0.${i + 1}`)).token}` };
    as.partner = await partnerHeaders(server.url, '10.65.0.9');
    const otherId = testId(`usr_${randomBytes(6).toString('hex')}`);
    await insertBroker(server.db, server.clock.now(), { userId: otherId, distributorId: testId('dst_other_events') });
    as.other = { authorization: `Bearer ${(await login(server.url, `${otherId}@other.test`, '10.65.0.5')).token}` };
    const create = async (who: string, body: Record<string, unknown>) => (await ok(send(who, 'POST', '/v1/webhook-endpoints', { url: 'http://127.0.0.1:9/hooks', ...body }), 'endpoint')).id;
    endpoints.all = await create('partner', {});
    endpoints.narrow = await create('broker', { eventTypes: ['support_request.created'] });
    endpoints.other = await create('other', {});
    endpoints.backoffice = await create('backoffice', {});
    endpoints.disabled = await create('partner', {});
    await ok(send('partner', 'PATCH', `/v1/webhook-endpoints/${endpoints.disabled}`, { enabled: false }), 'disable');
    await newEvents();
  });
  afterAll(() => server?.close());

  it('subscription.signed and policy.issued by an OTP signature; subscription.withdrawn and compartment.transitioned by the withdrawal', async () => {
    const sub = (id: string) => `/v1/subscription/subscriptions/${id}`;
    const draft = await ok(send('alice', 'POST', `/v1/subscription/subscribers/${DEMO_IDS.subscribers.alice}/subscriptions`, subscriptionBody(DEMO_IDS.insurees.alice)), 'draft');
    await ok(send('alice', 'POST', `${sub(draft.id)}/documents`), 'documents');
    const signature = await ok(send('alice', 'POST', `${sub(draft.id)}/signing`, { method: 'otp' }), 'signing');
    const [otp] = await server.db.query<{ payload: { code: string } }>("select payload from notification_outbox where template = 'signature_otp' and payload->>'signatureId' = $1", [signature.id]);
    await ok(send('alice', 'POST', `${sub(draft.id)}/signing/otp`, { code: otp.payload.code }), 'otp');
    const [{ id: policyId }] = await server.db.query<{ id: string }>('select id from policies where subscription_id = $1', [draft.id]);

    const events = await newEvents();
    const signed = expectEvent(events, 'subscription.signed', { subscriptionId: draft.id });
    const issued = expectEvent(events, 'policy.issued', { policyId });
    for (const event of [signed, issued]) await expectFannedOut(event);
    await expectRendered(signed, sub(draft.id));
    await expectRendered(issued, `/v1/policies/${policyId}`);
    expect(signed.data ?? (await server.app.eventRenderer.render(signed.id))).toBeTruthy();

    await ok(send('alice', 'POST', `${sub(draft.id)}/withdraw`, { reason: 'Changed my mind' }), 'withdraw');
    const after = await newEvents();
    const withdrawn = expectEvent(after, 'subscription.withdrawn', { subscriptionId: draft.id });
    await expectFannedOut(withdrawn);
    await expectRendered(withdrawn, sub(draft.id));
    expect(after.filter((e) => e.type === 'compartment.transitioned')).toHaveLength(1);
    // The earlier rendering stays as it was: the signed event still shows the subscription signed.
    const [kept] = await server.db.query<{ data: { status: string } }>('select data from outbound_events where id = $1', [signed.id]);
    expect(kept.data.status).not.toBe('withdrawn');
  });

  it('surrender.declared (partial: data is the declaration) and surrender.paid', async () => {
    const { policyId, compartments } = await freshPolicy(server, 'alice', 'av');
    const path = `/v1/partial-surrender/policies/${policyId}/compartments/${compartments.MAIN}/declarations`;
    const declared = await ok(send('alice', 'POST', path, { amount: scaledEur(100_000), requestedAt: parisToday(server.clock) }), 'declare');
    const declaredEvent = expectEvent(await newEvents(), 'surrender.declared', { policyId, compartmentId: compartments.MAIN, declarationId: declared.id });
    await expectFannedOut(declaredEvent);
    await expectRendered(declaredEvent, `${path}/${declared.id}`);

    await ok(paymentsEvent(server, 'surrender.paid', { declaration_id: declared.id }), 'paid');
    const paid = expectEvent(await newEvents(), 'surrender.paid', { policyId, compartmentId: compartments.MAIN, declarationId: declared.id });
    await expectFannedOut(paid);
    await expectRendered(paid, `${path}/${declared.id}`);
    const [row] = await server.db.query<{ data: { status: string } }>('select data from outbound_events where id = $1', [paid.id]);
    expect(row.data.status).toBe('paid');
  });

  it('surrender.declared for a total surrender names the total read', async () => {
    const { policyId } = await freshPolicy(server, 'alice', 'av');
    const path = `/v1/total-surrender/policies/${policyId}/declarations`;
    const declared = await ok(send('backoffice', 'POST', path, { reason: 'client-request' }), 'declare');
    const event = expectEvent(await newEvents(), 'surrender.declared', { policyId, declarationId: declared.id });
    await expectRendered(event, `${path}/${declared.id}`);
  });

  it('beneficiary_designation.updated by a PUT of the designation', async () => {
    const path = `/v1/death-settlement/policies/${DEMO_IDS.policies.aliceAv}/beneficiary-designation`;
    const current = await send('alice', 'GET', path);
    await ok(send('alice', 'PUT', path, { standardClauseId: DEMO_IDS.standardClauses.heirs }, { 'if-match': current.headers.get('etag')! }), 'designate');
    const event = expectEvent(await newEvents(), 'beneficiary_designation.updated', { policyId: DEMO_IDS.policies.aliceAv });
    await expectFannedOut(event);
    await expectRendered(event, path);
  });

  it('payout_iban.confirmed once its RIB proof is accepted; partners get it masked', async () => {
    const registered = await ok(send('alice', 'POST', payoutIbansPath(DEMO_IDS.subscribers.alice), { iban: 'FR7630004000031234567890143', holderName: 'Alice Martin' }), 'register');
    expect(await newEvents()).toEqual([]);
    await acceptIbanProof(server, as.backoffice, DEMO_IDS.subscribers.alice, registered.id);
    const event = expectEvent(await newEvents(), 'payout_iban.confirmed', { subscriberId: DEMO_IDS.subscribers.alice, iban: registered.id });
    await expectFannedOut(event);
    await expectRendered(event, `${payoutIbansPath(DEMO_IDS.subscribers.alice)}/${registered.id}`);
    const [row] = await server.db.query<{ data: { iban: string; status: string } }>('select data from outbound_events where id = $1', [event.id]);
    expect(row.data).toMatchObject({ status: 'confirmed', iban: expect.stringContaining('****') });
  });

  it('compartment.transitioned by the lifecycle route', async () => {
    const { policyId, compartments } = await freshPolicy(server, 'alice', 'per');
    const path = `/v1/compartment-lifecycle/policies/${policyId}/compartments/${compartments.C1}`;
    await ok(send('partner', 'POST', `${path}/suspend`, { reason: 'fraud check' }), 'suspend');
    const event = expectEvent(await newEvents(), 'compartment.transitioned', { policyId, compartmentId: compartments.C1 });
    await expectFannedOut(event);
    await expectRendered(event, path);
  });

  it('support_request.created, read as its distributor reads it; an endpoint with eventTypes gets only those', async () => {
    const opened = await ok(send('alice', 'POST', `/v1/support/subscribers/${DEMO_IDS.subscribers.alice}/requests`, { message: 'Hello' }), 'support');
    const event = expectEvent(await newEvents(), 'support_request.created', { requestId: opened.id });
    await expectFannedOut(event);
    await expectRendered(event, `/v1/support/requests/${opened.id}`, 'broker');
    const narrow = await server.db.query<{ type: string }>('select e.type from webhook_deliveries d join outbound_events e on e.id = d.event_id where d.endpoint_id = $1', [endpoints.narrow]);
    expect(new Set(narrow.map((r) => r.type))).toEqual(new Set(['support_request.created']));
    for (const name of ['other', 'disabled']) expect(await server.db.query('select 1 from webhook_deliveries where endpoint_id = $1', [endpoints[name]])).toEqual([]);
  });

  it('switch.executed when forward pricing executes a switch; the subscriber gets its e-mail', async () => {
    const policyId = DEMO_IDS.policies.aliceAv;
    const compartmentId = DEMO_IDS.compartments.aliceAvMain;
    const path = `/v1/switches/policies/${policyId}/compartments/${compartmentId}/requests`;
    const positions = await ok(send('alice', 'GET', `/v1/investments/policies/${policyId}/compartments/${compartmentId}/positions`), 'positions');
    const from = positions.positions.find((p: { isin: string }) => p.isin !== DEMO_FUNDS.euro.isin).isin;
    const requested = await ok(send('alice', 'POST', path, { legs: [
      { isin: from, direction: 'SELL', unit: 'BASIS_POINT_OF_CURRENT_POSITION', basisPoints: 5_000 },
      { isin: DEMO_FUNDS.euro.isin, direction: 'BUY', unit: 'BASIS_POINT_OF_SELL_PROCEED', basisPoints: 10_000 },
    ] }), 'switch');
    // Executed at once when the day's NAV is already known (the demo's last day), else when it is loaded.
    if (requested.status === 'requested') {
      expect((await newEvents()).filter((e) => e.type === 'switch.executed')).toEqual([]);
      await ok(send('partner', 'PUT', `/v1/investments/funds/${from}/valuations/${requested.receivedOn}`, { nav: { value: 1_234_567, scale: 4, currency: 'EUR' } }), 'nav');
    }
    const event = expectEvent(await newEvents(), 'switch.executed', { policyId, compartmentId, requestId: requested.id });
    await expectFannedOut(event);
    await expectRendered(event, `${path}/${requested.id}`);
    const [row] = await server.db.query<{ data: { status: string } }>('select data from outbound_events where id = $1', [event.id]);
    expect(row.data.status).toBe('executed');
    const mails = await server.db.query<{ recipient_user_id: string; payload: Record<string, unknown> }>("select recipient_user_id, payload from notification_outbox where template = 'switch_executed' and payload->>'switchRequestId' = $1", [requested.id]);
    expect(mails).toEqual([{ recipient_user_id: DEMO_IDS.users.alice, payload: expect.objectContaining({ policyId, compartmentId }) }]);
  });

  it('death_claim.notified per claim of the notice, read as its distributor reads it', async () => {
    const notice = await ok(send('partner', 'POST', '/v1/death-claims', { subscriberId: DEMO_IDS.subscribers.bob, dateOfDeath: parisToday(server.clock), source: 'partner_platform', deathCertificateReference: 'ACTE-42' }), 'death notice');
    const events = await newEvents();
    for (const claim of notice.claims) {
      const event = expectEvent(events, 'death_claim.notified', { claimId: claim.id });
      await expectFannedOut(event);
      await expectRendered(event, `/v1/death-claims/${claim.id}`, 'broker');
    }
    deathClaim = notice.claims[0];
  });

  it('death_claim.file_completed when back-office accepts the last document of a beneficiary\'s file, read as the file', async () => {
    let claim = deathClaim;
    const clause = claim.beneficiaries.find((b: { kind: string; status: string }) => b.kind === 'class_clause' && b.status === 'to_identify');
    if (clause) {
      const persons = [{ firstName: 'Léa', lastName: 'Durand', birthDate: '1995-02-10', relationship: 'child' }];
      claim = await ok(send('backoffice', 'POST', `/v1/death-claims/${claim.id}/beneficiaries/${clause.id}/identification`, { persons }), 'identification');
    }
    const person = claim.beneficiaries.find((b: { kind: string; status: string }) => b.kind === 'named' && b.status === 'found');
    const path = `/v1/death-claims/${claim.id}/beneficiaries/${person.id}`;
    const file = await ok(send('broker', 'GET', `${path}/file`), 'file');
    for (const { item } of file.items) {
      // A RIB names the IBAN it shows.
      const iban = item === 'iban_proof' ? { iban: 'FR7630006000011234567890189' } : {};
      const document = await ok(send('partner', 'POST', `${path}/documents`, { item, fileName: `${item}.png`, contentType: 'image/png', contentBase64: tinyPng().toString('base64'), ...iban }), item);
      await ok(send('backoffice', 'POST', `${path}/documents/${document.id}/review`, { decision: 'accept' }), `review ${item}`);
    }
    const event = expectEvent(await newEvents(), 'death_claim.file_completed', { claimId: claim.id, beneficiaryId: person.id });
    await expectFannedOut(event);
    await expectRendered(event, `${path}/file`, 'broker');
  });

  it('premium.collected (a single premium, read as its request) and premium.rejected (a scheduled collection, read as its schedule)', async () => {
    const fresh = await freshPolicy(server, 'alice', 'av');
    const payer = await ok(send('broker', 'POST', `/v1/premium-scheduling/subscribers/${DEMO_IDS.subscribers.alice}/payers`, { relationship: 'parent', firstName: 'Jeanne', lastName: 'Martin', birthDate: '1950-04-02' }), 'payer');
    await ok(send('broker', 'POST', `/v1/premium-scheduling/payers/${payer.id}/ibans`, { iban: 'FR7630006000011234567890189', holderName: 'Jeanne Martin' }), 'iban');
    const request = await ok(send('alice', 'POST', '/v1/premium-scheduling/single-premium-requests', { policyId: fresh.policyId, payerId: payer.id, method: 'sepa_direct_debit', amount: { value: 150_000, currency: 'EUR' } }, { 'idempotency-key': `key-${randomBytes(6).toString('hex')}` }), 'request');
    await newEvents();
    await ok(paymentsEvent(server, 'premium.collected', { collection_type: 'single_premium_request', collection_id: request.id }), 'collected');
    const collected = expectEvent(await newEvents(), 'premium.collected', { requestId: request.id });
    await expectFannedOut(collected);
    await expectRendered(collected, `/v1/premium-scheduling/single-premium-requests/${request.id}`);

    const path = `/v1/premium-scheduling/policies/${fresh.policyId}/schedule`;
    await ok(send('alice', 'POST', path, { payerId: payer.id, frequency: 'monthly', amount: { value: 10_000, currency: 'EUR' }, dayOfMonth: 5 }, { 'idempotency-key': `key-${randomBytes(6).toString('hex')}` }), 'schedule');
    const [schedule] = await server.db.query<{ id: string; allocation: unknown }>('select id, allocation from premium_schedules where policy_id = $1', [fresh.policyId]);
    const collectionId = testId('collection_event');
    await server.db.query(
      `insert into scheduled_premium_collections (id, schedule_id, policy_id, due_date, amount, currency, iban, allocation, status, created_at) values ($1, $2, $3, $4, 10000, 'EUR', 'FR7630006000011234567890189', $5, 'submitted', $6)`,
      [collectionId, schedule.id, fresh.policyId, parisToday(server.clock), JSON.stringify(schedule.allocation), server.clock.now()],
    );
    await ok(paymentsEvent(server, 'premium.rejected', { collection_type: 'scheduled_premium_collection', collection_id: collectionId, reason_code: 'AM04' }), 'rejected');
    const rejected = expectEvent(await newEvents(), 'premium.rejected', { policyId: fresh.policyId });
    await expectFannedOut(rejected);
    await expectRendered(rejected, path);
    const [row] = await server.db.query<{ data: { collections: Array<{ id: string; status: string; retryOf: string | null }> } }>('select data from outbound_events where id = $1', [rejected.id]);
    expect(row.data.collections.map((c) => [c.status, c.retryOf])).toEqual([['rejected', null], ['pending_collection', collectionId]]);
  });

  it("death_claim.paid when the payment provider pays a beneficiary's part, read as its distributor reads the payment; death_claim.closed with the last part", async () => {
    const [claim] = (await ok(send('backoffice', 'GET', '/v1/death-claims?first=100'), 'claims')).items.filter((c: { subscriberId: string }) => c.subscriberId === DEMO_IDS.subscribers.bob);
    // The class clause resolved into one person whose file is complete today: paid on time, no interest.
    const [clause] = await server.db.query<{ id: string }>('select id from death_claim_beneficiaries where claim_id = $1 order by position limit 1', [claim.id]);
    await server.db.query(`update death_claim_beneficiaries set status = 'identified' where id = $1`, [clause.id]);
    const lineId = testId('dcb_events');
    await server.db.query(
      `insert into death_claim_beneficiaries (id, claim_id, position, rank, kind, clause_line_id, first_name, last_name, share_basis_points, status, file_completed_at, created_at, updated_at)
       values ($1, $2, 99, 1, 'named', $3, 'Léa', 'Durand', 10000, 'found', $4, $4, $4)`,
      [lineId, claim.id, clause.id, server.clock.now()],
    );
    // Paid to the account of a RIB naming its IBAN, accepted by back-office.
    const iban = 'FR7630006000011234567890189';
    const payLine = async (id: string, holderName: string) => {
      const documents = `/v1/death-claims/${claim.id}/beneficiaries/${id}/documents`;
      const rib = await ok(send('broker', 'POST', documents, { item: 'iban_proof', fileName: 'rib.png', contentType: 'image/png', contentBase64: tinyPng().toString('base64'), iban }), 'rib');
      await ok(send('backoffice', 'POST', `${documents}/${rib.id}/review`, { decision: 'accept' }), 'rib review');
      const paid = await ok(send('backoffice', 'POST', `/v1/death-claims/${claim.id}/payments`, { beneficiaryId: id, iban, holderName }), 'claim payment');
      expect((await paymentsEvent(server, 'death_claim_payment.paid', { payment_id: paid.id })).status).toBe(200);
      return paid;
    };
    const payment = await payLine(lineId, 'Léa Durand');
    // The other persons of the rank (identified in the test above) are paid too: the last part closes the claim.
    const takers = (await ok(send('backoffice', 'GET', `/v1/death-claims/${claim.id}`), 'claim')).beneficiaries
      .filter((b: { id: string; kind: string; shareOfClaimBasisPoints: number | null }) => b.kind === 'named' && b.shareOfClaimBasisPoints !== null && b.id !== lineId);
    for (const other of takers) await payLine(other.id, `${other.firstName} ${other.lastName}`);
    const events = await newEvents();
    const event = expectEvent(events, 'death_claim.paid', { claimId: claim.id, paymentId: payment.id });
    await expectFannedOut(event);
    await expectRendered(event, `/v1/death-claims/${claim.id}/payments/${payment.id}`, 'partner');
    // The last part paid closes the claim, in the same transaction.
    const closed = expectEvent(events, 'death_claim.closed', { claimId: claim.id });
    await expectFannedOut(closed);
    await expectRendered(closed, `/v1/death-claims/${claim.id}`, 'partner');
    const [row] = await server.db.query<{ data: { status: string; closedAt: string | null } }>('select data from outbound_events where id = $1', [closed.id]);
    expect(row.data).toMatchObject({ status: 'closed', closedAt: expect.any(String) });
  });

  it('shows the deliveries to their endpoint and replays one with a fresh budget, keeping its attempt log', async () => {
    const list = await send('partner', 'GET', `/v1/webhook-endpoints/${endpoints.all}/deliveries?first=100`);
    expect(list.status).toBe(200);
    const types = new Set(list.json.items.map((d: { eventType: string }) => d.eventType));
    expect(types).toEqual(new Set(['subscription.signed', 'policy.issued', 'subscription.withdrawn', 'surrender.declared', 'surrender.paid', 'beneficiary_designation.updated', 'payout_iban.confirmed', 'compartment.transitioned', 'support_request.created', 'switch.executed', 'death_claim.notified', 'premium.collected', 'premium.rejected', 'death_claim.file_completed', 'death_claim.paid', 'death_claim.closed']));
    const delivery = list.json.items[0];
    // As the dispatcher would leave it: two attempts, given up.
    const at = server.clock.now();
    await server.db.query("update webhook_deliveries set status = 'failed', attempts = 2 where id = $1", [delivery.id]);
    await server.db.query('insert into webhook_delivery_attempts (delivery_id, attempt, attempted_at, status_code, duration_ms, error) values ($1, 1, $2, 500, 12, $3), ($1, 2, $2, null, 10000, $4)', [delivery.id, at, 'HTTP 500', 'timeout']);
    const replayed = await send('partner', 'POST', `/v1/webhook-endpoints/${endpoints.all}/deliveries/${delivery.id}/replay`);
    expect(replayed.status).toBe(200);
    expect(replayed.json).toMatchObject({ id: delivery.id, eventId: delivery.eventId, status: 'pending', nextAttemptAt: expect.any(String), attempts: [{ attempt: 1, statusCode: 500, durationMs: 12, error: 'HTTP 500' }, { attempt: 2, statusCode: null, durationMs: 10000, error: 'timeout' }] });
    const [row] = await server.db.query<{ status: string; attempts: number; next_attempt_at: Date }>('select status, attempts, next_attempt_at from webhook_deliveries where id = $1', [delivery.id]);
    expect(row).toEqual({ status: 'pending', attempts: 0, next_attempt_at: at });
    // Another endpoint's delivery is not found through this one; an attempt under way cannot be replayed.
    expect((await send('backoffice', 'POST', `/v1/webhook-endpoints/${endpoints.backoffice}/deliveries/${delivery.id}/replay`)).status).toBe(404);
    await server.db.query("update webhook_deliveries set lease_owner = 'replica-x', lease_until = $2 where id = $1", [delivery.id, new Date(at.getTime() + 60_000)]);
    const busy = await send('partner', 'POST', `/v1/webhook-endpoints/${endpoints.all}/deliveries/${delivery.id}/replay`);
    expect(busy.status).toBe(409);
    expect(busy.json.errors[0].reason).toBe('WEBHOOK_DELIVERY_IN_FLIGHT');
  });
});
