// The shared set-up of the REST subscription tests (subscription.test.ts, subscription-reads.test.ts): a server,
// a signed-in caller of each kind, and alice's own journey, made once.
import { randomBytes } from 'node:crypto';
import { hashPassword } from '../../domain/auth/passwords';
import type { TestDatabase } from './databases';
import { call, DEMO_PASSWORD, login, type Answer } from './http';
import { startTestServer, type TestServer } from './server';
import { addressSource, SERIAL, sameInsureeBody, subscriberBody, subscriptionBody, type Body } from './subscription-inputs';
import { testId } from './ids';

const newAddress = addressSource('10.40');

export const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** Another person is the insured life. */
/** YYYY-MM-DD, `years` years and `days` days before today (UTC). */
export function dateAgo(years: number, days = 0): string {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear() - years, now.getUTCMonth(), now.getUTCDate() - days)).toISOString().slice(0, 10);
}

export function otherInsureeBody(subscriberId: string, overrides: Body = {}): Body {
  return { subscriberId: subscriberId, sameAsSubscriber: false, civility: 'M', firstName: 'Paul', lastName: 'Martin', birthDate: '1983-02-01', birthPlace: 'Nantes', ...overrides };
}

export function subscriptionSuite(database: TestDatabase) {
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

  return {
    post, get, createSubscriber, createInsuree, createSubscription, getSubscriber, getSubscription, created, journey, subscriberWithInsuree, bearer, insertUser,
    /** What the set-up made, once `beforeAll` ran. */
    state: () => ({ server, base, alice, bob, broker, backoffice, machine, otherBroker, aliceCreated, aliceSubscriberId, aliceInsureeId, aliceSubscriptionId }),
  };
}
