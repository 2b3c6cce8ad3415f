import { randomBytes } from 'node:crypto';
import { hashPassword } from '../../domain/auth/passwords';
import { EACH_DATABASE } from '../support/databases';
import { call, DEMO_PASSWORD, login, unauthorizedBody, type Answer } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';
import { expectRestInvalid } from '../support/invalid';
import { acceptIbanProof, confirmWithCode, lastConfirmationCode, payoutIbanPath, payoutIbanState, uploadIbanProof } from '../support/payout-fixtures';
import { restReason } from '../support/errors';
import { DEMO_IDS, UUID_V7, testId } from '../support/ids';

// ---- IBANs ------------------------------------------------------------------------------------------

const IBAN = 'FR7630006000011234567890189';
const IBAN_PRINT = 'FR76 3000 6000 0112 3456 7890 189';
const IBAN_MASKED = 'FR76 **** **** **** **** ***0 189';
const IBAN_BAD_CHECKSUM = 'FR7630006000011234567890188';
const IBAN_DE = 'DE89370400440532013000';
/** A real, well-formed IBAN outside the SEPA scope (Saudi Arabia). */
const IBAN_NOT_SEPA = 'SA0380000000608010167519';
const SERIAL = '01:23:45:67:89:AB:CD:EF';
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** A valid IBAN for `country` and `bban`: the check digits computed with BigInt, independently of the service. */
function ibanOf(country: string, bban: string): string {
  const digits = [...`${bban}${country}00`].map((c) => parseInt(c, 36).toString()).join('');
  return `${country}${String(98n - (BigInt(digits) % 97n)).padStart(2, '0')}${bban}`;
}
/** The n-th of a series of distinct, valid French IBANs (27 characters). */
const frIban = (n: number) => ibanOf('FR', `3000400003${String(n).padStart(11, '0')}06`);

type Body = Record<string, any>;
type Caller = Record<string, string>;

let addressCounter = 0;
/** A distinct client address per login, so the per-address login throttle never interferes. */
const newAddress = () => `10.60.${Math.floor(++addressCounter / 250)}.${addressCounter % 250}`;
const newKey = () => `key-${randomBytes(9).toString('base64url')}`;

function expectError(answer: Answer, status: number, code: string, reason: string): void {
  expect(answer.status).toBe(status);
  expect(answer.json.errors).toEqual([expect.objectContaining({ code, ...restReason(code, reason), doc_url: expect.stringMatching(new RegExp(`/errors/${code}$`)) })]);
}

