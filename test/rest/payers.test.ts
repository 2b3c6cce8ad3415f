import { randomBytes } from 'node:crypto';
import { insertBroker, partnerHeaders } from '../support/actors';
import { EACH_DATABASE } from '../support/databases';
import { restReason } from '../support/errors';
import { call, login, type Answer } from '../support/http';
import { DEMO_IDS, testId } from '../support/ids';
import { startTestServer, type TestServer } from '../support/server';

const IBAN = 'FR7630006000011234567890189';
const IBAN_PRINT = 'FR76 3000 6000 0112 3456 7890 189';
const IBAN_MASKED = 'FR76 **** **** **** **** ***0 189';
const IBAN_DE = 'DE89370400440532013000';
const IBAN_BAD_CHECKSUM = 'FR7630006000011234567890188';
const IBAN_NOT_SEPA = 'SA0380000000608010167519';

type Body = Record<string, any>;
type Caller = Record<string, string>;

let addressCounter = 0;
const newAddress = () => `10.62.${Math.floor(++addressCounter / 250)}.${addressCounter % 250}`;
const newKey = () => `key-${randomBytes(9).toString('base64url')}`;

function expectError(answer: Answer, status: number, code: string, reason?: string): void {
  expect(answer.status).toBe(status);
  expect(answer.json.errors[0]).toEqual(expect.objectContaining({ code, ...(reason ? restReason(code, reason) : {}), doc_url: expect.stringMatching(new RegExp(`/errors/${code}$`)) }));
}

