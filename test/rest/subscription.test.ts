import { randomBytes } from 'node:crypto';
import { hashPassword } from '../../domain/auth/passwords';
import { EACH_DATABASE } from '../support/databases';
import { call, DEMO_PASSWORD, login, unauthorizedBody, type Answer } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';
import { addressSource, FUND, IBAN, IBAN_MASKED, SERIAL, sameInsureeBody, subscriberBody, subscriptionBody, type Body } from '../support/subscription-inputs';
import { expectRestInvalid } from '../support/invalid';
import { restReason } from '../support/errors';
import { DEMO_IDS, UUID_V7, testId } from '../support/ids';

// ---- helper builders: valid inputs as a REST client sends them (camelCase) ---------------------------

const IBAN_BAD_CHECKSUM = 'FR7630006000011234567890188';
/** A real, well-formed IBAN outside the SEPA scope (Saudi Arabia). */
const IBAN_NOT_SEPA = 'SA0380000000608010167519';
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;



/** Another person is the insured life. */
function otherInsureeBody(subscriberId: string, overrides: Body = {}): Body {
  return { subscriberId: subscriberId, sameAsSubscriber: false, civility: 'M', firstName: 'Paul', lastName: 'Martin', birthDate: '1983-02-01', birthPlace: 'Nantes', ...overrides };
}


/** YYYY-MM-DD, `years` years and `days` days before today (UTC). */
function dateAgo(years: number, days = 0): string {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear() - years, now.getUTCMonth(), now.getUTCDate() - days)).toISOString().slice(0, 10);
}

const newAddress = addressSource('10.40');
const newKey = () => `key-${randomBytes(9).toString('base64url')}`;

function expectNotFound(answer: Answer, reason: string): void {
  expect(answer.status).toBe(404);
  expect(answer.json.errors).toEqual([{ code: 'resource_not_found', ...restReason('resource_not_found', reason), doc_url: expect.stringMatching(/\/errors\/resource_not_found$/) }]);
}

