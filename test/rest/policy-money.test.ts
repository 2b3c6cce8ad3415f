import { EACH_DATABASE } from '../support/databases';
import { addressSource, subscriptionBody } from '../support/subscription-inputs';
import { call, gql, login, type Answer } from '../support/http';
import { partnerHeaders } from '../support/actors';
import { startTestServer, type TestServer } from '../support/server';
import { PAYMENTS_SECRET, paymentsEvent } from '../support/surrender-fixtures';
import { expectRestInvalid } from '../support/invalid';
import { parisToday, scaledEur } from '../support/surrender-fixtures';
import { restReason } from '../support/errors';
import { DEMO_IDS, UUID_V7 } from '../support/ids';

/**
 * A policy's money end to end: the ledger written at issue, at surrender payment and at withdrawal, and
 * the withdrawal that must never pay back premiums once a surrender took money out (double payout).
 */

type Caller = Record<string, string>;
type Movement = { kind: string; amount: number; compartment_id: string | null; cause_type: string; cause_id: string };

const newAddress = addressSource('10.63');
const eur = (amount: number) => ({ amount, currency: 'EUR' });

function expectError(answer: Answer, status: number, code: string, message: string): void {
  expect({ status: answer.status, error: answer.json?.errors?.[0] }).toEqual({ status, error: expect.objectContaining({ code, ...restReason(code, message) }) });
}

const MONEY_QUERY = `query ($id: ID!) { policy(id: $id) {
  money { premiumsPaid { amount currency } entryFees { amount } surrendered { amount } refunded { amount } paidOut { amount } netInvested { amount } refundable { amount } }
  movements { kind amount { amount currency } compartmentId causeType causeId at }
} }`;