describe.each(EACH_DATABASE)('REST payers on %s', (_name, database) => {
  let server: TestServer;
  let base: string;
  let alice: Caller;
  let bob: Caller;
  let broker: Caller;
  let otherBroker: Caller;
  let backoffice: Caller;
  let machine: Caller;

  const payersPath = (subscriberId: string) => `/v1/premium-scheduling/subscribers/${subscriberId}/payers`;
  const payerPath = (payerId: string) => `/v1/premium-scheduling/payers/${payerId}`;
  const ibanPath = (payerId: string, iban: string) => `${payerPath(payerId)}/ibans/${encodeURIComponent(iban)}`;
  const createPayer = (caller: Caller, subscriberId: string, body: Body, headers: Caller = {}) =>
    call(`${base}${payersPath(subscriberId)}`, { method: 'POST', json: body, headers: { ...caller, ...headers } });
  const addIban = (caller: Caller, payerId: string, body: Body, headers: Caller = {}) =>
    call(`${base}${payerPath(payerId)}/ibans`, { method: 'POST', json: body, headers: { ...caller, ...headers } });
  const makeDefault = (caller: Caller, payerId: string, iban: string) => call(`${base}${ibanPath(payerId, iban)}/make-default`, { method: 'PATCH', headers: caller });
  const remove = (caller: Caller, payerId: string, iban: string) => call(`${base}${ibanPath(payerId, iban)}`, { method: 'DELETE', headers: caller });
  const getPayer = (caller: Caller, payerId: string) => call(`${base}${payerPath(payerId)}`, { headers: caller });

  const PARENT = { relationship: 'parent', firstName: 'Jeanne', lastName: 'Martin', birthDate: '1950-04-02' };

  async function created(answer: Promise<Answer>): Promise<Body> {
    const done = await answer;
    if (done.status !== 201) throw new Error(`expected 201, got ${done.status} ${done.text}`);
    return done.json;
  }

  const bearer = async (email: string): Promise<Caller> => ({ authorization: `Bearer ${(await login(base, email, newAddress())).token}` });

  beforeAll(async () => {
    server = await startTestServer(database, { demoPortfolio: true });
    base = server.url;
    [alice, bob, broker, backoffice] = await Promise.all(['alice@demo.test', 'bob@demo.test', 'broker@demo.test', 'backoffice@demo.test'].map(bearer));
    machine = await partnerHeaders(base, newAddress());
    otherBroker = await bearer(await insertBroker(server.db, server.clock.now(), { userId: testId('usr_payers_other'), distributorId: testId('dst_payers_other') }));
  });
  afterAll(() => server?.close());

  describe('POST /v1/premium-scheduling/subscribers/{subscriberId}/payers', () => {
    it('creates a payer who is not the subscriber, identified by name, birth date and relationship', async () => {
      const payer = await created(createPayer(broker, DEMO_IDS.subscribers.alice, PARENT));
      expect(payer).toEqual({
        id: expect.any(String), subscriberId: DEMO_IDS.subscribers.alice, relationship: 'parent', firstName: 'Jeanne', lastName: 'Martin', birthDate: '1950-04-02',
        companyName: null, email: null, createdAt: expect.any(String), ibans: [],
      });
      expect((await getPayer(alice, payer.id)).json).toEqual(payer);
      const audit = await server.db.query<{ action: string }>("select action from audit_log where target_id = $1", [payer.id]);
      expect(audit.map((a) => a.action)).toEqual(['payer.created']);
    });

    it('the subscriber as payer takes their own identity, once', async () => {
      const subscriberId = (await created(call(`${base}/v1/subscription/subscribers`, {
        method: 'POST', headers: backoffice,
        json: {
          civility: 'M', firstName: 'Paul', lastName: 'Lemaire', birthDate: '1970-01-15', birthPlace: 'Lille', nationality: 'FR',
          address: { line1: '3 rue Nationale', postalCode: '59000', city: 'Lille', country: 'FR' },
          email: 'paul.lemaire@example.com', phone: '06 11 22 33 44', taxResidence: 'FR', distributorId: DEMO_IDS.distributor,
        },
      }))).id;
      const self = await created(createPayer(machine, subscriberId, { relationship: 'self' }));
      expect(self).toMatchObject({ relationship: 'self', firstName: 'Paul', lastName: 'Lemaire', birthDate: '1970-01-15', companyName: null });
      expectError(await createPayer(backoffice, subscriberId, { relationship: 'self' }), 409, 'conflict', 'PAYER_SELF_ALREADY_EXISTS');
      expectError(await createPayer(backoffice, subscriberId, { relationship: 'self', firstName: 'X' }), 400, 'parameter_invalid', 'NOT_ALLOWED_FOR_RELATIONSHIP');
      // The subscriber is reached at their own address: a self payer takes none.
      expectError(await createPayer(backoffice, subscriberId, { relationship: 'self', email: 'paul@example.com' }), 400, 'parameter_invalid', 'NOT_ALLOWED_FOR_RELATIONSHIP');
    });

    it('a payer who is not the subscriber may give the address their debits are announced at; a malformed one is 400 naming it', async () => {
      const payer = await created(createPayer(broker, DEMO_IDS.subscribers.alice, { ...PARENT, email: 'Jeanne.Martin@Example.com' }));
      expect(payer.email).toBe('jeanne.martin@example.com');
      const bad = await createPayer(broker, DEMO_IDS.subscribers.alice, { ...PARENT, email: 'jeanne.martin' });
      expect(bad.status).toBe(400);
      expect(bad.json.errors[0]).toMatchObject({ code: 'parameter_invalid', field: 'email' });
    });

    it('a company is identified by its name only', async () => {
      const company = await created(createPayer(backoffice, DEMO_IDS.subscribers.alice, { relationship: 'company', companyName: 'Martin SARL' }));
      expect(company).toMatchObject({ relationship: 'company', companyName: 'Martin SARL', firstName: null, lastName: null, birthDate: null });
      const refused = await createPayer(backoffice, DEMO_IDS.subscribers.alice, { relationship: 'company', firstName: 'Jeanne' });
      expectError(refused, 400, 'parameter_invalid');
      expect(refused.json.errors.map((e: Body) => [e.field, e.reason])).toEqual([['firstName', 'NOT_ALLOWED_FOR_RELATIONSHIP'], ['companyName', 'REQUIRED_FIELD_MISSING']]);
    });

    it('a person without a name or birth date, or born tomorrow, is 400 naming each field', async () => {
      const missing = await createPayer(alice, DEMO_IDS.subscribers.alice, { relationship: 'grandparent', firstName: '  ' });
      expect(missing.status).toBe(400);
      expect(missing.json.errors.map((e: Body) => e.field)).toEqual(['firstName', 'lastName', 'birthDate']);
      const future = await createPayer(alice, DEMO_IDS.subscribers.alice, { ...PARENT, birthDate: '2999-01-01' });
      expect(future.status).toBe(400);
      const bad = await createPayer(alice, DEMO_IDS.subscribers.alice, { ...PARENT, relationship: 'neighbour' });
      expectError(bad, 400, 'parameter_invalid');
      expect(bad.json.errors[0].field).toBe('relationship');
    });

    it('404 payer_subscriber_not_found for a subscriber that does not exist, and alike for one the caller does not reach', async () => {
      const missing = await createPayer(backoffice, testId('sbr_nobody_payer'), PARENT);
      expectError(missing, 404, 'payer_subscriber_not_found', 'PAYER_SUBSCRIBER_NOT_FOUND');
      for (const stranger of [bob, otherBroker]) {
        const hidden = await createPayer(stranger, DEMO_IDS.subscribers.alice, PARENT);
        expect({ status: hidden.status, body: hidden.json }).toEqual({ status: 404, body: missing.json });
        expectError(await call(`${base}${payersPath(DEMO_IDS.subscribers.alice)}`, { headers: stranger }), 404, 'payer_subscriber_not_found');
      }
      expect(Number((await server.db.query<{ n: number }>('select count(*)::int as n from payers where created_by_id = $1', [testId('usr_payers_other')]))[0]?.n ?? 0)).toBe(0);
    });

    it('401 before anything else about the request is looked at', async () => {
      const answer = await call(`${base}${payersPath('not-a-uuid')}`, { method: 'POST', json: { nonsense: true } });
      expect(answer.status).toBe(401);
    });

    it('takes an idempotency key: the same request replays its answer, creating one payer', async () => {
      const key = newKey();
      const first = await createPayer(broker, DEMO_IDS.subscribers.alice, { ...PARENT, firstName: 'Once' }, { 'idempotency-key': key });
      const again = await createPayer(broker, DEMO_IDS.subscribers.alice, { ...PARENT, firstName: 'Once' }, { 'idempotency-key': key });
      expect(first.status).toBe(201);
      expect(again.status).toBe(201);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.json).toEqual(first.json);
      const rows = await server.db.query<{ id: string }>("select id from payers where first_name = 'Once'");
      expect(rows.length).toBe(1);
    });
  });

  describe('GET payers', () => {
    it("lists a subscriber's payers in creation order with their IBANs, for everyone who reaches the subscriber", async () => {
      const payer = await created(createPayer(alice, DEMO_IDS.subscribers.alice, { ...PARENT, firstName: 'Listed' }));
      await created(addIban(alice, payer.id, { iban: IBAN, holderName: 'Jeanne Martin' }));
      for (const caller of [alice, broker, machine, backoffice]) {
        const list = await call(`${base}${payersPath(DEMO_IDS.subscribers.alice)}`, { headers: caller });
        expect(list.status).toBe(200);
        const found = list.json.find((p: Body) => p.id === payer.id);
        expect(found.ibans).toEqual([expect.objectContaining({ isDefault: true, holderName: 'Jeanne Martin', country: 'FR' })]);
        expect(found.ibans[0].iban).toBe(caller === alice || caller === backoffice ? IBAN : IBAN_MASKED);
      }
      for (const stranger of [bob, otherBroker]) expectError(await getPayer(stranger, payer.id), 404, 'payer_not_found', 'PAYER_NOT_FOUND');
      expectError(await getPayer(backoffice, testId('payer_nobody')), 404, 'payer_not_found', 'PAYER_NOT_FOUND');
    });
  });

  describe('payer IBANs', () => {
    it('the first IBAN becomes the default; make-default moves it; only one default ever', async () => {
      const payer = await created(createPayer(broker, DEMO_IDS.subscribers.alice, { ...PARENT, firstName: 'Ibans' }));
      const first = await created(addIban(broker, payer.id, { iban: IBAN_PRINT, holderName: 'Jeanne Martin' }));
      expect(first).toEqual({ id: expect.any(String), payerId: payer.id, iban: IBAN_MASKED, holderName: 'Jeanne Martin', country: 'FR', isDefault: true, createdAt: expect.any(String) });
      const second = await created(addIban(alice, payer.id, { iban: IBAN_DE, holderName: 'Jeanne Martin' }));
      expect(second).toMatchObject({ iban: IBAN_DE, country: 'DE', isDefault: false });

      const moved = await makeDefault(machine, payer.id, IBAN_DE);
      expect(moved.status).toBe(200);
      expect(moved.json).toMatchObject({ id: second.id, isDefault: true });
      // Named by its id, or by the IBAN in print format.
      expect((await makeDefault(alice, payer.id, IBAN_PRINT)).json).toMatchObject({ id: first.id, isDefault: true });
      expect((await makeDefault(alice, payer.id, first.id)).json).toMatchObject({ id: first.id, isDefault: true });
      const rows = await server.db.query<{ iban: string }>('select iban from payer_ibans where payer_id = $1 and is_default', [payer.id]);
      expect(rows).toEqual([{ iban: IBAN }]);
      expectError(await makeDefault(alice, payer.id, IBAN_BAD_CHECKSUM), 404, 'resource_not_found', 'PAYER_IBAN_NOT_FOUND');
    });

    it('IBANs are checked as pay-out IBANs are: checksum, SEPA scope, holder name; twice is 409', async () => {
      const payer = await created(createPayer(alice, DEMO_IDS.subscribers.alice, { ...PARENT, firstName: 'Checked' }));
      expectError(await addIban(alice, payer.id, { iban: IBAN_BAD_CHECKSUM, holderName: 'J M' }), 400, 'parameter_invalid', 'IBAN_CHECKSUM_FAILED');
      expectError(await addIban(alice, payer.id, { iban: IBAN_NOT_SEPA, holderName: 'J M' }), 400, 'parameter_invalid', 'IBAN_COUNTRY_NOT_SEPA');
      expectError(await addIban(alice, payer.id, { iban: IBAN, holderName: ' ' }), 400, 'parameter_invalid', 'REQUIRED_FIELD_MISSING');
      await created(addIban(alice, payer.id, { iban: IBAN, holderName: 'J M' }));
      expectError(await addIban(alice, payer.id, { iban: IBAN_PRINT, holderName: 'J M' }), 409, 'conflict', 'IBAN_ALREADY_REGISTERED');
    });

    it('DELETE: 204 for another IBAN, 409 delete_payer_personal_iban_default_iban for the default', async () => {
      const payer = await created(createPayer(backoffice, DEMO_IDS.subscribers.alice, { ...PARENT, firstName: 'Deleting' }));
      const only = await created(addIban(backoffice, payer.id, { iban: IBAN, holderName: 'J M' }));
      const refused = await remove(broker, payer.id, IBAN);
      expectError(refused, 409, 'delete_payer_personal_iban_default_iban', 'PAYER_DEFAULT_IBAN_CANNOT_BE_DELETED');
      const other = await created(addIban(backoffice, payer.id, { iban: IBAN_DE, holderName: 'J M' }));
      const deleted = await remove(broker, payer.id, other.id);
      expect(deleted.status).toBe(204);
      expect(deleted.text).toBe('');
      expect((await getPayer(backoffice, payer.id)).json.ibans.map((i: Body) => i.id)).toEqual([only.id]);
      expectError(await remove(broker, payer.id, other.id), 404, 'resource_not_found', 'PAYER_IBAN_NOT_FOUND');
      expectError(await remove(bob, payer.id, IBAN), 404, 'payer_not_found', 'PAYER_NOT_FOUND');
      expectError(await remove(otherBroker, payer.id, IBAN), 404, 'payer_not_found', 'PAYER_NOT_FOUND');
      expectError(await addIban(bob, payer.id, { iban: IBAN_DE, holderName: 'J M' }), 404, 'payer_not_found', 'PAYER_NOT_FOUND');
      expectError(await makeDefault(otherBroker, payer.id, IBAN), 404, 'payer_not_found', 'PAYER_NOT_FOUND');
    });
  });

  describe('GraphQL', () => {
    it('payer, payers and the mutations answer as REST does', async () => {
      const gql = (query: string, variables: Body) => call(`${base}/graphql`, { method: 'POST', headers: broker, json: { query, variables } });
      const made = await gql('mutation($s: ID!, $i: PayerInput!) { createPayer(subscriberId: $s, input: $i) { id relationship } }', { s: DEMO_IDS.subscribers.alice, i: { relationship: 'company', companyName: 'GQL SA' } });
      const payerId = made.json.data.createPayer.id;
      await gql('mutation($p: ID!) { addPayerIban(payerId: $p, input: { iban: "FR7630006000011234567890189", holderName: "GQL SA" }) { id } }', { p: payerId });
      const read = await gql('query($p: ID!, $s: ID!) { payer(id: $p) { companyName ibans { iban isDefault } } payers(subscriberId: $s) { id } }', { p: payerId, s: DEMO_IDS.subscribers.alice });
      expect(read.json.data.payer).toEqual({ companyName: 'GQL SA', ibans: [{ iban: IBAN_MASKED, isDefault: true }] });
      expect(read.json.data.payers.map((p: Body) => p.id)).toContain(payerId);
      const del = await gql('mutation($p: ID!) { deletePayerIban(payerId: $p, iban: "FR7630006000011234567890189") { id } }', { p: payerId });
      expect(del.json.errors[0].extensions.code).toBe('delete_payer_personal_iban_default_iban');
    });
  });
});
