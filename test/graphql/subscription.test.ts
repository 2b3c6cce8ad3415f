import { EACH_DATABASE } from '../support/databases';
import { call, gql, login, type Answer } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';
import { expectFieldError, expectGraphqlInvalid } from '../support/invalid';
import { graphqlMessage, graphqlReason } from '../support/errors';
import { DEMO_IDS, UUID_V7, testId } from '../support/ids';

// ---- helper builders: valid inputs as a GraphQL client sends them (camelCase) ------------------------

const IBAN = 'FR7630006000011234567890189';
const IBAN_MASKED = 'FR76 **** **** **** **** ***0 189';
const IBAN_BAD_CHECKSUM = 'FR7630006000011234567890188';
const FUND = { euro: 'FR0000000001', equity: 'FR0010315770', bonds: 'LU0290358497', balanced: 'FR0011550185' } as const;
const SERIAL = '01:23:45:67:89:AB:CD:EF';
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

type Input = Record<string, any>;

function subscriberInput(overrides: Input = {}): Input {
  return {
    civility: 'MME',
    firstName: 'Alice',
    lastName: 'Martin',
    birthDate: '1985-04-12',
    birthPlace: 'Lyon',
    nationality: 'FR',
    address: { line1: '12 rue de la Paix', line2: null, postalCode: '75002', city: 'Paris', country: 'FR' },
    email: 'alice.martin@example.com',
    phone: '+33 6 12 34 56 78',
    taxResidence: 'FR',
    ...overrides,
  };
}

const sameInsureeInput = (subscriberId: string): Input => ({ subscriberId, sameAsSubscriber: true });

function otherInsureeInput(subscriberId: string, overrides: Input = {}): Input {
  return { subscriberId, sameAsSubscriber: false, civility: 'M', firstName: 'Paul', lastName: 'Martin', birthDate: '1983-02-01', birthPlace: 'Nantes', ...overrides };
}

/** A valid draft on the assurance-vie `prd_av_demo`. */
function subscriptionInput(insureeId: string, overrides: Input = {}): Input {
  return {
    insureeId,
    productId: DEMO_IDS.products.av,
    initialPayment: { amount: 150_000, currency: 'EUR' },
    scheduledPayment: { amount: 10_000, currency: 'EUR', frequency: 'quarterly' },
    allocation: [
      { isin: FUND.euro, basisPoints: 7_000 },
      { isin: FUND.balanced, basisPoints: 3_000 },
    ],
    beneficiaryClause: { standardClauseId: DEMO_IDS.standardClauses.children },
    debitIban: IBAN,
    debitHolder: 'Alice Martin',
    ...overrides,
  };
}

/** YYYY-MM-DD, `years` years before today (UTC). */
function dateAgo(years: number): string {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear() - years, now.getUTCMonth(), now.getUTCDate())).toISOString().slice(0, 10);
}

let addressCounter = 0;
const newAddress = () => `10.50.${Math.floor(++addressCounter / 250)}.${addressCounter % 250}`;

const SUBSCRIBER_FIELDS = 'id civility firstName lastName birthDate birthPlace nationality address { line1 line2 postalCode city country } email phone taxResidence createdAt';
const INSUREE_FIELDS = 'id subscriberId sameAsSubscriber civility firstName lastName birthDate birthPlace';
const SUBSCRIPTION_FIELDS = `id status
  subscriber { id firstName lastName subscriptions { id } }
  insuree { ${INSUREE_FIELDS} }
  product { id kind name minimumInitialPayment { amount currency } funds { isin } }
  initialPayment { amount currency }
  scheduledPayment { amount { amount currency } frequency }
  allocation { isin basisPoints }
  beneficiaryClause { standardClauseId standardClause { id } text }
  debitIban debitHolder signedAt withdrawalDeadline withdrawnAt createdAt updatedAt
  history { at fromStatus toStatus actorKind note }`;

