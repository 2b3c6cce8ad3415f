import { randomBytes } from 'node:crypto';
import { EACH_DATABASE } from '../support/databases';
import { call, login, type Answer } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';
import { acceptedBeneficiary, acceptedEvidence, reviewEvidence, uploadEvidence } from '../support/evidence';
import { addCalendarMonths, surrenderPaymentDueBy } from '../../domain/surrender/payment-deadline';
import { addDays, endOfParisDay } from '../../domain/shared/paris-calendar';
import {
  auditOf,
  compartmentRow,
  DEMO_IBAN,
  DEMO_IBAN_MASKED,
  freshPolicy,
  notificationsOf,
  PAYMENTS_SECRET,
  paymentsEvent,
  policyStatus,
} from '../support/surrender-fixtures';
import { acceptIbanProof, confirmWithCode } from '../support/payout-fixtures';
import { DemoPortfolioStore } from '../../store/demo-store';
import { parisToday, scaledEur } from '../support/surrender-fixtures';
import { restReason } from '../support/errors';
import { DEMO_IDS, UUID_V7, testId } from '../support/ids';

// ---- helper builders -------------------------------------------------------------------------------

const PARTNER = { client_id: 'demo-partner', client_secret: 'demo-partner-secret', serial: '01:23:45:67:89:AB:CD:EF' };
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

let addressCounter = 0;
/** A distinct client address per login, so the per-address login throttle never interferes. */
const newAddress = () => `10.52.${Math.floor(++addressCounter / 250)}.${addressCounter % 250}`;

type Caller = Record<string, string>;
const totalPath = (policyId: string) => `/v1/total-surrender/policies/${policyId}/declarations`;
const partialPath = (policyId: string, compartmentId: string) => `/v1/partial-surrender/policies/${policyId}/compartments/${compartmentId}/declarations`;
const eur = (amount: number) => ({ amount, currency: 'EUR' });

function expectError(answer: Answer, status: number, code: string, message: string, field?: string): void {
  expect({ status: answer.status, error: answer.json?.errors?.[0] }).toEqual({ status, error: expect.objectContaining({ code, ...restReason(code, message), ...(field ? { field } : {}) }) });
  expect(answer.json.errors).toHaveLength(1);
}

/** The stable reason of an error entry (beside the sentence in `message` once errors carry both). */
const reasonOf = (error: { reason?: string; message: string }) => error.reason ?? error.message;
const expectNotFound = (answer: Answer, reason: string) => expectError(answer, 404, 'resource_not_found', reason);
const expectRule = (answer: Answer, reason: string, field?: string) => expectError(answer, 422, 'unprocessable_content', reason, field);

