import { randomBytes } from 'node:crypto';
import { EACH_DATABASE } from '../support/databases';
import { call, unauthorizedBody, type Answer } from '../support/http';
import type { TestServer } from '../support/server';
import { FUND, IBAN, IBAN_MASKED, sameInsureeBody, subscriberBody, subscriptionBody } from '../support/subscription-inputs';
import { subscriptionSuite, ISO_INSTANT, otherInsureeBody, dateAgo } from '../support/subscription-suite';
import { expectRestInvalid } from '../support/invalid';
import { restReason } from '../support/errors';
import { DEMO_IDS, testId } from '../support/ids';

const newKey = () => `key-${randomBytes(9).toString('base64url')}`;

function expectNotFound(answer: Answer, reason: string): void {
  expect(answer.status).toBe(404);
  expect(answer.json.errors).toEqual([{ code: 'resource_not_found', ...restReason('resource_not_found', reason), doc_url: expect.stringMatching(/\/errors\/resource_not_found$/) }]);
}

describe.each(EACH_DATABASE)('REST subscription on %s', (_name, database) => {
  const suite = subscriptionSuite(database);
  const { post, get, createSubscriber, createInsuree, createSubscription, getSubscriber, getSubscription, created, journey, subscriberWithInsuree } = suite;
  let server: TestServer;
  let base: string;
  let alice: Record<string, string>;
  let bob: Record<string, string>;
  let broker: Record<string, string>;
  let backoffice: Record<string, string>;
  let machine: Record<string, string>;
  let otherBroker: Record<string, string>;
  let aliceSubscriberId: string;
  let aliceInsureeId: string;
  let aliceSubscriptionId: string;
  beforeAll(() => void ({ server, base, alice, bob, broker, backoffice, machine, otherBroker, aliceSubscriberId, aliceInsureeId, aliceSubscriptionId } = suite.state()));

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
      server.db.query<AuditRow>('select actor_kind, actor_id, action, target_type, target_id, request_id, details from audit_log where action = $1 and target_id = $2 order by id', [action, targetId]);

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
