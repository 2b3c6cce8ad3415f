import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { addDays } from '../../domain/shared/paris-calendar';
import { ScheduleStore } from '../../store/schedule-store';
import { EACH_DATABASE } from '../support/databases';
import { call, login, type Answer } from '../support/http';
import { DEMO_IDS, testId } from '../support/ids';
import { startTestServer, type TestServer } from '../support/server';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp';
import { freshPolicy, parisToday, paymentsEvent, PAYMENTS_SECRET } from '../support/surrender-fixtures';
import { insertEndpoint, Receiver, type FixtureEndpoint } from '../support/webhook-fixtures';

const IBAN = 'FR7630006000011234567890189';
type Body = Record<string, any>;
type Caller = Record<string, string>;

let addressCounter = 0;
const newAddress = () => `10.64.${Math.floor(++addressCounter / 250)}.${addressCounter % 250}`;

/**
 * The `payments` webhook settling premium collections: the ledger and the compartment once, whatever
 * the replays; rejections retried or told by e-mail as the product's rules say; the outbound events.
 */
describe.each(EACH_DATABASE)('premium settlement on %s', (_name, database) => {
  let server: TestServer;
  let smtp: TestSmtpServer;
  let receiver: Receiver;
  let endpoint: FixtureEndpoint;
  let alice: Caller;
  let broker: Caller;
  let policyId: string;
  let mainId: string;
  let payerId: string;
  let entryFeeBp: number;

  const SINGLE = '/v1/premium-scheduling/single-premium-requests';
  const get = (caller: Caller, id: string) => call(`${server.url}${SINGLE}/${id}`, { headers: caller });
  async function ok(answer: Promise<Answer>, status = 200): Promise<Body> {
    const done = await answer;
    if (done.status !== status) throw new Error(`expected ${status}, got ${done.status} ${done.text}`);
    return done.json;
  }
  const requestPremium = async (cents: number): Promise<Body> =>
    ok(call(`${server.url}${SINGLE}`, { method: 'POST', headers: { ...alice, 'idempotency-key': `key-${randomBytes(9).toString('base64url')}` }, json: { policyId, payerId, method: 'sepa_direct_debit', amount: { value: cents, currency: 'EUR' }, iban: IBAN } }), 201);
  const single = (id: string, extra: Body = {}) => ({ collection_type: 'single_premium_request', collection_id: id, ...extra });
  const ledger = (causeId: string) =>
    server.db.query<{ kind: string; amount: string | number; compartment_id: string | null }>(
      "select kind, amount, compartment_id from policy_money_movements where cause_type = 'payment' and cause_id = $1 order by id", [causeId],
    ).then((rows) => rows.map((r) => ({ kind: r.kind, amount: Number(r.amount), compartmentId: r.compartment_id })));
  const compartmentValue = async (id: string) => Number((await server.db.query<{ value: string | number }>('select value from compartments where id = $1', [id]))[0].value);
  const mails = (collectionId: string) => server.db.query<{ template: string; recipient_user_id: string | null }>("select template, recipient_user_id from notification_outbox where payload->>'collectionId' = $1", [collectionId]);
  const events = (type: string, resource: Record<string, string>) =>
    server.db.query<{ id: string }>('select id from outbound_events where type = $1 and resource = $2::jsonb', [type, JSON.stringify(resource)]);

  const bearer = async (email: string): Promise<Caller> => ({ authorization: `Bearer ${(await login(server.url, email, newAddress())).token}` });
  /** Sessions expire as the clock moves on: sign in again. */
  const signIn = async () => {
    [alice, broker] = await Promise.all(['alice@demo.test', 'broker@demo.test'].map(bearer));
  };

  beforeAll(async () => {
    smtp = await startSmtpServer();
    server = await startTestServer(database, { demoPortfolio: true, webhookSecrets: { payments: [PAYMENTS_SECRET] }, outbox: 'manual', env: { SMTP_URL: smtp.url, WEBHOOK_TIMEOUT_MS: '2000', WEBHOOK_RETRY_BASE_MS: '1' } });
    await signIn();
    const fresh = await freshPolicy(server, 'alice', 'av');
    policyId = fresh.policyId;
    mainId = fresh.compartments.MAIN;
    payerId = (await ok(call(`${server.url}/v1/premium-scheduling/subscribers/${DEMO_IDS.subscribers.alice}/payers`, { method: 'POST', headers: broker, json: { relationship: 'parent', firstName: 'Jeanne', lastName: 'Martin', birthDate: '1950-04-02', email: 'Jeanne.Martin@example.test' } }), 201)).id;
    await ok(call(`${server.url}/v1/premium-scheduling/payers/${payerId}/ibans`, { method: 'POST', headers: broker, json: { iban: IBAN, holderName: 'Jeanne Martin' } }), 201);
    entryFeeBp = Number((await server.db.query<{ bp: number }>('select pr.entry_fee_bp as bp from policies p join products pr on pr.id = p.product_id where p.id = $1', [policyId]))[0].bp);
    receiver = await Receiver.start();
    endpoint = await insertEndpoint(server.db, { url: receiver.url, at: server.clock.now(), distributorId: DEMO_IDS.distributor });
  });
  afterAll(async () => {
    await receiver?.close();
    await server?.close();
    await smtp?.close();
  });

  it('collected: the premium and the entry fee enter the ledger and the compartment once, whatever the replays; premium.collected is delivered', async () => {
    const request = await requestPremium(150_000);
    const before = await compartmentValue(mainId);
    const webhookId = `msg_${randomBytes(6).toString('hex')}`;
    expect((await paymentsEvent(server, 'premium.collected', single(request.id), webhookId)).json).toEqual({ received: true, duplicate: false });
    // The same delivery again, and the same news under another webhook id: nothing more.
    expect((await paymentsEvent(server, 'premium.collected', single(request.id), webhookId)).json).toEqual({ received: true, duplicate: true });
    expect((await paymentsEvent(server, 'premium.collected', single(request.id))).json).toEqual({ received: true, duplicate: false });

    const fee = Math.floor((150_000 * entryFeeBp + 5_000) / 10_000);
    expect(fee).toBeGreaterThan(0);
    expect(await ledger(request.id)).toEqual([{ kind: 'premium', amount: 150_000, compartmentId: mainId }, { kind: 'entry_fee', amount: -fee, compartmentId: mainId }]);
    expect(await compartmentValue(mainId)).toBe(before + 150_000 - fee);
    // The net premium buys fund positions by the request's allocation at the next NAVs: one order, placed once.
    const orders = await server.db.query<{ direction: string; status: string; amount: string; compartment_id: string }>(
      "select direction, status, amount::text as amount, compartment_id from position_orders where cause_type = 'premium' and cause_id = $1", [request.id],
    );
    expect(orders).toEqual([{ direction: 'buy', status: expect.stringMatching(/^(pending|executed)$/), amount: String(150_000 - fee), compartment_id: mainId }]);
    const read = await ok(get(alice, request.id));
    expect(read).toMatchObject({ id: request.id, status: 'collected', collectedAt: server.clock.now().toISOString(), rejection: null, attempt: 1, retryOf: null });

    const [event] = await events('premium.collected', { requestId: request.id });
    expect(event).toBeDefined();
    await server.app.eventRenderer.renderPending();
    await server.app.outbox.drain();
    const delivered = receiver.received.map((r) => new Webhook(endpoint.secret).verify(r.body, r.headers as Record<string, string>) as Body).find((b) => b.id === event.id);
    expect(delivered).toMatchObject({ type: 'premium.collected', data: { id: request.id, status: 'collected' } });
    // A collected request cannot be rejected afterwards.
    await paymentsEvent(server, 'premium.rejected', single(request.id, { reason_code: 'AM04' }));
    expect((await ok(get(alice, request.id))).status).toBe('collected');
  });

  it('rejected AM04: a new attempt due 7 days later, once; collected in its turn; no mail', async () => {
    const request = await requestPremium(80_000);
    expect((await paymentsEvent(server, 'premium.rejected', single(request.id, { reason_code: 'AM04', reason: 'Provision insuffisante' }))).status).toBe(200);
    await paymentsEvent(server, 'premium.rejected', single(request.id, { reason_code: 'AM04' }));
    const read = await ok(get(broker, request.id));
    expect(read).toMatchObject({ status: 'rejected', rejection: { at: server.clock.now().toISOString(), code: 'AM04', label: 'provision insuffisante', reason: 'Provision insuffisante' } });
    const retries = await server.db.query<{ id: string }>('select id from single_premium_requests where retry_of = $1', [request.id]);
    expect(retries).toHaveLength(1);
    const retry = await ok(get(alice, retries[0].id));
    expect(retry).toMatchObject({ status: 'pending_collection', retryOf: request.id, attempt: 2, dueDate: addDays(parisToday(server.clock), 7), amount: { amount: 80_000, currency: 'EUR' } });
    expect(await mails(request.id)).toEqual([]);
    expect(await ledger(request.id)).toEqual([]);
    // GraphQL reads the same settlement, for the subscriber and for their broker.
    for (const caller of [alice, broker]) {
      const gql = await ok(call(`${server.url}/graphql`, { method: 'POST', headers: caller, json: {
        query: 'query($id: ID!) { singlePremiumRequest(id: $id) { status collectedAt rejection { code label reason } retryOf attempt dueDate } }', variables: { id: retry.id },
      } }));
      expect(gql.data.singlePremiumRequest).toEqual({ status: 'pending_collection', collectedAt: null, rejection: null, retryOf: request.id, attempt: 2, dueDate: retry.dueDate });
    }
    const rejectedGql = await ok(call(`${server.url}/graphql`, { method: 'POST', headers: broker, json: { query: 'query($id: ID!) { singlePremiumRequest(id: $id) { status rejection { code label reason } } }', variables: { id: request.id } } }));
    expect(rejectedGql.data.singlePremiumRequest).toEqual({ status: 'rejected', rejection: { code: 'AM04', label: 'provision insuffisante', reason: 'Provision insuffisante' } });
    expect(await events('premium.rejected', { requestId: request.id })).toHaveLength(1);

    server.clock.advance(7 * 86_400_000);
    await signIn();
    await paymentsEvent(server, 'premium.collected', single(retry.id));
    expect((await ok(get(alice, retry.id))).status).toBe('collected');
    expect((await ledger(retry.id)).map((m) => [m.kind, m.amount])).toEqual([['premium', 80_000], ['entry_fee', -Math.floor((80_000 * entryFeeBp + 5_000) / 10_000)]]);
  });

  it('rejected MD01 on a scheduled collection: rejected, the schedule suspended, the subscriber and the payer mailed in French; premium.rejected names the schedule', async () => {
    const today = parisToday(server.clock);
    await ok(call(`${server.url}/v1/premium-scheduling/policies/${policyId}/schedule`, { method: 'POST', headers: { ...alice, 'idempotency-key': `key-${randomBytes(9).toString('base64url')}` }, json: { payerId, frequency: 'monthly', amount: { value: 10_000, currency: 'EUR' }, dayOfMonth: 5 } }), 201);
    const [schedule] = await server.db.query<{ id: string }>('select id from premium_schedules where policy_id = $1', [policyId]);
    const collectionId = testId('collection_md01');
    await server.db.transaction((tx) => new ScheduleStore(tx).insertCollection(tx, {
      id: collectionId, scheduleId: schedule.id, policyId, dueDate: today, amount: 10_000, currency: 'EUR', iban: IBAN, allocation: [{ compartmentId: mainId, isin: 'FR0000000001', basisPoints: 10_000 }],
      status: 'pending_collection', createdAt: server.clock.now(), collectedAt: null, rejectedAt: null, rejectionCode: null, rejectionReason: null, retryOf: null, attempt: 1,
    }));
    await server.app.outbox.drain();
    smtp.received.length = 0;

    await paymentsEvent(server, 'premium.rejected', { collection_type: 'scheduled_premium_collection', collection_id: collectionId, reason_code: 'MD01' });
    const read = await ok(call(`${server.url}/v1/premium-scheduling/policies/${policyId}/schedule`, { headers: broker }));
    expect(read.status).toBe('suspended');
    expect(read.collections.find((c: Body) => c.id === collectionId)).toMatchObject({ status: 'rejected', rejection: { code: 'MD01', label: 'pas de mandat valide', reason: null }, retryOf: null, attempt: 1 });
    expect(read.collections.filter((c: Body) => c.retryOf === collectionId)).toEqual([]);
    expect(await events('premium.rejected', { policyId })).toHaveLength(1);

    await server.app.outbox.drain();
    const mails = smtp.received.filter((m) => m.subject === "Votre versement n'a pas pu être prélevé");
    const addressed = (m: (typeof mails)[number]) => (m.to && !Array.isArray(m.to) ? m.to.value.map((a) => a.address) : []);
    // The subscriber, and the payer at the address they gave (stored in lower case).
    expect(mails.map(addressed).sort()).toEqual([['alice@demo.test'], ['jeanne.martin@example.test']]);
    const mail = mails.find((m) => addressed(m)[0] === 'alice@demo.test');
    expect(mail!.text).toContain('MD01 : pas de mandat valide');
    expect(mail!.text).toContain('Jeanne Martin');
    expect(mail!.text).toContain('100,00');
    expect(mail!.text).toContain('suspendus');
  });

  it('a malformed event is a 400 (not recorded: the corrected retry is applied); an unknown collection is a 422', async () => {
    const request = await requestPremium(60_000);
    const webhookId = `msg_${randomBytes(6).toString('hex')}`;
    const missing = await paymentsEvent(server, 'premium.rejected', single(request.id), webhookId);
    expect({ status: missing.status, field: missing.json.errors[0].field }).toEqual({ status: 400, field: 'data.reason_code' });
    expect((await paymentsEvent(server, 'premium.rejected', single(request.id, { reason_code: 'am04' }), webhookId)).status).toBe(400);
    expect((await paymentsEvent(server, 'premium.collected', { collection_type: 'cheque', collection_id: request.id }, webhookId)).status).toBe(400);
    expect((await paymentsEvent(server, 'premium.collected', single('nope'), webhookId)).status).toBe(422);
    expect((await paymentsEvent(server, 'premium.rejected', single(request.id, { reason_code: 'MS02' }), webhookId)).json).toEqual({ received: true, duplicate: false });
    expect(await ok(get(alice, request.id))).toMatchObject({ status: 'rejected', rejection: { code: 'MS02' } });
    // The subscriber, and the payer at their own address.
    expect(await mails(request.id)).toEqual([expect.objectContaining({ template: 'premium_rejected' }), { template: 'premium_rejected', recipient_user_id: null }]);
  });
});
