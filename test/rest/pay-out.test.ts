import { randomBytes } from 'node:crypto';
import { hashPassword } from '../../domain/auth/passwords';
import { EACH_DATABASE } from '../support/databases';
import { call, DEMO_PASSWORD, login, unauthorizedBody, type Answer } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';
import { expectRestInvalid } from '../support/invalid';

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
  expect(answer.json.errors).toEqual([expect.objectContaining({ code, message: reason, doc_url: expect.stringMatching(new RegExp(`/errors/${code}$`)) })]);
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
        civility: 'M', first_name: firstName, last_name: 'Lemaire', birth_date: '1970-01-15', birth_place: 'Lille', nationality: 'FR',
        address: { line1: '3 rue Nationale', postal_code: '59000', city: 'Lille', country: 'FR' },
        email: 'paul.lemaire@example.com', phone: '06 11 22 33 44', tax_residence: 'FR', distributor_id: 'dst_demo',
      },
    });
    if (answer.status !== 201) throw new Error(`subscriber: ${answer.status} ${answer.text}`);
    return answer.json.id;
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

    await server.db.query('insert into distributors (id, name, created_at) values ($1, $2, $3)', ['dst_other', 'Other Courtage', server.clock.now()]);
    const email = `usr_${randomBytes(6).toString('hex')}@other.test`;
    await server.db.query('insert into users (id, email, kind, password_hash, distributor_id, created_at) values ($1, $2, $3, $4, $5, $6)', [
      `usr_${randomBytes(6).toString('hex')}`, email, 'broker', await hashPassword(DEMO_PASSWORD), 'dst_other', server.clock.now(),
    ]);
    otherBroker = await bearer(email);
  });
  afterAll(() => server?.close());

  describe('POST /v1/pay-out/subscribers/{subscriberId}/ibans', () => {
    it('the subscriber registers an IBAN: 201, every field, and the first one becomes the default', async () => {
      const answer = await register(alice, 'sbr_alice', { iban: IBAN, holder_name: 'Alice Martin' });
      expect(answer.status).toBe(201);
      expect(answer.json).toEqual({ id: expect.stringMatching(/^pib_/), iban: IBAN, holder_name: 'Alice Martin', country: 'FR', is_default: true, created_at: expect.stringMatching(ISO_INSTANT) });
      expect(await defaults('sbr_alice')).toEqual([{ iban: IBAN }]);
    });

    it('a second IBAN, in print format and lower case, is stored in electronic format and is not the default', async () => {
      const answer = await register(alice, 'sbr_alice', { iban: 'de89 3704 0044 0532 0130 00', holder_name: '  Alice Martin  ' });
      expect(answer.status).toBe(201);
      expect(answer.json).toMatchObject({ iban: IBAN_DE, holder_name: 'Alice Martin', country: 'DE', is_default: false });
      expect(await defaults('sbr_alice')).toEqual([{ iban: IBAN }]);
    });

    it('the same IBAN twice is 409 IBAN_ALREADY_REGISTERED, in whatever format, and stores nothing', async () => {
      const before = await ibanRows('sbr_alice');
      for (const iban of [IBAN, IBAN_PRINT, IBAN.toLowerCase()]) {
        expectError(await register(alice, 'sbr_alice', { iban, holder_name: 'Alice Martin' }), 409, 'conflict', 'IBAN_ALREADY_REGISTERED');
      }
      // Someone else registering it for alice is refused alike.
      expectError(await register(backoffice, 'sbr_alice', { iban: IBAN, holder_name: 'A. Martin' }), 409, 'conflict', 'IBAN_ALREADY_REGISTERED');
      expect(await ibanRows('sbr_alice')).toBe(before);
    });

    it('the same IBAN may belong to two subscribers (a joint account)', async () => {
      expect((await register(bob, 'sbr_bob', { iban: IBAN, holder_name: 'Alice et Bob Martin' })).status).toBe(201);
    });

    describe('validation: 400 invalid_request naming each offending field, nothing stored', () => {
      let subscriberId: string;
      beforeAll(async () => {
        subscriberId = await newSubscriber();
      });

      it('a wrong mod-97 checksum, without echoing the IBAN back', async () => {
        const answer = await register(backoffice, subscriberId, { iban: IBAN_BAD_CHECKSUM, holder_name: 'Paul Lemaire' });
        expectRestInvalid(answer, ['iban IBAN_CHECKSUM_FAILED']);
        expect(answer.text).not.toContain('30006000011234567890');
      });

      it("a length other than the country's (FR: 27)", async () => {
        expectRestInvalid(await register(backoffice, subscriberId, { iban: `${IBAN}0`, holder_name: 'Paul Lemaire' }), ['iban IBAN_WRONG_LENGTH']);
        expectRestInvalid(await register(backoffice, subscriberId, { iban: IBAN.slice(0, -1), holder_name: 'Paul Lemaire' }), ['iban IBAN_WRONG_LENGTH']);
      });

      it('a valid IBAN outside SEPA', async () => {
        expectRestInvalid(await register(backoffice, subscriberId, { iban: IBAN_NOT_SEPA, holder_name: 'Paul Lemaire' }), ['iban IBAN_COUNTRY_NOT_SEPA']);
      });

      it('text that is not an IBAN, or none', async () => {
        expectRestInvalid(await register(backoffice, subscriberId, { iban: 'not an iban', holder_name: 'Paul Lemaire' }), ['iban IBAN_MALFORMED']);
        expectRestInvalid(await register(backoffice, subscriberId, { iban: '', holder_name: 'Paul Lemaire' }), ['iban IBAN_MALFORMED']);
        expectRestInvalid(await register(backoffice, subscriberId, { holder_name: 'Paul Lemaire' }), ['iban REQUIRED_FIELD_MISSING']);
      });

      it('the holder name is required, one line, at most 70 characters', async () => {
        expectRestInvalid(await register(backoffice, subscriberId, { iban: frIban(1) }), ['holder_name REQUIRED_FIELD_MISSING']);
        expectRestInvalid(await register(backoffice, subscriberId, { iban: frIban(1), holder_name: '   ' }), ['holder_name REQUIRED_FIELD_MISSING']);
        expectRestInvalid(await register(backoffice, subscriberId, { iban: frIban(1), holder_name: 'x'.repeat(71) }), ['holder_name TOO_LONG']);
        expectRestInvalid(await register(backoffice, subscriberId, { iban: frIban(1), holder_name: 'Paul\nLemaire' }), ['holder_name INVALID_CHARACTERS']);
        // 70 characters are fine (on another subscriber, this one stays empty).
        expect((await register(backoffice, await newSubscriber(), { iban: frIban(1), holder_name: 'x'.repeat(70) })).status).toBe(201);
      });

      it('every problem at once', async () => {
        expectRestInvalid(await register(backoffice, subscriberId, { iban: IBAN_NOT_SEPA, holder_name: '' }), ['iban IBAN_COUNTRY_NOT_SEPA', 'holder_name REQUIRED_FIELD_MISSING']);
      });

      it('unknown properties: a client cannot set is_default or the id', async () => {
        expectRestInvalid(await register(backoffice, subscriberId, { iban: frIban(2), holder_name: 'Paul Lemaire', is_default: false }), ['is_default UNKNOWN_FIELD']);
        expectRestInvalid(await register(backoffice, subscriberId, { iban: frIban(2), holder_name: 'Paul Lemaire', id: 'pib_mine' }), ['id UNKNOWN_FIELD']);
      });

      it('none of the refused requests stored anything', async () => {
        expect(await ibanRows(subscriberId)).toBe(0);
      });
    });

    it('at most 20 IBANs per subscriber: the 21st is 422 PAYOUT_IBAN_LIMIT_REACHED', async () => {
      const subscriberId = await newSubscriber();
      for (let n = 100; n < 120; n++) await registered(register(backoffice, subscriberId, { iban: frIban(n), holder_name: 'Paul Lemaire' }));
      expectError(await register(backoffice, subscriberId, { iban: frIban(120), holder_name: 'Paul Lemaire' }), 422, 'unprocessable', 'PAYOUT_IBAN_LIMIT_REACHED');
      expect(await ibanRows(subscriberId)).toBe(20);
    });

    it("the subscriber's broker and partner may register: the answer shows them the IBAN masked", async () => {
      const subscriberId = await newSubscriber();
      const byBroker = await register(broker, subscriberId, { iban: frIban(200), holder_name: 'Paul Lemaire' });
      expect(byBroker.status).toBe(201);
      expect(byBroker.json).toMatchObject({ holder_name: 'Paul Lemaire', country: 'FR', is_default: true });
      expect(byBroker.json.iban).toMatch(/^FR\d\d \*{4} \*{4} \*{4} \*{4} \*{3}\d \d{3}$/);
      expect(byBroker.text).not.toContain(frIban(200).slice(4, 23));
      const byMachine = await register(machine, subscriberId, { iban: IBAN, holder_name: 'Paul Lemaire' });
      expect(byMachine.status).toBe(201);
      expect(byMachine.json).toMatchObject({ iban: IBAN_MASKED, is_default: false });
      // Back-office sees both in full.
      expect((await list(backoffice, subscriberId)).json.map((i: Body) => i.iban)).toEqual([frIban(200), IBAN]);
    });

    it("another subscriber or another distributor's broker gets 404, as for a subscriber that does not exist", async () => {
      for (const caller of [bob, otherBroker]) {
        expectError(await register(caller, 'sbr_alice', { iban: frIban(300), holder_name: 'Mallory' }), 404, 'not_found', 'SUBSCRIBER_NOT_FOUND');
      }
      expectError(await register(backoffice, 'sbr_nobody', { iban: frIban(300), holder_name: 'Nobody' }), 404, 'not_found', 'SUBSCRIBER_NOT_FOUND');
      expect(await count('select count(*)::int as n from payout_ibans where iban = $1', [frIban(300)])).toBe(0);
    });

    it('without credentials: 401 before the body is looked at', async () => {
      const answer = await call(`${base}${ibansPath('sbr_alice')}`, { method: 'POST', json: { nonsense: true } });
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
      for (const iban of [IBAN, IBAN_DE, frIban(400)]) ids.push((await registered(register(backoffice, subscriberId, { iban, holder_name: 'Paul Lemaire' }))).id);
    });

    it('the owner and back-office see every IBAN in full, in registration order, exactly one default', async () => {
      const own = await list(alice, 'sbr_alice');
      expect(own.status).toBe(200);
      expect(own.json).toEqual([
        { id: expect.stringMatching(/^pib_/), iban: IBAN, holder_name: 'Alice Martin', country: 'FR', is_default: true, created_at: expect.stringMatching(ISO_INSTANT) },
        { id: expect.stringMatching(/^pib_/), iban: IBAN_DE, holder_name: 'Alice Martin', country: 'DE', is_default: false, created_at: expect.stringMatching(ISO_INSTANT) },
      ]);
      expect((await list(backoffice, 'sbr_alice')).json).toEqual(own.json);
      const all = await list(backoffice, subscriberId);
      expect(all.json.map((i: Body) => [i.id, i.iban, i.is_default])).toEqual([
        [ids[0], IBAN, true],
        [ids[1], IBAN_DE, false],
        [ids[2], frIban(400), false],
      ]);
    });

    it('brokers and partners see them masked, and the full IBAN appears nowhere in the answer', async () => {
      for (const caller of [broker, machine]) {
        const answer = await list(caller, 'sbr_alice');
        expect(answer.status).toBe(200);
        expect(answer.json.map((i: Body) => i.iban)).toEqual([IBAN_MASKED, 'DE89 **** **** **** **30 00']);
        expect(answer.text).not.toContain('30006000011234567890');
        expect(answer.text).not.toContain('370400440532');
        // The other fields are the same as the owner's.
        expect(answer.json.map((i: Body) => ({ ...i, iban: undefined }))).toEqual((await list(alice, 'sbr_alice')).json.map((i: Body) => ({ ...i, iban: undefined })));
      }
    });

    it("a subscriber with none lists [] (bob's own list is his, not alice's)", async () => {
      expect((await list(backoffice, await newSubscriber())).json).toEqual([]);
      const bobs = await list(bob, 'sbr_bob');
      expect(bobs.status).toBe(200);
      expect(bobs.json.map((i: Body) => i.holder_name)).toEqual(['Alice et Bob Martin']);
    });

    it("another subscriber's IBANs are 404, for a subscriber and for another distributor's broker", async () => {
      expectError(await list(bob, 'sbr_alice'), 404, 'not_found', 'SUBSCRIBER_NOT_FOUND');
      expectError(await list(alice, 'sbr_bob'), 404, 'not_found', 'SUBSCRIBER_NOT_FOUND');
      expectError(await list(otherBroker, 'sbr_alice'), 404, 'not_found', 'SUBSCRIBER_NOT_FOUND');
      expectError(await list(alice, 'sbr_nobody'), 404, 'not_found', 'SUBSCRIBER_NOT_FOUND');
    });

    it('without credentials: 401', async () => {
      const answer = await list({}, 'sbr_alice');
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toBe('Bearer');
    });
  });

  describe('PATCH /v1/pay-out/subscribers/{subscriberId}/ibans/{iban}/make-default', () => {
    let subscriberId: string;
    let fr: Body;
    let de: Body;
    let third: Body;
    beforeAll(async () => {
      subscriberId = await newSubscriber();
      fr = await registered(register(backoffice, subscriberId, { iban: IBAN, holder_name: 'Paul Lemaire' }));
      de = await registered(register(backoffice, subscriberId, { iban: IBAN_DE, holder_name: 'Paul Lemaire' }));
      third = await registered(register(backoffice, subscriberId, { iban: frIban(500), holder_name: 'Paul Lemaire' }));
    });
    const defaultIds = async () => (await list(backoffice, subscriberId)).json.filter((i: Body) => i.is_default).map((i: Body) => i.id);

    it('by the IBAN in electronic format: 200 with the new default, and the old one is no longer default', async () => {
      const answer = await makeDefault(backoffice, subscriberId, IBAN_DE);
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({ ...de, is_default: true });
      expect(await defaultIds()).toEqual([de.id]);
    });

    it('by the IBAN in print format, URL-encoded (and in lower case)', async () => {
      expect(defaultPath(subscriberId, IBAN_PRINT)).toContain('FR76%203000%206000');
      const answer = await makeDefault(backoffice, subscriberId, IBAN_PRINT);
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({ id: fr.id, iban: IBAN, is_default: true });
      expect(await defaultIds()).toEqual([fr.id]);
      expect((await makeDefault(backoffice, subscriberId, IBAN_DE.toLowerCase())).json).toMatchObject({ id: de.id, is_default: true });
      expect(await defaultIds()).toEqual([de.id]);
    });

    it('by its id: how brokers and partners, who see masked IBANs, name one; their answer is masked', async () => {
      const answer = await makeDefault(broker, subscriberId, third.id);
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({ id: third.id, is_default: true });
      expect(answer.json.iban).toContain('****');
      expect(await defaultIds()).toEqual([third.id]);
      expect((await makeDefault(machine, subscriberId, fr.id)).json).toMatchObject({ id: fr.id, iban: IBAN_MASKED, is_default: true });
      expect(await defaultIds()).toEqual([fr.id]);
    });

    it('the subscriber changes their own default', async () => {
      const answer = await makeDefault(alice, 'sbr_alice', IBAN_DE);
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({ iban: IBAN_DE, is_default: true });
      expect((await list(alice, 'sbr_alice')).json.map((i: Body) => [i.iban, i.is_default])).toEqual([
        [IBAN, false],
        [IBAN_DE, true],
      ]);
    });

    it('the current default answers 200 as it is, and nothing is recorded or sent', async () => {
      const audits = () => count("select count(*)::int as n from audit_log where action = 'iban.made_default' and details->>'subscriberId' = $1", [subscriberId]);
      const notices = () => count("select count(*)::int as n from notification_outbox where template = 'payout_iban_default_changed' and payload->>'subscriberId' = $1", [subscriberId]);
      const [auditsBefore, noticesBefore] = [await audits(), await notices()];
      const answer = await makeDefault(backoffice, subscriberId, fr.id);
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({ id: fr.id, is_default: true });
      expect([await audits(), await notices()]).toEqual([auditsBefore, noticesBefore]);
    });

    it('an IBAN the subscriber has not registered is 404 PAYOUT_IBAN_NOT_FOUND, and the default stays', async () => {
      const before = await defaultIds();
      for (const unknown of [frIban(501), IBAN_BAD_CHECKSUM, 'not-an-iban', 'pib_doesnotexist']) {
        expectError(await makeDefault(backoffice, subscriberId, unknown), 404, 'not_found', 'PAYOUT_IBAN_NOT_FOUND');
      }
      // Bob's IBAN, named by its id under another subscriber's path.
      const bobsId = (await list(bob, 'sbr_bob')).json[0].id;
      expectError(await makeDefault(backoffice, subscriberId, bobsId), 404, 'not_found', 'PAYOUT_IBAN_NOT_FOUND');
      expect(await defaultIds()).toEqual(before);
    });

    it("another subscriber's IBANs are 404 and stay as they were, whichever way they are named", async () => {
      const alices = (await list(alice, 'sbr_alice')).json;
      const fr = alices.find((i: Body) => i.iban === IBAN);
      for (const caller of [bob, otherBroker]) {
        for (const reference of [IBAN, fr.id]) expectError(await makeDefault(caller, 'sbr_alice', reference), 404, 'not_found', 'SUBSCRIBER_NOT_FOUND');
      }
      expect((await list(alice, 'sbr_alice')).json).toEqual(alices);
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

  describe('concurrency', () => {
    it('50 concurrent make-default calls alternating between two IBANs: each 200 or a clean 409, exactly one default', async () => {
      const subscriberId = await newSubscriber();
      const a = await registered(register(backoffice, subscriberId, { iban: frIban(600), holder_name: 'Paul Lemaire' }));
      const b = await registered(register(backoffice, subscriberId, { iban: frIban(601), holder_name: 'Paul Lemaire' }));
      const callers = [backoffice, broker, machine];
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) => makeDefault(callers[i % callers.length], subscriberId, i % 2 === 0 ? frIban(601) : a.id)),
      );
      for (const answer of answers) {
        expect([200, 409]).toContain(answer.status);
        if (answer.status === 409) expect(answer.json.errors).toEqual([expect.objectContaining({ code: 'conflict' })]);
        else expect(answer.json.is_default).toBe(true);
      }
      // The database, not only the status codes: exactly one default, and one that a winner answered.
      const winners = answers.filter((answer) => answer.status === 200).map((answer) => answer.json.iban);
      expect(winners.length).toBeGreaterThanOrEqual(1);
      const rows = await defaults(subscriberId);
      expect(rows).toHaveLength(1);
      expect(winners).toContain(rows[0].iban);
      expect([frIban(600), frIban(601)]).toContain(rows[0].iban);
      // And what the API reads back agrees with the table.
      const listed = (await list(backoffice, subscriberId)).json as Array<{ iban: string; is_default: boolean }>;
      expect(listed.filter((i) => i.is_default).map((i) => i.iban)).toEqual([rows[0].iban]);
      // Each change is recorded once: as many entries as calls that found the other IBAN the default.
      const changes = await count("select count(*)::int as n from audit_log where action = 'iban.made_default' and details->>'subscriberId' = $1", [subscriberId]);
      expect(changes).toBeGreaterThanOrEqual(1);
      expect(changes).toBeLessThanOrEqual(50);
      expect(await count("select count(*)::int as n from notification_outbox where template = 'payout_iban_default_changed' and payload->>'subscriberId' = $1", [subscriberId])).toBe(changes);
      expect(b.is_default).toBe(false);
    });

    it('concurrent first registrations of different IBANs: all 201, exactly one becomes the default', async () => {
      const subscriberId = await newSubscriber();
      const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => register(i % 2 ? broker : backoffice, subscriberId, { iban: frIban(700 + i), holder_name: 'Paul Lemaire' })));
      expect(answers.map((a) => a.status)).toEqual(Array(10).fill(201));
      expect(answers.filter((a) => a.json.is_default)).toHaveLength(1);
      expect(await defaults(subscriberId)).toHaveLength(1);
      expect(await ibanRows(subscriberId)).toBe(10);
    });

    it('the same IBAN registered concurrently: one 201, the others 409 IBAN_ALREADY_REGISTERED, one row', async () => {
      const subscriberId = await newSubscriber();
      const answers = await Promise.all(Array.from({ length: 8 }, () => register(backoffice, subscriberId, { iban: frIban(800), holder_name: 'Paul Lemaire' })));
      expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
      for (const answer of answers.filter((a) => a.status === 409)) expect(answer.json.errors).toEqual([expect.objectContaining({ code: 'conflict', message: 'IBAN_ALREADY_REGISTERED' })]);
      expect(await ibanRows(subscriberId)).toBe(1);
    });
  });

  describe('Idempotency-Key', () => {
    it('a repeated POST replays the stored 201 instead of a 409, and registers once', async () => {
      const subscriberId = await newSubscriber();
      const key = newKey();
      const body = { iban: frIban(900), holder_name: 'Paul Lemaire' };
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
      expect(other.json.errors[0]).toMatchObject({ code: 'unprocessable', message: 'IDEMPOTENCY_KEY_REUSED' });
    });

    it('a repeated PATCH replays its answer', async () => {
      const subscriberId = await newSubscriber();
      await registered(register(backoffice, subscriberId, { iban: frIban(910), holder_name: 'Paul Lemaire' }));
      await registered(register(backoffice, subscriberId, { iban: frIban(911), holder_name: 'Paul Lemaire' }));
      const key = newKey();
      const first = await makeDefault(backoffice, subscriberId, frIban(911), { 'idempotency-key': key });
      const second = await makeDefault(backoffice, subscriberId, frIban(911), { 'idempotency-key': key });
      expect([first.status, second.status]).toEqual([200, 200]);
      expect(second.headers.get('idempotent-replayed')).toBe('true');
      expect(second.text).toBe(first.text);
    });
  });

  describe('for the domains that pay out', () => {
    it("resolves a subscriber's registered IBAN in full by id, or the default, and nobody else's", async () => {
      const payOut = server.app.services.payOut;
      const subscriberId = await newSubscriber();
      expect(await payOut.payoutAccount(server.db, subscriberId, null)).toBeUndefined();
      const first = await registered(register(broker, subscriberId, { iban: frIban(1200), holder_name: 'Paul Lemaire' }));
      const second = await registered(register(broker, subscriberId, { iban: frIban(1201), holder_name: 'Paul Lemaire' }));
      expect(await payOut.payoutAccount(server.db, subscriberId, null)).toEqual({ id: first.id, iban: frIban(1200) });
      expect(await payOut.payoutAccount(server.db, subscriberId, second.id)).toEqual({ id: second.id, iban: frIban(1201) });
      expect(await payOut.payoutAccount(server.db, 'sbr_alice', second.id)).toBeUndefined();
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
      const answer = await register(machine, 'sbr_bob', { iban, holder_name: 'Bob Durand' });
      expect(answer.status).toBe(201);
      const rows = await auditOf('iban.registered', answer.json.id);
      expect(rows).toEqual([
        {
          actor_kind: 'machine', actor_id: 'demo-partner', target_type: 'payout_iban', target_id: answer.json.id, request_id: answer.headers.get('x-request-id'),
          details: { subscriberId: 'sbr_bob', iban: answer.json.iban, country: 'FR', isDefault: false },
        },
      ]);
      expect(JSON.stringify(rows[0].details)).not.toContain(iban.slice(4, 23));
      const notices = await noticesOf('payout_iban_registered', answer.json.id);
      expect(notices).toEqual([
        { recipient_user_id: 'usr_bob', channel: 'email', payload: { to: 'bob@demo.test', subscriberId: 'sbr_bob', payoutIbanId: answer.json.id, iban: answer.json.iban, isDefault: false } },
      ]);
      expect(JSON.stringify(notices)).not.toContain(iban.slice(4, 23));
    });

    it('a default change: one entry naming the previous default, masked; the subscriber is notified', async () => {
      const before = (await list(alice, 'sbr_alice')).json;
      const fr = before.find((i: Body) => i.iban === IBAN);
      const de = before.find((i: Body) => i.iban === IBAN_DE);
      expect(de.is_default).toBe(true);
      const answer = await makeDefault(alice, 'sbr_alice', IBAN, { 'x-request-id': 'req-payout-42' });
      expect(answer.status).toBe(200);
      const rows = await auditOf('iban.made_default', fr.id);
      expect(rows.at(-1)).toEqual({
        actor_kind: 'subscriber', actor_id: 'usr_alice', target_type: 'payout_iban', target_id: fr.id, request_id: 'req-payout-42',
        details: { subscriberId: 'sbr_alice', iban: IBAN_MASKED, previousDefault: { id: de.id, iban: 'DE89 **** **** **** **30 00' } },
      });
      const notices = await noticesOf('payout_iban_default_changed', fr.id);
      expect(notices.at(-1)).toEqual({ recipient_user_id: 'usr_alice', channel: 'email', payload: { to: 'alice@demo.test', subscriberId: 'sbr_alice', payoutIbanId: fr.id, iban: IBAN_MASKED } });
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
      await register(bob, 'sbr_alice', { iban: frIban(1100), holder_name: 'Mallory' });
      await register(alice, 'sbr_alice', { iban: IBAN, holder_name: 'Alice Martin' });
      await register(alice, 'sbr_alice', { iban: IBAN_BAD_CHECKSUM, holder_name: 'Alice Martin' });
      await makeDefault(bob, 'sbr_alice', IBAN_DE);
      await makeDefault(alice, 'sbr_alice', frIban(1101));
      expect([await audits(), await notices()]).toEqual(before);
    });
  });
});