const CREATE_SUBSCRIBER = `mutation($input: SubscriberInput!) { createSubscriber(input: $input) { ${SUBSCRIBER_FIELDS} } }`;
const CREATE_INSUREE = `mutation($input: InsureeInput!) { createInsuree(input: $input) { ${INSUREE_FIELDS} } }`;
const CREATE_SUBSCRIPTION = `mutation($subscriberId: ID!, $input: SubscriptionInput!) { createSubscription(subscriberId: $subscriberId, input: $input) { ${SUBSCRIPTION_FIELDS} } }`;
const SUBSCRIPTION = `query($id: ID!) { subscription(id: $id) { ${SUBSCRIPTION_FIELDS} } }`;
const SUBSCRIBER = `query($id: ID!) { subscriber(id: $id) { ${SUBSCRIBER_FIELDS} } }`;
const MY_PROFILE = `{ mySubscriberProfile { ${SUBSCRIBER_FIELDS} } }`;

function expectNotFound(answer: Answer, reason: string): void {
  expect(answer.json.errors).toEqual([expect.objectContaining({ message: graphqlMessage('resource_not_found', reason), extensions: { code: 'resource_not_found', ...graphqlReason('resource_not_found', reason), doc_url: expect.stringMatching(/\/errors\/resource_not_found$/) } })]);
  // The request ran: 200 (GraphQL over HTTP), the refused root field null, the error at its path.
  expect(answer.status).toBe(200);
  expect(Object.values(answer.json.data)).toEqual([null]);
}

