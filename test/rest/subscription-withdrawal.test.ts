import { DEMO_IDS } from '../support/ids';
import { EACH_DATABASE } from '../support/databases';
import { ISO_INSTANT, INITIAL_PAYMENT, INVESTED, newKey, iso, expectError, signingSuite } from '../support/signing-suite';

/** Withdrawal within 30 calendar days (Paris time) of a signed subscription, and the audit trail of signing and withdrawal. */
describe.each(EACH_DATABASE)('REST subscription withdrawal and its audit trail on %s', (_name, database) => {
  const t = signingSuite(database);
  const { getSubscription, requestSignature, confirmOtp, withdraw, setClock, draft, documentsReady, esignRequested, signed, esignWebhook, count, refunds, historyOf, otpSent } = t;

  describe('withdrawal (30 calendar days, Paris time)', () => {
    it('on day 30 (23:30 Paris): 200 withdrawn, all sums paid refunded within 30 days, the policy void', async () => {
      await setClock('2026-01-10T09:00:00Z');
      const id = await signed();
      const signedView = (await getSubscription(t.alice, id)).json;
      expect(iso(signedView.signedAt)).toBe('2026-01-10T09:00:00.000Z');
      // 24:00 Paris (CET) on 9 February.
      expect(iso(signedView.withdrawalDeadline)).toBe('2026-02-09T23:00:00.000Z');

      await setClock('2026-02-09T22:30:00Z');
      expect((await getSubscription(t.alice, id)).json.status).toBe('signed');
      const answer = await withdraw(t.alice, id);
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({ id, status: 'withdrawn', withdrawnAt: expect.stringMatching(ISO_INSTANT) });
      expect(iso(answer.json.withdrawnAt)).toBe('2026-02-09T22:30:00.000Z');
      expect(answer.json.refund).toEqual({ amount: { amount: INITIAL_PAYMENT, currency: 'EUR' }, recordedAt: expect.stringMatching(ISO_INSTANT), dueBy: expect.stringMatching(ISO_INSTANT) });
      expect(iso(answer.json.refund.recordedAt)).toBe('2026-02-09T22:30:00.000Z');
      // 30 days after the notice (9 February, Paris): 24:00 Paris on 11 March.
      expect(iso(answer.json.refund.dueBy)).toBe('2026-03-11T23:00:00.000Z');
      expect(answer.json.policy.status).toBe('withdrawn');
      expect(answer.json.policy.compartments.length).toBeGreaterThan(0);
      for (const compartment of answer.json.policy.compartments) expect(compartment.status).toBe('closed');

      const read = (await getSubscription(t.alice, id)).json;
      expect(read.status).toBe('withdrawn');
      expect(read.refund).toEqual(answer.json.refund);
      expect(read.history.at(-1)).toMatchObject({ fromStatus: 'signed', toStatus: 'withdrawn' });
      expect(await refunds(id)).toBe(1);
      expect(await count("select count(*)::int as n from notification_outbox where template = 'withdrawal_confirmed' and payload->>'subscriptionId' = $1", [id])).toBe(1);
    });

    it('after the deadline (00:00:01 and 09:00 Paris on day 31): 422 WITHDRAWAL_PERIOD_ENDED, and the subscription shows active', async () => {
      await setClock('2026-01-10T09:00:00Z');
      const id = await signed();

      await setClock('2026-02-09T23:00:01Z');
      expectError(await withdraw(t.alice, id), 422, 'unprocessable_content', 'WITHDRAWAL_PERIOD_ENDED');
      await setClock('2026-02-10T08:00:00Z');
      expectError(await withdraw(t.alice, id), 422, 'unprocessable_content', 'WITHDRAWAL_PERIOD_ENDED');

      const read = (await getSubscription(t.alice, id)).json;
      expect(read.status).toBe('active');
      expect(read.withdrawnAt).toBeNull();
      expect(read.refund).toBeNull();
      expect(read.policy.status).toBe('active');
      expect(read.policy.compartments).toEqual([expect.objectContaining({ status: 'active', value: { amount: INVESTED, currency: 'EUR' } })]);
      expect(await refunds(id)).toBe(0);
    });

    it('across a month end: signed on 31 January, withdrawal accepted on 2 March (21:00 Paris), refused on 3 March', async () => {
      await setClock('2026-01-31T10:00:00Z');
      const accepted = await signed();
      const refused = await signed();
      expect(iso((await getSubscription(t.alice, accepted)).json.withdrawalDeadline)).toBe('2026-03-02T23:00:00.000Z');

      await setClock('2026-03-02T20:00:00Z');
      const ok = await withdraw(t.alice, accepted);
      expect(ok.status).toBe(200);
      expect(ok.json.status).toBe('withdrawn');
      // 30 days after 2 March is 1 April, in summer time: 24:00 Paris (CEST) is 22:00 UTC.
      expect(iso(ok.json.refund.dueBy)).toBe('2026-04-01T22:00:00.000Z');

      await setClock('2026-03-03T08:00:00Z');
      expectError(await withdraw(t.alice, refused), 422, 'unprocessable_content', 'WITHDRAWAL_PERIOD_ENDED');
      expect((await getSubscription(t.alice, refused)).json.status).toBe('active');
      expect(await refunds(refused)).toBe(0);
    });

    it('days are Paris days: signed at 00:30 Paris on 11 January (23:30 UTC on the 10th), the period runs to the end of 10 February', async () => {
      await setClock('2026-01-10T23:30:00Z');
      const id = await signed();
      expect(iso((await getSubscription(t.alice, id)).json.withdrawalDeadline)).toBe('2026-02-10T23:00:00.000Z');
      await setClock('2026-02-10T22:00:00Z');
      const answer = await withdraw(t.alice, id);
      expect(answer.status).toBe(200);
      expect(answer.json.status).toBe('withdrawn');
    });

    it('concurrent withdrawals without a key: one 200, the others 409, never a 500, one refund', async () => {
      await setClock('2026-04-20T10:00:00Z');
      const id = await signed();
      const answers = await Promise.all(Array.from({ length: 3 }, () => withdraw(t.alice, id)));
      expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409]);
      for (const answer of answers.filter((a) => a.status === 409)) expectError(answer, 409, 'conflict', 'CANNOT_WITHDRAW_IN_STATE_WITHDRAWN');
      expect(await refunds(id)).toBe(1);
    });

    it('the same Idempotency-Key twice: the second is the stored answer (Idempotent-Replayed: true), one refund', async () => {
      await setClock('2026-05-04T10:00:00Z');
      const id = await signed();
      const key = newKey();
      const first = await withdraw(t.alice, id, { 'idempotency-key': key });
      const second = await withdraw(t.alice, id, { 'idempotency-key': key });
      expect(first.status).toBe(200);
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      expect(second.status).toBe(200);
      expect(second.headers.get('idempotent-replayed')).toBe('true');
      expect(second.text).toBe(first.text);
      expect(await refunds(id)).toBe(1);
      expect((await historyOf(id)).filter((s: string) => s === 'withdrawn')).toHaveLength(1);
      expect(await count("select count(*)::int as n from audit_log where action = 'subscription.withdraw' and target_id = $1", [id])).toBe(1);
    });
  });

  describe('audit trail', () => {
    const auditOf = (action: string, targetId: string) =>
      t.server.db.query<{ actor_kind: string; actor_id: string; request_id: string | null; details: Record<string, unknown> }>(
        'select actor_kind, actor_id, request_id, details from audit_log where action = $1 and target_id = $2 order by id',
        [action, targetId],
      );

    it('signing by the provider is recorded as system/esign; the withdrawal as the subscriber with the request id', async () => {
      await setClock('2026-06-01T10:00:00Z');
      const id = await documentsReady();
      const signature = await esignRequested(id);
      expect((await esignWebhook('signature.completed', signature.id)).status).toBe(200);
      expect(await auditOf('subscription.request_signature', id)).toEqual([expect.objectContaining({ actor_kind: 'subscriber', actor_id: DEMO_IDS.users.alice })]);
      expect(await auditOf('subscription.complete_signature', id)).toEqual([
        expect.objectContaining({ actor_kind: 'system', actor_id: 'esign', details: { from: 'signing', to: 'signed' } }),
      ]);

      const answer = await withdraw(t.alice, id);
      expect(answer.status).toBe(200);
      const requestId = answer.headers.get('x-request-id');
      expect(requestId).toBeTruthy();
      expect(await auditOf('subscription.withdraw', id)).toEqual([
        { actor_kind: 'subscriber', actor_id: DEMO_IDS.users.alice, request_id: requestId, details: { from: 'signed', to: 'withdrawn' } },
      ]);
    });

    it('signing by one-time code is recorded as the subscriber', async () => {
      const id = await documentsReady();
      const requested = await requestSignature(t.alice, id, 'otp');
      const { code } = await otpSent(requested.json.id);
      const answer = await confirmOtp(t.alice, id, code);
      expect(answer.status).toBe(200);
      expect(await auditOf('subscription.complete_signature', id)).toEqual([
        expect.objectContaining({ actor_kind: 'subscriber', actor_id: DEMO_IDS.users.alice, request_id: answer.headers.get('x-request-id') }),
      ]);
    });

    it('a refused withdrawal leaves no entry', async () => {
      const id = await draft();
      await withdraw(t.alice, id);
      expect(await auditOf('subscription.withdraw', id)).toEqual([]);
    });
  });
});
