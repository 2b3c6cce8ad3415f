import { randomBytes } from 'node:crypto';
import { insertBroker, partnerHeaders } from '../support/actors';
import { EACH_DATABASE } from '../support/databases';
import { restReason } from '../support/errors';
import { acceptedEvidence, reviewEvidence, uploadEvidence } from '../support/evidence';
import { call, login, type Answer } from '../support/http';
import { DEMO_IDS, testId } from '../support/ids';
import { startTestServer, type TestServer } from '../support/server';
import { freshPolicy, PAYMENTS_SECRET, paymentsEvent } from '../support/surrender-fixtures';

const IBAN = 'FR7630006000011234567890189';
const IBAN_MASKED = 'FR76 **** **** **** **** ***0 189';
const IBAN_DE = 'DE89370400440532013000';
const EURO_FUND = 'FR0000000001';
const EQUITY_FUND = 'FR0010315770';

type Body = Record<string, any>;
type Caller = Record<string, string>;

let addressCounter = 0;
const newAddress = () => `10.63.${Math.floor(++addressCounter / 250)}.${addressCounter % 250}`;
const newKey = () => `key-${randomBytes(9).toString('base64url')}`;
const cents = (value: number) => ({ value, currency: 'EUR' });

function expectError(answer: Answer, status: number, code: string, reason?: string, field?: string): void {
  expect({ status: answer.status, code: answer.json?.errors?.[0]?.code }).toEqual({ status, code });
  expect(answer.json.errors[0]).toEqual(expect.objectContaining({ ...(reason ? restReason(code, reason) : {}), ...(field ? { field } : {}), doc_url: expect.stringMatching(new RegExp(`/errors/${code}$`)) }));
}