describe.each(EACH_DATABASE)('GraphQL subscription on %s', (_name, database) => {
  let server: TestServer;
  let base: string;
  let alice: string;
  let bob: string;
  let broker: string;
  let backoffice: string;
  let machineToken: string;

  /** Alice's own journey, made once: a login has one profile. */
  let aliceCreated: Answer;
  let aliceSubscriberId: string;
  let aliceInsureeId: string;
  let aliceSubscription: Answer;

  const run = (token: string, query: string, variables?: Record<string, unknown>) =>
    gql(base, query, { token, variables, headers: token === machineToken ? { 'x-client-certificate-serial': SERIAL } : {} });
  const createSubscriber = (token: string, input: Input = subscriberInput()) => run(token, CREATE_SUBSCRIBER, { input });
  const createInsuree = (token: string, input: Input) => run(token, CREATE_INSUREE, { input });
  const createSubscription = (token: string, subscriberId: string, input: Input) => run(token, CREATE_SUBSCRIPTION, { subscriberId, input });

  async function data<T = any>(answer: Promise<Answer>, field: string): Promise<T> {
    const done = await answer;
    if (done.json?.errors || done.status !== 200) throw new Error(`${field}: ${done.status} ${done.text}`);
    return done.json.data[field];
  }

  async function subscriberWithInsuree(token: string, insuree?: Input) {
    const subscriberId = (await data(createSubscriber(token), 'createSubscriber')).id;
    const insureeId = (await data(createInsuree(token, insuree ? { ...insuree, subscriberId } : sameInsureeInput(subscriberId)), 'createInsuree')).id;
    return { subscriberId, insureeId };
  }

  beforeAll(async () => {
    server = await startTestServer(database);
    base = server.url;
    [alice, bob, broker, backoffice] = await Promise.all(
      ['alice@demo.test', 'bob@demo.test', 'broker@demo.test', 'backoffice@demo.test'].map(async (email) => (await login(base, email, newAddress())).token),
    );
    const grant = await call(`${base}/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-client-certificate-serial': SERIAL, 'x-forwarded-for': newAddress() },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'demo-partner', client_secret: 'demo-partner-secret' }).toString(),
    });
    machineToken = grant.json.access_token;

    aliceCreated = await createSubscriber(alice);
    aliceSubscriberId = aliceCreated.json.data?.createSubscriber?.id;
    aliceInsureeId = (await data(createInsuree(alice, sameInsureeInput(aliceSubscriberId)), 'createInsuree')).id;
    aliceSubscription = await createSubscription(alice, aliceSubscriberId, subscriptionInput(aliceInsureeId));
  });
  afterAll(() => server?.close());

  describe('catalogue', () => {
    it('products: both demo products with funds, minimums, fees and ages', async () => {
      const answer = await run(
        bob,
        `{ products { id kind name currency minimumInitialPayment { amount currency } minimumScheduledPayment { amount currency }
            entryFeeBasisPoints managementFeeBasisPoints minimumInsureeAge maximumInsureeAge funds { isin name kind riskIndicator } } }`,
      );
      expect(answer.status).toBe(200);
      const [av, per] = answer.json.data.products;
      expect(answer.json.data.products).toHaveLength(2);
      expect(av).toMatchObject({
        id: DEMO_IDS.products.av, kind: 'assurance_vie', name: 'Démo Vie', currency: 'EUR',
        minimumInitialPayment: { amount: 100_000, currency: 'EUR' }, minimumScheduledPayment: { amount: 5_000, currency: 'EUR' },
        entryFeeBasisPoints: 200, managementFeeBasisPoints: 85, minimumInsureeAge: 0, maximumInsureeAge: 85,
      });
      expect(per).toMatchObject({
        id: DEMO_IDS.products.per, kind: 'per', name: 'Démo Retraite PER', currency: 'EUR',
        minimumInitialPayment: { amount: 50_000, currency: 'EUR' }, minimumScheduledPayment: { amount: 3_000, currency: 'EUR' },
        entryFeeBasisPoints: 100, managementFeeBasisPoints: 70, minimumInsureeAge: 18, maximumInsureeAge: 70,
      });
      expect(av.funds.map((f: { isin: string }) => f.isin).sort()).toEqual([FUND.euro, FUND.equity, FUND.bonds, FUND.balanced].sort());
      expect(per.funds.map((f: { isin: string }) => f.isin).sort()).toEqual([FUND.euro, FUND.equity, FUND.balanced].sort());
      expect(per.funds).toContainEqual({ isin: FUND.balanced, name: 'Patrimoine Équilibré Démo', kind: 'unit_linked', riskIndicator: 3 });
    });

    it('standardClauses: the published clauses', async () => {
      const answer = await run(machineToken, '{ standardClauses { id title text } }');
      expect(answer.status).toBe(200);
      expect(answer.json.data.standardClauses.map((c: { id: string }) => c.id).sort()).toEqual([DEMO_IDS.standardClauses.children, DEMO_IDS.standardClauses.heirs, DEMO_IDS.standardClauses.spouseChildren]);
      expect(answer.json.data.standardClauses).toContainEqual({ id: DEMO_IDS.standardClauses.children, title: 'Enfants, à défaut héritiers', text: 'Mes enfants nés ou à naître, vivants ou représentés, par parts égales, à défaut mes héritiers.' });
    });

    it('needs a session', async () => {
      const answer = await gql(base, '{ products { id } standardClauses { id } }');
      expect(answer.status).toBe(401);
      expect(answer.json.errors[0]).toMatchObject({ message: 'NO_SESSION', extensions: { code: 'unauthorized' } });
    });
  });

  describe('the journey', () => {
    it('createSubscriber as a subscriber login: every field, phone in E.164', async () => {
      expect(aliceCreated.status).toBe(200);
      expect(aliceCreated.json).toEqual({
        data: {
          createSubscriber: {
            id: expect.stringMatching(UUID_V7),
            civility: 'MME',
            firstName: 'Alice',
            lastName: 'Martin',
            birthDate: '1985-04-12',
            birthPlace: 'Lyon',
            nationality: 'FR',
            address: { line1: '12 rue de la Paix', line2: null, postalCode: '75002', city: 'Paris', country: 'FR' },
            email: 'alice.martin@example.com',
            phone: '+33612345678',
            taxResidence: 'FR',
            createdAt: expect.stringMatching(ISO_INSTANT),
          },
        },
      });
    });

    it('mySubscriberProfile: the login’s own profile; null before one exists; subscriber logins only', async () => {
      expect((await run(alice, MY_PROFILE)).json).toEqual({ data: { mySubscriberProfile: aliceCreated.json.data.createSubscriber } });
      expect((await run(bob, MY_PROFILE)).json).toEqual({ data: { mySubscriberProfile: null } });
      const asBroker = await run(broker, MY_PROFILE);
      expect(asBroker.json.errors[0]).toMatchObject({ message: 'INSUFFICIENT_ROLES', extensions: { code: 'forbidden' } });
    });

    it('a second createSubscriber for the same login is a conflict', async () => {
      const again = await createSubscriber(alice, subscriberInput({ firstName: 'Alicia' }));
      expectFieldError(again, 'conflict', ['createSubscriber']);
      expect(again.json.errors[0]).toMatchObject({ extensions: { reason: 'SUBSCRIBER_PROFILE_ALREADY_EXISTS', code: 'conflict' } });
      expect((await run(alice, MY_PROFILE)).json.data.mySubscriberProfile.firstName).toBe('Alice');
    });

    it('createInsuree: the subscriber themself, or another person', async () => {
      const same = await data(createInsuree(alice, sameInsureeInput(aliceSubscriberId)), 'createInsuree');
      expect(same).toEqual({ id: expect.stringMatching(UUID_V7), subscriberId: aliceSubscriberId, sameAsSubscriber: true, civility: 'MME', firstName: 'Alice', lastName: 'Martin', birthDate: '1985-04-12', birthPlace: 'Lyon' });
      const other = await data(createInsuree(alice, otherInsureeInput(aliceSubscriberId)), 'createInsuree');
      expect(other).toEqual({ id: expect.stringMatching(UUID_V7), subscriberId: aliceSubscriberId, sameAsSubscriber: false, civility: 'M', firstName: 'Paul', lastName: 'Martin', birthDate: '1983-02-01', birthPlace: 'Nantes' });
    });

    it('createSubscription: a draft with money in minor units and its history', async () => {
      expect(aliceSubscription.status).toBe(200);
      const created = aliceSubscription.json.data.createSubscription;
      expect(created).toEqual({
        id: expect.stringMatching(UUID_V7),
        status: 'draft',
        subscriber: { id: aliceSubscriberId, firstName: 'Alice', lastName: 'Martin', subscriptions: [{ id: created.id }] },
        insuree: { id: aliceInsureeId, subscriberId: aliceSubscriberId, sameAsSubscriber: true, civility: 'MME', firstName: 'Alice', lastName: 'Martin', birthDate: '1985-04-12', birthPlace: 'Lyon' },
        product: { id: DEMO_IDS.products.av, kind: 'assurance_vie', name: 'Démo Vie', minimumInitialPayment: { amount: 100_000, currency: 'EUR' }, funds: expect.any(Array) },
        initialPayment: { amount: 150_000, currency: 'EUR' },
        scheduledPayment: { amount: { amount: 10_000, currency: 'EUR' }, frequency: 'quarterly' },
        allocation: [
          { isin: FUND.euro, basisPoints: 7_000 },
          { isin: FUND.balanced, basisPoints: 3_000 },
        ],
        beneficiaryClause: { standardClauseId: DEMO_IDS.standardClauses.children, standardClause: { id: DEMO_IDS.standardClauses.children }, text: 'Mes enfants nés ou à naître, vivants ou représentés, par parts égales, à défaut mes héritiers.' },
        debitIban: IBAN,
        debitHolder: 'Alice Martin',
        signedAt: null,
        withdrawalDeadline: null,
        withdrawnAt: null,
        createdAt: expect.stringMatching(ISO_INSTANT),
        updatedAt: expect.stringMatching(ISO_INSTANT),
        history: [{ at: expect.stringMatching(ISO_INSTANT), fromStatus: null, toStatus: 'draft', actorKind: 'subscriber', note: null }],
      });
    });

    it('subscription(id) reads the same, with nested subscriber, insuree, product and history', async () => {
      const read = await run(alice, SUBSCRIPTION, { id: aliceSubscription.json.data.createSubscription.id });
      expect(read.status).toBe(200);
      expect(read.json).toEqual({ data: { subscription: aliceSubscription.json.data.createSubscription } });
    });

    it('the debit IBAN is full for alice and back-office, masked for the broker and the partner', async () => {
      const id = aliceSubscription.json.data.createSubscription.id;
      const ibans = [];
      for (const token of [alice, backoffice, broker, machineToken]) ibans.push((await run(token, `query($id: ID!) { subscription(id: $id) { debitIban } }`, { id })).json.data.subscription.debitIban);
      expect(ibans).toEqual([IBAN, IBAN, IBAN_MASKED, IBAN_MASKED]);
    });

    it('brokers, partners and back-office run the same journey', async () => {
      for (const token of [broker, machineToken, backoffice]) {
        const { subscriberId, insureeId } = await subscriberWithInsuree(token);
        const draft = await data(createSubscription(token, subscriberId, subscriptionInput(insureeId)), 'createSubscription');
        expect(draft).toMatchObject({ status: 'draft', subscriber: { id: subscriberId }, insuree: { id: insureeId } });
        expect((await data(run(token, SUBSCRIBER, { id: subscriberId }), 'subscriber')).id).toBe(subscriberId);
      }
    });
  });

  describe('validation: extensions.code invalid_request and extensions.field', () => {
    let subscriberId: string;
    let insureeId: string;
    let childInsureeId: string;
    beforeAll(async () => {
      ({ subscriberId, insureeId } = await subscriberWithInsuree(broker));
      childInsureeId = (await data(createInsuree(broker, otherInsureeInput(subscriberId, { firstName: 'Léo', birthDate: dateAgo(10) })), 'createInsuree')).id;
    });
    const draft = (overrides: Input = {}, insuree = insureeId) => createSubscription(broker, subscriberId, subscriptionInput(insuree, overrides));

    it('an allocation not totalling 100%', async () => {
      expectGraphqlInvalid(await draft({ allocation: [{ isin: FUND.euro, basisPoints: 9_999 }] }), ['allocation ALLOCATION_NOT_100_PERCENT']);
    });

    it('a payment below the product minimum', async () => {
      expectGraphqlInvalid(await draft({ initialPayment: { amount: 99_999, currency: 'EUR' } }), ['initialPayment.amount PAYMENT_BELOW_PRODUCT_MINIMUM']);
      expectGraphqlInvalid(await draft({ scheduledPayment: { amount: 100, currency: 'EUR', frequency: 'annual' } }), ['scheduledPayment.amount PAYMENT_BELOW_PRODUCT_MINIMUM']);
    });

    it('an insuree outside the product ages (PER 18-70, insuree 10)', async () => {
      expectGraphqlInvalid(await draft({ productId: DEMO_IDS.products.per, allocation: [{ isin: FUND.euro, basisPoints: 10_000 }] }, childInsureeId), ['insureeId INSUREE_UNDER_AGE']);
    });

    it('an unknown product and a fund not in the product', async () => {
      expectGraphqlInvalid(await draft({ productId: testId('prd_nope') }), ['productId UNKNOWN_PRODUCT']);
      const allocation = [
        { isin: FUND.bonds, basisPoints: 5_000 },
        { isin: FUND.euro, basisPoints: 5_000 },
      ];
      expectGraphqlInvalid(await draft({ productId: DEMO_IDS.products.per, allocation }), ['allocation.0.isin FUND_NOT_IN_PRODUCT']);
    });

    it('both or neither beneficiary clause kinds', async () => {
      expectGraphqlInvalid(await draft({ beneficiaryClause: { standardClauseId: DEMO_IDS.standardClauses.heirs, customClause: 'Mon frère' } }), ['beneficiaryClause EXACTLY_ONE_CLAUSE_REQUIRED']);
      expectGraphqlInvalid(await draft({ beneficiaryClause: {} }), ['beneficiaryClause EXACTLY_ONE_CLAUSE_REQUIRED']);
    });

    it('several problems at once: the first in extensions.field, the others in extensions.details', async () => {
      const answer = await draft({ initialPayment: { amount: 10, currency: 'EUR' }, allocation: [{ isin: FUND.euro, basisPoints: 5_000 }], debitHolder: '' });
      expectGraphqlInvalid(answer, ['allocation ALLOCATION_NOT_100_PERCENT', 'debitHolder REQUIRED_FIELD_MISSING', 'initialPayment.amount PAYMENT_BELOW_PRODUCT_MINIMUM']);
      expect(answer.json.errors[0].extensions.details).toHaveLength(2);
    });

    it('subscriber identity: future birth date, under 18, postal code', async () => {
      expectGraphqlInvalid(await createSubscriber(broker, subscriberInput({ birthDate: `${new Date().getUTCFullYear() + 1}-03-01` })), ['birthDate BIRTH_DATE_IN_FUTURE']);
      expectGraphqlInvalid(await createSubscriber(broker, subscriberInput({ birthDate: dateAgo(10) })), ['birthDate SUBSCRIBER_UNDER_AGE']);
      expectGraphqlInvalid(await createSubscriber(broker, subscriberInput({ address: { ...subscriberInput().address, postalCode: '750' } })), ['address.postalCode POSTAL_CODE_INVALID']);
    });

    it('an IBAN with a wrong checksum is invalid_request naming debitIban', async () => {
      const answer = await draft({ debitIban: IBAN_BAD_CHECKSUM });
      expect(answer.status).toBe(400);
      // GraphQL names the field by its variable path; the IBAN itself is not echoed back.
      expect(answer.json.errors[0].extensions).toMatchObject({ code: 'parameter_invalid', field: 'input.debitIban' });
      expect(answer.text).not.toContain(IBAN_BAD_CHECKSUM);
    });

    it('an unknown input property is refused, naming it (a client cannot set the status)', async () => {
      const answer = await draft({ status: 'signed' });
      expect(answer.status).toBe(400);
      expect(answer.json.errors[0].extensions.code).toBe('parameter_invalid');
      expect(answer.json.errors[0]).toMatchObject({ extensions: { reason: 'UNKNOWN_FIELD', field: 'input.status' } });
      expect(answer.json.data ?? null).toBeNull();
    });
  });

  describe('object-level access (BOLA)', () => {
    let aliceSubscriptionId: string;
    beforeAll(() => {
      aliceSubscriptionId = aliceSubscription.json.data.createSubscription.id;
    });

    it("bob gets not_found on alice's subscription and subscriber, exactly as for ids that do not exist", async () => {
      const foreign = await run(bob, SUBSCRIPTION, { id: aliceSubscriptionId });
      const missing = await run(bob, SUBSCRIPTION, { id: testId('sbs_does_not_exist') });
      expectNotFound(foreign, 'SUBSCRIPTION_NOT_FOUND');
      expect(foreign.status).toBe(missing.status);
      expect(foreign.json).toEqual(missing.json);

      const foreignSubscriber = await run(bob, SUBSCRIBER, { id: aliceSubscriberId });
      const missingSubscriber = await run(bob, SUBSCRIBER, { id: testId('sbr_does_not_exist') });
      expectNotFound(foreignSubscriber, 'SUBSCRIBER_NOT_FOUND');
      expect(foreignSubscriber.json).toEqual(missingSubscriber.json);
    });

    it("bob cannot create an insuree or a subscription for alice's subscriber", async () => {
      expectNotFound(await createInsuree(bob, otherInsureeInput(aliceSubscriberId)), 'SUBSCRIBER_NOT_FOUND');
      expectNotFound(await createSubscription(bob, aliceSubscriberId, subscriptionInput(aliceInsureeId)), 'SUBSCRIBER_NOT_FOUND');
      const count = await server.db.query('select id from subscriptions where subscriber_id = $1', [aliceSubscriberId]);
      expect(count).toHaveLength(1);
    });

    it("bob's own profile does not reach alice's records through nesting", async () => {
      await data(createSubscriber(bob, subscriberInput({ firstName: 'Bob', lastName: 'Durand' })), 'createSubscriber');
      const mine = await run(bob, `{ mySubscriberProfile { firstName subscriptions { id } } }`);
      expect(mine.json).toEqual({ data: { mySubscriberProfile: { firstName: 'Bob', subscriptions: [] } } });
    });

    it('back-office reaches alice’s subscription', async () => {
      const answer = await run(backoffice, SUBSCRIPTION, { id: aliceSubscriptionId });
      expect(answer.json.data.subscription.id).toBe(aliceSubscriptionId);
    });
  });
});