describe.each(EACH_DATABASE)('REST pay-out IBANs on %s', (_name, database) => {
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

  describe('POST /v1/pay-out/subscribers/{subscriberId}/ibans', () => {
    it("alice's debit IBAN is there from her policies' issue: confirmed, the default, registered by the system", async () => {
      expect((await list(alice, DEMO_IDS.subscribers.alice)).json).toEqual([
        { id: DEMO_IDS.payoutIbans.aliceDebit, iban: IBAN, holderName: 'Alice Martin', country: 'FR', isDefault: true, status: 'confirmed', registeredBy: 'system', refusalReason: null, createdAt: expect.stringMatching(ISO_INSTANT) },
      ]);
    });

    it('the subscriber registers an IBAN (print format, lower case): 201, every field, awaiting its proof, not the default', async () => {
      const answer = await register(alice, DEMO_IDS.subscribers.alice, { iban: 'de89 3704 0044 0532 0130 00', holderName: '  Alice Martin  ' });
      expect(answer.status).toBe(201);
      expect(answer.json).toEqual({
        id: expect.stringMatching(UUID_V7), iban: IBAN_DE, holderName: 'Alice Martin', country: 'DE', isDefault: false,
        status: 'awaiting_proof', registeredBy: 'subscriber', refusalReason: null, createdAt: expect.stringMatching(ISO_INSTANT),
      });
      expect(await defaults(DEMO_IDS.subscribers.alice)).toEqual([{ iban: IBAN }]);
    });

    it('the same IBAN twice is 409 IBAN_ALREADY_REGISTERED for the subscriber and back-office, in whatever format, and stores nothing', async () => {
      const before = await ibanRows(DEMO_IDS.subscribers.alice);
      for (const iban of [IBAN, IBAN_PRINT, IBAN.toLowerCase(), IBAN_DE]) {
        expectError(await register(alice, DEMO_IDS.subscribers.alice, { iban, holderName: 'Alice Martin' }), 409, 'conflict', 'IBAN_ALREADY_REGISTERED');
      }
      expectError(await register(backoffice, DEMO_IDS.subscribers.alice, { iban: IBAN, holderName: 'A. Martin' }), 409, 'conflict', 'IBAN_ALREADY_REGISTERED');
      expect(await ibanRows(DEMO_IDS.subscribers.alice)).toBe(before);
    });

    it('the same IBAN may belong to two subscribers (a joint account)', async () => {
      const answer = await register(bob, DEMO_IDS.subscribers.bob, { iban: IBAN_DE, holderName: 'Alice et Bob Martin' });
      expect(answer.status).toBe(201);
      expect(answer.json).toMatchObject({ status: 'awaiting_proof', registeredBy: 'subscriber' });
    });

    describe('validation: 400 invalid_request naming each offending field, nothing stored', () => {
      let subscriberId: string;
      beforeAll(async () => {
        subscriberId = await newSubscriber();
      });

      it('a wrong mod-97 checksum, without echoing the IBAN back', async () => {
        const answer = await register(backoffice, subscriberId, { iban: IBAN_BAD_CHECKSUM, holderName: 'Paul Lemaire' });
        expectRestInvalid(answer, ['iban IBAN_CHECKSUM_FAILED']);
        expect(answer.text).not.toContain('30006000011234567890');
      });

      it("a length other than the country's (FR: 27)", async () => {
        expectRestInvalid(await register(backoffice, subscriberId, { iban: `${IBAN}0`, holderName: 'Paul Lemaire' }), ['iban IBAN_WRONG_LENGTH']);
        expectRestInvalid(await register(backoffice, subscriberId, { iban: IBAN.slice(0, -1), holderName: 'Paul Lemaire' }), ['iban IBAN_WRONG_LENGTH']);
      });

      it('a valid IBAN outside SEPA', async () => {
        expectRestInvalid(await register(backoffice, subscriberId, { iban: IBAN_NOT_SEPA, holderName: 'Paul Lemaire' }), ['iban IBAN_COUNTRY_NOT_SEPA']);
      });

      it('text that is not an IBAN, or none', async () => {
        expectRestInvalid(await register(backoffice, subscriberId, { iban: 'not an iban', holderName: 'Paul Lemaire' }), ['iban IBAN_MALFORMED']);
        expectRestInvalid(await register(backoffice, subscriberId, { iban: '', holderName: 'Paul Lemaire' }), ['iban IBAN_MALFORMED']);
        expectRestInvalid(await register(backoffice, subscriberId, { holderName: 'Paul Lemaire' }), ['iban REQUIRED_FIELD_MISSING']);
      });

      it('the holder name is required, one line, at most 70 characters', async () => {
        expectRestInvalid(await register(backoffice, subscriberId, { iban: frIban(1) }), ['holderName REQUIRED_FIELD_MISSING']);
        expectRestInvalid(await register(backoffice, subscriberId, { iban: frIban(1), holderName: '   ' }), ['holderName REQUIRED_FIELD_MISSING']);
        expectRestInvalid(await register(backoffice, subscriberId, { iban: frIban(1), holderName: 'x'.repeat(71) }), ['holderName TOO_LONG']);
        expectRestInvalid(await register(backoffice, subscriberId, { iban: frIban(1), holderName: 'Paul\nLemaire' }), ['holderName INVALID_CHARACTERS']);
        // 70 characters are fine (on another subscriber, this one stays empty).
        expect((await register(backoffice, await newSubscriber(), { iban: frIban(1), holderName: 'x'.repeat(70) })).status).toBe(201);
      });

      it('every problem at once', async () => {
        expectRestInvalid(await register(backoffice, subscriberId, { iban: IBAN_NOT_SEPA, holderName: '' }), ['iban IBAN_COUNTRY_NOT_SEPA', 'holderName REQUIRED_FIELD_MISSING']);
      });

      it('unknown properties: a client cannot set is_default or the id', async () => {
        expectRestInvalid(await register(backoffice, subscriberId, { iban: frIban(2), holderName: 'Paul Lemaire', isDefault: false }), ['isDefault UNKNOWN_FIELD']);
        expectRestInvalid(await register(backoffice, subscriberId, { iban: frIban(2), holderName: 'Paul Lemaire', id: testId('pib_mine') }), ['id UNKNOWN_FIELD']);
      });

      it('none of the refused requests stored anything', async () => {
        expect(await ibanRows(subscriberId)).toBe(0);
      });
    });

    it('at most 20 IBANs per subscriber: the 21st is 422 PAYOUT_IBAN_LIMIT_REACHED', async () => {
      const subscriberId = await newSubscriber();
      for (let n = 100; n < 120; n++) await registered(register(backoffice, subscriberId, { iban: frIban(n), holderName: 'Paul Lemaire' }));
      expectError(await register(backoffice, subscriberId, { iban: frIban(120), holderName: 'Paul Lemaire' }), 422, 'unprocessable_content', 'PAYOUT_IBAN_LIMIT_REACHED');
      expect(await ibanRows(subscriberId)).toBe(20);
    });

    it("the subscriber's broker and partner may register: pending the subscriber's confirmation, shown to them masked", async () => {
      const subscriberId = await newSubscriber();
      const byBroker = await register(broker, subscriberId, { iban: frIban(200), holderName: 'Paul Lemaire' });
      expect(byBroker.status).toBe(201);
      expect(byBroker.json).toMatchObject({ holderName: 'Paul Lemaire', country: 'FR', isDefault: false, status: 'pending_confirmation', registeredBy: 'broker' });
      expect(byBroker.json.iban).toMatch(/^FR\d\d \*{4} \*{4} \*{4} \*{4} \*{3}\d \d{3}$/);
      expect(byBroker.text).not.toContain(frIban(200).slice(4, 23));
      const byMachine = await register(machine, subscriberId, { iban: IBAN, holderName: 'Paul Lemaire' });
      expect(byMachine.status).toBe(201);
      expect(byMachine.json).toMatchObject({ iban: IBAN_MASKED, isDefault: false, status: 'pending_confirmation', registeredBy: 'machine' });
      // Back-office sees both in full; neither is the default.
      expect((await list(backoffice, subscriberId)).json.map((i: Body) => [i.iban, i.isDefault])).toEqual([[frIban(200), false], [IBAN, false]]);
      // Registered by back-office, it waits for the subscriber all the same.
      expect((await register(backoffice, subscriberId, { iban: frIban(201), holderName: 'Paul Lemaire' })).json).toMatchObject({ status: 'pending_confirmation', registeredBy: 'backoffice' });
    });

    it('a broker re-registering an IBAN the subscriber already has learns nothing: the answer, the list and the next steps look like a new one', async () => {
      const subscriberId = await newSubscriber();
      const known = await confirmedIban(subscriberId, frIban(210));
      for (const caller of [broker, machine]) {
        const listed = (await list(caller, subscriberId)).json.length;
        const existing = await register(caller, subscriberId, { iban: frIban(210), holderName: 'Mallory Lemaire' });
        const fresh = await register(caller, subscriberId, { iban: frIban(211 + listed), holderName: 'Mallory Lemaire' });
        expect([existing.status, fresh.status]).toEqual([201, 201]);
        const shape = (answer: Answer) => ({ ...answer.json, id: typeof answer.json.id, iban: /^FR\d\d \*{4} \*{4} \*{4} \*{4} \*{3}\d \d{3}$/.test(answer.json.iban), createdAt: typeof answer.json.createdAt });
        expect(shape(existing)).toEqual(shape(fresh));
        expect(Object.keys(existing.json)).toEqual(Object.keys(fresh.json));
        expect(existing.json).toMatchObject({ status: 'pending_confirmation', isDefault: false, holderName: 'Mallory Lemaire' });
        expect(existing.json.id).not.toBe(known.id);
        // Both are listed, as two new entries; a code can be sent for either.
        const after = (await list(caller, subscriberId)).json;
        expect(after).toHaveLength(listed + 2);
        expect(after.slice(-2).map((i: Body) => i.id)).toEqual([existing.json.id, fresh.json.id]);
        for (const answer of [existing, fresh]) expect((await sendCode(caller, subscriberId, answer.json.id)).status).toBe(202);
      }
      // The subscriber's confirmed IBAN is untouched: still the only confirmed one, still the default.
      expect(await payoutIbanState(server, known.id)).toEqual({ status: 'confirmed', is_default: true });
    });

    it("another subscriber or another distributor's broker gets 404, as for a subscriber that does not exist", async () => {
      for (const caller of [bob, otherBroker]) {
        expectError(await register(caller, DEMO_IDS.subscribers.alice, { iban: frIban(300), holderName: 'Mallory' }), 404, 'resource_not_found', 'SUBSCRIBER_NOT_FOUND');
      }
      expectError(await register(backoffice, testId('sbr_nobody'), { iban: frIban(300), holderName: 'Nobody' }), 404, 'resource_not_found', 'SUBSCRIBER_NOT_FOUND');
      expect(await count('select count(*)::int as n from payout_ibans where iban = $1', [frIban(300)])).toBe(0);
    });

    it('without credentials: 401 before the body is looked at', async () => {
      const answer = await call(`${base}${ibansPath(DEMO_IDS.subscribers.alice)}`, { method: 'POST', json: { nonsense: true } });
      expect(answer.status).toBe(401);
      expect(answer.json).toEqual(unauthorizedBody(base, 'NO_SESSION'));
    });
  });

  describe('GET /v1/pay-out/subscribers/{subscriberId}/ibans', () => {
    let subscriberId: string;
    let ids: string[];
    beforeAll(async () => {
      subscriberId = await newSubscriber();
      ids = [];
      for (const iban of [IBAN, IBAN_DE, frIban(400)]) ids.push((await registered(register(backoffice, subscriberId, { iban, holderName: 'Paul Lemaire' }))).id);
    });

    it('the owner and back-office see every IBAN in full with its status, in registration order, exactly one default', async () => {
      const own = await list(alice, DEMO_IDS.subscribers.alice);
      expect(own.status).toBe(200);
      expect(own.json).toEqual([
        { id: DEMO_IDS.payoutIbans.aliceDebit, iban: IBAN, holderName: 'Alice Martin', country: 'FR', isDefault: true, status: 'confirmed', registeredBy: 'system', refusalReason: null, createdAt: expect.stringMatching(ISO_INSTANT) },
        { id: expect.stringMatching(UUID_V7), iban: IBAN_DE, holderName: 'Alice Martin', country: 'DE', isDefault: false, status: 'awaiting_proof', registeredBy: 'subscriber', refusalReason: null, createdAt: expect.stringMatching(ISO_INSTANT) },
      ]);
      expect((await list(backoffice, DEMO_IDS.subscribers.alice)).json).toEqual(own.json);
      const all = await list(backoffice, subscriberId);
      expect(all.json.map((i: Body) => [i.id, i.iban, i.isDefault, i.status])).toEqual([
        [ids[0], IBAN, false, 'pending_confirmation'],
        [ids[1], IBAN_DE, false, 'pending_confirmation'],
        [ids[2], frIban(400), false, 'pending_confirmation'],
      ]);
    });

    it('brokers and partners see them masked, and the full IBAN appears nowhere in the answer', async () => {
      for (const caller of [broker, machine]) {
        const answer = await list(caller, DEMO_IDS.subscribers.alice);
        expect(answer.status).toBe(200);
        expect(answer.json.map((i: Body) => i.iban)).toEqual([IBAN_MASKED, 'DE89 **** **** **** **30 00']);
        expect(answer.text).not.toContain('30006000011234567890');
        expect(answer.text).not.toContain('370400440532');
        // The other fields are the same as the owner's.
        expect(answer.json.map((i: Body) => ({ ...i, iban: undefined }))).toEqual((await list(alice, DEMO_IDS.subscribers.alice)).json.map((i: Body) => ({ ...i, iban: undefined })));
      }
    });

    it("a subscriber with none lists [] (bob's own list is his, not alice's)", async () => {
      expect((await list(backoffice, await newSubscriber())).json).toEqual([]);
      const bobs = await list(bob, DEMO_IDS.subscribers.bob);
      expect(bobs.status).toBe(200);
      expect(bobs.json.map((i: Body) => i.holderName)).toEqual(['Bob Durand', 'Alice et Bob Martin']);
    });

    it("another subscriber's IBANs are 404, for a subscriber and for another distributor's broker", async () => {
      expectError(await list(bob, DEMO_IDS.subscribers.alice), 404, 'resource_not_found', 'SUBSCRIBER_NOT_FOUND');
      expectError(await list(alice, DEMO_IDS.subscribers.bob), 404, 'resource_not_found', 'SUBSCRIBER_NOT_FOUND');
      expectError(await list(otherBroker, DEMO_IDS.subscribers.alice), 404, 'resource_not_found', 'SUBSCRIBER_NOT_FOUND');
      expectError(await list(alice, testId('sbr_nobody')), 404, 'resource_not_found', 'SUBSCRIBER_NOT_FOUND');
    });

    it('without credentials: 401', async () => {
      const answer = await list({}, DEMO_IDS.subscribers.alice);
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toBe('Bearer');
    });
  });

  describe('PATCH /v1/pay-out/subscribers/{subscriberId}/ibans/{iban}/make-default', () => {
    let subscriberId: string;
    let fr: Body;
    let de: Body;
    let third: Body;
    let pending: Body;
    beforeAll(async () => {
      subscriberId = await newSubscriber();
      fr = await confirmedIban(subscriberId, IBAN);
      de = await confirmedIban(subscriberId, IBAN_DE);
      third = await confirmedIban(subscriberId, frIban(500));
      pending = await registered(register(broker, subscriberId, { iban: frIban(502), holderName: 'Mallory' }));
    });
    const defaultIds = async () => (await list(backoffice, subscriberId)).json.filter((i: Body) => i.isDefault).map((i: Body) => i.id);

    it('the first IBAN confirmed became the default on its confirmation', async () => {
      expect([fr.isDefault, de.isDefault, third.isDefault]).toEqual([true, false, false]);
      expect(await defaultIds()).toEqual([fr.id]);
    });

    it('by the IBAN in electronic format: 200 with the new default, and the old one is no longer default', async () => {
      const answer = await makeDefault(backoffice, subscriberId, IBAN_DE);
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({ ...de, isDefault: true });
      expect(await defaultIds()).toEqual([de.id]);
    });

    it('by the IBAN in print format, URL-encoded (and in lower case)', async () => {
      expect(defaultPath(subscriberId, IBAN_PRINT)).toContain('FR76%203000%206000');
      const answer = await makeDefault(backoffice, subscriberId, IBAN_PRINT);
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({ id: fr.id, iban: IBAN, isDefault: true });
      expect(await defaultIds()).toEqual([fr.id]);
      expect((await makeDefault(backoffice, subscriberId, IBAN_DE.toLowerCase())).json).toMatchObject({ id: de.id, isDefault: true });
      expect(await defaultIds()).toEqual([de.id]);
      expect((await makeDefault(backoffice, subscriberId, third.id)).json).toMatchObject({ id: third.id, isDefault: true });
      expect(await defaultIds()).toEqual([third.id]);
    });

    it('brokers and partners get 403, whether the IBAN exists, is confirmed, pending or unknown, or the subscriber exists at all', async () => {
      const before = await defaultIds();
      for (const caller of [broker, machine, otherBroker]) {
        for (const [who, reference] of [[subscriberId, fr.id], [subscriberId, pending.id], [subscriberId, IBAN], [subscriberId, frIban(503)], [subscriberId, testId('pib_doesnotexist')], [DEMO_IDS.subscribers.alice, DEMO_IDS.payoutIbans.aliceDebit], [testId('sbr_nobody'), IBAN]]) {
          expectError(await makeDefault(caller, who, reference), 403, 'forbidden', 'INSUFFICIENT_ROLES');
        }
      }
      expect(await defaultIds()).toEqual(before);
    });

    it('an IBAN that is not confirmed cannot be the default: 422 PAYOUT_IBAN_NOT_CONFIRMED, and the default stays', async () => {
      const before = await defaultIds();
      expectError(await makeDefault(backoffice, subscriberId, pending.id), 422, 'unprocessable_content', 'PAYOUT_IBAN_NOT_CONFIRMED');
      expectError(await makeDefault(backoffice, subscriberId, frIban(502)), 422, 'unprocessable_content', 'PAYOUT_IBAN_NOT_CONFIRMED');
      const alices = (await list(alice, DEMO_IDS.subscribers.alice)).json;
      const aliceDe = alices.find((i: Body) => i.iban === IBAN_DE);
      expect(aliceDe.status).toBe('awaiting_proof');
      expectError(await makeDefault(alice, DEMO_IDS.subscribers.alice, IBAN_DE), 422, 'unprocessable_content', 'PAYOUT_IBAN_NOT_CONFIRMED');
      expect(await defaultIds()).toEqual(before);
      expect((await list(alice, DEMO_IDS.subscribers.alice)).json).toEqual(alices);
    });

    it('the subscriber changes their own default, once the IBAN is confirmed', async () => {
      const own = await registered(register(alice, DEMO_IDS.subscribers.alice, { iban: frIban(504), holderName: 'MARTIN Alice' }));
      expect(own.status).toBe('awaiting_proof');
      await acceptIbanProof(server, backoffice, DEMO_IDS.subscribers.alice, own.id);
      const answer = await makeDefault(alice, DEMO_IDS.subscribers.alice, frIban(504));
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({ iban: frIban(504), isDefault: true, status: 'confirmed' });
      expect((await makeDefault(alice, DEMO_IDS.subscribers.alice, IBAN)).json).toMatchObject({ id: DEMO_IDS.payoutIbans.aliceDebit, isDefault: true });
    });

    it('the current default answers 200 as it is, and nothing is recorded or sent', async () => {
      await makeDefault(backoffice, subscriberId, fr.id);
      const audits = () => count("select count(*)::int as n from audit_log where action = 'iban.made_default' and details->>'subscriberId' = $1", [subscriberId]);
      const notices = () => count("select count(*)::int as n from notification_outbox where template = 'payout_iban_default_changed' and payload->>'subscriberId' = $1", [subscriberId]);
      const [auditsBefore, noticesBefore] = [await audits(), await notices()];
      const answer = await makeDefault(backoffice, subscriberId, fr.id);
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({ id: fr.id, isDefault: true });
      expect([await audits(), await notices()]).toEqual([auditsBefore, noticesBefore]);
    });

    it('an IBAN the subscriber has not registered is 404 PAYOUT_IBAN_NOT_FOUND, and the default stays', async () => {
      const before = await defaultIds();
      for (const unknown of [frIban(501), IBAN_BAD_CHECKSUM, 'not-an-iban', testId('pib_doesnotexist')]) {
        expectError(await makeDefault(backoffice, subscriberId, unknown), 404, 'resource_not_found', 'PAYOUT_IBAN_NOT_FOUND');
      }
      // Bob's IBAN, named by its id under another subscriber's path.
      const bobsId = (await list(bob, DEMO_IDS.subscribers.bob)).json[0].id;
      expectError(await makeDefault(backoffice, subscriberId, bobsId), 404, 'resource_not_found', 'PAYOUT_IBAN_NOT_FOUND');
      expect(await defaultIds()).toEqual(before);
    });

    it("another subscriber's IBANs are 404 and stay as they were, whichever way they are named", async () => {
      const alices = (await list(alice, DEMO_IDS.subscribers.alice)).json;
      for (const reference of [IBAN, DEMO_IDS.payoutIbans.aliceDebit]) expectError(await makeDefault(bob, DEMO_IDS.subscribers.alice, reference), 404, 'resource_not_found', 'SUBSCRIBER_NOT_FOUND');
      expect((await list(alice, DEMO_IDS.subscribers.alice)).json).toEqual(alices);
    });

    it('without credentials: 401; with GET: 405', async () => {
      const anonymous = await makeDefault({}, subscriberId, IBAN);
      expect(anonymous.status).toBe(401);
      expect(anonymous.json).toEqual(unauthorizedBody(base, 'NO_SESSION'));
      const get = await call(`${base}${defaultPath(subscriberId, IBAN)}`, { headers: backoffice });
      expect(get.status).toBe(405);
      expect(get.headers.get('allow')).toBe('PATCH');
    });
  });

  describe('the subscriber confirms: POST .../ibans/{iban}/confirm and .../confirmation-code', () => {
    const statusChanges = (payoutIbanId: string) =>
      server.db.query<{ recipient_user_id: string; channel: string; payload: Body }>(
        "select recipient_user_id, channel, payload from notification_outbox where template = 'payout_iban_status_changed' and payload->>'payoutIbanId' = $1 order by id",
        [payoutIbanId],
      );

    it('signed in, the subscriber confirms what their broker registered: awaiting the proof, and they are told', async () => {
      const pending = await registered(register(broker, DEMO_IDS.subscribers.alice, { iban: frIban(600), holderName: 'Alice Martin' }));
      expect(pending.status).toBe('pending_confirmation');
      const answer = await confirm(alice, DEMO_IDS.subscribers.alice, pending.id);
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({ id: pending.id, iban: frIban(600), status: 'awaiting_proof', isDefault: false });
      expect(await statusChanges(pending.id)).toEqual([
        { recipient_user_id: DEMO_IDS.users.alice, channel: 'email', payload: { to: 'alice@demo.test', subscriberId: DEMO_IDS.subscribers.alice, payoutIbanId: pending.id, iban: pending.iban, previousStatus: 'pending_confirmation', status: 'awaiting_proof', reason: null } },
      ]);
      // Confirmed once: a second confirmation is a 409.
      expectError(await confirm(alice, DEMO_IDS.subscribers.alice, pending.id), 409, 'conflict', 'PAYOUT_IBAN_NOT_PENDING_CONFIRMATION');
    });

    it('without a code, only the subscriber themself confirms: 422 CONFIRMATION_CODE_REQUIRED for anyone else, nothing changes', async () => {
      const pending = await registered(register(broker, DEMO_IDS.subscribers.alice, { iban: frIban(601), holderName: 'Alice Martin' }));
      for (const caller of [broker, machine, backoffice]) {
        const answer = await confirm(caller, DEMO_IDS.subscribers.alice, pending.id);
        expectError(answer, 422, 'unprocessable_content', 'CONFIRMATION_CODE_REQUIRED');
        expect(answer.json.errors[0].field).toBe('code');
      }
      expect(await payoutIbanState(server, pending.id)).toEqual({ status: 'pending_confirmation', is_default: false });
    });

    it("with the code sent to the subscriber's phone (SMS, hashed at rest), whoever acts for them confirms", async () => {
      const subscriberId = await newSubscriber();
      const pending = await registered(register(broker, subscriberId, { iban: frIban(602), holderName: 'Paul Lemaire' }));
      const sent = await sendCode(broker, subscriberId, pending.id);
      expect(sent.status).toBe(202);
      expect(sent.json).toMatchObject({ id: pending.id, status: 'pending_confirmation' });
      const sms = await lastConfirmationCode(server, pending.id);
      expect(sms).toEqual({ to: '+33611223344', code: expect.stringMatching(/^\d{6}$/), iban: pending.iban, recipient: null });
      // Only a hash of the code is stored; the answer never holds it.
      const [stored] = await server.db.query<Body>('select otp_hash, otp_expires_at from payout_ibans where id = $1', [pending.id]);
      expect(stored.otp_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(stored)).not.toContain(sms.code);
      expect(sent.text).not.toContain(sms.code);
      const answer = await confirm(broker, subscriberId, pending.id, { code: sms.code });
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({ id: pending.id, status: 'awaiting_proof', isDefault: false });
    });

    it('wrong codes count: 422 CONFIRMATION_CODE_INVALID, the fifth ends the code; a new code then works', async () => {
      const subscriberId = await newSubscriber();
      const pending = await registered(register(machine, subscriberId, { iban: frIban(603), holderName: 'Paul Lemaire' }));
      expect((await sendCode(machine, subscriberId, pending.id)).status).toBe(202);
      const { code } = await lastConfirmationCode(server, pending.id);
      const wrong = code === '000000' ? '000001' : '000000';
      for (let i = 0; i < 4; i++) expectError(await confirm(machine, subscriberId, pending.id, { code: wrong }), 422, 'unprocessable_content', 'CONFIRMATION_CODE_INVALID');
      expectError(await confirm(machine, subscriberId, pending.id, { code: wrong }), 422, 'unprocessable_content', 'CONFIRMATION_CODE_TOO_MANY_ATTEMPTS');
      // The right code is worthless now.
      expectError(await confirm(machine, subscriberId, pending.id, { code }), 409, 'conflict', 'NO_PENDING_CONFIRMATION_CODE');
      expect((await confirmWithCode(server, machine, subscriberId, pending.id)).status).toBe(200);
    });

    it('a code expires after ten minutes: 422 CONFIRMATION_CODE_EXPIRED, then 409 NO_PENDING_CONFIRMATION_CODE', async () => {
      const subscriberId = await newSubscriber();
      const pending = await registered(register(backoffice, subscriberId, { iban: frIban(604), holderName: 'Paul Lemaire' }));
      expectError(await confirm(backoffice, subscriberId, pending.id, { code: '123456' }), 409, 'conflict', 'NO_PENDING_CONFIRMATION_CODE');
      expect((await sendCode(backoffice, subscriberId, pending.id)).status).toBe(202);
      const { code } = await lastConfirmationCode(server, pending.id);
      const start = server.clock.now();
      try {
        server.clock.set(new Date(start.getTime() + 601_000));
        expectError(await confirm(backoffice, subscriberId, pending.id, { code }), 422, 'unprocessable_content', 'CONFIRMATION_CODE_EXPIRED');
        expectError(await confirm(backoffice, subscriberId, pending.id, { code }), 409, 'conflict', 'NO_PENDING_CONFIRMATION_CODE');
      } finally {
        server.clock.set(start);
      }
      expect(await payoutIbanState(server, pending.id)).toEqual({ status: 'pending_confirmation', is_default: false });
    });

    it('at most five codes per IBAN: the sixth is 422 CONFIRMATION_CODE_LIMIT_REACHED', async () => {
      const subscriberId = await newSubscriber();
      const pending = await registered(register(broker, subscriberId, { iban: frIban(605), holderName: 'Paul Lemaire' }));
      for (let i = 0; i < 5; i++) expect((await sendCode(broker, subscriberId, pending.id)).status).toBe(202);
      expectError(await sendCode(broker, subscriberId, pending.id), 422, 'unprocessable_content', 'CONFIRMATION_CODE_LIMIT_REACHED');
    });

    it('brokers and partners name an IBAN by its id only: a full IBAN finds nothing (404), registered or not', async () => {
      const subscriberId = await newSubscriber();
      await registered(register(broker, subscriberId, { iban: frIban(606), holderName: 'Paul Lemaire' }));
      for (const caller of [broker, machine]) {
        for (const reference of [frIban(606), frIban(607)]) {
          expectError(await sendCode(caller, subscriberId, reference), 404, 'resource_not_found', 'PAYOUT_IBAN_NOT_FOUND');
          expectError(await confirm(caller, subscriberId, reference, { code: '123456' }), 404, 'resource_not_found', 'PAYOUT_IBAN_NOT_FOUND');
        }
      }
      expect((await sendCode(backoffice, subscriberId, frIban(606))).status).toBe(202);
    });

    it("someone else's subscriber is 404 for the code and the confirmation; without credentials 401", async () => {
      expectError(await sendCode(otherBroker, DEMO_IDS.subscribers.alice, DEMO_IDS.payoutIbans.aliceDebit), 404, 'resource_not_found', 'SUBSCRIBER_NOT_FOUND');
      expectError(await confirm(bob, DEMO_IDS.subscribers.alice, DEMO_IDS.payoutIbans.aliceDebit), 404, 'resource_not_found', 'SUBSCRIBER_NOT_FOUND');
      expect((await confirm({}, DEMO_IDS.subscribers.alice, DEMO_IDS.payoutIbans.aliceDebit)).status).toBe(401);
      expect((await sendCode({}, DEMO_IDS.subscribers.alice, DEMO_IDS.payoutIbans.aliceDebit)).status).toBe(401);
    });

    it('an accepted RIB proof completes it when the holder is the subscriber (names compared without case, accents, order)', async () => {
      const pending = await registered(register(broker, DEMO_IDS.subscribers.bob, { iban: frIban(608), holderName: 'DURAND  bob' }));
      await confirm(bob, DEMO_IDS.subscribers.bob, pending.id);
      await acceptIbanProof(server, backoffice, DEMO_IDS.subscribers.bob, pending.id);
      expect(await payoutIbanState(server, pending.id)).toEqual({ status: 'confirmed', is_default: false });
      expect((await statusChanges(pending.id)).map((n) => n.payload.status)).toEqual(['awaiting_proof', 'confirmed']);
    });
  });

  describe('the RIB proof: evidence kind iban_proof, reviewed by back-office', () => {
    it('a refused proof changes nothing; another one, accepted, completes the confirmation', async () => {
      const subscriberId = await newSubscriber();
      const pending = await registered(register(broker, subscriberId, { iban: frIban(650), holderName: 'Lemaire Paul' }));
      // A proof may come before the subscriber's confirmation: accepted, it still waits for the subscriber.
      const first = await uploadIbanProof(server, broker, subscriberId, pending.id);
      expect(first.status).toBe(201);
      const refused = await call(`${base}/v1/evidence/documents/${first.json.id}/review`, { method: 'POST', headers: backoffice, json: { decision: 'refuse', reason: 'illisible' } });
      expect(refused.status).toBe(200);
      expect(await payoutIbanState(server, pending.id)).toEqual({ status: 'pending_confirmation', is_default: false });
      await acceptIbanProof(server, backoffice, subscriberId, pending.id, broker);
      expect(await payoutIbanState(server, pending.id)).toEqual({ status: 'pending_confirmation', is_default: false });
      const confirmed = await confirmWithCode(server, broker, subscriberId, pending.id);
      expect(confirmed.json).toMatchObject({ status: 'confirmed', isDefault: true });
    });

    it("a proof's subject must be one of the subscriber's IBANs (404 otherwise)", async () => {
      const answer = await uploadIbanProof(server, broker, DEMO_IDS.subscribers.bob, DEMO_IDS.payoutIbans.aliceDebit);
      expect(answer.status).toBe(404);
    });
  });

  describe('back-office decides: POST .../ibans/{iban}/review', () => {
    it('another holder waits for back-office after the proof: approve confirms it; it becomes the default only if there is none', async () => {
      const subscriberId = await newSubscriber();
      const other = await registered(register(broker, subscriberId, { iban: frIban(700), holderName: 'Mallory Dupont' }));
      expectError(await review(backoffice, subscriberId, other.id, { decision: 'approve' }), 409, 'conflict', 'PAYOUT_IBAN_NOT_AWAITING_REVIEW');
      await confirmWithCode(server, broker, subscriberId, other.id);
      await acceptIbanProof(server, backoffice, subscriberId, other.id);
      expect(await payoutIbanState(server, other.id)).toEqual({ status: 'awaiting_review', is_default: false });
      const approved = await review(backoffice, subscriberId, other.id, { decision: 'approve', reason: 'joint account, both named on the RIB' });
      expect(approved.status).toBe(200);
      expect(approved.json).toMatchObject({ id: other.id, status: 'confirmed', isDefault: true });
      expect(await count("select count(*)::int as n from audit_log where action = 'iban.holder_approved' and target_id = $1 and actor_kind = 'backoffice'", [other.id])).toBe(1);
    });

    it('refuse, with a reason (400 without): final, never the default, the subscriber is told why', async () => {
      const subscriberId = await newSubscriber();
      const other = await registered(register(broker, subscriberId, { iban: frIban(701), holderName: 'Mallory Dupont' }));
      const noReason = await review(backoffice, subscriberId, other.id, { decision: 'refuse' });
      expect(noReason.status).toBe(400);
      expect(noReason.json.errors[0]).toMatchObject({ code: 'parameter_invalid', reason: 'REFUSAL_REASON_REQUIRED', field: 'reason' });
      const refused = await review(backoffice, subscriberId, other.id, { decision: 'refuse', reason: 'holder unknown to the subscriber' });
      expect(refused.status).toBe(200);
      expect(refused.json).toMatchObject({ status: 'refused', refusalReason: 'holder unknown to the subscriber', isDefault: false });
      expectError(await review(backoffice, subscriberId, other.id, { decision: 'refuse', reason: 'again' }), 409, 'conflict', 'PAYOUT_IBAN_ALREADY_DECIDED');
      expectError(await sendCode(broker, subscriberId, other.id), 409, 'conflict', 'PAYOUT_IBAN_NOT_PENDING_CONFIRMATION');
      expectError(await makeDefault(backoffice, subscriberId, other.id), 422, 'unprocessable_content', 'PAYOUT_IBAN_NOT_CONFIRMED');
      const [notice] = await server.db.query<{ payload: Body }>("select payload from notification_outbox where template = 'payout_iban_status_changed' and payload->>'payoutIbanId' = $1", [other.id]);
      expect(notice.payload).toMatchObject({ status: 'refused', reason: 'holder unknown to the subscriber' });
    });

    it('only back-office: 403 for everyone else before anything is looked up', async () => {
      for (const caller of [alice, bob, broker, machine, otherBroker]) {
        for (const [who, reference] of [[DEMO_IDS.subscribers.alice, DEMO_IDS.payoutIbans.aliceDebit], [DEMO_IDS.subscribers.alice, testId('pib_doesnotexist')], [testId('sbr_nobody'), IBAN]]) {
          expectError(await review(caller, who, reference, { decision: 'approve' }), 403, 'forbidden', 'INSUFFICIENT_ROLES');
        }
      }
      expectError(await review(backoffice, DEMO_IDS.subscribers.alice, testId('pib_doesnotexist'), { decision: 'approve' }), 404, 'resource_not_found', 'PAYOUT_IBAN_NOT_FOUND');
      expect((await review({}, DEMO_IDS.subscribers.alice, DEMO_IDS.payoutIbans.aliceDebit, { decision: 'approve' })).status).toBe(401);
    });
  });

  describe('concurrency', () => {
    it('50 concurrent make-default calls alternating between two IBANs: each 200 or a clean 409, exactly one default', async () => {
      const subscriberId = await newSubscriber();
      const a = await confirmedIban(subscriberId, frIban(800));
      const b = await confirmedIban(subscriberId, frIban(801));
      const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => makeDefault(backoffice, subscriberId, i % 2 === 0 ? frIban(801) : a.id)));
      for (const answer of answers) {
        expect([200, 409]).toContain(answer.status);
        if (answer.status === 409) expect(answer.json.errors).toEqual([expect.objectContaining({ code: 'conflict' })]);
        else expect(answer.json.isDefault).toBe(true);
      }
      // The database, not only the status codes: exactly one default, and one that a winner answered.
      const winners = answers.filter((answer) => answer.status === 200).map((answer) => answer.json.iban);
      expect(winners.length).toBeGreaterThanOrEqual(1);
      const rows = await defaults(subscriberId);
      expect(rows).toHaveLength(1);
      expect(winners).toContain(rows[0].iban);
      expect([frIban(800), frIban(801)]).toContain(rows[0].iban);
      // And what the API reads back agrees with the table.
      const listed = (await list(backoffice, subscriberId)).json as Array<{ iban: string; isDefault: boolean }>;
      expect(listed.filter((i) => i.isDefault).map((i) => i.iban)).toEqual([rows[0].iban]);
      // Each change is recorded once: as many entries as calls that found the other IBAN the default (and a's first).
      const changes = await count("select count(*)::int as n from audit_log where action = 'iban.made_default' and details->>'subscriberId' = $1", [subscriberId]);
      expect(changes).toBeGreaterThanOrEqual(2);
      expect(changes).toBeLessThanOrEqual(51);
      expect(await count("select count(*)::int as n from notification_outbox where template = 'payout_iban_default_changed' and payload->>'subscriberId' = $1", [subscriberId])).toBe(changes);
      expect(b.isDefault).toBe(false);
    });

    it('concurrent registrations of different IBANs: all 201, none the default; concurrent confirmations: exactly one becomes it', async () => {
      const subscriberId = await newSubscriber();
      const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => register(i % 2 ? broker : backoffice, subscriberId, { iban: frIban(810 + i), holderName: 'Paul Lemaire' })));
      expect(answers.map((a) => a.status)).toEqual(Array(10).fill(201));
      expect(answers.filter((a) => a.json.isDefault)).toHaveLength(0);
      expect(await ibanRows(subscriberId)).toBe(10);
      const ids: string[] = answers.map((a) => a.json.id);
      for (const id of ids) expect((await confirmWithCode(server, backoffice, subscriberId, id)).status).toBe(200);
      await Promise.all(ids.map((id) => acceptIbanProof(server, backoffice, subscriberId, id)));
      expect(await defaults(subscriberId)).toHaveLength(1);
      expect((await list(backoffice, subscriberId)).json.map((i: Body) => i.status)).toEqual(Array(10).fill('confirmed'));
    });

    it('the same IBAN registered concurrently: one 201, the others 409 IBAN_ALREADY_REGISTERED, one row', async () => {
      const subscriberId = await newSubscriber();
      const answers = await Promise.all(Array.from({ length: 8 }, () => register(backoffice, subscriberId, { iban: frIban(820), holderName: 'Paul Lemaire' })));
      expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
      for (const answer of answers.filter((a) => a.status === 409)) expect(answer.json.errors).toEqual([expect.objectContaining({ code: 'conflict', message: expect.any(String), reason: 'IBAN_ALREADY_REGISTERED' })]);
      expect(await ibanRows(subscriberId)).toBe(1);
    });
  });

  describe('Idempotency-Key', () => {
    it('a repeated POST replays the stored 201 instead of a 409, and registers once', async () => {
      const subscriberId = await newSubscriber();
      const key = newKey();
      const body = { iban: frIban(900), holderName: 'Paul Lemaire' };
      const first = await register(broker, subscriberId, body, { 'idempotency-key': key });
      const second = await register(broker, subscriberId, body, { 'idempotency-key': key });
      expect([first.status, second.status]).toEqual([201, 201]);
      expect(second.text).toBe(first.text);
      expect(second.headers.get('idempotent-replayed')).toBe('true');
      expect(await ibanRows(subscriberId)).toBe(1);
      expect(await count("select count(*)::int as n from audit_log where action = 'iban.registered' and target_id = $1", [first.json.id])).toBe(1);
      // Another body under the same key: 422.
      const other = await register(broker, subscriberId, { ...body, iban: frIban(901) }, { 'idempotency-key': key });
      expect(other.status).toBe(422);
      expect(other.json.errors[0]).toMatchObject({ code: 'unprocessable_content', reason: 'IDEMPOTENCY_KEY_REUSED' });
    });

    it('a repeated PATCH replays its answer', async () => {
      const subscriberId = await newSubscriber();
      await confirmedIban(subscriberId, frIban(910));
      await confirmedIban(subscriberId, frIban(911));
      const key = newKey();
      const first = await makeDefault(backoffice, subscriberId, frIban(911), { 'idempotency-key': key });
      const second = await makeDefault(backoffice, subscriberId, frIban(911), { 'idempotency-key': key });
      expect([first.status, second.status]).toEqual([200, 200]);
      expect(second.headers.get('idempotent-replayed')).toBe('true');
      expect(second.text).toBe(first.text);
    });
  });

  describe('for the domains that pay out', () => {
    it("resolves a subscriber's IBAN in full by id with its state, or the (confirmed) default, and nobody else's", async () => {
      const payOut = server.app.services.payOut;
      const subscriberId = await newSubscriber();
      expect(await payOut.payoutAccount(server.db, subscriberId, null)).toBeUndefined();
      const first = await registered(register(broker, subscriberId, { iban: frIban(1200), holderName: 'Paul Lemaire' }));
      const second = await registered(register(broker, subscriberId, { iban: frIban(1201), holderName: 'Paul Lemaire' }));
      // Pending IBANs are no default: nothing to pay to by default.
      expect(await payOut.payoutAccount(server.db, subscriberId, null)).toBeUndefined();
      expect(await payOut.payoutAccount(server.db, subscriberId, second.id)).toEqual({ id: second.id, iban: frIban(1201), confirmed: false, origin: 'registration' });
      await confirmWithCode(server, broker, subscriberId, first.id);
      await acceptIbanProof(server, backoffice, subscriberId, first.id);
      expect(await payOut.payoutAccount(server.db, subscriberId, null)).toEqual({ id: first.id, iban: frIban(1200), confirmed: true, origin: 'registration' });
      expect(await payOut.payoutAccount(server.db, DEMO_IDS.subscribers.alice, second.id)).toBeUndefined();
      expect(await payOut.payoutAccount(server.db, DEMO_IDS.subscribers.alice, null)).toEqual({ id: DEMO_IDS.payoutIbans.aliceDebit, iban: IBAN, confirmed: true, origin: 'subscription_debit' });
    });
  });

  describe('audit trail and notifications', () => {
    interface AuditRow {
      actor_kind: string;
      actor_id: string;
      target_type: string;
      target_id: string;
      request_id: string;
      details: Record<string, unknown>;
    }
    const auditOf = (action: string, targetId: string) =>
      server.db.query<AuditRow>('select actor_kind, actor_id, target_type, target_id, request_id, details from audit_log where action = $1 and target_id = $2', [action, targetId]);
    const noticesOf = (template: string, payoutIbanId: string) =>
      server.db.query<{ recipient_user_id: string | null; channel: string; payload: Record<string, unknown> }>(
        "select recipient_user_id, channel, payload from notification_outbox where template = $1 and payload->>'payoutIbanId' = $2",
        [template, payoutIbanId],
      );

    it('a registration: one entry with the actor, the request id and the masked IBAN only; the subscriber is notified', async () => {
      const iban = frIban(1000);
      const answer = await register(machine, DEMO_IDS.subscribers.bob, { iban, holderName: 'Bob Durand' });
      expect(answer.status).toBe(201);
      const rows = await auditOf('iban.registered', answer.json.id);
      expect(rows).toEqual([
        {
          actor_kind: 'machine', actor_id: 'demo-partner', target_type: 'payout_iban', target_id: answer.json.id, request_id: answer.headers.get('x-request-id'),
          details: { subscriberId: DEMO_IDS.subscribers.bob, iban: answer.json.iban, country: 'FR', status: 'pending_confirmation', holderMatches: true },
        },
      ]);
      expect(JSON.stringify(rows[0].details)).not.toContain(iban.slice(4, 23));
      const notices = await noticesOf('payout_iban_registered', answer.json.id);
      expect(notices).toEqual([
        { recipient_user_id: DEMO_IDS.users.bob, channel: 'email', payload: { to: 'bob@demo.test', subscriberId: DEMO_IDS.subscribers.bob, payoutIbanId: answer.json.id, iban: answer.json.iban, status: 'pending_confirmation', registeredBy: 'machine' } },
      ]);
      expect(JSON.stringify(notices)).not.toContain(iban.slice(4, 23));
    });

    it('a default change: one entry naming the previous default, masked; the subscriber is notified', async () => {
      const before = (await list(alice, DEMO_IDS.subscribers.alice)).json;
      const other = before.find((i: Body) => i.iban === frIban(504));
      expect(before.find((i: Body) => i.isDefault).id).toBe(DEMO_IDS.payoutIbans.aliceDebit);
      const answer = await makeDefault(alice, DEMO_IDS.subscribers.alice, frIban(504), { 'x-request-id': 'req-payout-42' });
      expect(answer.status).toBe(200);
      const rows = await auditOf('iban.made_default', other.id);
      expect(rows.at(-1)).toEqual({
        actor_kind: 'subscriber', actor_id: DEMO_IDS.users.alice, target_type: 'payout_iban', target_id: other.id, request_id: 'req-payout-42',
        details: { subscriberId: DEMO_IDS.subscribers.alice, iban: other.iban.slice(0, 4) + ' **** **** **** **** ***' + other.iban.slice(23, 24) + ' ' + other.iban.slice(24), previousDefault: { id: DEMO_IDS.payoutIbans.aliceDebit, iban: IBAN_MASKED } },
      });
      const notices = await noticesOf('payout_iban_default_changed', other.id);
      expect(notices.at(-1)).toEqual({ recipient_user_id: DEMO_IDS.users.alice, channel: 'email', payload: { to: 'alice@demo.test', subscriberId: DEMO_IDS.subscribers.alice, payoutIbanId: other.id, iban: rows.at(-1)!.details.iban } });
    });

    it('every step of a confirmation is recorded and told to the subscriber: registered, confirmed, proof accepted, made default', async () => {
      const answer = await register(broker, DEMO_IDS.subscribers.bob, { iban: frIban(1300), holderName: 'Bob Durand' });
      await confirmWithCode(server, broker, DEMO_IDS.subscribers.bob, answer.json.id);
      await acceptIbanProof(server, backoffice, DEMO_IDS.subscribers.bob, answer.json.id, broker);
      await makeDefault(bob, DEMO_IDS.subscribers.bob, answer.json.id);
      const actions = await server.db.query<{ action: string; actor_kind: string }>("select action, actor_kind from audit_log where target_id = $1 order by id", [answer.json.id]);
      expect(actions.map((a) => `${a.action} ${a.actor_kind}`)).toEqual([
        'iban.registered broker', 'iban.confirmation_code_sent broker', 'iban.confirmed_by_subscriber broker', 'iban.proof_accepted backoffice', 'iban.made_default subscriber',
      ]);
      const sent = await server.db.query<{ template: string; recipient_user_id: string }>("select template, recipient_user_id from notification_outbox where payload->>'payoutIbanId' = $1 order by id", [answer.json.id]);
      expect(sent.map((n) => `${n.template} ${n.recipient_user_id}`)).toEqual([
        `payout_iban_registered ${DEMO_IDS.users.bob}`, `payout_iban_confirmation_code ${DEMO_IDS.users.bob}`, `payout_iban_status_changed ${DEMO_IDS.users.bob}`, `payout_iban_status_changed ${DEMO_IDS.users.bob}`, `payout_iban_default_changed ${DEMO_IDS.users.bob}`,
      ]);
    });

    it('no entry anywhere holds a full IBAN', async () => {
      const audit = await server.db.query<{ details: unknown }>("select details from audit_log where action like 'iban.%'");
      const outbox = await server.db.query<{ payload: unknown }>("select payload from notification_outbox where template like 'payout_iban_%'");
      expect(audit.length).toBeGreaterThan(10);
      const text = JSON.stringify([audit, outbox]);
      for (const iban of [IBAN, IBAN_DE, frIban(600), frIban(1000)]) expect(text).not.toContain(iban.slice(4, -4));
    });

    it('a refused request leaves no entry and sends nothing', async () => {
      const audits = () => count("select count(*)::int as n from audit_log where action like 'iban.%'");
      const notices = () => count("select count(*)::int as n from notification_outbox where template like 'payout_iban_%'");
      const before = [await audits(), await notices()];
      await register(bob, DEMO_IDS.subscribers.alice, { iban: frIban(1100), holderName: 'Mallory' });
      await register(alice, DEMO_IDS.subscribers.alice, { iban: IBAN, holderName: 'Alice Martin' });
      await register(alice, DEMO_IDS.subscribers.alice, { iban: IBAN_BAD_CHECKSUM, holderName: 'Alice Martin' });
      await makeDefault(bob, DEMO_IDS.subscribers.alice, IBAN_DE);
      await makeDefault(alice, DEMO_IDS.subscribers.alice, frIban(1101));
      expect([await audits(), await notices()]).toEqual(before);
    });
  });
});