describe.each(EACH_DATABASE)('REST single premiums on %s', (_name, database) => {
  let server: TestServer;
  let base: string;
  let alice: Caller;
  let bob: Caller;
  let broker: Caller;
  let otherBroker: Caller;
  let backoffice: Caller;
  let machine: Caller;
  let payerId: string;
  let policyId: string;
  let mainId: string;

  const SINGLE = '/v1/premium-scheduling/single-premium-requests';
  const request = (caller: Caller, body: Body, headers: Caller = {}) => call(`${base}${SINGLE}`, { method: 'POST', json: body, headers: { ...caller, ...headers } });
  const cancel = (caller: Caller, id: string, headers: Caller = {}) => call(`${base}${SINGLE}/${id}/cancel`, { method: 'POST', headers: { ...caller, ...headers } });
  const get = (caller: Caller, id: string) => call(`${base}${SINGLE}/${id}`, { headers: caller });
  const body = (extra: Body = {}): Body => ({ policyId, payerId, method: 'sepa_direct_debit', amount: cents(150_000), iban: IBAN, ...extra });

  async function created(answer: Promise<Answer>): Promise<Body> {
    const done = await answer;
    if (done.status !== 201) throw new Error(`expected 201, got ${done.status} ${done.text}`);
    return done.json;
  }

  const bearer = async (email: string): Promise<Caller> => ({ authorization: `Bearer ${(await login(base, email, newAddress())).token}` });
  /** The payment provider says the debit was collected (signed `payments` webhook); answers the request's status after it. */
  const collect = async (id: string): Promise<string> => {
    const answer = await paymentsEvent(server, 'premium.collected', { collection_type: 'single_premium_request', collection_id: id });
    if (answer.status >= 300) throw new Error(`payments webhook answered ${answer.status} ${answer.text}`);
    const [row] = await server.db.query<{ status: string }>('select status from single_premium_requests where id = $1', [id]);
    return row.status;
  };

  beforeAll(async () => {
    server = await startTestServer(database, { demoPortfolio: true, webhookSecrets: { payments: [PAYMENTS_SECRET] } });
    base = server.url;
    [alice, bob, broker, backoffice] = await Promise.all(['alice@demo.test', 'bob@demo.test', 'broker@demo.test', 'backoffice@demo.test'].map(bearer));
    machine = await partnerHeaders(base, newAddress());
    otherBroker = await bearer(await insertBroker(server.db, server.clock.now(), { userId: testId('usr_premium_other'), distributorId: testId('dst_premium_other') }));
    const fresh = await freshPolicy(server, 'alice', 'av');
    policyId = fresh.policyId;
    mainId = fresh.compartments.MAIN;
    const payer = await created(call(`${base}/v1/premium-scheduling/subscribers/${DEMO_IDS.subscribers.alice}/payers`, { method: 'POST', headers: broker, json: { relationship: 'parent', firstName: 'Jeanne', lastName: 'Martin', birthDate: '1950-04-02' } }));
    payerId = payer.id;
    await created(call(`${base}/v1/premium-scheduling/payers/${payerId}/ibans`, { method: 'POST', headers: broker, json: { iban: IBAN, holderName: 'Jeanne Martin' } }));
    await created(call(`${base}/v1/premium-scheduling/payers/${payerId}/ibans`, { method: 'POST', headers: broker, json: { iban: IBAN_DE, holderName: 'Jeanne Martin' } }));
  });
  afterAll(() => server?.close());

  describe('POST /v1/premium-scheduling/single-premium-requests', () => {
    it("creates a request from the payer's IBAN, allocated like the policy when no allocation is sent", async () => {
      const made = await created(request(alice, body()));
      expect(made).toEqual({
        id: expect.any(String), policyId, payerId, method: 'sepa_direct_debit', amount: { amount: 150_000, currency: 'EUR' }, iban: IBAN, holderName: 'Jeanne Martin',
        allocation: [{ compartmentId: mainId, isin: EURO_FUND, basisPoints: 10_000 }], status: 'pending_collection', fundsOriginProofRequired: false,
        createdAt: expect.any(String), cancelledAt: null, collectedAt: null, rejection: null, retryOf: null, attempt: 1, dueDate: null,
      });
      expect((await get(broker, made.id)).json).toEqual({ ...made, iban: IBAN_MASKED });
      const audit = await server.db.query<{ action: string; details: Body }>('select action, details from audit_log where target_id = $1', [made.id]);
      expect(audit).toEqual([{ action: 'single_premium.requested', details: expect.objectContaining({ amount: 150_000, iban: IBAN_MASKED, relationship: 'parent' }) }]);
    });

    it('value with scale is converted exactly; the default IBAN is used when none is named; an allocation by compartment and fund is kept', async () => {
      const made = await created(request(machine, {
        policyId, payerId, method: 'sepa_direct_debit', amount: { value: 250_050, scale: 2, currency: 'EUR' },
        allocation: [{ compartmentId: mainId, isin: EURO_FUND, basisPoints: 7_000 }, { compartmentId: mainId, isin: EQUITY_FUND, basisPoints: 3_000 }],
      }));
      expect(made.amount).toEqual({ amount: 250_050, currency: 'EUR' });
      expect(made.iban).toBe(IBAN_MASKED);
      expect(made.allocation).toEqual([{ compartmentId: mainId, isin: EURO_FUND, basisPoints: 7_000 }, { compartmentId: mainId, isin: EQUITY_FUND, basisPoints: 3_000 }]);
      const finer = await request(alice, body({ amount: { value: 1_000_001, scale: 3, currency: 'EUR' } }));
      expectError(finer, 400, 'parameter_invalid', 'AMOUNT_FINER_THAN_MINOR_UNIT');
    });

    it('an unsupported method such as CASH is the documented 400 parameter_invalid naming method', async () => {
      const answer = await request(alice, body({ method: 'CASH' }));
      expectError(answer, 400, 'parameter_invalid');
      expect(answer.json.errors[0].field).toBe('method');
      expect(answer.json.errors[0].message).toContain('method');
    });

    it('the product minimum applies (422 naming amount.value); floats, zero and other currencies are 400', async () => {
      expectError(await request(alice, body({ amount: cents(49_999) })), 422, 'unprocessable_content', 'SINGLE_PREMIUM_BELOW_PRODUCT_MINIMUM', 'amount.value');
      expectError(await request(alice, body({ amount: cents(0) })), 400, 'parameter_invalid', 'VALUE_NOT_POSITIVE_INTEGER', 'amount.value');
      expectError(await request(alice, body({ amount: { value: 1500.5, currency: 'EUR' } })), 400, 'parameter_invalid');
      expectError(await request(alice, body({ amount: cents(150_000) && { value: 150_000, currency: 'USD' } })), 400, 'parameter_invalid', 'CURRENCY_NOT_ACCEPTED', 'amount.currency');
    });

    it('allocations are checked: compartments of the policy, offered funds, 10000 basis points', async () => {
      const other = await freshPolicy(server, 'alice', 'per');
      const bad = await request(alice, body({
        allocation: [{ compartmentId: other.compartments.C1, isin: EURO_FUND, basisPoints: 5_000 }, { compartmentId: mainId, isin: 'XX0000000000', basisPoints: 4_000 }],
      }));
      expect(bad.status).toBe(400);
      expect(bad.json.errors.map((e: Body) => [e.field, e.reason])).toEqual([['allocation.0.compartmentId', 'COMPARTMENT_NOT_IN_POLICY'], ['allocation.1.isin', 'FUND_NOT_IN_PRODUCT']]);
      expectError(await request(alice, body({ allocation: [{ compartmentId: mainId, isin: EURO_FUND, basisPoints: 9_000 }] })), 400, 'parameter_invalid', 'ALLOCATION_NOT_100_PERCENT', 'allocation');
    });

    it("a PER premium goes to C1 only, the payer's IBAN must be one of theirs, and the payer one of the subscriber's", async () => {
      const per = await freshPolicy(server, 'alice', 'per');
      const c3 = await request(alice, { ...body(), policyId: per.policyId, allocation: [{ compartmentId: per.compartments.C3, isin: EURO_FUND, basisPoints: 10_000 }] });
      expectError(c3, 400, 'parameter_invalid', 'COMPARTMENT_TAKES_NO_PREMIUMS', 'allocation.0.compartmentId');
      const made = await created(request(alice, { ...body(), policyId: per.policyId }));
      expect(made.allocation).toEqual([{ compartmentId: per.compartments.C1, isin: EURO_FUND, basisPoints: 10_000 }]);
      expectError(await request(alice, body({ iban: 'FR1420041010050500013M02606' })), 422, 'unprocessable_content', 'IBAN_NOT_A_PAYER_IBAN', 'iban');
      const bobs = await created(call(`${base}/v1/premium-scheduling/subscribers/${DEMO_IDS.subscribers.bob}/payers`, { method: 'POST', headers: backoffice, json: { relationship: 'self' } }));
      expectError(await request(backoffice, body({ payerId: bobs.id })), 404, 'payer_not_found', 'PAYER_NOT_FOUND', 'payerId');
      expectError(await request(backoffice, body({ payerId: testId('payer_none') })), 404, 'payer_not_found', 'PAYER_NOT_FOUND', 'payerId');
    });

    it("someone else's policy or payer answers like a missing one; 401 comes first", async () => {
      for (const stranger of [bob, otherBroker]) expectError(await request(stranger, body()), 404, 'resource_not_found', 'POLICY_NOT_FOUND');
      expect((await call(`${base}${SINGLE}`, { method: 'POST', json: { method: 'CASH' } })).status).toBe(401);
      const made = await created(request(alice, body()));
      for (const stranger of [bob, otherBroker]) {
        expectError(await get(stranger, made.id), 404, 'resource_not_found', 'SINGLE_PREMIUM_REQUEST_NOT_FOUND');
        expectError(await cancel(stranger, made.id), 404, 'resource_not_found', 'SINGLE_PREMIUM_REQUEST_NOT_FOUND');
      }
    });

    it('takes an idempotency key: a retry replays, one request is stored; another body with the key is 422', async () => {
      const key = newKey();
      const first = await request(broker, body({ amount: cents(123_400) }), { 'idempotency-key': key });
      const again = await request(broker, body({ amount: cents(123_400) }), { 'idempotency-key': key });
      expect([first.status, again.status]).toEqual([201, 201]);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.json).toEqual(first.json);
      expect((await server.db.query('select id from single_premium_requests where amount = 123400')).length).toBe(1);
      expect((await request(broker, body({ amount: cents(123_500) }), { 'idempotency-key': key })).status).toBe(422);
    });
  });

  describe('POST .../single-premium-requests/{requestId}/cancel', () => {
    it('answers 200 while not collected (again: as it is), 409 conflict once collected', async () => {
      const made = await created(request(alice, body()));
      const cancelled = await cancel(broker, made.id);
      expect(cancelled.status).toBe(200);
      expect(cancelled.json).toMatchObject({ id: made.id, status: 'cancelled', cancelledAt: expect.any(String) });
      const again = await cancel(alice, made.id);
      expect(again.status).toBe(200);
      expect(again.json.cancelledAt).toBe(cancelled.json.cancelledAt);
      // A late 'collected' for a request cancelled before any batch changes nothing.
      expect(await collect(made.id)).toBe('cancelled');

      const other = await created(request(alice, body()));
      expect(await collect(other.id)).toBe('collected');
      const refused = await cancel(alice, other.id);
      expectError(refused, 409, 'conflict', 'SINGLE_PREMIUM_ALREADY_COLLECTED');
      expect((await get(alice, other.id)).json).toMatchObject({ status: 'collected', collectedAt: expect.any(String), cancelledAt: null });
    });
  });

  describe('above the anti-money-laundering threshold', () => {
    it('waits for an accepted proof of the origin of funds before it can be collected', async () => {
      const made = await created(request(broker, body({ amount: cents(15_000_001) })));
      expect(made).toMatchObject({ status: 'awaiting_funds_origin_proof', fundsOriginProofRequired: true });
      expect(await collect(made.id)).toBe('awaiting_funds_origin_proof');
      // At the threshold exactly, no proof is needed.
      expect((await created(request(broker, body({ amount: cents(15_000_000) })))).status).toBe('pending_collection');

      const refused = await uploadEvidence(server, broker, DEMO_IDS.subscribers.alice, { kind: 'funds_origin_proof', subjectId: made.id });
      expect(refused.status).toBe(201);
      expect((await reviewEvidence(server, backoffice, refused.json.id, 'refuse', 'Unreadable')).status).toBe(200);
      expect((await get(alice, made.id)).json.status).toBe('awaiting_funds_origin_proof');

      await acceptedEvidence(server, broker, backoffice, DEMO_IDS.subscribers.alice, { kind: 'funds_origin_proof', subjectId: made.id });
      expect((await get(alice, made.id)).json.status).toBe('pending_collection');
      expect(await collect(made.id)).toBe('collected');
    });

    it("a proof names a request of the subscriber's own policies only", async () => {
      const made = await created(request(alice, body({ amount: cents(20_000_000) })));
      const wrong = await uploadEvidence(server, backoffice, DEMO_IDS.subscribers.bob, { kind: 'funds_origin_proof', subjectId: made.id });
      expect(wrong.status).toBe(404);
    });
  });

  describe('GraphQL', () => {
    it('createSinglePremiumRequest, singlePremiumRequests and cancelSinglePremiumRequest', async () => {
      const gql = (query: string, variables: Body) => call(`${base}/graphql`, { method: 'POST', headers: alice, json: { query, variables } });
      const made = await gql('mutation($i: SinglePremiumRequestInput!) { createSinglePremiumRequest(input: $i) { id status amount { amount currency } } }', { i: body({ amount: { value: 10_000, scale: 1, currency: 'EUR' } }) });
      expect(made.json.data.createSinglePremiumRequest).toMatchObject({ status: 'pending_collection', amount: { amount: 100_000, currency: 'EUR' } });
      const id = made.json.data.createSinglePremiumRequest.id;
      const list = await gql('query($p: ID!) { singlePremiumRequests(policyId: $p) { id } }', { p: policyId });
      expect(list.json.data.singlePremiumRequests.map((r: Body) => r.id)).toContain(id);
      const cash = await gql('mutation($i: SinglePremiumRequestInput!) { createSinglePremiumRequest(input: $i) { id } }', { i: body({ method: 'CASH' }) });
      expect(cash.json.errors[0].extensions.code).toBe('parameter_invalid');
      expect((await gql('mutation($id: ID!) { cancelSinglePremiumRequest(id: $id) { status } }', { id })).json.data.cancelSinglePremiumRequest.status).toBe('cancelled');
    });
  });
});
