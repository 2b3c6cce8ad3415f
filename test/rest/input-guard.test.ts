import { EACH_DATABASE } from '../support/databases';
import { call, gql, login } from '../support/http';
import { expectGraphqlInvalid, expectRestInvalid } from '../support/invalid';
import { startTestServer, type TestServer } from '../support/server';
import { MAX_AMOUNT_MINOR_UNITS } from '../../domain/shared/money-limits';
import { sameInsureeBody, subscriberBody, subscriptionBody } from '../support/subscription-inputs';
import { parisToday, scaledEur } from '../support/surrender-fixtures';
import { DEMO_IDS, testId } from '../support/ids';

/**
 * The central input guard (schema/input-guard.ts) and the bounded date scalars: text with control
 * characters or lone surrogates, over-long text, malformed ids and cursors, and impossible dates are a
 * 400 naming the field, on REST and GraphQL alike, never a 500 from the database.
 */
describe.each(EACH_DATABASE)('input guard on %s', (_name, database) => {
  let server: TestServer;
  let backoffice: Record<string, string>;
  let alice: Record<string, string>;
  let backofficeToken: string;

  beforeAll(async () => {
    server = await startTestServer(database, { demoPortfolio: true });
    backofficeToken = (await login(server.url, 'backoffice@demo.test', '10.31.0.1')).token;
    backoffice = { authorization: `Bearer ${backofficeToken}` };
    alice = { authorization: `Bearer ${(await login(server.url, 'alice@demo.test', '10.31.0.2')).token}` };
  });
  afterAll(() => server?.close());

  const post = (path: string, json: unknown, headers: Record<string, string> = backoffice) => call(`${server.url}${path}`, { method: 'POST', json, headers });
  const get = (path: string, headers: Record<string, string> = backoffice) => call(`${server.url}${path}`, { headers });

  it('a NUL byte or a lone surrogate in a login e-mail is 400, not 500', async () => {
    for (const email of ['alice@demo.test\u0000', '\ud800@demo.test']) {
      expectRestInvalid(await post('/v1/auth/login', { email, password: 'x' }, { 'x-forwarded-for': '10.31.1.1' }), ['email INVALID_CHARACTERS']);
    }
  });

  it('names, addresses and places refuse NUL, CR/LF and lone surrogates, each field named', async () => {
    const answer = await post('/v1/subscription/subscribers', subscriberBody({
      firstName: 'Ali\u0000ce',
      lastName: 'Mar\r\ntin',
      birthPlace: '\udc00Lyon',
      address: { line1: '12 rue\nde la Paix', postalCode: '75002', city: 'Paris\u0085', country: 'FR' },
    }));
    expectRestInvalid(answer, ['firstName INVALID_CHARACTERS', 'lastName INVALID_CHARACTERS', 'birthPlace INVALID_CHARACTERS', 'address.line1 INVALID_CHARACTERS', 'address.city INVALID_CHARACTERS']);
  });

  it('birth dates: year 0 and before 1900 are 400 (the scalar keeps years 1900-2200), 1900-01-01 is a date', async () => {
    for (const birth_date of ['0000-01-01', '1800-01-01', '1899-12-31', '9999-12-31']) {
      expectRestInvalid(await post('/v1/subscription/subscribers', subscriberBody({ birthDate: birth_date })), ['birthDate INVALID_FIELD_VALUE']);
    }
    const answer = await post('/v1/subscription/subscribers', subscriberBody({ birthDate: '1900-01-01' }));
    expect(answer.status).toBe(201);
  });

  it('text past the default bound (1000 characters) is 400 TOO_LONG before any rule runs', async () => {
    expectRestInvalid(await post(`/v1/support/subscribers/${DEMO_IDS.subscribers.alice}/requests`, { category: 'other', subject: 's'.repeat(100_000), message: 'm' }, alice), ['subject TOO_LONG']);
  });

  it('path ids with NUL, surrogates or another shape are 400 naming the parameter, not 500', async () => {
    for (const id of ['a%00b', `${DEMO_IDS.policies.aliceAv}%00`, '%ED%A0%80', 'pol_%ED%A0%80', encodeURIComponent("' or 1=1 --")]) {
      const answer = await get(`/v1/death-settlement/policies/${id}/beneficiary-designation`);
      expect({ id, status: answer.status }).toEqual({ id, status: 400 });
      expect(answer.json.errors[0]).toMatchObject({ code: 'parameter_invalid', field: 'policyId' });
    }
    expect((await get(`/v1/death-settlement/policies/${testId('pol_nobody')}/beneficiary-designation`)).status).toBe(404);
  });

  it('a reason with NUL is 400, a multi-line support message is not', async () => {
    const reason = await call(`${server.url}/v1/subscription/subscriptions/${testId('sbs_x')}/withdraw`, { method: 'POST', json: { reason: 'changed\u0000my mind' }, headers: alice });
    expectRestInvalid(reason, ['reason INVALID_CHARACTERS']);
    const message = await post(`/v1/support/subscribers/${DEMO_IDS.subscribers.alice}/requests`, { category: 'other', subject: 'Hello', message: 'Line one\nLine two\r\n\tindented' }, alice);
    expect(message.status).toBe(201);
    expect(message.json.message).toBe('Line one\nLine two\r\n\tindented');
    expectRestInvalid(await post(`/v1/support/subscribers/${DEMO_IDS.subscribers.alice}/requests`, { category: 'other', subject: 'Hello', message: 'NUL \u0000' }, alice), ['message INVALID_CHARACTERS']);
  });

  it('cursors that are not ours are 400 INVALID_CURSOR on field after, whatever they decode to', async () => {
    const nul = Buffer.from('2026-01\u0000\u001fx', 'utf8').toString('base64url');
    const notUtf8 = Buffer.from([0xff, 0xfe, 0x1f, 0x41]).toString('base64url');
    for (const after of [nul, notUtf8]) {
      const answer = await get(`/v1/billing/commissions?after=${encodeURIComponent(after)}`);
      expect({ after, status: answer.status, error: answer.json.errors[0] }).toMatchObject({ after, status: 400, error: { reason: 'INVALID_CURSOR', field: 'after' } });
    }
    expectRestInvalid(await get('/v1/billing/commissions?after=%00'), ['after INVALID_CHARACTERS']);
  });

  it('GraphQL: the same checks for variables and for literals, with the variable path as field', async () => {
    const query = 'query($id: ID!) { policy(id: $id) { id } }';
    expectGraphqlInvalid(await gql(server.url, query, { token: backofficeToken, variables: { id: `${DEMO_IDS.policies.aliceAv}\u0000` } }), ['id INVALID_CHARACTERS']);
    expectGraphqlInvalid(await gql(server.url, query, { token: backofficeToken, variables: { id: 'not an id' } }), ['id INVALID_ID']);
    expectGraphqlInvalid(await gql(server.url, '{ policy(id: "pol_\\u0000") { id } }', { token: backofficeToken }), ['id INVALID_CHARACTERS']);
    const open = `mutation($input: SupportRequestInput!) { openSupportRequest(subscriberId: "${DEMO_IDS.subscribers.alice}", input: $input) { id } }`;
    expectGraphqlInvalid(await gql(server.url, open, { token: backofficeToken, variables: { input: { category: 'other', subject: '\ud800', message: 'm' } } }), ['subject INVALID_CHARACTERS']);
  });

  it('amounts above 100,000,000.00 EUR are 400 AMOUNT_ABOVE_MAXIMUM wherever a client sends one; the maximum itself passes', async () => {
    expect(MAX_AMOUNT_MINOR_UNITS).toBe(10_000_000_000);
    const subscriber = await post('/v1/subscription/subscribers', subscriberBody({ email: 'rich@example.com' }));
    const insuree = await post('/v1/subscription/insurees', sameInsureeBody(subscriber.json.id));
    const create = (overrides: Record<string, unknown>) => post(`/v1/subscription/subscribers/${subscriber.json.id}/subscriptions`, subscriptionBody(insuree.json.id, overrides));
    const eur = (amount: number) => ({ amount, currency: 'EUR' });
    expectRestInvalid(await create({ initialPayment: eur(MAX_AMOUNT_MINOR_UNITS + 1) }), ['initialPayment.amount AMOUNT_ABOVE_MAXIMUM']);
    expectRestInvalid(await create({ scheduledPayment: { ...eur(Number.MAX_SAFE_INTEGER), frequency: 'monthly' } }), ['scheduledPayment.amount AMOUNT_ABOVE_MAXIMUM']);
    const atMaximum = await create({ initialPayment: eur(MAX_AMOUNT_MINOR_UNITS) });
    expect({ status: atMaximum.status, amount: atMaximum.json.initialPayment?.amount }).toEqual({ status: 201, amount: MAX_AMOUNT_MINOR_UNITS });
    const surrender = await post(`/v1/partial-surrender/policies/${DEMO_IDS.policies.aliceAv}/compartments/${testId('cmp_any')}/declarations`, { amount: scaledEur(MAX_AMOUNT_MINOR_UNITS + 1), requestedAt: parisToday(server.clock) }, alice);
    expectRestInvalid(surrender, ['amount.value AMOUNT_ABOVE_MAXIMUM']);
    const graphql = await gql(server.url, `mutation { declarePartialSurrender(policyId: "${DEMO_IDS.policies.aliceAv}", compartmentId: "${testId('cmp_any')}", input: { amount: { value: 10000000001, scale: 2, currency: "EUR" }, requestedAt: "2026-01-02" }) { id } }`, { token: backofficeToken });
    expectGraphqlInvalid(graphql, ['amount.value AMOUNT_ABOVE_MAXIMUM']);
  });

  it('GraphQL: without credentials, a protected field with bad input is still 401 first', async () => {
    const answer = await gql(server.url, 'query($id: ID!) { policy(id: $id) { id } }', { variables: { id: '\u0000' } });
    expect(answer.status).toBe(401);
  });
});