describe.each(EACH_DATABASE)('REST subscription on %s', (_name, database) => {
  let server: TestServer;
  let base: string;
  /** Request headers of each caller. */
  let alice: Record<string, string>;
  let bob: Record<string, string>;
  let broker: Record<string, string>;
  let backoffice: Record<string, string>;
  let machine: Record<string, string>;
  /** A broker of another distributor, inserted straight into the database. */
  let otherBroker: Record<string, string>;

  /** Alice's own journey, made once: her profile can only be created once. */
  let aliceCreated: Answer;
  let aliceSubscriberId: string;
  let aliceInsureeId: string;
  let aliceSubscriptionId: string;

  const post = (path: string, caller: Record<string, string>, json: unknown, headers: Record<string, string> = {}) =>
    call(`${base}${path}`, { method: 'POST', json, headers: { ...caller, ...headers } });
  const get = (path: string, caller: Record<string, string>) => call(`${base}${path}`, { headers: caller });

  const createSubscriber = (caller: Record<string, string>, body: Body = subscriberBody()) => post('/v1/subscription/subscribers', caller, body);
  const createInsuree = (caller: Record<string, string>, body: Body) => post('/v1/subscription/insurees', caller, body);
  const createSubscription = (caller: Record<string, string>, subscriberId: string, body: Body, headers: Record<string, string> = {}) =>
    post(`/v1/subscription/subscribers/${subscriberId}/subscriptions`, caller, body, headers);
  const getSubscriber = (caller: Record<string, string>, id: string) => get(`/v1/subscription/subscribers/${id}`, caller);
  const getSubscription = (caller: Record<string, string>, id: string) => get(`/v1/subscription/subscriptions/${id}`, caller);

  async function created(answer: Promise<Answer>): Promise<string> {
    const done = await answer;
    if (done.status !== 201) throw new Error(`expected 201, got ${done.status} ${done.text}`);
    return done.json.id;
  }

  /** A subscriber, its same-as-subscriber insuree and a draft subscription, created by `caller`. */
  async function journey(caller: Record<string, string>, subscriber: Body = subscriberBody()) {
    const subscriberId = await created(createSubscriber(caller, subscriber));
    const insureeId = await created(createInsuree(caller, sameInsureeBody(subscriberId)));
    const subscriptionId = await created(createSubscription(caller, subscriberId, subscriptionBody(insureeId)));
    return { subscriberId, insureeId, subscriptionId };
  }

  /** A subscriber and its insuree (for validation tests of the subscription itself). */
  async function subscriberWithInsuree(caller: Record<string, string>, insuree?: Body) {
    const subscriberId = await created(createSubscriber(caller));
    const insureeId = await created(createInsuree(caller, insuree ? { ...insuree, subscriberId: subscriberId } : sameInsureeBody(subscriberId)));
    return { subscriberId, insureeId };
  }

  const bearer = async (email: string) => ({ authorization: `Bearer ${(await login(base, email, newAddress())).token}` });

  /** Inserts a login of `kind`, with the demo password, for `distributorId`. */
  async function insertUser(kind: 'subscriber' | 'broker', distributorId: string): Promise<string> {
    const id = testId(`usr_${randomBytes(6).toString('hex')}`);
    const email = `${id}@other.test`;
    await server.db.query('insert into users (id, email, kind, password_hash, distributor_id, created_at) values ($1, $2, $3, $4, $5, $6)', [
      id, email, kind, await hashPassword(DEMO_PASSWORD), distributorId, server.clock.now(),
    ]);
    return email;
  }

  beforeAll(async () => {
    server = await startTestServer(database);
    base = server.url;
    [alice, bob, broker, backoffice] = await Promise.all(['alice@demo.test', 'bob@demo.test', 'broker@demo.test', 'backoffice@demo.test'].map(bearer));
    const grant = await call(`${base}/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-client-certificate-serial': SERIAL, 'x-forwarded-for': newAddress() },
      body: 'grant_type=client_credentials&client_id=demo-partner&client_secret=demo-partner-secret',
    });
    if (grant.status !== 200) throw new Error(`client token: ${grant.status} ${grant.text}`);
    machine = { authorization: `Bearer ${grant.json.access_token}`, 'x-client-certificate-serial': SERIAL };

    await server.db.query('insert into distributors (id, name, created_at) values ($1, $2, $3)', [testId('dst_other'), 'Other Courtage', server.clock.now()]);
    otherBroker = await bearer(await insertUser('broker', testId('dst_other')));

    aliceCreated = await createSubscriber(alice);
    aliceSubscriberId = aliceCreated.json?.id;
    aliceInsureeId = await created(createInsuree(alice, sameInsureeBody(aliceSubscriberId)));
    aliceSubscriptionId = await created(createSubscription(alice, aliceSubscriberId, subscriptionBody(aliceInsureeId)));
  });
  afterAll(() => server?.close());

  describe('POST /v1/subscription/subscribers', () => {
    it('a subscriber login creates its own profile: 201, every field in camelCase', async () => {
      expect(aliceCreated.status).toBe(201);
      expect(aliceCreated.json).toEqual({
        id: expect.stringMatching(UUID_V7),
        civility: 'MME',
        firstName: 'Alice',
        lastName: 'Martin',
        birthDate: '1985-04-12',
        birthPlace: 'Lyon',
        nationality: 'FR',
        address: { line1: '12 rue de la Paix', line2: 'Bâtiment B', postalCode: '75002', city: 'Paris', country: 'FR' },
        email: 'alice.martin@example.com',
        phone: '+33612345678',
        taxResidence: 'FR',
        createdAt: expect.stringMatching(ISO_INSTANT),
      });
      // The profile reads back the same.
      const read = await getSubscriber(alice, aliceSubscriberId);
      expect(read.status).toBe(200);
      expect(read.json).toEqual(aliceCreated.json);
    });

    it('a second profile for the same login is 409 SUBSCRIBER_PROFILE_ALREADY_EXISTS and creates nothing', async () => {
      const before = await server.db.query<{ n: number }>(`select count(*)::int as n from subscribers where user_id = '${DEMO_IDS.users.alice}'`);
      const again = await createSubscriber(alice, subscriberBody({ firstName: 'Alicia' }));
      expect(again.status).toBe(409);
      expect(again.json.errors).toEqual([expect.objectContaining({ code: 'conflict', message: expect.any(String), reason: 'SUBSCRIBER_PROFILE_ALREADY_EXISTS' })]);
      const after = await server.db.query<{ n: number }>(`select count(*)::int as n from subscribers where user_id = '${DEMO_IDS.users.alice}'`);
      expect(after[0].n).toBe(before[0].n);
      expect(after[0].n).toBe(1);
    });

    it('concurrent first profiles of one login: one 201, the others 409, never a 500 and never two profiles', async () => {
      const email = await insertUser('subscriber', DEMO_IDS.distributor);
      const carol = await bearer(email);
      const answers = await Promise.all(Array.from({ length: 4 }, () => createSubscriber(carol, subscriberBody({ firstName: 'Carol' }))));
      const [user] = await server.db.query<{ id: string }>('select id from users where email = $1', [email]);
      expect(await server.db.query('select id from subscribers where user_id = $1', [user.id])).toHaveLength(1);
      expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409]);
      for (const answer of answers.filter((a) => a.status === 409)) {
        expect(answer.json.errors).toEqual([expect.objectContaining({ code: 'conflict', message: expect.any(String), reason: 'SUBSCRIBER_PROFILE_ALREADY_EXISTS' })]);
      }
    });

    it('the broker creates subscribers for its distributor (201) and reaches them', async () => {
      const answer = await createSubscriber(broker, subscriberBody({ firstName: 'Bernard', email: 'bernard@example.com' }));
      expect(answer.status).toBe(201);
      expect(answer.json).toMatchObject({ id: expect.stringMatching(UUID_V7), firstName: 'Bernard' });
      // A broker may create several.
      expect((await createSubscriber(broker, subscriberBody({ firstName: 'Berthe' }))).status).toBe(201);
      const read = await getSubscriber(broker, answer.json.id);
      expect(read.status).toBe(200);
      expect(read.json).toEqual(answer.json);
    });

    it('the partner machine client creates subscribers (201) and reaches them, with its certificate serial', async () => {
      const answer = await createSubscriber(machine, subscriberBody({ firstName: 'Martine' }));
      expect(answer.status).toBe(201);
      expect((await getSubscriber(machine, answer.json.id)).json).toEqual(answer.json);
      // Its distributor's broker reaches them too.
      expect((await getSubscriber(broker, answer.json.id)).status).toBe(200);
    });

    it('back-office creates subscribers (201), for a distributor when it names one', async () => {
      const plain = await createSubscriber(backoffice, subscriberBody({ firstName: 'Gaston' }));
      expect(plain.status).toBe(201);
      expect((await getSubscriber(backoffice, plain.json.id)).status).toBe(200);
      expect((await getSubscriber(broker, plain.json.id)).status).toBe(404);
      const forDemo = await createSubscriber(backoffice, subscriberBody({ firstName: 'Gisèle', distributorId: DEMO_IDS.distributor }));
      expect(forDemo.status).toBe(201);
      expect((await getSubscriber(broker, forDemo.json.id)).status).toBe(200);
      expect((await getSubscriber(otherBroker, forDemo.json.id)).status).toBe(404);
    });

    it('back-office naming a distributor that does not exist: 400 on distributor_id, not a 500', async () => {
      const answer = await createSubscriber(backoffice, subscriberBody({ distributorId: testId('dst_nope') }));
      expect({ status: answer.status, code: answer.json.errors[0].code, field: answer.json.errors[0].field }).toEqual({ status: 400, code: 'parameter_invalid', field: 'distributorId' });
    });

    it('only back-office may choose the distributor', async () => {
      for (const caller of [broker, machine, otherBroker]) {
        expectRestInvalid(await createSubscriber(caller, subscriberBody({ distributorId: testId('dst_other') })), ['distributorId NOT_ALLOWED_FOR_ROLE']);
      }
      const carol = await bearer(await insertUser('subscriber', DEMO_IDS.distributor));
      expectRestInvalid(await createSubscriber(carol, subscriberBody({ distributorId: testId('dst_other') })), ['distributorId NOT_ALLOWED_FOR_ROLE']);
    });

    describe('validation: 400 invalid_request naming each offending field', () => {
      it('a birth date in the future', async () => {
        const nextYear = `${new Date().getUTCFullYear() + 1}-01-15`;
        expectRestInvalid(await createSubscriber(broker, subscriberBody({ birthDate: nextYear })), ['birthDate BIRTH_DATE_IN_FUTURE']);
      });

      it('a subscriber under 18, and 18 from their birthday on', async () => {
        expectRestInvalid(await createSubscriber(broker, subscriberBody({ birthDate: dateAgo(17) })), ['birthDate SUBSCRIBER_UNDER_AGE']);
        expectRestInvalid(await createSubscriber(broker, subscriberBody({ birthDate: dateAgo(18, -1) })), ['birthDate SUBSCRIBER_UNDER_AGE']);
        expect((await createSubscriber(broker, subscriberBody({ birthDate: dateAgo(18) }))).status).toBe(201);
      });

      it('a birth date that is not a date', async () => {
        expectRestInvalid(await createSubscriber(broker, subscriberBody({ birthDate: '1985-02-30' })), ['birthDate INVALID_FIELD_VALUE']);
      });

      it('a French postal code that is not 5 digits', async () => {
        const answer = await createSubscriber(broker, subscriberBody({ address: { ...subscriberBody().address, postalCode: '7500' } }));
        expectRestInvalid(answer, ['address.postalCode POSTAL_CODE_INVALID']);
      });

      it('a phone number that is neither E.164 nor French', async () => {
        expectRestInvalid(await createSubscriber(broker, subscriberBody({ phone: '12-34' })), ['phone PHONE_INVALID']);
      });

      it('a missing required field', async () => {
        const { lastName: _dropped, ...body } = subscriberBody();
        expectRestInvalid(await createSubscriber(broker, body), ['lastName REQUIRED_FIELD_MISSING']);
      });

      it('blank names', async () => {
        expectRestInvalid(await createSubscriber(broker, subscriberBody({ firstName: '  ', lastName: '' })), ['firstName REQUIRED_FIELD_MISSING', 'lastName REQUIRED_FIELD_MISSING']);
      });

      it('an unknown body property, top-level or nested, is refused by name (no mass assignment)', async () => {
        expectRestInvalid(await createSubscriber(broker, subscriberBody({ user_id: DEMO_IDS.users.bob })), ['user_id UNKNOWN_FIELD']);
        expectRestInvalid(await createSubscriber(broker, subscriberBody({ address: { ...subscriberBody().address, region: 'IDF' } })), ['address.region UNKNOWN_FIELD']);
      });

      it('several problems at once: one entry each', async () => {
        const answer = await createSubscriber(
          broker,
          subscriberBody({ birthDate: dateAgo(10), phone: 'call me', address: { ...subscriberBody().address, postalCode: 'ABCDE' }, birthPlace: '' }),
        );
        expectRestInvalid(answer, ['address.postalCode POSTAL_CODE_INVALID', 'birthDate SUBSCRIBER_UNDER_AGE', 'birthPlace REQUIRED_FIELD_MISSING', 'phone PHONE_INVALID']);
      });

      it('nothing is stored for a refused request', async () => {
        const before = await server.db.query<{ n: number }>('select count(*)::int as n from subscribers');
        await createSubscriber(broker, subscriberBody({ birthDate: dateAgo(10) }));
        const after = await server.db.query<{ n: number }>('select count(*)::int as n from subscribers');
        expect(after[0].n).toBe(before[0].n);
      });
    });
  });

  describe('POST /v1/subscription/insurees', () => {
    it('the subscriber themself: identity copied from the profile', async () => {
      const answer = await createInsuree(alice, sameInsureeBody(aliceSubscriberId));
      expect(answer.status).toBe(201);
      expect(answer.json).toEqual({
        id: expect.stringMatching(UUID_V7),
        subscriberId: aliceSubscriberId,
        sameAsSubscriber: true,
        civility: 'MME',
        firstName: 'Alice',
        lastName: 'Martin',
        birthDate: '1985-04-12',
        birthPlace: 'Lyon',
      });
    });

    it('another person: identity as given', async () => {
      const answer = await createInsuree(alice, otherInsureeBody(aliceSubscriberId));
      expect(answer.status).toBe(201);
      expect(answer.json).toEqual({
        id: expect.stringMatching(UUID_V7),
        subscriberId: aliceSubscriberId,
        sameAsSubscriber: false,
        civility: 'M',
        firstName: 'Paul',
        lastName: 'Martin',
        birthDate: '1983-02-01',
        birthPlace: 'Nantes',
      });
    });

    it('another person without an identity: each missing field named', async () => {
      const answer = await createInsuree(alice, { subscriberId: aliceSubscriberId, sameAsSubscriber: false });
      expectRestInvalid(answer, ['birthDate REQUIRED_FIELD_MISSING', 'birthPlace REQUIRED_FIELD_MISSING', 'civility REQUIRED_FIELD_MISSING', 'firstName REQUIRED_FIELD_MISSING', 'lastName REQUIRED_FIELD_MISSING']);
    });

    it('an insuree born in the future', async () => {
      expectRestInvalid(await createInsuree(alice, otherInsureeBody(aliceSubscriberId, { birthDate: `${new Date().getUTCFullYear() + 1}-06-01` })), ['birthDate BIRTH_DATE_IN_FUTURE']);
    });
  });

  describe('POST /v1/subscription/subscribers/{id}/subscriptions', () => {
    let subscriberId: string;
    let insureeId: string;
    let childInsureeId: string;
    beforeAll(async () => {
      ({ subscriberId, insureeId } = await subscriberWithInsuree(broker));
      childInsureeId = await created(createInsuree(broker, otherInsureeBody(subscriberId, { firstName: 'Léo', birthDate: dateAgo(10) })));
    });
    const draft = (overrides: Body = {}, insuree = insureeId) => createSubscription(broker, subscriberId, subscriptionBody(insuree, overrides));

    it('creates a draft: 201 with every field, money in minor units', async () => {
      const answer = await draft();
      expect(answer.status).toBe(201);
      expect(answer.json).toEqual({
        id: expect.stringMatching(UUID_V7),
        status: 'draft',
        subscriber: { id: subscriberId, firstName: 'Alice', lastName: 'Martin' },
        insuree: { id: insureeId, sameAsSubscriber: true, firstName: 'Alice', lastName: 'Martin', birthDate: '1985-04-12' },
        product: { id: DEMO_IDS.products.av, kind: 'assurance_vie', name: 'Démo Vie' },
        initialPayment: { amount: 150_000, currency: 'EUR' },
        scheduledPayment: { amount: { amount: 10_000, currency: 'EUR' }, frequency: 'monthly' },
        allocation: [
          { isin: FUND.euro, basisPoints: 6_000 },
          { isin: FUND.equity, basisPoints: 4_000 },
        ],
        beneficiaryClause: { standardClauseId: DEMO_IDS.standardClauses.spouseChildren, text: expect.stringMatching(/^Mon conjoint, non divorcé ni séparé de corps, à défaut mon partenaire lié par un PACS/) },
        debitIban: IBAN_MASKED,
        debitHolder: 'Alice Martin',
        signedAt: null,
        withdrawalDeadline: null,
        withdrawnAt: null,
        createdAt: expect.stringMatching(ISO_INSTANT),
        updatedAt: expect.stringMatching(ISO_INSTANT),
        history: [{ at: expect.stringMatching(ISO_INSTANT), fromStatus: null, toStatus: 'draft', actorKind: 'broker', note: null }],
      });
    });

    it('accepts exactly the product minimum, a custom clause and no scheduled payment', async () => {
      const answer = await draft({ initialPayment: { amount: 100_000, currency: 'EUR' }, scheduledPayment: null, beneficiaryClause: { customClause: '  Mon partenaire Jean Dupont, né le 1980-01-01.  ' } });
      expect(answer.status).toBe(201);
      expect(answer.json).toMatchObject({
        initialPayment: { amount: 100_000, currency: 'EUR' },
        scheduledPayment: null,
        beneficiaryClause: { standardClauseId: null, text: 'Mon partenaire Jean Dupont, né le 1980-01-01.' },
      });
    });

    it('stores an IBAN given in print format in electronic format', async () => {
      const answer = await createSubscription(backoffice, subscriberId, subscriptionBody(insureeId, { debitIban: 'fr76 3000 6000 0112 3456 7890 189' }));
      expect(answer.status).toBe(201);
      expect(answer.json.debitIban).toBe(IBAN);
    });

    describe('validation: 400 invalid_request naming each offending field', () => {
      it('an allocation not totalling 100% (10000 basis points)', async () => {
        const allocation = [
          { isin: FUND.euro, basisPoints: 6_000 },
          { isin: FUND.equity, basisPoints: 3_000 },
        ];
        expectRestInvalid(await draft({ allocation }), ['allocation ALLOCATION_NOT_100_PERCENT']);
        expectRestInvalid(await draft({ allocation: [] }), ['allocation ALLOCATION_NOT_100_PERCENT']);
      });

      it('shares out of range and a fund listed twice', async () => {
        const outOfRange = [
          { isin: FUND.euro, basisPoints: 12_000 },
          { isin: FUND.equity, basisPoints: -2_000 },
        ];
        expectRestInvalid(await draft({ allocation: outOfRange }), ['allocation.0.basisPoints SHARE_OUT_OF_RANGE', 'allocation.1.basisPoints SHARE_OUT_OF_RANGE']);
        const twice = [
          { isin: FUND.euro, basisPoints: 5_000 },
          { isin: FUND.euro, basisPoints: 5_000 },
        ];
        expectRestInvalid(await draft({ allocation: twice }), ['allocation.1.isin FUND_LISTED_TWICE']);
      });

      it('a payment below the product minimum', async () => {
        expectRestInvalid(await draft({ initialPayment: { amount: 99_999, currency: 'EUR' } }), ['initialPayment.amount PAYMENT_BELOW_PRODUCT_MINIMUM']);
        expectRestInvalid(await draft({ scheduledPayment: { amount: 4_999, currency: 'EUR', frequency: 'monthly' } }), ['scheduledPayment.amount PAYMENT_BELOW_PRODUCT_MINIMUM']);
        expectRestInvalid(await draft({ initialPayment: { amount: 0, currency: 'EUR' } }), ['initialPayment.amount AMOUNT_MUST_BE_POSITIVE_MINOR_UNITS']);
      });

      it('a currency the product is not sold in', async () => {
        expectRestInvalid(await draft({ initialPayment: { amount: 150_000, currency: 'USD' } }), ['initialPayment.currency CURRENCY_NOT_OFFERED']);
      });

      it('an amount that is not integer minor units', async () => {
        expectRestInvalid(await draft({ initialPayment: { amount: 1500.5, currency: 'EUR' } }), ['initialPayment.amount INVALID_FIELD_VALUE']);
      });

      it('an IBAN with a wrong checksum names debit_iban', async () => {
        const answer = await draft({ debitIban: IBAN_BAD_CHECKSUM });
        expectRestInvalid(answer, ['debitIban INVALID_FIELD_VALUE']);
        // The refused IBAN is not echoed back.
        expect(answer.text).not.toContain('30006000011234567890');
      });

      it('a valid IBAN outside SEPA names debit_iban', async () => {
        expectRestInvalid(await draft({ debitIban: IBAN_NOT_SEPA }), ['debitIban IBAN_COUNTRY_NOT_SEPA']);
      });

      it('an insuree outside the product ages: the PER requires 18-70, the insuree is 10', async () => {
        const per = { productId: DEMO_IDS.products.per, allocation: [{ isin: FUND.euro, basisPoints: 10_000 }] };
        expectRestInvalid(await draft(per, childInsureeId), ['insureeId INSUREE_UNDER_AGE']);
        // The same child may be insured on the assurance-vie (0-85).
        expect((await draft({}, childInsureeId)).status).toBe(201);
      });

      it('an insuree over the maximum age', async () => {
        const senior = await created(createInsuree(broker, otherInsureeBody(subscriberId, { firstName: 'Marcel', birthDate: dateAgo(71) })));
        expectRestInvalid(await draft({ productId: DEMO_IDS.products.per, allocation: [{ isin: FUND.euro, basisPoints: 10_000 }] }, senior), ['insureeId INSUREE_OVER_AGE']);
      });

      it('an unknown product', async () => {
        expectRestInvalid(await draft({ productId: testId('prd_nope') }), ['productId UNKNOWN_PRODUCT']);
      });

      it('a fund the product does not offer (the bond fund is not in the PER)', async () => {
        const allocation = [
          { isin: FUND.euro, basisPoints: 5_000 },
          { isin: FUND.bonds, basisPoints: 5_000 },
        ];
        expectRestInvalid(await draft({ productId: DEMO_IDS.products.per, allocation }), ['allocation.1.isin FUND_NOT_IN_PRODUCT']);
      });

      it('both or neither beneficiary clause kinds', async () => {
        expectRestInvalid(await draft({ beneficiaryClause: { standardClauseId: DEMO_IDS.standardClauses.heirs, customClause: 'Mon frère' } }), ['beneficiaryClause EXACTLY_ONE_CLAUSE_REQUIRED']);
        expectRestInvalid(await draft({ beneficiaryClause: {} }), ['beneficiaryClause EXACTLY_ONE_CLAUSE_REQUIRED']);
        expectRestInvalid(await draft({ beneficiaryClause: { standardClauseId: null, customClause: null } }), ['beneficiaryClause EXACTLY_ONE_CLAUSE_REQUIRED']);
      });

      it('an unknown standard clause', async () => {
        expectRestInvalid(await draft({ beneficiaryClause: { standardClauseId: testId('clause_nope') } }), ['beneficiaryClause.standardClauseId UNKNOWN_STANDARD_CLAUSE']);
      });

      it('an insuree of another subscriber answers like one that does not exist', async () => {
        const foreign = await draft({}, aliceInsureeId);
        const missing = await draft({}, testId('ins_does_not_exist'));
        expectRestInvalid(foreign, ['insureeId UNKNOWN_INSUREE']);
        expect(foreign.json).toEqual(missing.json);
      });

      it('an unknown body property is refused by name: a client cannot set the status', async () => {
        expectRestInvalid(await draft({ status: 'signed' }), ['status UNKNOWN_FIELD']);
        expectRestInvalid(await draft({ initialPayment: { amount: 150_000, currency: 'EUR', fee: 0 } }), ['initialPayment.fee UNKNOWN_FIELD']);
      });

      it('several problems at once: one entry each', async () => {
        const answer = await draft({
          initialPayment: { amount: 50_000, currency: 'EUR' },
          allocation: [{ isin: FUND.euro, basisPoints: 9_000 }],
          beneficiaryClause: {},
          debitHolder: ' ',
        });
        expectRestInvalid(answer, [
          'allocation ALLOCATION_NOT_100_PERCENT',
          'beneficiaryClause EXACTLY_ONE_CLAUSE_REQUIRED',
          'debitHolder REQUIRED_FIELD_MISSING',
          'initialPayment.amount PAYMENT_BELOW_PRODUCT_MINIMUM',
        ]);
      });

      it('several malformed values at once (input coercion): one entry each', async () => {
        const answer = await draft({ debitIban: IBAN_BAD_CHECKSUM, initialPayment: { amount: 150_000, currency: 'EURO' } });
        expectRestInvalid(answer, ['debitIban INVALID_FIELD_VALUE', 'initialPayment.currency INVALID_FIELD_VALUE']);
      });

      it('nothing is stored for a refused request', async () => {
        const count = async () => (await server.db.query<{ n: number }>('select count(*)::int as n from subscriptions where subscriber_id = $1', [subscriberId]))[0].n;
        const before = await count();
        await draft({ allocation: [{ isin: FUND.euro, basisPoints: 1 }] });
        expect(await count()).toBe(before);
      });
    });
  });

  describe('GET /v1/subscription/subscriptions/{id}', () => {
    it('a draft with money in minor units and its creation in the history', async () => {
      const answer = await getSubscription(alice, aliceSubscriptionId);
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({
        id: aliceSubscriptionId,
        status: 'draft',
        subscriber: { id: aliceSubscriberId, firstName: 'Alice', lastName: 'Martin' },
        insuree: { id: aliceInsureeId, sameAsSubscriber: true },
        product: { id: DEMO_IDS.products.av, kind: 'assurance_vie' },
        initialPayment: { amount: 150_000, currency: 'EUR' },
        scheduledPayment: { amount: { amount: 10_000, currency: 'EUR' }, frequency: 'monthly' },
        allocation: [
          { isin: FUND.euro, basisPoints: 6_000 },
          { isin: FUND.equity, basisPoints: 4_000 },
        ],
        signedAt: null,
        withdrawalDeadline: null,
      });
      expect(answer.json.history).toEqual([{ at: expect.stringMatching(ISO_INSTANT), fromStatus: null, toStatus: 'draft', actorKind: 'subscriber', note: null }]);
      expect(answer.json.history[0].at).toBe(answer.json.createdAt);
    });

    it('the debit IBAN is full for its owner and back-office, masked for the broker and the partner', async () => {
      const ibans = await Promise.all([alice, backoffice, broker, machine].map(async (caller) => (await getSubscription(caller, aliceSubscriptionId)).json.debitIban));
      expect(ibans).toEqual([IBAN, IBAN, IBAN_MASKED, IBAN_MASKED]);
      // The masked answers carry the full IBAN nowhere.
      for (const caller of [broker, machine]) expect((await getSubscription(caller, aliceSubscriptionId)).text).not.toContain('3000600001123456789');
    });
  });

  describe('object-level access (BOLA): someone else’s record is 404, like a missing one', () => {
    it("bob gets 404 on alice's subscriber, identical to a subscriber that does not exist", async () => {
      const foreign = await getSubscriber(bob, aliceSubscriberId);
      const missing = await getSubscriber(bob, testId('sbr_does_not_exist'));
      expectNotFound(foreign, 'SUBSCRIBER_NOT_FOUND');
      expect(foreign.json).toEqual(missing.json);
    });

    it("bob gets 404 on alice's subscription, identical to a subscription that does not exist", async () => {
      const foreign = await getSubscription(bob, aliceSubscriptionId);
      const missing = await getSubscription(bob, testId('sbs_does_not_exist'));
      expectNotFound(foreign, 'SUBSCRIPTION_NOT_FOUND');
      expect(foreign.json).toEqual(missing.json);
    });

    it("bob cannot add an insuree to alice's subscriber: 404, and nothing is stored", async () => {
      const count = async () => (await server.db.query<{ n: number }>('select count(*)::int as n from insurees where subscriber_id = $1', [aliceSubscriberId]))[0].n;
      const before = await count();
      const foreign = await createInsuree(bob, otherInsureeBody(aliceSubscriberId));
      const missing = await createInsuree(bob, otherInsureeBody(testId('sbr_does_not_exist')));
      expectNotFound(foreign, 'SUBSCRIBER_NOT_FOUND');
      expect(foreign.json).toEqual(missing.json);
      expect(await count()).toBe(before);
    });

    it("bob cannot create a subscription for alice's subscriber: 404, and nothing is stored", async () => {
      const count = async () => (await server.db.query<{ n: number }>('select count(*)::int as n from subscriptions where subscriber_id = $1', [aliceSubscriberId]))[0].n;
      const before = await count();
      const foreign = await createSubscription(bob, aliceSubscriberId, subscriptionBody(aliceInsureeId));
      const missing = await createSubscription(bob, testId('sbr_does_not_exist'), subscriptionBody(aliceInsureeId));
      expectNotFound(foreign, 'SUBSCRIBER_NOT_FOUND');
      expect(foreign.json).toEqual(missing.json);
      expect(await count()).toBe(before);
    });

    it("bob cannot use alice's insuree under his own profile", async () => {
      const bobSubscriberId = await created(createSubscriber(bob, subscriberBody({ firstName: 'Bob', lastName: 'Durand' })));
      expectRestInvalid(await createSubscription(bob, bobSubscriberId, subscriptionBody(aliceInsureeId)), ['insureeId UNKNOWN_INSUREE']);
      // ...while alice still does not reach bob's profile.
      expectNotFound(await getSubscriber(alice, bobSubscriberId), 'SUBSCRIBER_NOT_FOUND');
    });

    it("a broker of another distributor gets 404 on the demo broker's subscribers and subscriptions", async () => {
      const demo = await journey(broker, subscriberBody({ firstName: 'Denise' }));
      const foreignSubscriber = await getSubscriber(otherBroker, demo.subscriberId);
      expectNotFound(foreignSubscriber, 'SUBSCRIBER_NOT_FOUND');
      expect(foreignSubscriber.json).toEqual((await getSubscriber(otherBroker, testId('sbr_does_not_exist'))).json);
      expectNotFound(await getSubscription(otherBroker, demo.subscriptionId), 'SUBSCRIPTION_NOT_FOUND');
      expectNotFound(await getSubscription(otherBroker, aliceSubscriptionId), 'SUBSCRIPTION_NOT_FOUND');
      expectNotFound(await createInsuree(otherBroker, sameInsureeBody(demo.subscriberId)), 'SUBSCRIBER_NOT_FOUND');
      expectNotFound(await createSubscription(otherBroker, demo.subscriberId, subscriptionBody(demo.insureeId)), 'SUBSCRIBER_NOT_FOUND');
      // And the other way round: the demo broker and partner do not reach the other distributor's subscribers.
      const other = await journey(otherBroker, subscriberBody({ firstName: 'Odile' }));
      for (const caller of [broker, machine]) {
        expectNotFound(await getSubscriber(caller, other.subscriberId), 'SUBSCRIBER_NOT_FOUND');
        expectNotFound(await getSubscription(caller, other.subscriptionId), 'SUBSCRIPTION_NOT_FOUND');
      }
    });

    it('a subscriber login does not reach profiles brokers created, even of its own distributor', async () => {
      const brokers = await journey(broker, subscriberBody({ firstName: 'Hervé' }));
      expectNotFound(await getSubscriber(bob, brokers.subscriberId), 'SUBSCRIBER_NOT_FOUND');
      expectNotFound(await getSubscription(bob, brokers.subscriptionId), 'SUBSCRIPTION_NOT_FOUND');
    });

    it('back-office reaches everything', async () => {
      const other = await journey(otherBroker, subscriberBody({ firstName: 'Octave' }));
      for (const [subscriberId, subscriptionId] of [
        [aliceSubscriberId, aliceSubscriptionId],
        [other.subscriberId, other.subscriptionId],
      ]) {
        expect((await getSubscriber(backoffice, subscriberId)).status).toBe(200);
        expect((await getSubscription(backoffice, subscriptionId)).status).toBe(200);
      }
      const insuree = await createInsuree(backoffice, otherInsureeBody(aliceSubscriberId, { firstName: 'Lucie' }));
      expect(insuree.status).toBe(201);
      expect((await createSubscription(backoffice, other.subscriberId, subscriptionBody(other.insureeId))).status).toBe(201);
    });
  });

  describe('401 before anything else', () => {
    const MALFORMED = '{"civility": "M", ';
    it.each([
      ['POST', '/v1/subscription/subscribers'],
      ['POST', '/v1/subscription/insurees'],
      ['POST', `/v1/subscription/subscribers/${testId('sbr_x')}/subscriptions`],
      ['GET', `/v1/subscription/subscribers/${testId('sbr_x')}`],
      ['GET', `/v1/subscription/subscriptions/${testId('sbs_x')}`],
      ['GET', '/v1/subscription/products'],
      ['GET', '/v1/subscription/standard-clauses'],
    ])('%s %s without a token: 401 NO_SESSION, even with a malformed body', async (method, path) => {
      const answer = await call(`${base}${path}`, method === 'POST' ? { method, body: MALFORMED, headers: { 'content-type': 'application/json' } } : { method });
      expect(answer.status).toBe(401);
      expect(answer.json).toEqual(unauthorizedBody(base, 'NO_SESSION'));
      expect(answer.headers.get('www-authenticate')).toBe('Bearer');
    });

    it('a POST without a token and with an unsupported body type is 401 too, not 400', async () => {
      const answer = await call(`${base}/v1/subscription/subscribers`, { method: 'POST', body: 'x', headers: { 'content-type': 'text/plain' } });
      expect(answer.json).toEqual(unauthorizedBody(base, 'NO_SESSION'));
    });

    it('with a token, the malformed body is a 400', async () => {
      const answer = await call(`${base}/v1/subscription/subscribers`, { method: 'POST', body: MALFORMED, headers: { ...broker, 'content-type': 'application/json' } });
      expect(answer.status).toBe(400);
      expect(answer.json.errors[0].code).toBe('parameter_invalid');
    });
  });

  describe('Idempotency-Key on POST .../subscriptions', () => {
    let subscriberId: string;
    let insureeId: string;
    beforeAll(async () => {
      ({ subscriberId, insureeId } = await subscriberWithInsuree(broker));
    });
    const count = async () => (await server.db.query<{ n: number }>('select count(*)::int as n from subscriptions where subscriber_id = $1', [subscriberId]))[0].n;

    it('the same key and body replays the first answer with Idempotent-Replayed: true, and creates one subscription', async () => {
      const key = newKey();
      const body = subscriptionBody(insureeId);
      const first = await createSubscription(broker, subscriberId, body, { 'idempotency-key': key });
      const second = await createSubscription(broker, subscriberId, body, { 'idempotency-key': key });
      expect(first.status).toBe(201);
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      expect(second.status).toBe(201);
      expect(second.text).toBe(first.text);
      expect(second.headers.get('idempotent-replayed')).toBe('true');
      expect(await count()).toBe(1);
      const rows = await server.db.query<{ id: string }>('select id from subscriptions where subscriber_id = $1', [subscriberId]);
      expect(rows.map((r) => r.id)).toEqual([first.json.id]);
      // One history entry and one audit entry: no second effect.
      expect((await getSubscription(broker, first.json.id)).json.history).toHaveLength(1);
      expect(await server.db.query("select id from audit_log where action = 'subscription.created' and target_id = $1", [first.json.id])).toHaveLength(1);
    });

    it('the same key with another body is 422 IDEMPOTENCY_KEY_REUSED and creates nothing', async () => {
      const key = newKey();
      const first = await createSubscription(broker, subscriberId, subscriptionBody(insureeId), { 'idempotency-key': key });
      expect(first.status).toBe(201);
      const before = await count();
      const other = await createSubscription(broker, subscriberId, subscriptionBody(insureeId, { initialPayment: { amount: 200_000, currency: 'EUR' } }), { 'idempotency-key': key });
      expect(other.status).toBe(422);
      expect(other.json.errors[0]).toMatchObject({ code: 'unprocessable_content', reason: 'IDEMPOTENCY_KEY_REUSED' });
      expect(await count()).toBe(before);
    });

    it('keys are scoped to the caller: back-office reusing the broker’s key runs its own request', async () => {
      const key = newKey();
      const body = subscriptionBody(insureeId);
      const brokers = await createSubscription(broker, subscriberId, body, { 'idempotency-key': key });
      const backoffices = await createSubscription(backoffice, subscriberId, body, { 'idempotency-key': key });
      expect(backoffices.status).toBe(201);
      expect(backoffices.headers.get('idempotent-replayed')).toBeNull();
      expect(backoffices.json.id).not.toBe(brokers.json.id);
      // And the back-office answer shows the full IBAN, not the broker's masked one.
      expect(backoffices.json.debitIban).toBe(IBAN);
    });

    it('without a key, two identical requests create two subscriptions', async () => {
      const before = await count();
      await createSubscription(broker, subscriberId, subscriptionBody(insureeId));
      await createSubscription(broker, subscriberId, subscriptionBody(insureeId));
      expect(await count()).toBe(before + 2);
    });
  });

  describe('audit trail', () => {
    interface AuditRow {
      actor_kind: string;
      actor_id: string;
      action: string;
      target_type: string;
      target_id: string;
      request_id: string;
      details: Record<string, unknown>;
    }
    const auditOf = async (action: string, targetId: string) =>
      server.db.query<AuditRow>('select actor_kind, actor_id, action, target_type, target_id, request_id, details from audit_log where action = $1 and target_id = $2', [action, targetId]);

    it('each creation leaves one entry with the actor and the request id, and no IBAN', async () => {
      const subscriber = await createSubscriber(machine, subscriberBody({ firstName: 'Audrey' }));
      const insuree = await createInsuree(machine, sameInsureeBody(subscriber.json.id));
      const subscription = await createSubscription(machine, subscriber.json.id, subscriptionBody(insuree.json.id, { debitIban: 'DE89370400440532013000' }));
      expect([subscriber.status, insuree.status, subscription.status]).toEqual([201, 201, 201]);

      const cases: Array<[string, string, Answer]> = [
        ['subscriber.created', 'subscriber', subscriber],
        ['insuree.created', 'insuree', insuree],
        ['subscription.created', 'subscription', subscription],
      ];
      for (const [action, targetType, answer] of cases) {
        const requestId = answer.headers.get('x-request-id');
        expect(requestId).toBeTruthy();
        const rows = await auditOf(action, answer.json.id);
        expect(rows).toEqual([expect.objectContaining({ actor_kind: 'machine', actor_id: 'demo-partner', action, target_type: targetType, target_id: answer.json.id, request_id: requestId })]);
        const details = JSON.stringify(rows[0].details);
        expect(details).not.toMatch(/DE89|370400440532013000|0532013000/);
        expect(details).not.toContain(IBAN);
      }
    });

    it("records the person who acted, for alice's own creations", async () => {
      for (const [action, id] of [
        ['subscriber.created', aliceSubscriberId],
        ['insuree.created', aliceInsureeId],
        ['subscription.created', aliceSubscriptionId],
      ]) {
        const rows = await auditOf(action, id);
        expect(rows).toHaveLength(1);
        expect(rows[0]).toMatchObject({ actor_kind: 'subscriber', actor_id: DEMO_IDS.users.alice, request_id: expect.any(String) });
        expect(JSON.stringify(rows[0].details)).not.toContain('30006000011234567890');
      }
    });

    it('keeps the request id the client sent', async () => {
      const answer = await post('/v1/subscription/subscribers', broker, subscriberBody({ firstName: 'Rita' }), { 'x-request-id': 'req-from-client-42' });
      expect(answer.status).toBe(201);
      expect(answer.headers.get('x-request-id')).toBe('req-from-client-42');
      expect((await auditOf('subscriber.created', answer.json.id))[0].request_id).toBe('req-from-client-42');
    });

    it('a refused request leaves no entry', async () => {
      const before = await server.db.query<{ n: number }>('select count(*)::int as n from audit_log');
      await createSubscription(bob, aliceSubscriberId, subscriptionBody(aliceInsureeId));
      await createSubscriber(broker, subscriberBody({ birthDate: dateAgo(3) }));
      const after = await server.db.query<{ n: number }>('select count(*)::int as n from audit_log');
      expect(after[0].n).toBe(before[0].n);
    });
  });

  describe('catalogue', () => {
    it('GET /v1/subscription/products lists both demo products with their funds and minimums', async () => {
      const answer = await get('/v1/subscription/products', bob);
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual([
        {
          id: DEMO_IDS.products.av,
          kind: 'assurance_vie',
          name: 'Démo Vie',
          currency: 'EUR',
          minimumInitialPayment: { amount: 100_000, currency: 'EUR' },
          minimumScheduledPayment: { amount: 5_000, currency: 'EUR' },
          entryFeeBasisPoints: 200,
          managementFeeBasisPoints: 85,
          minimumInsureeAge: 0,
          maximumInsureeAge: 85,
          funds: expect.any(Array),
        },
        {
          id: DEMO_IDS.products.per,
          kind: 'per',
          name: 'Démo Retraite PER',
          currency: 'EUR',
          minimumInitialPayment: { amount: 50_000, currency: 'EUR' },
          minimumScheduledPayment: { amount: 3_000, currency: 'EUR' },
          entryFeeBasisPoints: 100,
          managementFeeBasisPoints: 70,
          minimumInsureeAge: 18,
          maximumInsureeAge: 70,
          funds: expect.any(Array),
        },
      ]);
      const isins = (product: { funds: Array<{ isin: string }> }) => product.funds.map((f) => f.isin).sort();
      expect(isins(answer.json[0])).toEqual([FUND.euro, FUND.equity, FUND.bonds, FUND.balanced].sort());
      expect(isins(answer.json[1])).toEqual([FUND.euro, FUND.equity, FUND.balanced].sort());
      expect(answer.json[0].funds).toContainEqual({ isin: FUND.euro, name: 'Fonds Euro Démo', kind: 'euro', riskIndicator: 1 });
      expect(answer.json[1].funds).toContainEqual({ isin: FUND.equity, name: 'Actions Europe Démo', kind: 'unit_linked', riskIndicator: 5 });
    });

    it('GET /v1/subscription/standard-clauses lists the published clauses', async () => {
      const answer = await get('/v1/subscription/standard-clauses', machine);
      expect(answer.status).toBe(200);
      expect(answer.json.map((c: { id: string }) => c.id).sort()).toEqual([DEMO_IDS.standardClauses.children, DEMO_IDS.standardClauses.heirs, DEMO_IDS.standardClauses.spouseChildren]);
      expect(answer.json).toContainEqual({ id: DEMO_IDS.standardClauses.heirs, title: 'Héritiers', text: 'Mes héritiers.' });
      for (const clause of answer.json) expect(Object.keys(clause).sort()).toEqual(['id', 'text', 'title']);
    });
  });
});
