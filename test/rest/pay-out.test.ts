import { EACH_DATABASE } from '../support/databases';
import { IBAN, IBAN_PRINT, IBAN_MASKED, IBAN_BAD_CHECKSUM, IBAN_DE, IBAN_NOT_SEPA, ISO_INSTANT, frIban, payOutSuite, expectError, type Body, type Caller } from '../support/pay-out-suite';
import { call, unauthorizedBody, type Answer } from '../support/http';
import type { TestServer } from '../support/server';
import { expectRestInvalid } from '../support/invalid';
import { acceptIbanProof, confirmWithCode, payoutIbanState } from '../support/payout-fixtures';
import { DEMO_IDS, UUID_V7, testId } from '../support/ids';

describe.each(EACH_DATABASE)('REST pay-out IBANs on %s', (_name, database) => {
  const suite = payOutSuite(database);
  const { ibansPath, defaultPath, register, list, makeDefault, sendCode, count, ibanRows, defaults, registered, newSubscriber, confirmedIban } = suite;
  let server: TestServer;
  let base: string;
  let alice: Caller;
  let bob: Caller;
  let broker: Caller;
  let backoffice: Caller;
  let machine: Caller;
  let otherBroker: Caller;
  beforeAll(() => void ({ server, base, alice, bob, broker, backoffice, machine, otherBroker } = suite.state()));

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
      server.db.query<AuditRow>('select actor_kind, actor_id, target_type, target_id, request_id, details from audit_log where action = $1 and target_id = $2 order by id', [action, targetId]);
    const noticesOf = (template: string, payoutIbanId: string) =>
      server.db.query<{ recipient_user_id: string | null; channel: string; payload: Record<string, unknown> }>(
        "select recipient_user_id, channel, payload from notification_outbox where template = $1 and payload->>'payoutIbanId' = $2 order by id",
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