describe.each(EACH_DATABASE)('surrender declarations over REST on %s', (_name, database) => {
  let server: TestServer;
  const as: Record<'alice' | 'bob' | 'broker' | 'backoffice' | 'partner', Caller> = { alice: {}, bob: {}, broker: {}, backoffice: {}, partner: {} };

  const post = (caller: Caller, path: string, body: unknown, headers: Record<string, string> = {}) => call(`${server.url}${path}`, { method: 'POST', headers: { ...caller, ...headers }, json: body });
  const get = (caller: Caller, path: string) => call(`${server.url}${path}`, { headers: caller });
  /** Uploads (as `who`) and back-office accepts one proof of every document the declaration needs. */
  const completeFile = async (declaration: { id: string; requiredDocuments: Array<{ item: string }> }, who: Caller = as.alice) => {
    for (const { item } of declaration.requiredDocuments) await acceptedEvidence(server, who, as.backoffice, DEMO_IDS.subscribers.alice, { kind: 'early_release_proof', subjectId: declaration.id, item });
  };
  const declaredCount = async (policyId: string) => Number((await server.db.query<{ n: number }>('select count(*)::int as n from surrender_declarations where policy_id = $1', [policyId]))[0].n);

  beforeAll(async () => {
    server = await startTestServer(database, { demoPortfolio: true, webhookSecrets: { payments: [PAYMENTS_SECRET] } });
    for (const who of ['alice', 'bob', 'broker', 'backoffice'] as const) as[who] = { authorization: `Bearer ${(await login(server.url, `${who}@demo.test`, newAddress())).token}` };
    const token = await call(`${server.url}/v1/auth/token`, {
      method: 'POST',
      headers: { 'x-client-certificate-serial': PARTNER.serial, 'x-forwarded-for': newAddress() },
      json: { grant_type: 'client_credentials', client_id: PARTNER.client_id, client_secret: PARTNER.client_secret },
    });
    as.partner = { authorization: `Bearer ${token.json.access_token}`, 'x-client-certificate-serial': PARTNER.serial };
  });
  afterAll(async () => {
    await server?.close();
  });

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
  describe('the documented bodies', () => {
    const daysAgo = (n: number) => addDays(parisToday(server.clock), -n);

    describe('POST total-surrender declarations: reason and requestedAt', () => {
      it.each([['client-request'], ['regulatory'], ['compliance']])('takes reason %s with requestedAt today: 201, the reason as sent', async (reason) => {
        const { policyId } = await freshPolicy(server, 'alice', 'av');
        const declared = await post(as.alice, totalPath(policyId), { reason, requestedAt: parisToday(server.clock) });
        expect(declared.status).toBe(201);
        expect(declared.json).toMatchObject({ kind: 'total', status: 'received', reason, earlyReleaseCase: null });
        expect((await get(as.alice, `${totalPath(policyId)}/${declared.json.id}`)).json.reason).toBe(reason);
      });

      it.each([['CLIENT-REQUEST'], ['client request'], ['other'], [''], [5], [true], [['regulatory']], [{ value: 'regulatory' }]])('refuses reason %j: 400 naming reason', async (reason) => {
        const { policyId } = await freshPolicy(server, 'alice', 'av');
        expectError(await post(as.alice, totalPath(policyId), { reason, requestedAt: parisToday(server.clock) }), 400, 'parameter_invalid', 'INVALID_FIELD_VALUE', 'reason');
        expect(await declaredCount(policyId)).toBe(0);
      });

      it.each([['2026-13-01'], ['2026-02-30'], ['2026-1-5'], ['30/11/2026'], ['2026-11-30T10:00:00Z'], ['tomorrow'], [''], [20261130], [null]])('refuses requestedAt %j that is not a YYYY-MM-DD date: 400 naming requestedAt', async (requestedAt) => {
        const { policyId } = await freshPolicy(server, 'alice', 'av');
        const answer = await post(as.alice, totalPath(policyId), { reason: 'client-request', requestedAt });
        if (requestedAt === null) {
          // null is "not given" for an optional field: today.
          expect(answer.status).toBe(201);
          return;
        }
        expectError(answer, 400, 'parameter_invalid', 'INVALID_FIELD_VALUE', 'requestedAt');
        expect(await declaredCount(policyId)).toBe(0);
      });

      it('an earlier requestedAt starts the legal deadline that day (Paris); a later one, or one before the policy was issued, is a 422', async () => {
        const { policyId } = await freshPolicy(server, 'alice', 'av');
        const day = daysAgo(10);
        const declared = await post(as.alice, totalPath(policyId), { reason: 'regulatory', requestedAt: day });
        expect(declared.status).toBe(201);
        expect(declared.json.requestedAt).toBe(endOfParisDay(addDays(day, -1)).toISOString());
        expect(declared.json.paymentDueBy).toBe(surrenderPaymentDueBy(new Date(declared.json.requestedAt)).toISOString());
        const other = await freshPolicy(server, 'alice', 'av');
        expectRule(await post(as.alice, totalPath(other.policyId), { reason: 'client-request', requestedAt: addDays(parisToday(server.clock), 1) }), 'REQUESTED_AT_IN_THE_FUTURE', 'requestedAt');
        // freshPolicy's policies were issued in 2025.
        expectRule(await post(as.alice, totalPath(other.policyId), { reason: 'client-request', requestedAt: '2001-01-02' }), 'REQUESTED_AT_BEFORE_POLICY_ISSUE', 'requestedAt');
        expect(await declaredCount(other.policyId)).toBe(0);
      });

      it('a body that is not JSON is a 400', async () => {
        const { policyId } = await freshPolicy(server, 'alice', 'av');
        const malformed = await call(`${server.url}${totalPath(policyId)}`, { method: 'POST', headers: { ...as.alice, 'content-type': 'application/json' }, body: '{"reason": "client-request",' });
        expectError(malformed, 400, 'parameter_invalid', 'MALFORMED_JSON');
        // Not application/json: the docs make it a 400 too.
        const text = await call(`${server.url}${totalPath(policyId)}`, { method: 'POST', headers: { ...as.alice, 'content-type': 'text/plain' }, body: 'reason=client-request' });
        expectError(text, 400, 'parameter_invalid', 'UNSUPPORTED_CONTENT_TYPE');
        expect(await declaredCount(policyId)).toBe(0);
      });
    });

    describe('POST partial-surrender declarations: amount {value, scale, currency} and requestedAt', () => {
      it.each([
        ['1,234.56 EUR at scale 2', { value: 123_456, scale: 2, currency: 'EUR' }, 123_456],
        ['the same at scale 4', { value: 12_345_600, scale: 4, currency: 'EUR' }, 123_456],
        ['1,000.5 EUR at scale 1', { value: 10_005, scale: 1, currency: 'EUR' }, 100_050],
        ['0.09 EUR written with 17 decimals', { value: 9_000_000_000_000_000, scale: 17, currency: 'EUR' }, 9],
      ])('takes %s: stored as exact cents', async (_label, amount, cents) => {
        const { policyId, compartments } = await freshPolicy(server, 'alice', 'av', { MAIN: 10_000_000 });
        const declared = await post(as.alice, partialPath(policyId, compartments.MAIN), { amount, requestedAt: parisToday(server.clock) });
        if (cents < 50_000) {
          // Below the product's minimum: the amount was read exactly, then the product's rule applies.
          expectRule(declared, 'PARTIAL_SURRENDER_BELOW_PRODUCT_MINIMUM', 'amount.value');
          return;
        }
        expect(declared.status).toBe(201);
        expect(declared.json).toMatchObject({ kind: 'partial', amount: eur(cents), reason: 'client-request' });
      });

      it.each([
        ['value zero', { value: 0, scale: 2, currency: 'EUR' }, 'amount.value', 'VALUE_NOT_POSITIVE_INTEGER'],
        ['value negative', { value: -100, scale: 2, currency: 'EUR' }, 'amount.value', 'VALUE_NOT_POSITIVE_INTEGER'],
        ['value a fraction', { value: 1000.5, scale: 2, currency: 'EUR' }, 'amount.value', 'INVALID_FIELD_VALUE'],
        ['value a string', { value: '1000', scale: 2, currency: 'EUR' }, 'amount.value', 'INVALID_FIELD_VALUE'],
        ['value beyond 2^53', { value: 2 ** 53, scale: 2, currency: 'EUR' }, 'amount.value', 'INVALID_FIELD_VALUE'],
        ['scale zero', { value: 1000, scale: 0, currency: 'EUR' }, 'amount.scale', 'SCALE_NOT_POSITIVE_INTEGER'],
        ['scale negative', { value: 1000, scale: -2, currency: 'EUR' }, 'amount.scale', 'SCALE_NOT_POSITIVE_INTEGER'],
        ['scale a fraction', { value: 1000, scale: 1.5, currency: 'EUR' }, 'amount.scale', 'INVALID_FIELD_VALUE'],
        ['currency USD', { value: 60_000, scale: 2, currency: 'USD' }, 'amount.currency', 'CURRENCY_NOT_ACCEPTED'],
        ['currency lower case', { value: 60_000, scale: 2, currency: 'eur' }, 'amount.currency', 'CURRENCY_NOT_ACCEPTED'],
        ['no value', { scale: 2, currency: 'EUR' }, 'amount.value', 'REQUIRED_FIELD_MISSING'],
        ['no scale', { value: 60_000, currency: 'EUR' }, 'amount.scale', 'REQUIRED_FIELD_MISSING'],
        ['no currency', { value: 60_000, scale: 2 }, 'amount.currency', 'REQUIRED_FIELD_MISSING'],
        ['our minor-unit shape', { amount: 60_000, currency: 'EUR' }, 'amount.value', 'REQUIRED_FIELD_MISSING'],
        ['a number', 600, 'amount', 'INVALID_FIELD_VALUE'],
        ['beyond the largest amount', { value: 100_000_000_001, scale: 2, currency: 'EUR' }, 'amount.value', 'AMOUNT_ABOVE_MAXIMUM'],
      ])('refuses %s: 400 naming the field', async (_label, amount, field, reason) => {
        const { policyId, compartments } = await freshPolicy(server, 'alice', 'av');
        const answer = await post(as.alice, partialPath(policyId, compartments.MAIN), { amount, requestedAt: parisToday(server.clock) });
        expect({ status: answer.status, code: answer.json.errors?.[0]?.code, field: answer.json.errors?.[0]?.field }).toEqual({ status: 400, code: 'parameter_invalid', field });
        expect(reasonOf(answer.json.errors[0])).toBe(reason);
        expect(await declaredCount(policyId)).toBe(0);
      });

      it.each([
        ['0.125 EUR', { value: 125, scale: 3 }],
        ['1,000.001 EUR', { value: 1_000_001, scale: 3 }],
        ['a sub-cent digit far down', { value: 1_000_000_000_000_001, scale: 15 }],
        ['a scale past every digit', { value: 60_000, scale: 40 }],
      ])('refuses %s, finer than the cent, without rounding: 400 naming amount.value and amount.scale', async (_label, scaled) => {
        const { policyId, compartments } = await freshPolicy(server, 'alice', 'av');
        const answer = await post(as.alice, partialPath(policyId, compartments.MAIN), { amount: { ...scaled, currency: 'EUR' }, requestedAt: parisToday(server.clock) });
        expect(answer.status).toBe(400);
        expect(answer.json.errors.map((e: { field: string; message: string; code: string }) => [e.code, e.field, reasonOf(e)])).toEqual([
          ['parameter_invalid', 'amount.value', 'AMOUNT_FINER_THAN_MINOR_UNIT'],
          ['parameter_invalid', 'amount.scale', 'AMOUNT_FINER_THAN_MINOR_UNIT'],
        ]);
        expect(await declaredCount(policyId)).toBe(0);
      });

      it('requires amount and requestedAt (400 naming each)', async () => {
        const { policyId, compartments } = await freshPolicy(server, 'alice', 'av');
        expectError(await post(as.alice, partialPath(policyId, compartments.MAIN), { amount: scaledEur(60_000) }), 400, 'parameter_invalid', 'REQUIRED_FIELD_MISSING', 'requestedAt');
        expectError(await post(as.alice, partialPath(policyId, compartments.MAIN), { amount: scaledEur(60_000), requestedAt: null }), 400, 'parameter_invalid', 'INVALID_FIELD_VALUE', 'requestedAt');
        expectError(await post(as.alice, partialPath(policyId, compartments.MAIN), { requestedAt: parisToday(server.clock) }), 400, 'parameter_invalid', 'REQUIRED_FIELD_MISSING', 'amount');
        const both = await post(as.alice, partialPath(policyId, compartments.MAIN), {});
        expect(both.status).toBe(400);
        expect(both.json.errors.map((e: { field: string }) => e.field).sort()).toEqual(['amount', 'requestedAt']);
        expect(await declaredCount(policyId)).toBe(0);
      });

      it.each([['2026-13-01'], ['2026-02-30'], ['2026-1-5'], ['30/11/2026'], ['2026-11-30T10:00:00Z'], [''], [20261130]])('refuses requestedAt %j: 400 naming requestedAt', async (requestedAt) => {
        const { policyId, compartments } = await freshPolicy(server, 'alice', 'av');
        expectError(await post(as.alice, partialPath(policyId, compartments.MAIN), { amount: scaledEur(60_000), requestedAt }), 400, 'parameter_invalid', 'INVALID_FIELD_VALUE', 'requestedAt');
        expect(await declaredCount(policyId)).toBe(0);
      });

      it('an earlier requestedAt is when the request was made; a future one is a 422', async () => {
        const { policyId, compartments } = await freshPolicy(server, 'alice', 'av');
        const day = daysAgo(3);
        const declared = await post(as.alice, partialPath(policyId, compartments.MAIN), { amount: scaledEur(60_000), requestedAt: day });
        expect(declared.status).toBe(201);
        expect(declared.json).toMatchObject({ requestedAt: endOfParisDay(addDays(day, -1)).toISOString(), paymentDueBy: endOfParisDay(addCalendarMonths(day, 2)).toISOString() });
        expectRule(await post(as.alice, partialPath(policyId, compartments.MAIN), { amount: scaledEur(60_000), requestedAt: addDays(parisToday(server.clock), 1) }), 'REQUESTED_AT_IN_THE_FUTURE', 'requestedAt');
      });

      it('a reason is optional, from the same list as a total surrender', async () => {
        const { policyId, compartments } = await freshPolicy(server, 'alice', 'av');
        expect((await post(as.alice, partialPath(policyId, compartments.MAIN), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock), reason: 'compliance' })).json.reason).toBe('compliance');
        // wire-codemod: keep (free text is no longer a reason)
        expectError(await post(as.alice, partialPath(policyId, compartments.MAIN), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock), reason: 'new car' }), 400, 'parameter_invalid', 'INVALID_FIELD_VALUE', 'reason');
      });

      it('a body that is not JSON is a 400', async () => {
        const { policyId, compartments } = await freshPolicy(server, 'alice', 'av');
        const malformed = await call(`${server.url}${partialPath(policyId, compartments.MAIN)}`, { method: 'POST', headers: { ...as.alice, 'content-type': 'application/json' }, body: '{"amount": {"value": 1' });
        expectError(malformed, 400, 'parameter_invalid', 'MALFORMED_JSON');
        const form = await call(`${server.url}${partialPath(policyId, compartments.MAIN)}`, { method: 'POST', headers: { ...as.alice, 'content-type': 'application/x-www-form-urlencoded' }, body: 'amount=1' });
        expectError(form, 400, 'parameter_invalid', 'UNSUPPORTED_CONTENT_TYPE');
        expect(await declaredCount(policyId)).toBe(0);
      });
    });
  });

  describe('a total surrender', () => {
    it('is declared with the policy’s value; once its file is complete, paying it closes the policy and every compartment (value 0)', async () => {
      const { policyId, compartments } = await freshPolicy(server, 'alice', 'per', { C1: 842_300, C2: 356_120 });
      const declared = await post(as.alice, totalPath(policyId), { earlyReleaseCase: 'over_indebtedness' });
      expect(declared.status).toBe(201);
      expect(declared.json).toMatchObject({ kind: 'total', compartmentId: null, status: 'awaiting_documents', amount: eur(1_198_420), earlyReleaseCase: 'over_indebtedness', payoutIban: DEMO_IBAN_MASKED });
      expect((await get(as.alice, `${totalPath(policyId)}/${declared.json.id}`)).json).toEqual(declared.json);
      await completeFile(declared.json);
      expect((await get(as.alice, `${totalPath(policyId)}/${declared.json.id}`)).json.status).toBe('received');

      expect((await paymentsEvent(server, 'surrender.paid', { declaration_id: declared.json.id })).status).toBe(200);
      expect((await get(as.alice, `${totalPath(policyId)}/${declared.json.id}`)).json).toMatchObject({ status: 'paid', paidAmount: eur(1_198_420) });
      expect(await policyStatus(server, policyId)).toBe('closed');
      expect(await compartmentRow(server, compartments.C1)).toEqual({ status: 'closed', value: 0 });
      expect(await compartmentRow(server, compartments.C2)).toEqual({ status: 'closed', value: 0 });
      // The closure is part of each compartment's lifecycle record.
      const events = await server.db.query<{ to_status: string; actor_kind: string; reason: string }>('select to_status, actor_kind, reason from compartment_events where compartment_id = $1', [compartments.C1]);
      expect(events).toEqual([{ to_status: 'closed', actor_kind: 'system', reason: `total surrender ${declared.json.id} paid` }]);
      // A closed policy cannot be surrendered again.
      expectError(await post(as.alice, totalPath(policyId), { earlyReleaseCase: 'over_indebtedness' }), 409, 'conflict', 'CANNOT_SURRENDER_POLICY_IN_STATE_CLOSED');
      expect((await auditOf(server, declared.json.id)).map((a) => a.action)).toEqual(['surrender.total_declared', 'surrender.documents_complete', 'surrender.paid']);
    });

    it('can be declared with an empty body on an assurance-vie', async () => {
      const { policyId } = await freshPolicy(server, 'alice', 'av');
      const declared = await call(`${server.url}${totalPath(policyId)}`, { method: 'POST', headers: as.alice });
      expect(declared.status).toBe(201);
      expect(declared.json).toMatchObject({ kind: 'total', amount: eur(1_287_450), reason: 'client-request', earlyReleaseCase: null, requestedAt: expect.stringMatching(ISO_INSTANT) });
    });

    it('only one may be open per policy, and no partial surrender while it is open (409 TOTAL_SURRENDER_ALREADY_OPEN)', async () => {
      const { policyId, compartments } = await freshPolicy(server, 'alice', 'av');
      const first = await post(as.alice, totalPath(policyId), {});
      expect(first.status).toBe(201);
      expectError(await post(as.alice, totalPath(policyId), {}), 409, 'conflict', 'TOTAL_SURRENDER_ALREADY_OPEN');
      expectError(await post(as.alice, partialPath(policyId, compartments.MAIN), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock) }), 409, 'conflict', 'TOTAL_SURRENDER_ALREADY_OPEN');
      await paymentsEvent(server, 'surrender.processing', { declaration_id: first.json.id });
      expectError(await post(as.broker, totalPath(policyId), {}), 409, 'conflict', 'TOTAL_SURRENDER_ALREADY_OPEN');
      // Once rejected, it is no longer open.
      await paymentsEvent(server, 'surrender.rejected', { declaration_id: first.json.id, reason: 'identity check failed' });
      const partial = await post(as.alice, partialPath(policyId, compartments.MAIN), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock) });
      expect(partial.status).toBe(201);
      // Nor a total one while a partial payment may be on its way; once it is paid, the rest can go.
      expectError(await post(as.alice, totalPath(policyId), {}), 409, 'conflict', 'PARTIAL_SURRENDER_OPEN');
      await paymentsEvent(server, 'surrender.paid', { declaration_id: partial.json.id });
      expect((await post(as.alice, totalPath(policyId), {})).json).toMatchObject({ status: 'received', amount: eur(1_227_450) });
    });

    it('two concurrent declarations on one policy: exactly one is received', async () => {
      const { policyId } = await freshPolicy(server, 'alice', 'av');
      const answers = await Promise.all([0, 1, 2].map(() => post(as.alice, totalPath(policyId), {})));
      expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409]);
      for (const refused of answers.filter((a) => a.status === 409)) expect(refused.json.errors[0].reason).toBe('TOTAL_SURRENDER_ALREADY_OPEN');
      expect(await declaredCount(policyId)).toBe(1);
    });

    it('a retried POST with the same Idempotency-Key replays the declaration instead of a 409', async () => {
      const { policyId } = await freshPolicy(server, 'alice', 'av');
      const key = { 'idempotency-key': `key-${randomBytes(6).toString('hex')}` };
      const first = await post(as.alice, totalPath(policyId), {}, key);
      const replay = await post(as.alice, totalPath(policyId), {}, key);
      expect(replay.status).toBe(201);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.json.id).toBe(first.json.id);
      expect(await declaredCount(policyId)).toBe(1);
    });
  });

  describe('compartment states', () => {
    const transition = (policyId: string, compartmentId: string, action: string) =>
      post(as.backoffice, `/v1/compartment-lifecycle/policies/${policyId}/compartments/${compartmentId}/${action}`, { reason: 'test' });

    it('a suspended, liquidating or closed compartment refuses a partial surrender (409 naming the state)', async () => {
      const { policyId, compartments } = await freshPolicy(server, 'alice', 'per');
      expect((await transition(policyId, compartments.C1, 'suspend')).status).toBe(200);
      expectError(await post(as.alice, partialPath(policyId, compartments.C1), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock), earlyReleaseCase: 'over_indebtedness' }), 409, 'conflict', 'CANNOT_SURRENDER_FROM_COMPARTMENT_IN_STATE_SUSPENDED');
      expect((await transition(policyId, compartments.C1, 'liquidate')).status).toBe(200);
      expectError(await post(as.alice, partialPath(policyId, compartments.C1), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock), earlyReleaseCase: 'over_indebtedness' }), 409, 'conflict', 'CANNOT_SURRENDER_FROM_COMPARTMENT_IN_STATE_LIQUIDATING');
      expect((await transition(policyId, compartments.C1, 'close')).status).toBe(200);
      expectError(await post(as.alice, partialPath(policyId, compartments.C1), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock), earlyReleaseCase: 'over_indebtedness' }), 409, 'conflict', 'CANNOT_SURRENDER_FROM_COMPARTMENT_IN_STATE_CLOSED');
      expect(await declaredCount(policyId)).toBe(0);
      // The other compartments are not affected.
      expect((await post(as.alice, partialPath(policyId, compartments.C2), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock), earlyReleaseCase: 'over_indebtedness' })).status).toBe(201);
    });

    it('a suspended compartment blocks a total surrender; a closed one does not', async () => {
      const { policyId, compartments } = await freshPolicy(server, 'alice', 'per');
      await transition(policyId, compartments.C2, 'suspend');
      expectError(await post(as.alice, totalPath(policyId), { earlyReleaseCase: 'over_indebtedness' }), 409, 'conflict', 'CANNOT_SURRENDER_FROM_COMPARTMENT_IN_STATE_SUSPENDED');
      await transition(policyId, compartments.C2, 'liquidate');
      expectError(await post(as.alice, totalPath(policyId), { earlyReleaseCase: 'over_indebtedness' }), 409, 'conflict', 'CANNOT_SURRENDER_FROM_COMPARTMENT_IN_STATE_LIQUIDATING');
      await transition(policyId, compartments.C2, 'close');
      const declared = await post(as.alice, totalPath(policyId), { earlyReleaseCase: 'over_indebtedness' });
      expect(declared.status).toBe(201);
      // C2 still shows its value in the demo data, but a closed compartment pays nothing out.
      expect(declared.json.amount).toEqual(eur(842_300 + 421_900));
    });
  });

  describe('PER early release (L224-4 CMF)', () => {
    it('needs one of the listed cases (earlyReleaseCase): any other is a 422 PER_EARLY_RELEASE_CASE_NOT_ALLOWED', async () => {
      const { policyId, compartments } = await freshPolicy(server, 'alice', 'per');
      expectRule(await post(as.alice, partialPath(policyId, compartments.C1), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock) }), 'PER_EARLY_RELEASE_CASE_REQUIRED', 'earlyReleaseCase');
      expectRule(await post(as.alice, partialPath(policyId, compartments.C1), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock), earlyReleaseCase: 'holiday' }), 'PER_EARLY_RELEASE_CASE_NOT_ALLOWED', 'earlyReleaseCase');
      expectRule(await post(as.alice, totalPath(policyId), { reason: 'client-request', earlyReleaseCase: 'retirement_is_far' }), 'PER_EARLY_RELEASE_CASE_NOT_ALLOWED', 'earlyReleaseCase');
      expectRule(await post(as.alice, totalPath(policyId), {}), 'PER_EARLY_RELEASE_CASE_REQUIRED', 'earlyReleaseCase');
      expect(await declaredCount(policyId)).toBe(0);
    });

    it.each([['death_of_spouse_or_pacs_partner'], ['disability_of_child'], ['end_of_unemployment_rights'], ['end_of_company_officer_mandate']])('%s may release C3 money', async (earlyReleaseCase) => {
      const { policyId, compartments } = await freshPolicy(server, 'alice', 'per');
      const declared = await post(as.alice, partialPath(policyId, compartments.C3), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock), earlyReleaseCase });
      expect(declared.status).toBe(201);
      expect(declared.json).toMatchObject({ earlyReleaseCase, reason: 'client-request' });
    });

    it('main residence purchase: from C1 and C2, never from C3 (422 MAIN_RESIDENCE_NOT_FROM_C3)', async () => {
      const { policyId, compartments } = await freshPolicy(server, 'alice', 'per');
      expectRule(await post(as.alice, partialPath(policyId, compartments.C3), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock), earlyReleaseCase: 'main_residence_purchase' }), 'MAIN_RESIDENCE_NOT_FROM_C3', 'earlyReleaseCase');
      expect((await post(as.alice, partialPath(policyId, compartments.C1), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock), earlyReleaseCase: 'main_residence_purchase' })).status).toBe(201);
      expect((await post(as.alice, partialPath(policyId, compartments.C2), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock), earlyReleaseCase: 'main_residence_purchase' })).status).toBe(201);
    });

    it('a total surrender of a PER holding C3 money is refused for a main residence, allowed without C3 money', async () => {
      const withC3 = await freshPolicy(server, 'alice', 'per');
      expectRule(await post(as.alice, totalPath(withC3.policyId), { earlyReleaseCase: 'main_residence_purchase' }), 'MAIN_RESIDENCE_NOT_FROM_C3', 'earlyReleaseCase');
      expect(await declaredCount(withC3.policyId)).toBe(0);
      const withoutC3 = await freshPolicy(server, 'alice', 'per', { C1: 842_300, C2: 356_120, C3: 0 });
      expect((await post(as.alice, totalPath(withoutC3.policyId), { earlyReleaseCase: 'main_residence_purchase' })).status).toBe(201);
    });

    it('uses the PER product’s own terms (minimum 300.00 EUR)', async () => {
      const { policyId, compartments } = await freshPolicy(server, 'alice', 'per');
      expectRule(await post(as.alice, partialPath(policyId, compartments.C2), { amount: scaledEur(29_999), requestedAt: parisToday(server.clock), earlyReleaseCase: 'over_indebtedness' }), 'PARTIAL_SURRENDER_BELOW_PRODUCT_MINIMUM', 'amount.value');
      expect((await post(as.alice, partialPath(policyId, compartments.C2), { amount: scaledEur(30_000), requestedAt: parisToday(server.clock), earlyReleaseCase: 'over_indebtedness' })).status).toBe(201);
    });
  });

  describe('PER early release: nothing is paid before its supporting documents are accepted', () => {
    it('a broker’s declaration awaits its documents: a checklist for its case, no payment deadline, and payment events do not move it', async () => {
      const { policyId, compartments } = await freshPolicy(server, 'alice', 'per');
      const declared = await post(as.broker, partialPath(policyId, compartments.C1), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock), earlyReleaseCase: 'death_of_spouse_or_pacs_partner' });
      expect(declared.status).toBe(201);
      expect(declared.json).toMatchObject({
        status: 'awaiting_documents',
        paymentDueBy: null,
        requiredDocuments: [
          { item: 'death_certificate', description: expect.any(String), status: 'missing' },
          { item: 'marriage_or_pacs_certificate', description: expect.any(String), status: 'missing' },
        ],
        history: [{ fromStatus: null, toStatus: 'awaiting_documents', actorKind: 'broker' }],
      });
      expect((await notificationsOf(server, declared.json.id)).map((n) => [n.template, n.payload.status, n.payload.dueBy, n.payload.requiredDocuments])).toEqual([
        ['surrender_declared', 'awaiting_documents', null, ['death_certificate', 'marriage_or_pacs_certificate']],
      ]);
      // The provider never received it: its events change nothing, and nothing leaves the compartment.
      for (const type of ['surrender.processing', 'surrender.paid']) expect((await paymentsEvent(server, type, { declaration_id: declared.json.id })).status).toBe(200);
      const read = await get(as.alice, `${partialPath(policyId, compartments.C1)}/${declared.json.id}`);
      expect(read.json).toMatchObject({ status: 'awaiting_documents', paidAmount: null, paidAt: null, paymentDueBy: null });
      expect(await compartmentRow(server, compartments.C1)).toEqual({ status: 'active', value: 842_300 });
      expect((await auditOf(server, declared.json.id)).map((a) => a.action)).toEqual(['surrender.partial_declared']);
    });

    it('each proof names a required item of its case; the file completes when back-office accepts the last one, and the deadline runs from then', async () => {
      const { policyId, compartments } = await freshPolicy(server, 'alice', 'per');
      const path = (id: string) => `${partialPath(policyId, compartments.C3)}/${id}`;
      const declared = (await post(as.alice, partialPath(policyId, compartments.C3), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock), earlyReleaseCase: 'death_of_spouse_or_pacs_partner' })).json;
      const proof = (item?: string) => uploadEvidence(server, as.broker, DEMO_IDS.subscribers.alice, { kind: 'early_release_proof', subjectId: declared.id, item });
      expectError(await proof(), 400, 'parameter_invalid', 'DOCUMENT_ITEM_REQUIRED', 'item');
      expectRule(await proof('purchase_agreement_or_deed'), 'DOCUMENT_ITEM_NOT_REQUIRED_FOR_CASE', 'item');

      const certificate = await proof('death_certificate');
      expect(certificate.status).toBe(201);
      expect(certificate.json).toMatchObject({ kind: 'early_release_proof', subjectId: declared.id, item: 'death_certificate', policyId: policyId, status: 'received' });
      expect((await get(as.alice, path(declared.id))).json.requiredDocuments.map((d: { status: string }) => d.status)).toEqual(['received', 'missing']);
      expect((await reviewEvidence(server, as.backoffice, certificate.json.id, 'accept')).status).toBe(200);
      const family = await proof('marriage_or_pacs_certificate');
      expect((await reviewEvidence(server, as.backoffice, family.json.id, 'refuse', 'illegible')).status).toBe(200);
      expect((await get(as.alice, path(declared.id))).json).toMatchObject({ status: 'awaiting_documents', paymentDueBy: null });
      expect((await get(as.alice, path(declared.id))).json.requiredDocuments.map((d: { status: string }) => d.status)).toEqual(['accepted', 'refused']);

      // Forty days later the last proof arrives and is accepted: two months run from that day, not from the declaration.
      const start = server.clock.now();
      try {
        server.clock.set(new Date(start.getTime() + 40 * 24 * 3600_000));
        const backoffice = { authorization: `Bearer ${(await login(server.url, 'backoffice@demo.test', newAddress())).token}` };
        const alice = { authorization: `Bearer ${(await login(server.url, 'alice@demo.test', newAddress())).token}` };
        const again = await uploadEvidence(server, alice, DEMO_IDS.subscribers.alice, { kind: 'early_release_proof', subjectId: declared.id, item: 'marriage_or_pacs_certificate' });
        expect((await reviewEvidence(server, backoffice, again.json.id, 'accept')).status).toBe(200);
        const complete = (await get(alice, path(declared.id))).json;
        expect(complete).toMatchObject({ status: 'received', requestedAt: declared.requestedAt, paymentDueBy: surrenderPaymentDueBy(server.clock.now()).toISOString() });
        expect(complete.requiredDocuments.map((d: { status: string }) => d.status)).toEqual(['accepted', 'accepted']);
        expect(complete.history.at(-1)).toEqual({ at: server.clock.now().toISOString(), fromStatus: 'awaiting_documents', toStatus: 'received', actorKind: 'backoffice', note: 'supporting documents accepted' });
        expect((await notificationsOf(server, declared.id)).map((n) => [n.recipient_user_id, n.template, n.payload.dueBy ?? n.payload.reason ?? null])).toEqual([
          [DEMO_IDS.users.alice, 'surrender_declared', null],
          [DEMO_IDS.users.alice, 'surrender_document_refused', 'illegible'],
          [DEMO_IDS.users.alice, 'surrender_documents_complete', complete.paymentDueBy],
        ]);
        expect((await auditOf(server, declared.id)).map((a) => [a.action, a.actor_kind])).toEqual([['surrender.partial_declared', 'subscriber'], ['surrender.documents_complete', 'backoffice']]);
        // Complete: no more proofs, and now the provider's events apply.
        expectError(await uploadEvidence(server, alice, DEMO_IDS.subscribers.alice, { kind: 'early_release_proof', subjectId: declared.id, item: 'death_certificate' }), 409, 'conflict', 'SURRENDER_NOT_AWAITING_DOCUMENTS');
        expect((await paymentsEvent(server, 'surrender.paid', { declaration_id: declared.id })).status).toBe(200);
        expect((await get(alice, path(declared.id))).json).toMatchObject({ status: 'paid', paidAmount: eur(60_000) });
        expect(await compartmentRow(server, compartments.C3)).toEqual({ status: 'active', value: 421_900 - 60_000 });
      } finally {
        server.clock.set(start);
      }
    });

    it('the last two proofs accepted at the same time complete the file exactly once', async () => {
      const { policyId, compartments } = await freshPolicy(server, 'alice', 'per');
      const declared = (await post(as.alice, partialPath(policyId, compartments.C1), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock), earlyReleaseCase: 'disability_of_spouse_or_pacs_partner' })).json;
      const proofs = await Promise.all(declared.requiredDocuments.map(({ item }: { item: string }) => uploadEvidence(server, as.alice, DEMO_IDS.subscribers.alice, { kind: 'early_release_proof', subjectId: declared.id, item })));
      const reviews = await Promise.all(proofs.map((p) => reviewEvidence(server, as.backoffice, p.json.id, 'accept')));
      expect(reviews.map((r) => r.status)).toEqual([200, 200]);
      const read = (await get(as.alice, `${partialPath(policyId, compartments.C1)}/${declared.id}`)).json;
      expect(read.status).toBe('received');
      expect(read.history.map((h: { toStatus: string }) => h.toStatus)).toEqual(['awaiting_documents', 'received']);
      expect((await notificationsOf(server, declared.id)).map((n) => n.template)).toEqual(['surrender_declared', 'surrender_documents_complete']);
    });

    it('a declaration awaiting documents still holds: its amount stays reserved, and a total surrender stays the only one', async () => {
      const { policyId, compartments } = await freshPolicy(server, 'alice', 'per');
      expect((await post(as.alice, partialPath(policyId, compartments.C1), { amount: scaledEur(700_000), requestedAt: parisToday(server.clock), earlyReleaseCase: 'disability_of_holder' })).json.status).toBe('awaiting_documents');
      expectRule(await post(as.alice, partialPath(policyId, compartments.C1), { amount: scaledEur(200_000), requestedAt: parisToday(server.clock), earlyReleaseCase: 'disability_of_holder' }), 'PARTIAL_SURRENDER_EXCEEDS_COMPARTMENT_VALUE', 'amount.value');
      const other = await freshPolicy(server, 'alice', 'per');
      expect((await post(as.alice, totalPath(other.policyId), { earlyReleaseCase: 'disability_of_holder' })).json.status).toBe('awaiting_documents');
      expectError(await post(as.alice, totalPath(other.policyId), { earlyReleaseCase: 'disability_of_holder' }), 409, 'conflict', 'TOTAL_SURRENDER_ALREADY_OPEN');
      expectError(await post(as.alice, partialPath(other.policyId, other.compartments.C1), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock), earlyReleaseCase: 'disability_of_holder' }), 409, 'conflict', 'TOTAL_SURRENDER_ALREADY_OPEN');
    });

    it('an assurance-vie surrender needs no documents: received at once, with its deadline; an early-release case there is a 422', async () => {
      const { policyId, compartments } = await freshPolicy(server, 'alice', 'av');
      expectRule(await post(as.alice, partialPath(policyId, compartments.MAIN), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock), earlyReleaseCase: 'over_indebtedness' }), 'EARLY_RELEASE_ONLY_FOR_PER', 'earlyReleaseCase');
      expectRule(await post(as.alice, totalPath(policyId), { earlyReleaseCase: 'over_indebtedness' }), 'EARLY_RELEASE_ONLY_FOR_PER', 'earlyReleaseCase');
      const declared = await post(as.alice, partialPath(policyId, compartments.MAIN), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock) });
      expect(declared.json).toMatchObject({ status: 'received', paymentDueBy: expect.stringMatching(ISO_INSTANT), requiredDocuments: [] });
      expect((await uploadEvidence(server, as.alice, DEMO_IDS.subscribers.alice, { kind: 'early_release_proof', subjectId: declared.json.id, item: 'over_indebtedness_decision' })).json.errors[0]).toMatchObject({ reason: 'NOT_AN_EARLY_RELEASE_DECLARATION' });
    });
  });

  describe('an accepted beneficiary (L132-9 I): no surrender without their written consent', () => {
    it.each([
      ['the subscriber, partial', 'alice', 'partial'],
      ['the broker, total', 'broker', 'total'],
      ['back-office, partial', 'backoffice', 'partial'],
      ['the partner platform, total', 'partner', 'total'],
    ] as const)('%s: 409 ACCEPTED_BENEFICIARY_CONSENT_REQUIRED, and nothing is declared', async (_label, who, kind) => {
      const { policyId, compartments } = await freshPolicy(server, 'alice', 'av');
      await acceptedBeneficiary(server, as.alice, as.backoffice, DEMO_IDS.subscribers.alice, policyId);
      const answer = kind === 'total' ? await post(as[who], totalPath(policyId), {}) : await post(as[who], partialPath(policyId, compartments.MAIN), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock) });
      expectError(answer, 409, 'conflict', 'ACCEPTED_BENEFICIARY_CONSENT_REQUIRED');
      expect(await declaredCount(policyId)).toBe(0);
    });

    it('with their consent on file, accepted by back-office, one surrender goes through; the consent is spent', async () => {
      const { policyId, compartments } = await freshPolicy(server, 'alice', 'av');
      const beneficiaryId = await acceptedBeneficiary(server, as.alice, as.backoffice, DEMO_IDS.subscribers.alice, policyId);
      // A consent awaiting review, or naming nobody, is not enough.
      const pending = await uploadEvidence(server, as.alice, DEMO_IDS.subscribers.alice, { kind: 'beneficiary_consent', subjectId: policyId, item: beneficiaryId });
      expect(pending.status).toBe(201);
      expectError(await post(as.alice, partialPath(policyId, compartments.MAIN), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock) }), 409, 'conflict', 'ACCEPTED_BENEFICIARY_CONSENT_REQUIRED');
      expectError(await uploadEvidence(server, as.alice, DEMO_IDS.subscribers.alice, { kind: 'beneficiary_consent', subjectId: policyId }), 400, 'parameter_invalid', 'CONSENT_MUST_NAME_BENEFICIARY', 'item');
      expect((await reviewEvidence(server, as.backoffice, pending.json.id, 'accept')).status).toBe(200);

      const declared = await post(as.alice, partialPath(policyId, compartments.MAIN), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock) });
      expect(declared.status).toBe(201);
      expect((await auditOf(server, declared.json.id))[0].details).toMatchObject({ beneficiaryConsents: [pending.json.id] });
      expectError(await post(as.alice, partialPath(policyId, compartments.MAIN), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock) }), 409, 'conflict', 'ACCEPTED_BENEFICIARY_CONSENT_REQUIRED');
    });
  });

  describe('payout IBAN', () => {
    it('an unknown payout_iban_id is a 422 naming the field, and nothing is declared', async () => {
      const { policyId, compartments } = await freshPolicy(server, 'alice', 'av');
      expectRule(await post(as.alice, partialPath(policyId, compartments.MAIN), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock), payoutIbanId: testId('iban_not_mine') }), 'PAYOUT_IBAN_NOT_FOUND', 'payoutIbanId');
      expectRule(await post(as.alice, totalPath(policyId), { payoutIbanId: testId('iban_not_mine') }), 'PAYOUT_IBAN_NOT_FOUND', 'payoutIbanId');
      expect(await declaredCount(policyId)).toBe(0);
    });

    /** A subscriber of the demo distributor with an issued assurance-vie and no pay-out IBAN at all. */
    async function policyWithoutPayoutIban(): Promise<{ subscriberId: string; policyId: string; compartmentId: string }> {
      const id = randomBytes(5).toString('hex');
      const subscriberId = testId(`sbr_${id}`);
      const at = server.clock.now();
      await server.db.query('insert into users (id, email, kind, password_hash, distributor_id, created_at) values ($1, $2, $3, $4, $5, $6)', [testId(`usr_${id}`), `${id}@demo.test`, 'subscriber', 'x', DEMO_IDS.distributor, at]);
      await server.db.transaction(async (tx) => {
        const store = new DemoPortfolioStore();
        await store.insertSubscriber(tx, { id: subscriberId, userId: testId(`usr_${id}`), distributorId: DEMO_IDS.distributor, firstName: 'Chloé', lastName: 'Roux', birthDate: '1980-02-02', email: `${id}@demo.test`, phone: '+33600000000', at });
        await store.insertPolicy(tx, { subscriberId, subscriptionId: testId(`sbs_${id}`), policyId: testId(`pol_${id}`), productId: DEMO_IDS.products.av, signedAt: new Date('2025-01-15T10:00:00Z'), initialPayment: 1_000_000, compartments: [{ id: testId(`cmp_${id}`), code: 'MAIN', value: 1_287_450 }] }, DEMO_IBAN, 'Chloé Roux', new Date('2025-02-14T23:00:00Z'));
      });
      return { subscriberId, policyId: testId(`pol_${id}`), compartmentId: testId(`cmp_${id}`) };
    }

    it('no confirmed pay-out IBAN: 422 NO_CONFIRMED_PAYOUT_IBAN, never a silent fallback to the debit IBAN', async () => {
      const { subscriberId, policyId, compartmentId } = await policyWithoutPayoutIban();
      expectRule(await post(as.backoffice, partialPath(policyId, compartmentId), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock) }), 'NO_CONFIRMED_PAYOUT_IBAN');
      // An IBAN a broker registered is no default and cannot be paid to, named or not.
      const pending = await post(as.broker, `/v1/pay-out/subscribers/${subscriberId}/ibans`, { iban: 'FR1420041010050500013M02606', holderName: 'Chloé Roux' });
      expect(pending.status).toBe(201);
      expectRule(await post(as.broker, totalPath(policyId), {}), 'NO_CONFIRMED_PAYOUT_IBAN');
      expectRule(await post(as.broker, totalPath(policyId), { payoutIbanId: pending.json.id }), 'PAYOUT_IBAN_NOT_CONFIRMED', 'payoutIbanId');
      expect(await declaredCount(policyId)).toBe(0);
    });

    it('redirected money: a broker’s IBAN in another holder’s name cannot be made the default nor paid to until the subscriber confirmed it, its proof was accepted and back-office approved the holder', async () => {
      const { policyId, compartments } = await freshPolicy(server, 'alice', 'per');
      const registered = await post(as.broker, `/v1/pay-out/subscribers/${DEMO_IDS.subscribers.alice}/ibans`, { iban: 'FR1420041010050500013M02606', holderName: 'Mallory Marchand' });
      expect(registered.status).toBe(201);
      const ibanId = registered.json.id;
      const makeDefault = (who: 'broker' | 'partner') => call(`${server.url}/v1/pay-out/subscribers/${DEMO_IDS.subscribers.alice}/ibans/${ibanId}/make-default`, { method: 'PATCH', headers: as[who] });
      for (const who of ['broker', 'partner'] as const) expectError(await makeDefault(who), 403, 'forbidden', 'INSUFFICIENT_ROLES');
      const earlyRelease = { amount: scaledEur(100_000), requestedAt: parisToday(server.clock), earlyReleaseCase: 'over_indebtedness', payoutIbanId: ibanId };
      expectRule(await post(as.broker, partialPath(policyId, compartments.C1), earlyRelease), 'PAYOUT_IBAN_NOT_CONFIRMED', 'payoutIbanId');
      // The subscriber confirms it and a RIB proof is accepted: still another holder, so still not payable.
      expect((await confirmWithCode(server, as.broker, DEMO_IDS.subscribers.alice, ibanId)).status).toBe(200);
      await acceptIbanProof(server, as.backoffice, DEMO_IDS.subscribers.alice, ibanId);
      expectRule(await post(as.broker, partialPath(policyId, compartments.C1), earlyRelease), 'PAYOUT_IBAN_NOT_CONFIRMED', 'payoutIbanId');
      expect(await declaredCount(policyId)).toBe(0);
      // Back-office approves the holder (a co-holder on the proof): now it is usable.
      const approved = await post(as.backoffice, `/v1/pay-out/subscribers/${DEMO_IDS.subscribers.alice}/ibans/${ibanId}/review`, { decision: 'approve' });
      expect(approved.json).toMatchObject({ status: 'confirmed' });
      const declared = await post(as.broker, partialPath(policyId, compartments.C1), earlyRelease);
      expect(declared.status).toBe(201);
      expect(declared.json).toMatchObject({ payoutIban: 'FR14 **** **** **** **** ***2 606', payoutIbanSource: 'registered' });
      // Alice's default is untouched: a declaration without payout_iban_id still goes to her debit IBAN.
      expect((await post(as.broker, partialPath(policyId, compartments.C2), { amount: scaledEur(100_000), requestedAt: parisToday(server.clock), earlyReleaseCase: 'over_indebtedness' })).json).toMatchObject({ payoutIban: DEMO_IBAN_MASKED, payoutIbanSource: 'subscription_debit' });
    });
  });

  describe('payments webhook events that cannot apply', () => {
    it('an unknown declaration is a 422 and is not recorded, so a corrected retry is processed', async () => {
      const answer = await paymentsEvent(server, 'surrender.paid', { declaration_id: testId('sur_unknown') });
      expectRule(answer, 'UNKNOWN_SURRENDER_DECLARATION');
    });

    it('a rejection without a reason is a 400', async () => {
      const { policyId, compartments } = await freshPolicy(server, 'alice', 'av');
      const declared = await post(as.alice, partialPath(policyId, compartments.MAIN), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock) });
      expectError(await paymentsEvent(server, 'surrender.rejected', { declaration_id: declared.json.id }), 400, 'parameter_invalid', 'REJECTION_REASON_MISSING');
      expect((await get(as.alice, `${partialPath(policyId, compartments.MAIN)}/${declared.json.id}`)).json.status).toBe('received');
    });
  });

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
