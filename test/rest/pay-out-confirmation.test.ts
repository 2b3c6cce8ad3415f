import { EACH_DATABASE } from '../support/databases';
import { IBAN, frIban, payOutSuite, expectError, type Body, type Caller } from '../support/pay-out-suite';
import { call } from '../support/http';
import type { TestServer } from '../support/server';
import { acceptIbanProof, confirmWithCode, lastConfirmationCode, payoutIbanState, uploadIbanProof } from '../support/payout-fixtures';
import { DEMO_IDS, testId } from '../support/ids';

describe.each(EACH_DATABASE)('REST pay-out IBANs on %s', (_name, database) => {
  const suite = payOutSuite(database);
  const { register, makeDefault, sendCode, confirm, review, count, registered, newSubscriber } = suite;
  let server: TestServer;
  let base: string;
  let alice: Caller;
  let bob: Caller;
  let broker: Caller;
  let backoffice: Caller;
  let machine: Caller;
  let otherBroker: Caller;
  beforeAll(() => void ({ server, base, alice, bob, broker, backoffice, machine, otherBroker } = suite.state()));

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
});