describe.each(EACH_DATABASE)('policy money over REST on %s', (_name, database) => {
  let server: TestServer;
  const as: Record<'alice' | 'broker' | 'backoffice' | 'partner', Caller> = { alice: {}, broker: {}, backoffice: {}, partner: {} };
  let aliceToken = '';

  const post = (caller: Caller, path: string, body?: unknown) => call(`${server.url}${path}`, { method: 'POST', headers: caller, ...(body === undefined ? {} : { json: body }) });
  const get = (caller: Caller, path: string) => call(`${server.url}${path}`, { headers: caller });
  const sub = (id: string) => `/v1/subscription/subscriptions/${id}`;
  const withdraw = (caller: Caller, id: string, body: Record<string, unknown> = { reason: 'Changed my mind' }) => post(caller, `${sub(id)}/withdraw`, body);

  async function relogin(): Promise<void> {
    for (const who of ['alice', 'broker', 'backoffice'] as const) {
      const { token } = await login(server.url, `${who}@demo.test`, newAddress());
      as[who] = { authorization: `Bearer ${token}` };
      if (who === 'alice') aliceToken = token;
    }
    as.partner = await partnerHeaders(server.url, newAddress());
  }
  async function setClock(at: string): Promise<void> {
    server.clock.set(at);
    await relogin();
  }

  function expectStatus(answer: Answer, status: number, what: string): void {
    if (answer.status !== status) throw new Error(`${what}: expected ${status}, got ${answer.status} ${answer.text}`);
  }

  /**
   * A subscription of alice's (demo profile), signed by one-time code six minutes after the current
   * clock: one subscriber is sent at most 10 codes an hour, and these tests sign many contracts a day.
   */
  async function signed(initialPayment = 300_000): Promise<{ subscriptionId: string; policyId: string; compartmentId: string }> {
    await setClock(new Date(server.clock.now().getTime() + 6 * 60_000).toISOString());
    const draft = await post(as.alice, `/v1/subscription/subscribers/${DEMO_IDS.subscribers.alice}/subscriptions`, subscriptionBody(DEMO_IDS.insurees.alice, { initialPayment: eur(initialPayment) }));
    expectStatus(draft, 201, 'draft');
    const id = draft.json.id;
    expectStatus(await post(as.alice, `${sub(id)}/documents`), 201, 'documents');
    const signature = await post(as.alice, `${sub(id)}/signing`, { method: 'otp' });
    expectStatus(signature, 201, 'signing');
    const [sms] = await server.db.query<{ payload: { code: string } }>(`select payload from notification_outbox where template = 'signature_otp' and payload->>'signatureId' = $1`, [signature.json.id]);
    const confirmed = await post(as.alice, `${sub(id)}/signing/otp`, { code: sms.payload.code });
    expectStatus(confirmed, 200, 'otp');
    return { subscriptionId: id, policyId: confirmed.json.policy.id, compartmentId: confirmed.json.policy.compartments[0].id };
  }

  const ledger = (policyId: string) =>
    server.db.query<Movement>('select kind, amount, compartment_id, cause_type, cause_id from policy_money_movements where policy_id = $1 order by id', [policyId]);
  const refunds = async (subscriptionId: string) => Number((await server.db.query<{ n: number }>('select count(*)::int as n from refunds where subscription_id = $1', [subscriptionId]))[0].n);
  const money = async (policyId: string) => {
    const answer = await gql(server.url, MONEY_QUERY, { token: aliceToken, variables: { id: policyId } });
    if (answer.json.errors) throw new Error(JSON.stringify(answer.json.errors));
    return answer.json.data.policy;
  };

  async function declareTotal(policyId: string): Promise<string> {
    const declared = await post(as.alice, `/v1/total-surrender/policies/${policyId}/declarations`, {});
    expectStatus(declared, 201, 'total surrender');
    return declared.json.id;
  }
  async function declarePartial(policyId: string, compartmentId: string, amount: number): Promise<string> {
    const declared = await post(as.alice, `/v1/partial-surrender/policies/${policyId}/compartments/${compartmentId}/declarations`, { amount: scaledEur(amount), requestedAt: parisToday(server.clock) });
    expectStatus(declared, 201, 'partial surrender');
    return declared.json.id;
  }
  async function paid(declarationId: string): Promise<void> {
    expectStatus(await paymentsEvent(server, 'surrender.paid', { declaration_id: declarationId }), 200, 'paid webhook');
  }

  beforeAll(async () => {
    server = await startTestServer(database, { demoPortfolio: true, webhookSecrets: { payments: [PAYMENTS_SECRET] } });
    await setClock('2026-01-10T09:00:00Z');
  });
  afterAll(async () => {
    await server?.close();
  });

  describe('the ledger', () => {
    it('at issue: the premium in and the entry fee out of it, the rest invested; exact integers, rounded as the documents print it', async () => {
      // 2 % of 1,000.10 EUR is 20.002 EUR: 20.00 EUR of fee, 980.10 EUR invested (floats and a floor gave 980.09).
      const { policyId, compartmentId } = await signed(100_010);
      expect(await ledger(policyId)).toEqual([
        { kind: 'premium', amount: 100_010, compartment_id: compartmentId, cause_type: 'subscription', cause_id: expect.stringMatching(UUID_V7) },
        { kind: 'entry_fee', amount: -2_000, compartment_id: compartmentId, cause_type: 'subscription', cause_id: expect.stringMatching(UUID_V7) },
      ]);
      const [compartment] = await server.db.query<{ value: number }>('select value from compartments where id = $1', [compartmentId]);
      expect(Number(compartment.value)).toBe(98_010);
      expect((await money(policyId)).money).toEqual({
        premiumsPaid: eur(100_010), entryFees: { amount: 2_000 }, surrendered: { amount: 0 }, refunded: { amount: 0 }, paidOut: { amount: 0 }, netInvested: { amount: 98_010 }, refundable: { amount: 100_010 },
      });
    });

    it('the demo policies carry consistent ledgers: premiums and their entry fees per compartment', async () => {
      const av = await money(DEMO_IDS.policies.aliceAv);
      expect(av.money).toMatchObject({ premiumsPaid: eur(1_250_000), entryFees: { amount: 25_000 }, paidOut: { amount: 0 }, netInvested: { amount: 1_225_000 } });
      const per = await money(DEMO_IDS.policies.alicePer);
      // 1 % entry fee on each of 8,000.00, 3,400.00 and 4,000.00 EUR.
      expect(per.money).toMatchObject({ premiumsPaid: eur(1_540_000), entryFees: { amount: 15_400 }, paidOut: { amount: 0 }, netInvested: { amount: 1_524_600 } });
      // The initial payment went into C1 at issue; C2 and C3 received later payments.
      expect(per.movements.filter((m: { kind: string }) => m.kind === 'premium').map((m: { compartmentId: string; causeType: string; amount: { amount: number } }) => [m.compartmentId, m.causeType, m.amount.amount])).toEqual([
        [DEMO_IDS.compartments.alicePerC1, 'subscription', 800_000],
        [DEMO_IDS.compartments.alicePerC2, 'payment', 340_000],
        [DEMO_IDS.compartments.alicePerC3, 'payment', 400_000],
      ]);
    });

    it('a paid partial surrender is one payout movement on its compartment, once even when the webhook is replayed', async () => {
      const { policyId, compartmentId } = await signed();
      const declarationId = await declarePartial(policyId, compartmentId, 50_000);
      await paid(declarationId);
      await paid(declarationId);
      expect((await ledger(policyId)).filter((m) => m.kind === 'surrender_payout')).toEqual([
        { kind: 'surrender_payout', amount: -50_000, compartment_id: compartmentId, cause_type: 'surrender_declaration', cause_id: declarationId },
      ]);
      expect((await money(policyId)).money).toMatchObject({ surrendered: { amount: 50_000 }, paidOut: { amount: 50_000 }, netInvested: { amount: 244_000 }, refundable: { amount: 250_000 } });
    });

    it('a paid total surrender pays out every compartment (one movement each) and closes the policy', async () => {
      const { policyId, compartmentId } = await signed();
      await paid(await declareTotal(policyId));
      expect((await ledger(policyId)).filter((m) => m.kind === 'surrender_payout')).toEqual([expect.objectContaining({ amount: -294_000, compartment_id: compartmentId })]);
      expect((await server.db.query<{ status: string }>('select status from policies where id = $1', [policyId]))[0].status).toBe('closed');
    });

    it('is append-only: the database refuses to change or delete a movement', async () => {
      const { policyId } = await signed();
      await expect(server.db.query(`update policy_money_movements set amount = 1 where policy_id = $1`, [policyId])).rejects.toThrow(/append-only/);
      await expect(server.db.query(`delete from policy_money_movements where policy_id = $1`, [policyId])).rejects.toThrow(/append-only/);
      expect(await ledger(policyId)).toHaveLength(2);
    });
  });

  describe('withdrawal after a surrender (double payout)', () => {
    it('a total surrender paid, then a withdrawal within the 30 days: 409 WITHDRAWAL_AFTER_SURRENDER, no refund, ledger unchanged', async () => {
      const { subscriptionId, policyId } = await signed();
      await paid(await declareTotal(policyId));
      const before = await ledger(policyId);
      expectError(await withdraw(as.alice, subscriptionId), 409, 'conflict', 'WITHDRAWAL_AFTER_SURRENDER');
      expect(await refunds(subscriptionId)).toBe(0);
      expect(await ledger(policyId)).toEqual(before);
      expect((await get(as.alice, sub(subscriptionId))).json).toMatchObject({ status: 'signed', refund: null });
    });

    it('a partial surrender paid, then a withdrawal: 409, the policy stays active with its money', async () => {
      const { subscriptionId, policyId, compartmentId } = await signed();
      await paid(await declarePartial(policyId, compartmentId, 50_000));
      const before = await ledger(policyId);
      expectError(await withdraw(as.alice, subscriptionId), 409, 'conflict', 'WITHDRAWAL_AFTER_SURRENDER');
      expect(await refunds(subscriptionId)).toBe(0);
      expect(await ledger(policyId)).toEqual(before);
      expect((await server.db.query<{ status: string }>('select status from policies where id = $1', [policyId]))[0].status).toBe('active');
    });

    it('a surrender declared and not yet paid also refuses the withdrawal (the money is on its way out)', async () => {
      const { subscriptionId, policyId } = await signed();
      await declareTotal(policyId);
      expectError(await withdraw(as.alice, subscriptionId), 409, 'conflict', 'WITHDRAWAL_AFTER_SURRENDER');
      expect(await refunds(subscriptionId)).toBe(0);
    });

    it('a withdrawal racing a surrender declaration on the same policy: never both', async () => {
      for (let round = 0; round < 3; round += 1) {
        const { subscriptionId, policyId } = await signed();
        const [withdrawn, declared] = await Promise.all([withdraw(as.alice, subscriptionId), post(as.alice, `/v1/total-surrender/policies/${policyId}/declarations`, {})]);
        expect([withdrawn.status, declared.status].sort()).toEqual(withdrawn.status === 200 ? [200, 409] : [201, 409]);
        expect(await refunds(subscriptionId)).toBe(withdrawn.status === 200 ? 1 : 0);
      }
    });

    it('a surrender the provider rejected took nothing out: the withdrawal refunds every premium', async () => {
      const { subscriptionId, policyId } = await signed();
      const declarationId = await declareTotal(policyId);
      expectStatus(await paymentsEvent(server, 'surrender.rejected', { declaration_id: declarationId, reason: 'account closed' }), 200, 'rejected webhook');
      const answer = await withdraw(as.alice, subscriptionId);
      expectStatus(answer, 200, 'withdraw');
      expect(answer.json.refund.amount).toEqual(eur(300_000));
    });
  });

  describe('withdrawal', () => {
    it('refunds every premium paid from the ledger, gives the entry fee back, and leaves nothing to refund', async () => {
      const { subscriptionId, policyId } = await signed();
      const answer = await withdraw(as.alice, subscriptionId);
      expectStatus(answer, 200, 'withdraw');
      expect(answer.json.refund.amount).toEqual(eur(300_000));
      const [refund] = await server.db.query<{ id: string }>('select id from refunds where subscription_id = $1', [subscriptionId]);
      expect((await ledger(policyId)).slice(2)).toEqual([
        { kind: 'entry_fee_refund', amount: 6_000, compartment_id: null, cause_type: 'subscription', cause_id: subscriptionId },
        { kind: 'refund', amount: -300_000, compartment_id: null, cause_type: 'refund', cause_id: refund.id },
      ]);
      expect((await money(policyId)).money).toMatchObject({ premiumsPaid: eur(300_000), entryFees: { amount: 0 }, refunded: { amount: 300_000 }, paidOut: { amount: 300_000 }, netInvested: { amount: 0 }, refundable: { amount: 0 } });
    });

    it("is the subscriber's act: a broker or a partner platform gets 403, nothing changes", async () => {
      const { subscriptionId, policyId } = await signed();
      expectError(await withdraw(as.broker, subscriptionId), 403, 'forbidden', 'INSUFFICIENT_ROLES');
      expectError(await withdraw(as.partner, subscriptionId), 403, 'forbidden', 'INSUFFICIENT_ROLES');
      expect(await refunds(subscriptionId)).toBe(0);
      expect(await ledger(policyId)).toHaveLength(2);
    });

    it('back-office records the letter: the date received is required, refused from the subscriber', async () => {
      const { subscriptionId } = await signed();
      expectRestInvalid(await withdraw(as.backoffice, subscriptionId), ['letterReceivedOn REQUIRED_FIELD_MISSING']);
      expectRestInvalid(await withdraw(as.alice, subscriptionId, { letterReceivedOn: '2026-01-12' }), ['letterReceivedOn NOT_ALLOWED_FOR_ROLE']);
      expect(await refunds(subscriptionId)).toBe(0);
    });

    it('a letter received within the period counts when keyed in after the deadline; one received after it does not', async () => {
      await setClock('2026-01-10T14:00:00Z');
      const inTime = await signed();
      const late = await signed();
      const early = await signed();
      // The period ends at 24:00 Paris on 9 February; back-office keys the letters in on 16 February.
      await setClock('2026-02-16T10:00:00Z');
      expectError(await withdraw(as.backoffice, late.subscriptionId, { letterReceivedOn: '2026-02-10' }), 422, 'unprocessable_content', 'WITHDRAWAL_PERIOD_ENDED');
      expectError(await withdraw(as.backoffice, early.subscriptionId, { letterReceivedOn: '2026-01-09' }), 422, 'unprocessable_content', 'LETTER_RECEIVED_BEFORE_SIGNATURE');
      expectError(await withdraw(as.backoffice, early.subscriptionId, { letterReceivedOn: '2026-02-17' }), 422, 'unprocessable_content', 'LETTER_RECEIVED_IN_THE_FUTURE');
      const answer = await withdraw(as.backoffice, inTime.subscriptionId, { letterReceivedOn: '2026-02-09', reason: 'lettre recommandée' });
      expectStatus(answer, 200, 'withdraw by letter');
      expect(answer.json).toMatchObject({ status: 'withdrawn', refund: { amount: eur(300_000) } });
      // The withdrawal took effect the day the letter arrived; the refund is due 30 days after that.
      expect(new Date(answer.json.withdrawnAt).toISOString()).toBe('2026-02-09T22:59:59.999Z');
      expect(new Date(answer.json.refund.dueBy).toISOString()).toBe('2026-03-11T23:00:00.000Z');
      expect(answer.json.history.at(-1)).toMatchObject({ toStatus: 'withdrawn', actorKind: 'backoffice', note: 'letter received on 2026-02-09: lettre recommandée' });
      expect(await refunds(late.subscriptionId)).toBe(0);
    });
  });
});
