import { randomBytes } from 'node:crypto';
import { EACH_DATABASE } from '../support/databases';
import { IBAN, frIban, payOutSuite, type Body, type Caller } from '../support/pay-out-suite';
import type { TestServer } from '../support/server';
import { acceptIbanProof, confirmWithCode } from '../support/payout-fixtures';
import { DEMO_IDS } from '../support/ids';

const newKey = () => `key-${randomBytes(9).toString('base64url')}`;

describe.each(EACH_DATABASE)('REST pay-out IBANs on %s', (_name, database) => {
  const suite = payOutSuite(database);
  const { register, list, makeDefault, count, ibanRows, defaults, registered, newSubscriber, confirmedIban } = suite;
  let server: TestServer;
  let broker: Caller;
  let backoffice: Caller;
  beforeAll(() => void ({ server, broker, backoffice } = suite.state()));

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
});
