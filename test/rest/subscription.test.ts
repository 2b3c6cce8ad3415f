import { EACH_DATABASE } from '../support/databases';
import type { Answer } from '../support/http';
import type { TestServer } from '../support/server';
import { FUND, IBAN, IBAN_MASKED, sameInsureeBody, subscriberBody, subscriptionBody, type Body } from '../support/subscription-inputs';
import { subscriptionSuite, ISO_INSTANT, otherInsureeBody, dateAgo } from '../support/subscription-suite';
import { expectRestInvalid } from '../support/invalid';
import { DEMO_IDS, UUID_V7, testId } from '../support/ids';

const IBAN_BAD_CHECKSUM = 'FR7630006000011234567890188';
/** A real, well-formed IBAN outside the SEPA scope (Saudi Arabia). */
const IBAN_NOT_SEPA = 'SA0380000000608010167519';

describe.each(EACH_DATABASE)('REST subscription on %s', (_name, database) => {
  const suite = subscriptionSuite(database);
  const { createSubscriber, createInsuree, createSubscription, getSubscriber, created, subscriberWithInsuree, bearer, insertUser } = suite;
  let server: TestServer;
  let alice: Record<string, string>;
  let broker: Record<string, string>;
  let backoffice: Record<string, string>;
  let machine: Record<string, string>;
  let otherBroker: Record<string, string>;
  let aliceCreated: Answer;
  let aliceSubscriberId: string;
  let aliceInsureeId: string;
  beforeAll(() => void ({ server, alice, broker, backoffice, machine, otherBroker, aliceCreated, aliceSubscriberId, aliceInsureeId } = suite.state()));

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
});
