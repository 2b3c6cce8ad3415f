import { randomUUID } from 'node:crypto';
import { parisDate } from '../../domain/shared/paris-calendar';
import { partnerHeaders } from '../support/actors';
import { EACH_DATABASE } from '../support/databases';
import { call, login, type Answer } from '../support/http';
import { DEMO_IDS, testId } from '../support/ids';
import { startTestServer, type TestServer } from '../support/server';
import { partnerPrivateKey, signRequest, sha256Base64url, type SignOptions } from '../support/signed-request';
import { subscriberBody } from '../support/subscription-inputs';
import { freshPolicy, PAYMENTS_SECRET, paymentsEvent } from '../support/surrender-fixtures';
import type { Db } from '../../store/db';

/**
 * The public contract of the legacy `/v1` routes, statement by statement, as a caller who has read only
 * the public documentation of the API we replace would check it: the error envelope and its codes, the
 * 401 reasons per route, the documented bodies and their 400s, idempotency, signed requests, camelCase.
 * Each `it` names the statement it checks; nothing here relies on how we implement it.
 */

/** The status each documented code always comes with. */
const DOCUMENTED_STATUS: Readonly<Record<string, number>> = {
  parameter_invalid: 400,
  invalid_idempotency_key: 400,
  unauthorized: 401,
  forbidden: 403,
  resource_not_found: 404,
  compartment_not_found: 404,
  conflict: 409,
  payer_not_found: 404,
  payer_subscriber_not_found: 404,
  delete_payer_personal_iban_default_iban: 409,
  mandate_not_found: 404,
  duplicate_fund_in_target_allocation: 400,
  invalid_target_allocation: 400,
  percentage_target_allocation_is_not_10000_basis_points: 400,
  delegate_compartment_to_mandate_compartment_is_not_self_invested: 409,
  delegate_compartment_to_mandate_mandate_has_no_target_allocation: 422,
  unprocessable_content: 422,
  internal_server_error: 500,
};

// Documented route templates.
const SUPPORT = (subscriberId: string) => `/v1/support/subscribers/${subscriberId}/requests`;
const COMMISSIONS = '/v1/billing/commissions';
const DOWNLOAD = (commissionId: string) => `/v1/billing/commissions/${commissionId}/download`;
const TOTAL = (policyId: string) => `/v1/total-surrender/policies/${policyId}/declarations`;
const TOTAL_ONE = (policyId: string, declarationId: string) => `${TOTAL(policyId)}/${declarationId}`;
const PARTIAL = (policyId: string, compartmentId: string) => `/v1/partial-surrender/policies/${policyId}/compartments/${compartmentId}/declarations`;
const PARTIAL_ONE = (policyId: string, compartmentId: string, declarationId: string) => `${PARTIAL(policyId, compartmentId)}/${declarationId}`;

const PAYERS = (subscriberId: string) => `/v1/premium-scheduling/subscribers/${subscriberId}/payers`;
const PAYER_IBANS = (payerId: string) => `/v1/premium-scheduling/payers/${payerId}/ibans`;
const PAYER_IBAN = (payerId: string, iban: string) => `${PAYER_IBANS(payerId)}/${iban}`;

const ALICE_AV = DEMO_IDS.policies.aliceAv;
const ALICE_MAIN = DEMO_IDS.compartments.aliceAvMain;
const NOBODY = testId('contract_nobody');
const NOT_A_UUID = 'pol_alice_av';

