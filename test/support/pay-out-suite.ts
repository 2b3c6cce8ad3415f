// The shared set-up of the REST pay-out tests (pay-out*.test.ts): a server with the demo portfolio, a
// signed-in caller of each kind, and the pay-out IBAN routes as functions.
import { randomBytes } from 'node:crypto';
import { hashPassword } from '../../domain/auth/passwords';
import type { TestDatabase } from './databases';
import { call, DEMO_PASSWORD, login, type Answer } from './http';
import { restReason } from './errors';
import { startTestServer, type TestServer } from './server';
import { acceptIbanProof, confirmWithCode, payoutIbanPath } from './payout-fixtures';
import { DEMO_IDS, testId } from './ids';

/** IBANs the pay-out tests register. */
export const IBAN = 'FR7630006000011234567890189';
export const IBAN_PRINT = 'FR76 3000 6000 0112 3456 7890 189';
export const IBAN_MASKED = 'FR76 **** **** **** **** ***0 189';
export const IBAN_BAD_CHECKSUM = 'FR7630006000011234567890188';
export const IBAN_DE = 'DE89370400440532013000';
/** A real, well-formed IBAN outside the SEPA scope (Saudi Arabia). */
export const IBAN_NOT_SEPA = 'SA0380000000608010167519';
const SERIAL = '01:23:45:67:89:AB:CD:EF';
export const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** A valid IBAN for `country` and `bban`: the check digits computed with BigInt, independently of the service. */
export function ibanOf(country: string, bban: string): string {
  const digits = [...`${bban}${country}00`].map((c) => parseInt(c, 36).toString()).join('');
  return `${country}${String(98n - (BigInt(digits) % 97n)).padStart(2, '0')}${bban}`;
}
/** The n-th of a series of distinct, valid French IBANs (27 characters). */
export const frIban = (n: number) => ibanOf('FR', `3000400003${String(n).padStart(11, '0')}06`);

export type Body = Record<string, any>;
export type Caller = Record<string, string>;

export function expectError(answer: Answer, status: number, code: string, reason: string): void {
  expect(answer.status).toBe(status);
  expect(answer.json.errors).toEqual([expect.objectContaining({ code, ...restReason(code, reason), doc_url: expect.stringMatching(new RegExp(`/errors/${code}$`)) })]);
}

let addressCounter = 0;
/** A distinct client address per login, so the per-address login throttle never interferes. */
const newAddress = () => `10.60.${Math.floor(++addressCounter / 250)}.${addressCounter % 250}`;

export function payOutSuite(database: TestDatabase) {
  let server: TestServer;
  let base: string;
  let alice: Caller;
  let bob: Caller;
  let broker: Caller;
  let backoffice: Caller;
  let machine: Caller;
  /** A broker of another distributor. */
  let otherBroker: Caller;

  const ibansPath = (subscriberId: string) => `/v1/pay-out/subscribers/${subscriberId}/ibans`;
  const defaultPath = (subscriberId: string, iban: string) => `${ibansPath(subscriberId)}/${encodeURIComponent(iban)}/make-default`;
  const register = (caller: Caller, subscriberId: string, body: Body, headers: Caller = {}) =>
    call(`${base}${ibansPath(subscriberId)}`, { method: 'POST', json: body, headers: { ...caller, ...headers } });
  const list = (caller: Caller, subscriberId: string) => call(`${base}${ibansPath(subscriberId)}`, { headers: caller });
  const makeDefault = (caller: Caller, subscriberId: string, iban: string, headers: Caller = {}) =>
    call(`${base}${defaultPath(subscriberId, iban)}`, { method: 'PATCH', headers: { ...caller, ...headers } });
  const sendCode = (caller: Caller, subscriberId: string, iban: string) => call(`${base}${payoutIbanPath(subscriberId, iban, 'confirmation-code')}`, { method: 'POST', headers: caller });
  const confirm = (caller: Caller, subscriberId: string, iban: string, body?: Body) =>
    call(`${base}${payoutIbanPath(subscriberId, iban, 'confirm')}`, { method: 'POST', headers: caller, ...(body ? { json: body } : {}) });
  const review = (caller: Caller, subscriberId: string, iban: string, body: Body) => call(`${base}${payoutIbanPath(subscriberId, iban, 'review')}`, { method: 'POST', headers: caller, json: body });

  const count = async (sql: string, params: unknown[] = []) => Number((await server.db.query<{ n: number }>(sql, params))[0].n);
  const ibanRows = (subscriberId: string) => count('select count(*)::int as n from payout_ibans where subscriber_id = $1', [subscriberId]);
  const defaults = (subscriberId: string) =>
    server.db.query<{ iban: string }>('select iban from payout_ibans where subscriber_id = $1 and is_default', [subscriberId]);

  async function registered(answer: Promise<Answer>): Promise<Body> {
    const done = await answer;
    if (done.status !== 201) throw new Error(`expected 201, got ${done.status} ${done.text}`);
    return done.json;
  }

  /** A subscriber of the demo distributor without IBANs, created by back-office (no login of its own). */
  async function newSubscriber(firstName = 'Paul'): Promise<string> {
    const answer = await call(`${base}/v1/subscription/subscribers`, {
      method: 'POST',
      headers: backoffice,
      json: {
        civility: 'M', firstName: firstName, lastName: 'Lemaire', birthDate: '1970-01-15', birthPlace: 'Lille', nationality: 'FR',
        address: { line1: '3 rue Nationale', postalCode: '59000', city: 'Lille', country: 'FR' },
        email: 'paul.lemaire@example.com', phone: '06 11 22 33 44', taxResidence: 'FR', distributorId: DEMO_IDS.distributor,
      },
    });
    if (answer.status !== 201) throw new Error(`subscriber: ${answer.status} ${answer.text}`);
    return answer.json.id;
  }

  /**
   * Registered by back-office with the subscriber's own name, then all the way to `confirmed`: the
   * subscriber's code (read out to back-office), and an accepted RIB proof.
   */
  async function confirmedIban(subscriberId: string, iban: string, holderName = 'Paul Lemaire'): Promise<Body> {
    const row = await registered(register(backoffice, subscriberId, { iban, holderName: holderName }));
    const confirmed = await confirmWithCode(server, backoffice, subscriberId, row.id);
    if (confirmed.status !== 200) throw new Error(`confirm: ${confirmed.status} ${confirmed.text}`);
    await acceptIbanProof(server, backoffice, subscriberId, row.id);
    return (await list(backoffice, subscriberId)).json.find((i: Body) => i.id === row.id);
  }

  const bearer = async (email: string): Promise<Caller> => ({ authorization: `Bearer ${(await login(base, email, newAddress())).token}` });

  beforeAll(async () => {
    server = await startTestServer(database, { demoPortfolio: true });
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
    const email = `usr_${randomBytes(6).toString('hex')}@other.test`;
    await server.db.query('insert into users (id, email, kind, password_hash, distributor_id, created_at) values ($1, $2, $3, $4, $5, $6)', [
      testId(`usr_${randomBytes(6).toString('hex')}`), email, 'broker', await hashPassword(DEMO_PASSWORD), testId('dst_other'), server.clock.now(),
    ]);
    otherBroker = await bearer(email);
  });
  afterAll(() => server?.close());

  return {
    ibansPath, defaultPath, register, list, makeDefault, sendCode, confirm, review, count, ibanRows, defaults, registered, newSubscriber, confirmedIban, bearer,
    /** What the set-up made, once `beforeAll` ran. */
    state: () => ({ server, base, alice, bob, broker, backoffice, machine, otherBroker }),
  };
}
