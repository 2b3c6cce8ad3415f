import { randomBytes } from 'node:crypto';
import { EACH_DATABASE } from '../support/databases';
import { call } from '../support/http';
import type { TestServer } from '../support/server';
import {
  auditOf,
  compartmentRow,
  DEMO_IBAN,
  DEMO_IBAN_MASKED,
  freshPolicy,
  paymentsEvent,
  policyStatus,
  parisToday,
  scaledEur,
} from '../support/surrender-fixtures';
import { acceptIbanProof, confirmWithCode } from '../support/payout-fixtures';
import { DemoPortfolioStore } from '../../store/demo-store';
import { surrenderSuite, ISO_INSTANT, totalPath, partialPath, eur, expectError, expectRule } from '../support/surrender-suite';
import { DEMO_IDS, testId } from '../support/ids';

// ---- helper builders -------------------------------------------------------------------------------

describe.each(EACH_DATABASE)('surrender declarations over REST on %s', (_name, database) => {
  const suite = surrenderSuite(database);
  const { as, post, get, completeFile, declaredCount } = suite;
  let server: TestServer;
  beforeAll(() => void ({ server } = suite.state()));

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
});