/** Object keys of a camelCase body: a lowercase first letter, then letters and digits only. */
const CAMEL = /^[a-z][A-Za-z0-9]*$/;
function snakeKeys(value: unknown, path = '$'): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => snakeKeys(v, `${path}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, v]) => [...(CAMEL.test(key) ? [] : [`${path}.${key}`]), ...snakeKeys(v, `${path}.${key}`)]);
}

describe.each(EACH_DATABASE)('the documented /v1 contract on %s', (_name, database) => {
  let server: TestServer;
  let base: string;
  const bearer: Record<string, string> = {};
  let partner: Record<string, string>;
  /** Every doc_url an error answered with, to open them all at the end. */
  const docUrls = new Set<string>();
  /**
   * While set, a write with an idempotency key takes a while to start, as a slow one would, so retries
   * sent meanwhile find it running. Without it PGlite (one connection) queues the retries behind the
   * first request's transaction, and they only ever see it finished. Storage itself is untouched.
   */
  let slowIdempotentWrites = false;
  const slowed = (db: Db): Db => ({
    dialect: db.dialect,
    query: <Row,>(sql: string, params?: readonly unknown[]) => db.query<Row>(sql, params),
    transaction: (work) => db.transaction(work),
    unitOfWork: async (work) => {
      if (slowIdempotentWrites) await new Promise((resolve) => setTimeout(resolve, 400));
      return db.unitOfWork(work);
    },
    listen: (channel, onMessage, onGap) => db.listen(channel, onMessage, onGap),
    close: () => db.close(),
  });

  beforeAll(async () => {
    server = await startTestServer(database, { demoPortfolio: true, webhookSecrets: { payments: [PAYMENTS_SECRET] }, wrapDb: slowed });
    base = server.url;
    // A whole second, so a signed request's `iat` 5 s away is exactly 5 s away.
    server.clock.set(new Date(Math.floor(Date.now() / 1000) * 1000));
    for (const [i, who] of ['alice', 'bob', 'broker', 'backoffice'].entries()) bearer[who] = (await login(base, `${who}@demo.test`, `10.91.0.${i + 1}`)).token;
    partner = await partnerHeaders(base, '10.91.0.9');
  });
  afterAll(() => server?.close());

  const today = () => parisDate(server.clock.now());

  /**
   * One call as a documented client makes it. Every error answer is checked against the envelope the
   * error pages describe; every JSON success body (outside the OAuth routes) against camelCase.
   */
  async function send(method: string, path: string, options: { as?: string; token?: string; json?: unknown; body?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
    const token = options.token ?? (options.as ? bearer[options.as] : undefined);
    const answer = await call(`${base}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...options.headers },
      ...(options.json !== undefined ? { json: options.json } : {}),
      ...(options.body !== undefined ? { body: options.body } : {}),
    });
    if (answer.status >= 400) {
      expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
      expect(answer.json).toEqual({ errors: expect.any(Array) });
      expect(answer.json.errors.length).toBeGreaterThan(0);
      for (const error of answer.json.errors) {
        expect(error).toMatchObject({ code: expect.stringMatching(/^[a-z][a-z0-9_]*$/), message: expect.any(String), doc_url: `${base}/docs/errors/${error.code}` });
        expect(error.message.length).toBeGreaterThan(0);
        if (error.code in DOCUMENTED_STATUS) expect(answer.status).toBe(DOCUMENTED_STATUS[error.code]);
        docUrls.add(error.doc_url);
      }
    } else if (answer.json !== undefined && !path.startsWith('/v1/auth/login') && !path.startsWith('/v1/auth/token')) {
      expect(snakeKeys(answer.json)).toEqual([]);
    }
    return answer;
  }

  /** A documented error: status, code, and (for 401s and INSUFFICIENT_ROLES) the exact documented entry. */
  function expectError(answer: Answer, status: number, code: string, message?: string): void {
    expect({ status: answer.status, code: answer.json?.errors?.[0]?.code }).toEqual({ status, code });
    if (message !== undefined) expect(answer.json).toEqual({ errors: [{ code, message, doc_url: `${base}/docs/errors/${code}` }] });
  }

  /** A 400 `parameter_invalid` whose message names the parameter, as the page tells clients to read it. */
  function expectInvalid(answer: Answer, parameter: string): void {
    expectError(answer, 400, 'parameter_invalid');
    const messages: string[] = answer.json.errors.map((e: { message: string }) => e.message);
    expect(messages.some((m) => m.includes(parameter)) ? parameter : messages).toBe(parameter);
  }

  async function loggedOutToken(who: string, address: string): Promise<string> {
    const { token } = await login(base, `${who}@demo.test`, address);
    expect((await send('POST', '/v1/auth/logout', { token })).status).toBe(204);
    return token;
  }

  async function aCommissionId(): Promise<string> {
    const list = await send('GET', `${COMMISSIONS}?perPage=1`, { as: 'broker' });
    expect(list.status).toBe(200);
    expect(list.json.items.length).toBe(1);
    return list.json.items[0].id;
  }

  describe('errors: one envelope, one code per status, a page per code (/errors)', () => {
    it('an error body is {errors:[{code, message, doc_url}]}, doc_url the absolute <docs-base>/errors/<code>', async () => {
      const answer = await send('GET', '/v1/auth/me');
      expectError(answer, 401, 'unauthorized', 'NO_SESSION');
      expect(new URL(answer.json.errors[0].doc_url).href).toBe(answer.json.errors[0].doc_url);
    });

    it.each(Object.entries(DOCUMENTED_STATUS))('/docs/errors/%s is a page naming the code and status %i', async (code, status) => {
      const page = await call(`${base}/docs/errors/${code}`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.text).toContain(code);
      expect(page.text).toContain(String(status));
      expect(page.text).toContain(`/errors/${code}`);
    });

    it('a path that does not exist is 404 resource_not_found', async () => {
      expectError(await send('GET', '/v1/no-such-route', { as: 'alice' }), 404, 'resource_not_found');
    });

    it('a policy that does not exist is 404 resource_not_found; a compartment that does not exist is 404 compartment_not_found', async () => {
      expectError(await send('POST', TOTAL(NOBODY), { as: 'alice', json: { reason: 'client-request', requestedAt: today() } }), 404, 'resource_not_found');
      expectError(await send('GET', TOTAL_ONE(ALICE_AV, NOBODY), { as: 'alice' }), 404, 'resource_not_found');
      expectError(await send('POST', PARTIAL(ALICE_AV, NOBODY), { as: 'alice', json: { amount: { value: 10000, scale: 2, currency: 'EUR' }, requestedAt: today() } }), 404, 'compartment_not_found');
    });

    it('a state conflict is 409 conflict: a second total surrender of one policy', async () => {
      const { policyId } = await freshPolicy(server, 'alice', 'av');
      expect((await send('POST', TOTAL(policyId), { as: 'alice', json: { reason: 'client-request', requestedAt: today() } })).status).toBe(201);
      expectError(await send('POST', TOTAL(policyId), { as: 'alice', json: { reason: 'client-request', requestedAt: today() } }), 409, 'conflict');
    });
  });

  describe('401 unauthorized with the documented reasons (seed page)', () => {
    const commission = testId('contract_commission');
    const declaration = testId('contract_declaration');
    const subscription = DEMO_IDS.subscriptions.aliceAv;
    const designationBody = { beneficiaries: [] };
    /** Every route the seed page lists with NO_SESSION / SESSION_EXPIRED / INVALID_BEARER_TOKEN. */
    const ROUTES: Array<[string, string, unknown?]> = [
      ['GET', '/v1/auth/me'],
      ['POST', SUPPORT(DEMO_IDS.subscribers.alice), { message: 'Bonjour' }],
      ['GET', COMMISSIONS],
      ['GET', DOWNLOAD(commission)],
      ['POST', TOTAL(ALICE_AV), { reason: 'client-request', requestedAt: '2026-01-05' }],
      ['GET', TOTAL_ONE(ALICE_AV, declaration)],
      ['POST', PARTIAL(ALICE_AV, ALICE_MAIN), { amount: { value: 100, scale: 2, currency: 'EUR' }, requestedAt: '2026-01-05' }],
      ['GET', PARTIAL_ONE(ALICE_AV, ALICE_MAIN, declaration)],
      ['GET', `/v1/death-settlement/policies/${ALICE_AV}/standard-beneficiary-designations`],
      ['GET', `/v1/death-settlement/policies/${ALICE_AV}/beneficiary-designation`],
      ['PUT', `/v1/death-settlement/policies/${ALICE_AV}/beneficiary-designation`, designationBody],
      ['POST', `/v1/pay-out/subscribers/${DEMO_IDS.subscribers.alice}/ibans`, { iban: 'FR1420041010050500013M02606', holderName: 'Alice Martin' }],
      ['PATCH', `/v1/pay-out/subscribers/${DEMO_IDS.subscribers.alice}/ibans/FR7630006000011234567890189/make-default`],
      ['POST', '/v1/subscription/subscribers', {}],
      ['POST', '/v1/subscription/insurees', {}],
      ['POST', `/v1/subscription/subscribers/${DEMO_IDS.subscribers.alice}/subscriptions`, {}],
      ['GET', `/v1/subscription/subscriptions/${subscription}`],
      ['POST', `/v1/subscription/subscriptions/${subscription}/documents`],
      ['GET', `/v1/subscription/subscriptions/${subscription}/documents`],
      ['GET', `/v1/subscription/subscriptions/${subscription}/documents/${testId('contract_document')}/download`],
      ['POST', `/v1/subscription/subscriptions/${subscription}/supporting-documents`, {}],
      ['POST', `/v1/subscription/subscriptions/${subscription}/signing`, { method: 'esign' }],
      ['GET', `/v1/subscription/subscriptions/${subscription}/signing`],
      ['POST', `/v1/subscription/subscriptions/${subscription}/signing/otp`, { code: '123456' }],
      ['POST', `/v1/subscription/subscriptions/${subscription}/withdraw`, {}],
    ];

    it('a missing bearer token is NO_SESSION on every listed route', async () => {
      for (const [method, path, json] of ROUTES) expectError(await send(method, path, { json }), 401, 'unauthorized', 'NO_SESSION');
    });

    it('a malformed bearer token is INVALID_BEARER_TOKEN on every listed route', async () => {
      for (const [method, path, json] of ROUTES) {
        for (const token of ['not-a-jwt', 'eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl']) expectError(await send(method, path, { json, token }), 401, 'unauthorized', 'INVALID_BEARER_TOKEN');
      }
    });

    it('an inactive bearer token (its session logged out) is SESSION_EXPIRED on every listed route', async () => {
      const token = await loggedOutToken('alice', '10.91.1.1');
      for (const [method, path, json] of ROUTES) expectError(await send(method, path, { json, token }), 401, 'unauthorized', 'SESSION_EXPIRED');
    });

    it('an expired bearer token is SESSION_EXPIRED on every listed route', async () => {
      const { token } = await login(base, 'alice@demo.test', '10.91.1.2');
      const now = server.clock.now();
      server.clock.set(new Date(now.getTime() + (server.config.accessTokenTtl + 60) * 1000));
      try {
        for (const [method, path, json] of ROUTES) expectError(await send(method, path, { json, token }), 401, 'unauthorized', 'SESSION_EXPIRED');
      } finally {
        server.clock.set(now);
      }
    });

    it('401 comes before 400, 403 and 404: bad ids and bodies without credentials are still NO_SESSION', async () => {
      expectError(await send('POST', SUPPORT(NOT_A_UUID), { json: {} }), 401, 'unauthorized', 'NO_SESSION');
      expectError(await send('GET', `${COMMISSIONS}?page=0&perPage=500&type=x`), 401, 'unauthorized', 'NO_SESSION');
      expectError(await send('GET', DOWNLOAD('x')), 401, 'unauthorized', 'NO_SESSION');
      expectError(await send('POST', TOTAL(NOT_A_UUID), { body: '{"reason":', headers: { 'content-type': 'application/json' } }), 401, 'unauthorized', 'NO_SESSION');
      expectError(await send('POST', PARTIAL(NOBODY, NOBODY), { body: 'x', headers: { 'content-type': 'text/plain' } }), 401, 'unauthorized', 'NO_SESSION');
    });

    it('compartment-lifecycle routes answer 401 unauthorized without a token, with a bad one, or with a dead one', async () => {
      const path = `/v1/compartment-lifecycle/policies/${ALICE_AV}/compartments/${ALICE_MAIN}/suspend`;
      const expired = await loggedOutToken('backoffice', '10.91.1.3');
      for (const token of [undefined, 'not-a-jwt', expired]) expectError(await send('POST', path, { token, json: { reason: 'test' } }), 401, 'unauthorized');
      for (const token of [undefined, 'not-a-jwt', expired]) expectError(await send('GET', `/v1/compartment-lifecycle/policies/${ALICE_AV}/compartments`, { token }), 401, 'unauthorized');
    });

    it('a webhook whose signature does not verify is 401 unauthorized', async () => {
      const body = JSON.stringify({ type: 'surrender.paid', data: {} });
      const headers = { 'content-type': 'application/json', 'webhook-id': `msg_${randomUUID()}`, 'webhook-timestamp': String(Math.floor(server.clock.now().getTime() / 1000)), 'webhook-signature': `v1,${sha256Base64url('forged')}` };
      expectError(await send('POST', '/v1/webhooks/payments', { body, headers }), 401, 'unauthorized');
    });

    it('/v1/auth/login: invalid credentials are 401 unauthorized', async () => {
      const answer = await send('POST', '/v1/auth/login', { json: { email: 'alice@demo.test', password: 'wrong-password' }, headers: { 'x-forwarded-for': '10.91.1.4' } });
      expectError(answer, 401, 'unauthorized');
    });

    it('/v1/auth/token: a missing or malformed certificate serial, or invalid credentials, are 401 unauthorized', async () => {
      const form = { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '10.91.1.5' };
      const good = 'grant_type=client_credentials&client_id=demo-partner&client_secret=demo-partner-secret';
      expectError(await send('POST', '/v1/auth/token', { body: good, headers: form }), 401, 'unauthorized');
      expectError(await send('POST', '/v1/auth/token', { body: good, headers: { ...form, 'x-client-certificate-serial': 'not hexadecimal!' } }), 401, 'unauthorized');
      const wrong = 'grant_type=client_credentials&client_id=demo-partner&client_secret=not-the-secret';
      expectError(await send('POST', '/v1/auth/token', { body: wrong, headers: { ...form, 'x-client-certificate-serial': '01:23:45:67:89:AB:CD:EF' } }), 401, 'unauthorized');
    });
  });

  describe('403 forbidden, message INSUFFICIENT_ROLES (/errors/forbidden)', () => {
    it('a valid token without the required role', async () => {
      expectError(await send('GET', COMMISSIONS, { as: 'alice' }), 403, 'forbidden', 'INSUFFICIENT_ROLES');
      expectError(await send('PATCH', `/v1/support/requests/${NOBODY}`, { as: 'alice', json: { status: 'closed' } }), 403, 'forbidden', 'INSUFFICIENT_ROLES');
    });
  });

  describe('GET /v1/auth/me', () => {
    it('tells a subscriber its subscriberId and a broker or partner its distributorId, in camelCase', async () => {
      expect(await send('GET', '/v1/auth/me', { as: 'alice' })).toMatchObject({ status: 200, json: { subscriberId: DEMO_IDS.subscribers.alice } });
      expect(await send('GET', '/v1/auth/me', { as: 'broker' })).toMatchObject({ status: 200, json: { distributorId: DEMO_IDS.distributor } });
      expect((await call(`${base}/v1/auth/me`, { headers: partner })).json).toMatchObject({ distributorId: DEMO_IDS.distributor });
    });
  });

  describe('POST /v1/support/subscribers/{subscriberId}/requests (/errors/parameter_invalid)', () => {
    it('{message} alone is a complete request: 201', async () => {
      const answer = await send('POST', SUPPORT(DEMO_IDS.subscribers.alice), { as: 'alice', json: { message: 'Bonjour, où en est mon rachat ?' } });
      expect(answer.status).toBe(201);
      expect(answer.json).toMatchObject({ subscriberId: DEMO_IDS.subscribers.alice, message: 'Bonjour, où en est mon rachat ?' });
    });

    it('message: 1 to 5000 characters after trimming', async () => {
      expect((await send('POST', SUPPORT(DEMO_IDS.subscribers.alice), { as: 'alice', json: { message: 'x' } })).status).toBe(201);
      expect((await send('POST', SUPPORT(DEMO_IDS.subscribers.alice), { as: 'alice', json: { message: `  ${'m'.repeat(5000)}  ` } })).status).toBe(201);
      for (const json of [{}, { message: '' }, { message: '   \n\t ' }, { message: 'm'.repeat(5001) }, { message: null }, { message: 42 }]) {
        expectInvalid(await send('POST', SUPPORT(DEMO_IDS.subscribers.alice), { as: 'alice', json }), 'message');
      }
    });

    it('subscriberId not a UUID', async () => {
      expectInvalid(await send('POST', SUPPORT(NOT_A_UUID), { as: 'alice', json: { message: 'Bonjour' } }), 'subscriberId');
      expectInvalid(await send('POST', SUPPORT('00000000-0000-7000-8000-00000000030'), { as: 'backoffice', json: { message: 'Bonjour' } }), 'subscriberId');
    });

    it('a body that does not parse as JSON, or is sent as another media type', async () => {
      const path = SUPPORT(DEMO_IDS.subscribers.alice);
      expectError(await send('POST', path, { as: 'alice', body: '{"message": "Bonjour"', headers: { 'content-type': 'application/json' } }), 400, 'parameter_invalid');
      expectError(await send('POST', path, { as: 'alice', body: 'message=Bonjour', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 400, 'parameter_invalid');
      expectError(await send('POST', path, { as: 'alice', body: '{"message": "Bonjour"}', headers: { 'content-type': 'text/plain' } }), 400, 'parameter_invalid');
    });
  });

  describe('GET /v1/billing/commissions and /download (/errors/parameter_invalid)', () => {
    it('page, perPage and type are honoured: ?page=2&perPage=50&type=inducement', async () => {
      const answer = await send('GET', `${COMMISSIONS}?page=2&perPage=50&type=inducement`, { as: 'broker' });
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({ page: 2, perPage: 50, items: expect.any(Array) });
      for (const type of ['inducement', 'business-commission']) {
        const filtered = await send('GET', `${COMMISSIONS}?type=${type}&perPage=100`, { as: 'broker' });
        expect(filtered.status).toBe(200);
        expect(filtered.json.items.length).toBeGreaterThan(0);
        expect(new Set(filtered.json.items.map((i: { type: string }) => i.type))).toEqual(new Set([type]));
      }
    });

    it('pages do not overlap: page 1 and page 2 of perPage=1 are different statements', async () => {
      const first = await send('GET', `${COMMISSIONS}?page=1&perPage=1`, { as: 'broker' });
      const second = await send('GET', `${COMMISSIONS}?page=2&perPage=1`, { as: 'broker' });
      expect([first.status, second.status]).toEqual([200, 200]);
      expect([first.json.items.length, second.json.items.length]).toEqual([1, 1]);
      expect(second.json.items[0].id).not.toBe(first.json.items[0].id);
      expect((await send('GET', `${COMMISSIONS}?perPage=100`, { as: 'broker' })).status).toBe(200);
    });

    it('page must be a whole number from 1, perPage from 1 to 100, type one of the two documented values', async () => {
      for (const page of ['0', '-1', '1.5', 'two', '']) expectInvalid(await send('GET', `${COMMISSIONS}?page=${page}`, { as: 'broker' }), 'page');
      for (const perPage of ['0', '101', '-5', 'ten', '2.5']) expectInvalid(await send('GET', `${COMMISSIONS}?perPage=${perPage}`, { as: 'broker' }), 'perPage');
      for (const type of ['other', 'business_commission', 'INDUCEMENT', '']) expectInvalid(await send('GET', `${COMMISSIONS}?type=${type}`, { as: 'broker' }), 'type');
    });

    it('download: commissionId not a UUID is 400; a statement downloads as a file', async () => {
      expectInvalid(await send('GET', DOWNLOAD('com_2026_01'), { as: 'broker' }), 'commissionId');
      const download = await call(`${base}${DOWNLOAD(await aCommissionId())}`, { headers: { authorization: `Bearer ${bearer.broker}` } });
      expect(download.status).toBe(200);
      expect(download.headers.get('content-type')).toMatch(/^application\/pdf/);
      expect(download.text.startsWith('%PDF-')).toBe(true);
    });
  });

  describe('POST /v1/total-surrender/policies/{policyId}/declarations (/errors/parameter_invalid)', () => {
    it.each(['client-request', 'regulatory', 'compliance'])('the documented body with reason %s: 201, read back by GET', async (reason) => {
      const { policyId } = await freshPolicy(server, 'alice', 'av');
      const declared = await send('POST', TOTAL(policyId), { as: 'alice', json: { reason, requestedAt: today() } });
      expect(declared.status).toBe(201);
      expect(declared.json).toMatchObject({ id: expect.any(String), policyId });
      const read = await send('GET', TOTAL_ONE(policyId, declared.json.id), { as: 'alice' });
      expect(read.status).toBe(200);
      expect(read.json).toMatchObject({ id: declared.json.id, policyId });
    });

    it('policyId not a UUID', async () => {
      expectInvalid(await send('POST', TOTAL(NOT_A_UUID), { as: 'alice', json: { reason: 'client-request', requestedAt: today() } }), 'policyId');
    });

    it('reason must be one of the three documented values, spelled as documented', async () => {
      for (const reason of ['other', 'client_request', 'CLIENT-REQUEST', '', 7]) {
        expectInvalid(await send('POST', TOTAL(ALICE_AV), { as: 'alice', json: { reason, requestedAt: today() } }), 'reason');
      }
    });

    it('requestedAt must be a real calendar day written YYYY-MM-DD', async () => {
      for (const requestedAt of ['2026-1-5', '05/01/2026', '2026-02-30', '2026-13-01', `${today()}T10:00:00Z`, 'today', 20260105]) {
        expectInvalid(await send('POST', TOTAL(ALICE_AV), { as: 'alice', json: { reason: 'client-request', requestedAt } }), 'requestedAt');
      }
    });

    it('a body that does not parse as JSON, or is sent as another media type', async () => {
      expectError(await send('POST', TOTAL(ALICE_AV), { as: 'alice', body: '{"reason": "client-request",', headers: { 'content-type': 'application/json' } }), 400, 'parameter_invalid');
      expectError(await send('POST', TOTAL(ALICE_AV), { as: 'alice', body: `reason=client-request&requestedAt=${today()}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 400, 'parameter_invalid');
      expectError(await send('POST', TOTAL(ALICE_AV), { as: 'alice', body: JSON.stringify({ reason: 'client-request', requestedAt: today() }), headers: { 'content-type': 'text/plain' } }), 400, 'parameter_invalid');
    });

    it('GET .../declarations/{declarationId}: policyId or declarationId not a UUID', async () => {
      expectInvalid(await send('GET', TOTAL_ONE(NOT_A_UUID, NOBODY), { as: 'alice' }), 'policyId');
      expectInvalid(await send('GET', TOTAL_ONE(ALICE_AV, 'tsd_1'), { as: 'alice' }), 'declarationId');
    });
  });

  describe('POST /v1/partial-surrender/policies/{policyId}/compartments/{compartmentId}/declarations (/errors/parameter_invalid)', () => {
    const eur = (value: unknown, scale: unknown = 2, currency: unknown = 'EUR') => ({ value, scale, currency });

    it('the documented body: 201, read back by GET', async () => {
      const { policyId, compartments } = await freshPolicy(server, 'alice', 'av');
      const declared = await send('POST', PARTIAL(policyId, compartments.MAIN), { as: 'alice', json: { amount: eur(150000), requestedAt: today() } });
      expect(declared.status).toBe(201);
      expect(declared.json).toMatchObject({ id: expect.any(String), policyId });
      const read = await send('GET', PARTIAL_ONE(policyId, compartments.MAIN, declared.json.id), { as: 'alice' });
      expect(read.status).toBe(200);
      expect(read.json).toMatchObject({ id: declared.json.id, policyId });
      // Another scale of the same currency: value x 10^-scale.
      expect((await send('POST', PARTIAL(policyId, compartments.MAIN), { as: 'alice', json: { amount: eur(20000, 1), requestedAt: today() } })).status).toBe(201);
    });

    it('policyId and compartmentId must be UUIDs', async () => {
      expectInvalid(await send('POST', PARTIAL(NOT_A_UUID, ALICE_MAIN), { as: 'alice', json: { amount: eur(10000), requestedAt: today() } }), 'policyId');
      expectInvalid(await send('POST', PARTIAL(ALICE_AV, 'cmp_alice_av_main'), { as: 'alice', json: { amount: eur(10000), requestedAt: today() } }), 'compartmentId');
    });

    it('amount left out or not an object of value, scale and currency', async () => {
      for (const amount of [undefined, null, 10000, '100.00', { value: 10000, scale: 2 }, { scale: 2, currency: 'EUR' }]) {
        expectInvalid(await send('POST', PARTIAL(ALICE_AV, ALICE_MAIN), { as: 'alice', json: { amount, requestedAt: today() } }), 'amount');
      }
    });

    it('amount.value and amount.scale must each be a whole number above zero', async () => {
      for (const value of [0, -100, 10.5]) expectInvalid(await send('POST', PARTIAL(ALICE_AV, ALICE_MAIN), { as: 'alice', json: { amount: eur(value), requestedAt: today() } }), 'amount.value');
      for (const scale of [0, -2]) expectInvalid(await send('POST', PARTIAL(ALICE_AV, ALICE_MAIN), { as: 'alice', json: { amount: eur(10000, scale), requestedAt: today() } }), 'amount.scale');
    });

    it('amount.currency can only be EUR', async () => {
      for (const currency of ['USD', 'eur', '']) expectInvalid(await send('POST', PARTIAL(ALICE_AV, ALICE_MAIN), { as: 'alice', json: { amount: eur(10000, 2, currency), requestedAt: today() } }), 'amount.currency');
    });

    it('requestedAt is required and must be a real calendar day written YYYY-MM-DD', async () => {
      for (const requestedAt of [undefined, '2026-1-5', '2026-02-30', 'tomorrow']) {
        expectInvalid(await send('POST', PARTIAL(ALICE_AV, ALICE_MAIN), { as: 'alice', json: { amount: eur(10000), requestedAt } }), 'requestedAt');
      }
    });

    it('a body that does not parse as JSON, or is sent as another media type', async () => {
      expectError(await send('POST', PARTIAL(ALICE_AV, ALICE_MAIN), { as: 'alice', body: '{"amount": {', headers: { 'content-type': 'application/json' } }), 400, 'parameter_invalid');
      expectError(await send('POST', PARTIAL(ALICE_AV, ALICE_MAIN), { as: 'alice', body: JSON.stringify({ amount: eur(10000), requestedAt: today() }), headers: { 'content-type': 'text/plain' } }), 400, 'parameter_invalid');
    });

    it('GET .../declarations/{declarationId}: an id that is not a UUID', async () => {
      expectInvalid(await send('GET', PARTIAL_ONE(NOT_A_UUID, ALICE_MAIN, NOBODY), { as: 'alice' }), 'policyId');
      expectInvalid(await send('GET', PARTIAL_ONE(ALICE_AV, 'main', NOBODY), { as: 'alice' }), 'compartmentId');
      expectInvalid(await send('GET', PARTIAL_ONE(ALICE_AV, ALICE_MAIN, 'psd_1'), { as: 'alice' }), 'declarationId');
    });
  });

  describe('idempotent requests (/topics/idempotent-requests)', () => {
    const path = SUPPORT(DEMO_IDS.subscribers.bob);
    const countRequests = async () => Number((await server.db.query<{ n: string }>('select count(*) as n from support_requests where subscriber_id = $1', [DEMO_IDS.subscribers.bob]))[0].n);

    it.each(['Idempotency-Key', 'X-Quarzo-Life-Idempotency-Key'])('POST with %s runs once; the retry is the stored answer with Idempotent-Replayed: true', async (header) => {
      const key = randomUUID();
      const before = await countRequests();
      const first = await send('POST', path, { as: 'bob', json: { message: `Demande ${key}` }, headers: { [header]: key } });
      expect(first.status).toBe(201);
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      const retry = await send('POST', path, { as: 'bob', json: { message: `Demande ${key}` }, headers: { [header]: key } });
      expect(retry.status).toBe(201);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(retry.json).toEqual(first.json);
      expect(await countRequests()).toBe(before + 1);
    });

    it('PATCH takes a key too', async () => {
      const key = randomUUID();
      const patch = () => send('PATCH', `/v1/pay-out/subscribers/${DEMO_IDS.subscribers.alice}/ibans/${DEMO_IDS.payoutIbans.aliceDebit}/make-default`, { as: 'alice', headers: { 'Idempotency-Key': key } });
      const first = await patch();
      expect(first.status).toBe(200);
      const retry = await patch();
      expect({ status: retry.status, replayed: retry.headers.get('idempotent-replayed'), json: retry.json }).toEqual({ status: 200, replayed: 'true', json: first.json });
    });

    it('the same key with another body is 422 unprocessable_content, and nothing runs', async () => {
      const key = randomUUID();
      expect((await send('POST', path, { as: 'bob', json: { message: 'Premier' }, headers: { 'Idempotency-Key': key } })).status).toBe(201);
      const before = await countRequests();
      expectError(await send('POST', path, { as: 'bob', json: { message: 'Second' }, headers: { 'Idempotency-Key': key } }), 422, 'unprocessable_content');
      expect(await countRequests()).toBe(before);
    });

    it('a retry while the first request is still being processed is 409 conflict; once done, it replays', async () => {
      const key = randomUUID();
      const before = await countRequests();
      const json = { message: `Concurrent ${key}` };
      slowIdempotentWrites = true;
      const first = send('POST', path, { as: 'bob', json, headers: { 'Idempotency-Key': key } });
      await new Promise((resolve) => setTimeout(resolve, 100));
      const retries = await Promise.all(Array.from({ length: 3 }, () => send('POST', path, { as: 'bob', json, headers: { 'Idempotency-Key': key } })));
      slowIdempotentWrites = false;
      const answers = [await first, ...retries];
      const ran = answers.filter((a) => a.status === 201 && a.headers.get('idempotent-replayed') === null);
      expect(ran).toHaveLength(1);
      const busy = answers.filter((a) => a.status === 409);
      expect(busy.length).toBeGreaterThan(0);
      for (const answer of busy) expectError(answer, 409, 'conflict');
      for (const answer of answers.filter((a) => a.status !== 409 && a !== ran[0])) expect({ status: answer.status, replayed: answer.headers.get('idempotent-replayed'), json: answer.json }).toEqual({ status: 201, replayed: 'true', json: ran[0].json });
      const retry = await send('POST', path, { as: 'bob', json, headers: { 'Idempotency-Key': key } });
      expect({ status: retry.status, replayed: retry.headers.get('idempotent-replayed'), json: retry.json }).toEqual({ status: 201, replayed: 'true', json: ran[0].json });
      expect(await countRequests()).toBe(before + 1);
    });

    it('a key blank after trimming, or longer than 255 characters, is 400 invalid_idempotency_key, and nothing runs', async () => {
      const before = await countRequests();
      for (const [header, key] of [['X-Quarzo-Life-Idempotency-Key', '   '], ['Idempotency-Key', ' \t '], ['Idempotency-Key', 'k'.repeat(256)], ['X-Quarzo-Life-Idempotency-Key', 'k'.repeat(256)]]) {
        expectError(await send('POST', path, { as: 'bob', json: { message: 'Bonjour' }, headers: { [header]: key } }), 400, 'invalid_idempotency_key');
      }
      expect(await countRequests()).toBe(before);
      expect((await send('POST', path, { as: 'bob', json: { message: 'Bonjour' }, headers: { 'Idempotency-Key': 'k'.repeat(255) } })).status).toBe(201);
    });

    it('GET ignores the header, even a blank one: never a replay, never a 400', async () => {
      const key = randomUUID();
      for (const sent of [key, key, '   ']) {
        const answer = await send('GET', `${COMMISSIONS}?perPage=1`, { as: 'broker', headers: { 'Idempotency-Key': sent } });
        expect(answer.status).toBe(200);
        expect(answer.headers.get('idempotent-replayed')).toBeNull();
      }
    });
  });

  describe('signed requests (/topics/authentication)', () => {
    const now = () => Math.floor(server.clock.now().getTime() / 1000);
    async function signed(method: string, target: string, body?: string, options: Partial<SignOptions> = {}): Promise<Answer> {
      const token = await signRequest({ method, target, body, now: now(), ...options });
      return send(method, target, { token, ...(body !== undefined ? { body, headers: { 'content-type': 'application/json' } } : {}) });
    }
    const refused = (answer: Answer) => expectError(answer, 401, 'unauthorized', 'INVALID_BEARER_TOKEN');

    it('a GET signed as documented (no dig#S256) acts as the partner', async () => {
      expect(await signed('GET', '/v1/auth/me')).toMatchObject({ status: 200, json: { distributorId: DEMO_IDS.distributor } });
    });

    it('sub carries the full path with its query parameters', async () => {
      expect((await signed('GET', '/v1/auth/me?page=1&perPage=5')).status).toBe(200);
      refused(await send('GET', '/v1/auth/me?page=1&perPage=5', { token: await signRequest({ method: 'GET', target: '/v1/auth/me', now: now() }) }));
    });

    it('a POST with a body carries dig#S256 = base64url(sha256(body))', async () => {
      const body = (email: string) => JSON.stringify(subscriberBody({ email }));
      expect((await signed('POST', '/v1/subscription/subscribers', body('signed.contract@example.com'))).status).toBe(201);
      refused(await signed('POST', '/v1/subscription/subscribers', body('signed.nodigest@example.com'), { claims: { 'dig#S256': undefined } }));
      refused(await signed('POST', '/v1/subscription/subscribers', body('signed.wrongdigest@example.com'), { claims: { 'dig#S256': sha256Base64url('{}') } }));
    });

    it('iat within 5 seconds of our clock; further is refused', async () => {
      expect((await signed('GET', '/v1/auth/me', undefined, { now: now() - 5 })).status).toBe(200);
      expect((await signed('GET', '/v1/auth/me', undefined, { now: now() + 5 })).status).toBe(200);
      refused(await signed('GET', '/v1/auth/me', undefined, { now: now() - 6 }));
      refused(await signed('GET', '/v1/auth/me', undefined, { now: now() + 6 }));
    });

    it('jti is a UUID that differs for every request', async () => {
      const jti = randomUUID();
      expect((await signed('GET', '/v1/auth/me', undefined, { claims: { jti } })).status).toBe(200);
      refused(await signed('GET', '/v1/auth/me', undefined, { claims: { jti } }));
      refused(await signed('GET', '/v1/auth/me', undefined, { claims: { jti: 'not-a-uuid' } }));
      refused(await signed('GET', '/v1/auth/me', undefined, { claims: { jti: undefined } }));
    });

    it('sec, aud, sub, typ, alg and x5t#S256 must all be right', async () => {
      refused(await signed('GET', '/v1/auth/me', undefined, { claims: { sec: 'not-the-secret' } }));
      refused(await signed('GET', '/v1/auth/me', undefined, { claims: { sec: undefined } }));
      refused(await signed('GET', '/v1/auth/me', undefined, { aud: 'api.example.com' }));
      refused(await signed('GET', '/v1/auth/me', undefined, { claims: { sub: 'POST /v1/auth/me' } }));
      refused(await signed('GET', '/v1/auth/me', undefined, { header: { typ: 'JOSE' } }));
      refused(await signed('GET', '/v1/auth/me', undefined, { header: { 'x5t#S256': sha256Base64url('another certificate') } }));
      refused(await signed('GET', '/v1/auth/me', undefined, { header: { 'x5t#S256': undefined } }));
      // RS256 is the only algorithm: the same RSA key under PS256 is refused.
      refused(await signed('GET', '/v1/auth/me', undefined, { header: { alg: 'PS256' }, key: await partnerPrivateKey('PS256') }));
    });
  });

  describe('camelCase on the wire', () => {
    it('query parameters and bodies are camelCase: perPage, requestedAt', async () => {
      // The snake_case spelling is not the parameter: it is refused or ignored, never read as perPage.
      const answer = await send('GET', `${COMMISSIONS}?per_page=1`, { as: 'broker' });
      if (answer.status === 200) expect(answer.json.perPage).not.toBe(1);
      else expectError(answer, 400, 'parameter_invalid');
      expectError(await send('POST', PARTIAL(ALICE_AV, ALICE_MAIN), { as: 'alice', json: { amount: { value: 100, scale: 2, currency: 'EUR' }, requested_at: today() } }), 400, 'parameter_invalid');
    });

    it('success bodies of the documented routes have camelCase keys only (checked on every call above)', async () => {
      for (const [who, path] of [['broker', `${COMMISSIONS}?perPage=5`], ['alice', '/v1/auth/me'], ['alice', `/v1/death-settlement/policies/${ALICE_AV}/beneficiary-designation`], ['alice', `/v1/pay-out/subscribers/${DEMO_IDS.subscribers.alice}/ibans`], ['alice', `/v1/subscription/subscriptions/${DEMO_IDS.subscriptions.aliceAv}`]]) {
        expect((await send('GET', path, { as: who })).status).toBe(200);
      }
    });
  });

  describe('payers (/errors/payer_subscriber_not_found, /errors/payer_not_found, /errors/delete_payer_personal_iban_default_iban)', () => {
    const PARENT = { relationship: 'parent', firstName: 'Jeanne', lastName: 'Martin', birthDate: '1950-04-02' };
    const IBAN_A = 'FR7630006000011234567890189';
    const IBAN_B = 'DE89370400440532013000';

    it('payer_subscriber_not_found: 404 when the subscriberId in the path matches no subscriber', async () => {
      const answer = await send('POST', PAYERS(NOBODY), { as: 'backoffice', json: PARENT });
      expectError(answer, 404, 'payer_subscriber_not_found');
    });

    it('creating the payer for an existing subscriber then succeeds (201)', async () => {
      const answer = await send('POST', PAYERS(DEMO_IDS.subscribers.alice), { as: 'alice', json: PARENT });
      expect(answer.status).toBe(201);
      expect(answer.json.id).toEqual(expect.any(String));
    });

    it('payer_not_found: 404 when the payerId in the path matches no payer', async () => {
      expectError(await send('GET', `/v1/premium-scheduling/payers/${NOBODY}`, { as: 'backoffice' }), 404, 'payer_not_found');
      expectError(await send('POST', PAYER_IBANS(NOBODY), { as: 'backoffice', json: { iban: IBAN_A, holderName: 'Jeanne Martin' } }), 404, 'payer_not_found');
      expectError(await send('PATCH', `${PAYER_IBAN(NOBODY, IBAN_A)}/make-default`, { as: 'backoffice' }), 404, 'payer_not_found');
      expectError(await send('DELETE', PAYER_IBAN(NOBODY, IBAN_A), { as: 'backoffice' }), 404, 'payer_not_found');
    });

    it('delete_payer_personal_iban_default_iban: 409 for the default IBAN; once another is the default, the deletion goes through', async () => {
      const payer = (await send('POST', PAYERS(DEMO_IDS.subscribers.alice), { as: 'alice', json: PARENT })).json;
      expect((await send('POST', PAYER_IBANS(payer.id), { as: 'alice', json: { iban: IBAN_A, holderName: 'Jeanne Martin' } })).status).toBe(201);
      expect((await send('POST', PAYER_IBANS(payer.id), { as: 'alice', json: { iban: IBAN_B, holderName: 'Jeanne Martin' } })).status).toBe(201);
      expectError(await send('DELETE', PAYER_IBAN(payer.id, IBAN_A), { as: 'alice' }), 409, 'delete_payer_personal_iban_default_iban');
      // How To Fix: set a different IBAN as the default first, then retry the deletion.
      expect((await send('PATCH', `${PAYER_IBAN(payer.id, IBAN_B)}/make-default`, { as: 'alice' })).status).toBe(200);
      expect((await send('DELETE', PAYER_IBAN(payer.id, IBAN_A), { as: 'alice' })).status).toBeLessThan(300);
    });

    it('401 unauthorized before any of these', async () => {
      expectError(await send('POST', PAYERS(NOBODY), { json: PARENT }), 401, 'unauthorized', 'NO_SESSION');
      expectError(await send('DELETE', PAYER_IBAN(NOBODY, IBAN_A)), 401, 'unauthorized', 'NO_SESSION');
    });
  });

  describe('POST /v1/premium-scheduling/single-premium-requests (/errors/parameter_invalid, /errors)', () => {
    const SINGLE = '/v1/premium-scheduling/single-premium-requests';
    /** The request body as the parameter_invalid page shows it, with ids of ours. */
    const documented = (policyId: string, payerId: string, method: string) => ({ policyId, payerId, method, amount: { value: 100, currency: 'EUR' }, iban: 'FR7630006000011234567890189' });
    let policyId: string;
    let payerId: string;

    beforeAll(async () => {
      policyId = (await freshPolicy(server, 'alice', 'av')).policyId;
      payerId = (await send('POST', PAYERS(DEMO_IDS.subscribers.alice), { as: 'alice', json: { relationship: 'self' } })).json.id;
      expect((await send('POST', PAYER_IBANS(payerId), { as: 'alice', json: { iban: 'FR7630006000011234567890189', holderName: 'Alice Martin' } })).status).toBe(201);
    });

    it('the documented example, method "CASH": 400 parameter_invalid, the message naming the parameter', async () => {
      expectInvalid(await send('POST', SINGLE, { as: 'alice', json: documented(policyId, payerId, 'CASH') }), 'method');
    });

    it('the example body as written, ids not matching anything: still 400 for CASH (the form is checked first)', async () => {
      const answer = await send('POST', SINGLE, { as: 'alice', json: { ...documented('8f68c04d-42b6-4375-bec9-1dcf0ff0f385', '4b7f6518-c699-4d8f-ad6d-f8ff9bf25ed8', 'CASH') } });
      expectInvalid(answer, 'method');
    });

    it('an invalid UUID is parameter_invalid naming the field; an unknown payer is 404 payer_not_found', async () => {
      expectInvalid(await send('POST', SINGLE, { as: 'alice', json: documented(NOT_A_UUID, payerId, 'sepa_direct_debit') }), 'policyId');
      expectError(await send('POST', SINGLE, { as: 'alice', json: { ...documented(policyId, NOBODY, 'sepa_direct_debit'), amount: { value: 150000, currency: 'EUR' } } }), 404, 'payer_not_found');
    });

    it('201 Created for a request; 200 OK for its cancellation; 409 Conflict once it cannot be cancelled', async () => {
      const created = await send('POST', SINGLE, { as: 'alice', json: { ...documented(policyId, payerId, 'sepa_direct_debit'), amount: { value: 150000, currency: 'EUR' } } });
      expect(created.status).toBe(201);
      expect(created.json.amount).toEqual({ amount: 150000, currency: 'EUR' });
      const cancelled = await send('POST', `${SINGLE}/${created.json.id}/cancel`, { as: 'alice' });
      expect(cancelled.status).toBe(200);
      const other = await send('POST', SINGLE, { as: 'alice', json: { ...documented(policyId, payerId, 'sepa_direct_debit'), amount: { value: 150000, currency: 'EUR' } } });
      expect((await paymentsEvent(server, 'premium.collected', { collection_type: 'single_premium_request', collection_id: other.json.id })).status).toBeLessThan(300);
      expectError(await send('POST', `${SINGLE}/${other.json.id}/cancel`, { as: 'alice' }), 409, 'conflict');
      expectError(await send('POST', `${SINGLE}/${NOBODY}/cancel`, { as: 'alice' }), 404, 'resource_not_found');
    });

    it('amounts are integers: a float value is parameter_invalid', async () => {
      expectInvalid(await send('POST', SINGLE, { as: 'alice', json: { ...documented(policyId, payerId, 'sepa_direct_debit'), amount: { value: 1000.5, currency: 'EUR' } } }), 'amount');
    });

    it('401 before the body is looked at', async () => {
      expectError(await send('POST', SINGLE, { json: documented(policyId, payerId, 'CASH') }), 401, 'unauthorized', 'NO_SESSION');
    });
  });

  describe('mandates and delegation (/errors/mandate_not_found, duplicate_fund_in_target_allocation, invalid_target_allocation, percentage_target_allocation_is_not_10000_basis_points, delegate_compartment_to_mandate_*)', () => {
    const MANDATES = '/v1/investments/mandates';
    const DELEGATE = (policyId: string, compartmentId: string) => `/v1/compartment-lifecycle/policies/${policyId}/compartments/${compartmentId}/delegate`;
    const EURO_FUND = 'FR0000000001';
    const BONDS = 'LU0290358497';
    async function aMandate(lines?: Array<{ isin: string; basisPoints: number }>): Promise<string> {
      const created = await send('POST', MANDATES, { as: 'backoffice', json: { name: 'Contract', riskLevel: 3 } });
      expect(created.status).toBe(201);
      if (lines) expect((await send('PUT', `${MANDATES}/${created.json.id}/target-allocation`, { as: 'backoffice', json: { lines } })).status).toBe(200);
      return created.json.id;
    }

    it('mandate_not_found (404): a mandate ID that is wrong or never created', async () => {
      const stale = testId('contract_stale_mandate');
      expectError(await send('GET', `${MANDATES}/${stale}`, { as: 'alice' }), 404, 'mandate_not_found');
      expectError(await send('PUT', `${MANDATES}/${stale}/target-allocation`, { as: 'backoffice', json: { lines: [{ isin: EURO_FUND, basisPoints: 10000 }] } }), 404, 'mandate_not_found');
      expectError(await send('POST', DELEGATE(ALICE_AV, ALICE_MAIN), { as: 'alice', json: { mandateId: stale } }), 404, 'mandate_not_found');
    });

    it('duplicate_fund_in_target_allocation (400): the allocation repeats the same fund', async () => {
      const id = await aMandate();
      const answer = await send('PUT', `${MANDATES}/${id}/target-allocation`, { as: 'backoffice', json: { lines: [{ isin: BONDS, basisPoints: 5000 }, { isin: BONDS, basisPoints: 5000 }] } });
      expectError(answer, 400, 'duplicate_fund_in_target_allocation');
    });

    it('invalid_target_allocation (400): a percentage outside the allowed range (the example: 1250 on one ISIN), or one that does not fit the rule', async () => {
      const id = await aMandate();
      const put = (lines: unknown) => send('PUT', `${MANDATES}/${id}/target-allocation`, { as: 'backoffice', json: { lines } });
      expectError(await put([{ isin: BONDS, basisPoints: 12500 }]), 400, 'invalid_target_allocation');
      expectError(await put([{ isin: BONDS, basisPoints: 0 }, { isin: EURO_FUND, basisPoints: 10000 }]), 400, 'invalid_target_allocation');
      // A valid allocation then passes.
      expect((await put([{ isin: BONDS, basisPoints: 1250 }, { isin: EURO_FUND, basisPoints: 8750 }])).status).toBe(200);
    });

    it('percentage_target_allocation_is_not_10000_basis_points (400): the allocation does not add up to 10000 basis points', async () => {
      const id = await aMandate();
      const put = (lines: unknown) => send('PUT', `${MANDATES}/${id}/target-allocation`, { as: 'backoffice', json: { lines } });
      expectError(await put([{ isin: BONDS, basisPoints: 1250 }, { isin: EURO_FUND, basisPoints: 1250 }]), 400, 'percentage_target_allocation_is_not_10000_basis_points');
      expectError(await put([]), 400, 'percentage_target_allocation_is_not_10000_basis_points');
    });

    it('revoking the delegation of a compartment that does not exist is 404 compartment_not_found; of a self-invested one, 409 conflict', async () => {
      const REVOKE = (policyId: string, compartmentId: string) => `/v1/compartment-lifecycle/policies/${policyId}/compartments/${compartmentId}/revoke-delegation`;
      expectError(await send('POST', REVOKE(ALICE_AV, NOBODY), { as: 'alice' }), 404, 'compartment_not_found');
      const { policyId, compartments } = await freshPolicy(server, 'alice', 'av');
      expectError(await send('POST', REVOKE(policyId, compartments.MAIN), { as: 'alice' }), 409, 'conflict');
    });

    it('delegate_compartment_to_mandate_mandate_has_no_target_allocation (422): the mandate was created without a target allocation', async () => {
      const { policyId, compartments } = await freshPolicy(server, 'alice', 'av');
      expectError(await send('POST', DELEGATE(policyId, compartments.MAIN), { as: 'alice', json: { mandateId: await aMandate() } }), 422, 'delegate_compartment_to_mandate_mandate_has_no_target_allocation');
    });

    it('delegate_compartment_to_mandate_compartment_is_not_self_invested (409): the compartment was already delegated to a mandate', async () => {
      const { policyId, compartments } = await freshPolicy(server, 'alice', 'av');
      const mandateId = await aMandate([{ isin: EURO_FUND, basisPoints: 10000 }]);
      expect((await send('POST', DELEGATE(policyId, compartments.MAIN), { as: 'alice', json: { mandateId } })).status).toBe(200);
      expectError(await send('POST', DELEGATE(policyId, compartments.MAIN), { as: 'alice', json: { mandateId } }), 409, 'delegate_compartment_to_mandate_compartment_is_not_self_invested');
    });

    it('delegating a compartment that does not exist is 404 compartment_not_found', async () => {
      const mandateId = await aMandate([{ isin: EURO_FUND, basisPoints: 10000 }]);
      expectError(await send('POST', DELEGATE(ALICE_AV, NOBODY), { as: 'alice', json: { mandateId } }), 404, 'compartment_not_found');
    });
  });

  describe('money (/topics/money)', () => {
    it('amounts in answers are integers of the smallest unit with a currency', async () => {
      const list = await send('GET', `${COMMISSIONS}?perPage=20`, { as: 'broker' });
      const numbers: unknown[] = [];
      const walk = (value: unknown, key = ''): void => {
        if (Array.isArray(value)) value.forEach((v) => walk(v, key));
        else if (value !== null && typeof value === 'object') Object.entries(value).forEach(([k, v]) => walk(v, k));
        else if (typeof value === 'number' && /amount|total|base|value|commission/i.test(key)) numbers.push(value);
      };
      walk(list.json);
      expect(numbers.length).toBeGreaterThan(0);
      expect(numbers.filter((n) => !Number.isInteger(n))).toEqual([]);
    });

    it('a declared amount comes back as an integer of cents with its currency', async () => {
      const { policyId, compartments } = await freshPolicy(server, 'alice', 'av');
      const declared = await send('POST', PARTIAL(policyId, compartments.MAIN), { as: 'alice', json: { amount: { value: 123456, scale: 2, currency: 'EUR' }, requestedAt: today() } });
      expect(declared.status).toBe(201);
      expect(declared.json.amount).toEqual({ amount: 123456, currency: 'EUR' });
    });
  });

  it('every doc_url answered above opens its error page', async () => {
    expect(docUrls.size).toBeGreaterThan(5);
    for (const url of docUrls) expect({ url, status: (await call(url)).status }).toEqual({ url, status: 200 });
  });
});
