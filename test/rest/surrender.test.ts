import { randomBytes } from 'node:crypto';
import { EACH_DATABASE } from '../support/databases';
import { call, login, type Answer } from '../support/http';
import type { TestServer } from '../support/server';
import {
  auditOf,
  compartmentRow,
  DEMO_IBAN,
  DEMO_IBAN_MASKED,
  freshPolicy,
  notificationsOf,
  paymentsEvent,
  policyStatus,
  parisToday,
  scaledEur,
} from '../support/surrender-fixtures';
import { surrenderSuite, ISO_INSTANT, newAddress, totalPath, partialPath, eur, expectError, expectRule } from '../support/surrender-suite';
import { DEMO_IDS, UUID_V7, testId } from '../support/ids';

// ---- helper builders -------------------------------------------------------------------------------

const expectNotFound = (answer: Answer, reason: string) => expectError(answer, 404, 'resource_not_found', reason);

describe.each(EACH_DATABASE)('surrender declarations over REST on %s', (_name, database) => {
  const suite = surrenderSuite(database);
  const { as, post, get, declaredCount } = suite;
  let server: TestServer;
  beforeAll(() => void ({ server } = suite.state()));

  describe('a partial surrender from an assurance-vie', () => {
    it('is received with its amount, masked payout IBAN and legal deadline, readable at its own path', async () => {
      const { policyId, compartments } = await freshPolicy(server, 'alice', 'av');
      const declared = await post(as.alice, partialPath(policyId, compartments.MAIN), { amount: scaledEur(100_000), requestedAt: parisToday(server.clock), reason: 'client-request' });
      expect(declared.status).toBe(201);
      expect(declared.json).toEqual({
        id: expect.stringMatching(UUID_V7),
        policyId: policyId,
        kind: 'partial',
        compartmentId: compartments.MAIN,
        status: 'received',
        amount: eur(100_000),
        paidAmount: null,
        reason: 'client-request',
        earlyReleaseCase: null,
        payoutIban: DEMO_IBAN_MASKED,
        payoutIbanSource: 'subscription_debit',
        requestedAt: expect.stringMatching(ISO_INSTANT),
        paymentDueBy: expect.stringMatching(ISO_INSTANT),
        paidAt: null,
        rejectionReason: null,
        declaredBy: 'subscriber',
        requiredDocuments: [],
        sale: null,
        history: [{ at: declared.json.requestedAt, fromStatus: null, toStatus: 'received', actorKind: 'subscriber', note: null }],
      });
      const read = await get(as.alice, `${partialPath(policyId, compartments.MAIN)}/${declared.json.id}`);
      expect(read.status).toBe(200);
      expect(read.json).toEqual(declared.json);
      // Declaring reserves nothing in the compartment yet: the value drops when the payment is confirmed.
      expect(await compartmentRow(server, compartments.MAIN)).toEqual({ status: 'active', value: 1_287_450 });
    });

    it('records an audit entry with the request id and a notification to the subscriber, never the full IBAN', async () => {
      const { policyId, compartments } = await freshPolicy(server, 'alice', 'av');
      const declared = await post(as.alice, partialPath(policyId, compartments.MAIN), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock) });
      const audit = await auditOf(server, declared.json.id);
      expect(audit).toEqual([
        {
          action: 'surrender.partial_declared', actor_kind: 'subscriber', actor_id: DEMO_IDS.users.alice, request_id: expect.stringMatching(/^req_/),
          details: expect.objectContaining({ policyId, compartmentId: compartments.MAIN, compartmentCode: 'MAIN', amount: 60_000, currency: 'EUR', payoutIban: DEMO_IBAN_MASKED }),
        },
      ]);
      const notifications = await notificationsOf(server, declared.json.id);
      expect(notifications).toEqual([{ recipient_user_id: DEMO_IDS.users.alice, template: 'surrender_declared', payload: expect.objectContaining({ kind: 'partial', amount: 60_000, payoutIban: DEMO_IBAN_MASKED }) }]);
      expect(JSON.stringify([audit, notifications, declared.json])).not.toContain(DEMO_IBAN);
    });

    it('is due two calendar months after the request, clamped to the month’s end, at 24:00 Paris (L132-21)', async () => {
      const start = server.clock.now();
      try {
        server.clock.set('2026-12-31T15:00:00+01:00');
        // A session of that day: tokens issued at the real time would not be valid then.
        const alice = { authorization: `Bearer ${(await login(server.url, 'alice@demo.test', newAddress())).token}` };
        const { policyId, compartments } = await freshPolicy(server, 'alice', 'av');
        const declared = await post(alice, partialPath(policyId, compartments.MAIN), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock) });
        expect(declared.json).toMatchObject({ requestedAt: '2026-12-31T14:00:00.000Z', paymentDueBy: '2027-02-28T23:00:00.000Z' });
        const total = await freshPolicy(server, 'alice', 'av');
        expect((await post(alice, totalPath(total.policyId), {})).json).toMatchObject({ paymentDueBy: '2027-02-28T23:00:00.000Z' });
      } finally {
        server.clock.set(start);
      }
    });

    describe('an amount is required, unknown properties are refused (400)', () => {
      it('an amount is required, unknown properties are refused', async () => {
        const { policyId, compartments } = await freshPolicy(server, 'alice', 'av');
        expectError(await post(as.alice, partialPath(policyId, compartments.MAIN), { requestedAt: parisToday(server.clock) }), 400, 'parameter_invalid', 'REQUIRED_FIELD_MISSING', 'amount');
        expectError(await post(as.alice, partialPath(policyId, compartments.MAIN), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock), status: 'paid' }), 400, 'parameter_invalid', 'UNKNOWN_FIELD', 'status');
      });
    });

    describe('product terms and the compartment’s value (422 naming the rule)', () => {
      // prd_av_demo (migration 007): at least 500.00 EUR, leaving at least 1,000.00 EUR; MAIN holds 12,874.50 EUR.
      it.each([
        ['below the product minimum', 49_999, 'PARTIAL_SURRENDER_BELOW_PRODUCT_MINIMUM'],
        ['above the compartment’s value', 1_287_451, 'PARTIAL_SURRENDER_EXCEEDS_COMPARTMENT_VALUE'],
        ['leaving less than the minimum remaining balance', 1_187_451, 'PARTIAL_SURRENDER_BELOW_MINIMUM_REMAINING_BALANCE'],
        ['the whole compartment', 1_287_450, 'PARTIAL_SURRENDER_BELOW_MINIMUM_REMAINING_BALANCE'],
      ])('%s', async (_label, amount, reason) => {
        const { policyId, compartments } = await freshPolicy(server, 'alice', 'av');
        expectRule(await post(as.alice, partialPath(policyId, compartments.MAIN), { amount: scaledEur(amount), requestedAt: parisToday(server.clock) }), reason, 'amount.value');
        expect(await declaredCount(policyId)).toBe(0);
      });

      it('accepts exactly the minimum, and exactly what leaves the minimum remaining balance', async () => {
        const { policyId, compartments } = await freshPolicy(server, 'alice', 'av');
        expect((await post(as.alice, partialPath(policyId, compartments.MAIN), { amount: scaledEur(50_000), requestedAt: parisToday(server.clock) })).status).toBe(201);
        // 1,287,450 - 50,000 reserved = 1,237,450 available; leaving 100,000.
        expect((await post(as.alice, partialPath(policyId, compartments.MAIN), { amount: scaledEur(1_137_450), requestedAt: parisToday(server.clock) })).status).toBe(201);
        expectRule(await post(as.alice, partialPath(policyId, compartments.MAIN), { amount: scaledEur(50_000), requestedAt: parisToday(server.clock) }), 'PARTIAL_SURRENDER_BELOW_MINIMUM_REMAINING_BALANCE', 'amount.value');
      });

      it('is in euros (400 naming amount.currency)', async () => {
        const { policyId, compartments } = await freshPolicy(server, 'alice', 'av');
        expectError(await post(as.alice, partialPath(policyId, compartments.MAIN), { amount: { value: 60_000, scale: 2, currency: 'USD' }, requestedAt: parisToday(server.clock) }), 400, 'parameter_invalid', 'CURRENCY_NOT_ACCEPTED', 'amount.currency');
      });
    });

    it('goes received -> processing -> paid through the payments webhook, lowering the compartment once', async () => {
      const { policyId, compartments } = await freshPolicy(server, 'alice', 'av');
      const declared = await post(as.alice, partialPath(policyId, compartments.MAIN), { amount: scaledEur(200_000), requestedAt: parisToday(server.clock) });
      const path = `${partialPath(policyId, compartments.MAIN)}/${declared.json.id}`;

      expect((await paymentsEvent(server, 'surrender.processing', { declaration_id: declared.json.id })).json).toEqual({ received: true, duplicate: false });
      expect((await get(as.alice, path)).json).toMatchObject({ status: 'processing', paidAmount: null });
      expect(await compartmentRow(server, compartments.MAIN)).toEqual({ status: 'active', value: 1_287_450 });

      const paid = await paymentsEvent(server, 'surrender.paid', { declaration_id: declared.json.id });
      expect(paid.json).toEqual({ received: true, duplicate: false });
      const read = await get(as.alice, path);
      expect(read.json).toMatchObject({ status: 'paid', paidAmount: eur(200_000), paidAt: expect.stringMatching(ISO_INSTANT) });
      expect(read.json.history.map((h: { fromStatus: string | null; toStatus: string; actorKind: string }) => [h.fromStatus, h.toStatus, h.actorKind])).toEqual([
        [null, 'received', 'subscriber'],
        ['received', 'processing', 'system'],
        ['processing', 'paid', 'system'],
      ]);
      expect(await compartmentRow(server, compartments.MAIN)).toEqual({ status: 'active', value: 1_087_450 });
      expect(await policyStatus(server, policyId)).toBe('active');
      expect((await auditOf(server, declared.json.id)).map((a) => [a.action, a.actor_kind, a.actor_id])).toEqual([
        ['surrender.partial_declared', 'subscriber', DEMO_IDS.users.alice],
        ['surrender.processing', 'system', 'payments'],
        ['surrender.paid', 'system', 'payments'],
      ]);
      expect((await notificationsOf(server, declared.json.id)).map((n) => [n.recipient_user_id, n.template])).toEqual([
        [DEMO_IDS.users.alice, 'surrender_declared'],
        [DEMO_IDS.users.alice, 'surrender_processing'],
        [DEMO_IDS.users.alice, 'surrender_paid'],
      ]);
    });

    it('applies a payment once: a replayed webhook-id and a second distinct paid event change nothing', async () => {
      const { policyId, compartments } = await freshPolicy(server, 'alice', 'av');
      const declared = await post(as.alice, partialPath(policyId, compartments.MAIN), { amount: scaledEur(200_000), requestedAt: parisToday(server.clock) });
      const webhookId = `msg_replay_${randomBytes(4).toString('hex')}`;
      expect((await paymentsEvent(server, 'surrender.paid', { declaration_id: declared.json.id }, webhookId)).json).toEqual({ received: true, duplicate: false });
      expect((await paymentsEvent(server, 'surrender.paid', { declaration_id: declared.json.id }, webhookId)).json).toEqual({ received: true, duplicate: true });
      const again = await paymentsEvent(server, 'surrender.paid', { declaration_id: declared.json.id });
      expect(again.status).toBe(200);
      expect(again.json).toEqual({ received: true, duplicate: false });
      const late = await paymentsEvent(server, 'surrender.rejected', { declaration_id: declared.json.id, reason: 'too late' });
      expect(late.status).toBe(200);
      expect(await compartmentRow(server, compartments.MAIN)).toEqual({ status: 'active', value: 1_087_450 });
      expect((await get(as.alice, `${partialPath(policyId, compartments.MAIN)}/${declared.json.id}`)).json).toMatchObject({ status: 'paid', rejectionReason: null });
      expect((await auditOf(server, declared.json.id)).map((a) => a.action)).toEqual(['surrender.partial_declared', 'surrender.paid']);
      expect((await notificationsOf(server, declared.json.id)).map((n) => n.template)).toEqual(['surrender_declared', 'surrender_paid']);
    });

    it('rejected: keeps the money in the compartment, shows the reason, and frees the reserved amount', async () => {
      const { policyId, compartments } = await freshPolicy(server, 'alice', 'av');
      const declared = await post(as.alice, partialPath(policyId, compartments.MAIN), { amount: scaledEur(1_187_450), requestedAt: parisToday(server.clock) });
      expectRule(await post(as.alice, partialPath(policyId, compartments.MAIN), { amount: scaledEur(50_000), requestedAt: parisToday(server.clock) }), 'PARTIAL_SURRENDER_BELOW_MINIMUM_REMAINING_BALANCE', 'amount.value');
      expect((await paymentsEvent(server, 'surrender.rejected', { declaration_id: declared.json.id, reason: 'beneficiary account closed' })).status).toBe(200);
      expect((await get(as.alice, `${partialPath(policyId, compartments.MAIN)}/${declared.json.id}`)).json).toMatchObject({ status: 'rejected', rejectionReason: 'beneficiary account closed', paidAmount: null });
      expect(await compartmentRow(server, compartments.MAIN)).toEqual({ status: 'active', value: 1_287_450 });
      expect((await post(as.alice, partialPath(policyId, compartments.MAIN), { amount: scaledEur(50_000), requestedAt: parisToday(server.clock) })).status).toBe(201);
      expect((await notificationsOf(server, declared.json.id)).map((n) => n.template)).toEqual(['surrender_declared', 'surrender_rejected']);
    });
  });

  // The public docs (errors/parameter_invalid) list each 400 of these two routes; each is tested here as a
  // documented integrator would send it.

  describe('who may declare', () => {
    it.each([
      ['the broker of the subscriber’s distributor', 'broker', 'broker'],
      ['back-office', 'backoffice', 'backoffice'],
      ['the distributor’s partner platform', 'partner', 'machine'],
    ] as const)('%s, on the subscriber’s behalf: the subscriber is notified and the money goes to their IBAN', async (_label, who, kind) => {
      const { policyId, compartments } = await freshPolicy(server, 'alice', 'av');
      const declared = await post(as[who], partialPath(policyId, compartments.MAIN), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock) });
      expect(declared.status).toBe(201);
      expect(declared.json).toMatchObject({ declaredBy: kind, payoutIban: DEMO_IBAN_MASKED });
      expect((await notificationsOf(server, declared.json.id)).map((n) => [n.recipient_user_id, n.template, n.payload.declaredBy])).toEqual([[DEMO_IDS.users.alice, 'surrender_declared', kind]]);
      expect((await auditOf(server, declared.json.id))[0]).toMatchObject({ action: 'surrender.partial_declared', actor_kind: kind });
      expect((await get(as.alice, `${partialPath(policyId, compartments.MAIN)}/${declared.json.id}`)).status).toBe(200);
    });

    it('nobody without a session: 401 before anything else', async () => {
      const answer = await call(`${server.url}${totalPath(DEMO_IDS.policies.aliceAv)}`, { method: 'POST', json: {} });
      expect(answer.status).toBe(401);
      expect(answer.json.errors[0].message).toBe('NO_SESSION');
    });
  });

  describe('object-level access: subscriber A gets 404 on B’s policies, compartments and declarations', () => {
    it('on B’s policy, as for a policy that does not exist, and nothing is written', async () => {
      const bobs = await freshPolicy(server, 'bob', 'av');
      expectNotFound(await post(as.alice, totalPath(bobs.policyId), {}), 'POLICY_NOT_FOUND');
      expectNotFound(await post(as.alice, totalPath(testId('pol_nobody')), {}), 'POLICY_NOT_FOUND');
      expectNotFound(await post(as.alice, partialPath(bobs.policyId, bobs.compartments.MAIN), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock) }), 'POLICY_NOT_FOUND');
      expect(await declaredCount(bobs.policyId)).toBe(0);
    });

    it('on B’s compartment under A’s own policy', async () => {
      const alices = await freshPolicy(server, 'alice', 'av');
      const bobs = await freshPolicy(server, 'bob', 'av');
      expectError(await post(as.alice, partialPath(alices.policyId, bobs.compartments.MAIN), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock) }), 404, 'compartment_not_found', 'COMPARTMENT_NOT_FOUND');
      expectError(await post(as.alice, partialPath(alices.policyId, testId('cmp_nobody')), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock) }), 404, 'compartment_not_found', 'COMPARTMENT_NOT_FOUND');
    });

    it('on B’s declarations, read directly or through A’s own policy and compartment', async () => {
      const alices = await freshPolicy(server, 'alice', 'av');
      const bobs = await freshPolicy(server, 'bob', 'av');
      const bobsPartial = await post(as.bob, partialPath(bobs.policyId, bobs.compartments.MAIN), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock) });
      const bobsTotal = await freshPolicy(server, 'bob', 'av');
      const total = await post(as.bob, totalPath(bobsTotal.policyId), {});
      expect([bobsPartial.status, total.status]).toEqual([201, 201]);

      expectNotFound(await get(as.alice, `${partialPath(bobs.policyId, bobs.compartments.MAIN)}/${bobsPartial.json.id}`), 'POLICY_NOT_FOUND');
      expectNotFound(await get(as.alice, `${totalPath(bobsTotal.policyId)}/${total.json.id}`), 'POLICY_NOT_FOUND');
      expectNotFound(await get(as.alice, `${partialPath(alices.policyId, alices.compartments.MAIN)}/${bobsPartial.json.id}`), 'SURRENDER_DECLARATION_NOT_FOUND');
      expectNotFound(await get(as.alice, `${totalPath(alices.policyId)}/${total.json.id}`), 'SURRENDER_DECLARATION_NOT_FOUND');
      // Bob's broker sees them; a declaration read under the wrong kind or compartment is not there.
      expect((await get(as.broker, `${totalPath(bobsTotal.policyId)}/${total.json.id}`)).status).toBe(200);
      expectNotFound(await get(as.bob, `${totalPath(bobs.policyId)}/${bobsPartial.json.id}`), 'SURRENDER_DECLARATION_NOT_FOUND');
      expectNotFound(await get(as.bob, `${partialPath(bobsTotal.policyId, bobs.compartments.MAIN)}/${total.json.id}`), 'SURRENDER_DECLARATION_NOT_FOUND');
    });
  });
});
