import { EACH_DATABASE } from '../support/databases';
import { call, gql, login, type Answer } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';
import { expectGraphqlInvalid } from '../support/invalid';
import { acceptIbanProof, lastConfirmationCode } from '../support/payout-fixtures';
import { graphqlMessage, graphqlReason } from '../support/errors';
import { DEMO_IDS, UUID_V7, testId } from '../support/ids';

const IBAN = 'FR7630006000011234567890189';
const IBAN_PRINT = 'FR76 3000 6000 0112 3456 7890 189';
const IBAN_MASKED = 'FR76 **** **** **** **** ***0 189';
const IBAN_BAD_CHECKSUM = 'FR7630006000011234567890188';
const IBAN_DE = 'DE89370400440532013000';
const IBAN_DE_MASKED = 'DE89 **** **** **** **30 00';
const IBAN_GB = 'GB29NWBK60161331926819';
const SERIAL = '01:23:45:67:89:AB:CD:EF';
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

const FIELDS = 'id iban holderName country isDefault status registeredBy refusalReason createdAt';
const LIST = `query($subscriberId: ID!) { payoutIbans(subscriberId: $subscriberId) { ${FIELDS} } }`;
const REGISTER = `mutation($subscriberId: ID!, $input: PayoutIbanInput!) { registerPayoutIban(subscriberId: $subscriberId, input: $input) { ${FIELDS} } }`;
const MAKE_DEFAULT = `mutation($subscriberId: ID!, $iban: String!) { makePayoutIbanDefault(subscriberId: $subscriberId, iban: $iban) { ${FIELDS} } }`;
const SEND_CODE = `mutation($subscriberId: ID!, $iban: String!) { sendPayoutIbanConfirmationCode(subscriberId: $subscriberId, iban: $iban) { ${FIELDS} } }`;
const CONFIRM = `mutation($subscriberId: ID!, $iban: String!, $code: String) { confirmPayoutIban(subscriberId: $subscriberId, iban: $iban, code: $code) { ${FIELDS} } }`;
const REVIEW = `mutation($subscriberId: ID!, $iban: String!, $input: PayoutIbanReviewInput!) { reviewPayoutIban(subscriberId: $subscriberId, iban: $iban, input: $input) { ${FIELDS} } }`;
const POLICY = `query($id: ID!) { policy(id: $id) { id payoutIbans { ${FIELDS} } } }`;
const SUBSCRIBER = `query($id: ID!) { subscriber(id: $id) { id payoutIbans { ${FIELDS} } } }`;
const POLICIES = `{ policies(first: 10) { edges { node { id subscriberId payoutIbans { iban isDefault } } } } }`;

let addressCounter = 0;
const newAddress = () => `10.70.${Math.floor(++addressCounter / 250)}.${addressCounter % 250}`;

type Row = Record<string, any>;

function expectError(answer: Answer, code: string, reason: string): void {
  expect(answer.json.errors).toEqual([expect.objectContaining({ message: graphqlMessage(code, reason), extensions: expect.objectContaining({ code, ...graphqlReason(code, reason), doc_url: expect.stringMatching(new RegExp(`/errors/${code}$`)) }) })]);
  // The request ran: 200 (GraphQL over HTTP), the refused root field null, the error at its path.
  expect(answer.status).toBe(200);
  expect(Object.values(answer.json.data)).toEqual([null]);
}

describe.each(EACH_DATABASE)('GraphQL pay-out IBANs on %s', (_name, database) => {
  let server: TestServer;
  let base: string;
  let alice: string;
  let bob: string;
  let broker: string;
  let backoffice: string;
  let machine: string;

  const run = (token: string, query: string, variables?: Record<string, unknown>) =>
    gql(base, query, { token, variables, headers: token === machine ? { 'x-client-certificate-serial': SERIAL } : {} });
  const register = (token: string, subscriberId: string, input: Row) => run(token, REGISTER, { subscriberId, input });
  const makeDefault = (token: string, subscriberId: string, iban: string) => run(token, MAKE_DEFAULT, { subscriberId, iban });

  async function data<T = any>(answer: Promise<Answer>, field: string): Promise<T> {
    const done = await answer;
    if (done.json?.errors || done.status !== 200) throw new Error(`${field}: ${done.status} ${done.text}`);
    return done.json.data[field];
  }

  beforeAll(async () => {
    server = await startTestServer(database, { demoPortfolio: true });
    base = server.url;
    [alice, bob, broker, backoffice] = await Promise.all(
      ['alice@demo.test', 'bob@demo.test', 'broker@demo.test', 'backoffice@demo.test'].map(async (email) => (await login(base, email, newAddress())).token),
    );
    const grant = await call(`${base}/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-client-certificate-serial': SERIAL, 'x-forwarded-for': newAddress() },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'demo-partner', client_secret: 'demo-partner-secret' }).toString(),
    });
    if (grant.status !== 200) throw new Error(`client token: ${grant.status} ${grant.text}`);
    machine = grant.json.access_token;
  });
  afterAll(() => server?.close());

  describe('registerPayoutIban', () => {
    it('the subscriber registers: every field; it awaits its RIB proof and is not the default (her debit IBAN is)', async () => {
      const [debit] = await data(run(alice, LIST, { subscriberId: DEMO_IDS.subscribers.alice }), 'payoutIbans');
      expect(debit).toEqual({ id: DEMO_IDS.payoutIbans.aliceDebit, iban: IBAN, holderName: 'Alice Martin', country: 'FR', isDefault: true, status: 'confirmed', registeredBy: 'system', refusalReason: null, createdAt: expect.stringMatching(ISO_INSTANT) });
      const second = await data(register(alice, DEMO_IDS.subscribers.alice, { iban: 'de89 3704 0044 0532 0130 00', holderName: 'Alice Martin' }), 'registerPayoutIban');
      expect(second).toEqual({ id: expect.stringMatching(UUID_V7), iban: IBAN_DE, holderName: 'Alice Martin', country: 'DE', isDefault: false, status: 'awaiting_proof', registeredBy: 'subscriber', refusalReason: null, createdAt: expect.stringMatching(ISO_INSTANT) });
    });

    it('the same IBAN again is conflict IBAN_ALREADY_REGISTERED (status 409)', async () => {
      const answer = await register(alice, DEMO_IDS.subscribers.alice, { iban: IBAN_PRINT, holderName: 'Alice Martin' });
      expectError(answer, 'conflict', 'IBAN_ALREADY_REGISTERED');
    });

    it('validation names the fields, and the refused IBAN is not echoed back', async () => {
      const bad = await register(alice, DEMO_IDS.subscribers.alice, { iban: IBAN_BAD_CHECKSUM, holderName: ' ' });
      expectGraphqlInvalid(bad, ['iban IBAN_CHECKSUM_FAILED', 'holderName REQUIRED_FIELD_MISSING']);
      expect(bad.text).not.toContain('30006000011234567890');
      expectGraphqlInvalid(await register(alice, DEMO_IDS.subscribers.alice, { iban: 'SA0380000000608010167519', holderName: 'Alice Martin' }), ['iban IBAN_COUNTRY_NOT_SEPA']);
      expectGraphqlInvalid(await register(alice, DEMO_IDS.subscribers.alice, { iban: 'FR763000600001123456789018', holderName: 'Alice Martin' }), ['iban IBAN_WRONG_LENGTH']);
      // A client cannot choose the default through the input.
      const extra = await register(alice, DEMO_IDS.subscribers.alice, { iban: IBAN_GB, holderName: 'Alice Martin', isDefault: true });
      expect(extra.status).toBe(400);
      expect(extra.json.errors[0]).toMatchObject({ extensions: { reason: 'UNKNOWN_FIELD', code: 'parameter_invalid', field: 'input.isDefault' } });
    });

    it('the partner registers for its distributor’s subscriber: masked, pending the subscriber, even for an IBAN bob already has', async () => {
      const answer = await data(register(machine, DEMO_IDS.subscribers.bob, { iban: IBAN, holderName: 'Bob Durand' }), 'registerPayoutIban');
      expect(answer).toMatchObject({ iban: IBAN_MASKED, holderName: 'Bob Durand', isDefault: false, status: 'pending_confirmation', registeredBy: 'machine' });
    });

    it('subscriber A registering for B: not_found, and nothing is stored', async () => {
      const before = await server.db.query(`select id from payout_ibans where subscriber_id = '${DEMO_IDS.subscribers.alice}'`);
      expectError(await register(bob, DEMO_IDS.subscribers.alice, { iban: IBAN_GB, holderName: 'Mallory' }), 'resource_not_found', 'SUBSCRIBER_NOT_FOUND');
      expect(await server.db.query(`select id from payout_ibans where subscriber_id = '${DEMO_IDS.subscribers.alice}'`)).toEqual(before);
    });

    it('anonymous: unauthorized', async () => {
      const answer = await gql(base, REGISTER, { variables: { subscriberId: DEMO_IDS.subscribers.alice, input: { iban: IBAN_GB, holderName: 'Anon' } } });
      expect(answer.json.errors[0]).toMatchObject({ message: 'NO_SESSION', extensions: { code: 'unauthorized' } });
    });
  });

  describe('payoutIbans, and from a policy or a subscriber', () => {
    it('the owner and back-office see full IBANs; the broker and the partner masked ones', async () => {
      const own = await data(run(alice, LIST, { subscriberId: DEMO_IDS.subscribers.alice }), 'payoutIbans');
      expect(own.map((i: Row) => [i.iban, i.isDefault])).toEqual([
        [IBAN, true],
        [IBAN_DE, false],
      ]);
      expect(await data(run(backoffice, LIST, { subscriberId: DEMO_IDS.subscribers.alice }), 'payoutIbans')).toEqual(own);
      for (const token of [broker, machine]) {
        const answer = await run(token, LIST, { subscriberId: DEMO_IDS.subscribers.alice });
        expect(answer.json.data.payoutIbans).toEqual(own.map((i: Row) => ({ ...i, iban: i.iban === IBAN ? IBAN_MASKED : IBAN_DE_MASKED })));
        expect(answer.text).not.toContain('30006000011234567890');
      }
    });

    it('Policy.payoutIbans: the policy subscriber’s IBANs, under the same masking', async () => {
      const own = await data(run(alice, POLICY, { id: DEMO_IDS.policies.aliceAv }), 'policy');
      expect(own.payoutIbans.map((i: Row) => i.iban)).toEqual([IBAN, IBAN_DE]);
      const perPolicy = await data(run(alice, POLICY, { id: DEMO_IDS.policies.alicePer }), 'policy');
      expect(perPolicy.payoutIbans).toEqual(own.payoutIbans);
      const brokers = await data(run(broker, POLICY, { id: DEMO_IDS.policies.aliceAv }), 'policy');
      expect(brokers.payoutIbans.map((i: Row) => i.iban)).toEqual([IBAN_MASKED, IBAN_DE_MASKED]);
    });

    it('a page of policies carries each subscriber’s own IBANs', async () => {
      const edges = (await data(run(broker, POLICIES), 'policies')).edges as Array<{ node: Row }>;
      const bySubscriber = new Map(edges.map(({ node }) => [node.subscriberId, node.payoutIbans]));
      expect(bySubscriber.get(DEMO_IDS.subscribers.alice)).toEqual([
        { iban: IBAN_MASKED, isDefault: true },
        { iban: IBAN_DE_MASKED, isDefault: false },
      ]);
      expect(bySubscriber.get(DEMO_IDS.subscribers.bob)).toEqual([{ iban: IBAN_MASKED, isDefault: true }, { iban: IBAN_MASKED, isDefault: false }]);
      // Bob's own page holds his policies only, with his IBANs in full.
      const bobs = (await data(run(bob, POLICIES), 'policies')).edges as Array<{ node: Row }>;
      expect(bobs.map(({ node }) => node.subscriberId)).toEqual([DEMO_IDS.subscribers.bob, DEMO_IDS.subscribers.bob]);
      for (const { node } of bobs) expect(node.payoutIbans).toEqual([{ iban: IBAN, isDefault: true }, { iban: IBAN, isDefault: false }]);
    });

    it('Subscriber.payoutIbans', async () => {
      const subscriber = await data(run(bob, SUBSCRIBER, { id: DEMO_IDS.subscribers.bob }), 'subscriber');
      expect(subscriber.payoutIbans).toEqual([
        expect.objectContaining({ iban: IBAN, holderName: 'Bob Durand', isDefault: true, status: 'confirmed' }),
        expect.objectContaining({ iban: IBAN, holderName: 'Bob Durand', isDefault: false, status: 'pending_confirmation' }),
      ]);
    });

    it('subscriber A gets not_found for B’s IBANs, by every path', async () => {
      expectError(await run(bob, LIST, { subscriberId: DEMO_IDS.subscribers.alice }), 'resource_not_found', 'SUBSCRIBER_NOT_FOUND');
      expectError(await run(bob, POLICY, { id: DEMO_IDS.policies.aliceAv }), 'resource_not_found', 'POLICY_NOT_FOUND');
      expectError(await run(bob, SUBSCRIBER, { id: DEMO_IDS.subscribers.alice }), 'resource_not_found', 'SUBSCRIBER_NOT_FOUND');
      expectError(await run(alice, LIST, { subscriberId: DEMO_IDS.subscribers.bob }), 'resource_not_found', 'SUBSCRIBER_NOT_FOUND');
    });
  });

  describe('makePayoutIbanDefault', () => {
    it('an IBAN awaiting its proof: unprocessable PAYOUT_IBAN_NOT_CONFIRMED (422)', async () => {
      const answer = await makeDefault(alice, DEMO_IDS.subscribers.alice, IBAN_DE);
      expectError(answer, 'unprocessable_content', 'PAYOUT_IBAN_NOT_CONFIRMED');
    });

    it('once confirmed, by electronic format, print format or id; exactly one default each time', async () => {
      const [fr, pendingDe] = await data(run(alice, LIST, { subscriberId: DEMO_IDS.subscribers.alice }), 'payoutIbans');
      await acceptIbanProof(server, { authorization: `Bearer ${backoffice}` }, DEMO_IDS.subscribers.alice, pendingDe.id);
      const de = { ...pendingDe, status: 'confirmed' };
      const defaultsNow = async () => (await data(run(alice, LIST, { subscriberId: DEMO_IDS.subscribers.alice }), 'payoutIbans')).filter((i: Row) => i.isDefault).map((i: Row) => i.id);

      expect(await data(makeDefault(alice, DEMO_IDS.subscribers.alice, IBAN_DE), 'makePayoutIbanDefault')).toEqual({ ...de, isDefault: true });
      expect(await defaultsNow()).toEqual([de.id]);
      expect(await data(makeDefault(alice, DEMO_IDS.subscribers.alice, IBAN_PRINT), 'makePayoutIbanDefault')).toEqual({ ...fr, isDefault: true });
      expect(await defaultsNow()).toEqual([fr.id]);
      expect(await data(makeDefault(backoffice, DEMO_IDS.subscribers.alice, de.id), 'makePayoutIbanDefault')).toEqual({ ...de, isDefault: true });
      expect(await defaultsNow()).toEqual([de.id]);
    });

    it('the broker and the partner: forbidden (403), named by id or IBAN, existing or not', async () => {
      for (const token of [broker, machine]) {
        for (const iban of [DEMO_IDS.payoutIbans.aliceDebit, testId('pib_nothing'), IBAN, IBAN_GB]) {
          const answer = await makeDefault(token, DEMO_IDS.subscribers.alice, iban);
          expectError(answer, 'forbidden', 'INSUFFICIENT_ROLES');
        }
      }
    });

    it('an IBAN the subscriber has not registered: not_found PAYOUT_IBAN_NOT_FOUND', async () => {
      const answer = await makeDefault(alice, DEMO_IDS.subscribers.alice, IBAN_GB);
      expectError(answer, 'resource_not_found', 'PAYOUT_IBAN_NOT_FOUND');
    });

    it('subscriber A on B’s IBANs: not_found, and B’s default stays', async () => {
      const before = await data(run(alice, LIST, { subscriberId: DEMO_IDS.subscribers.alice }), 'payoutIbans');
      expectError(await makeDefault(bob, DEMO_IDS.subscribers.alice, IBAN), 'resource_not_found', 'SUBSCRIBER_NOT_FOUND');
      expectError(await makeDefault(bob, DEMO_IDS.subscribers.alice, before[0].id), 'resource_not_found', 'SUBSCRIBER_NOT_FOUND');
      expect(await data(run(alice, LIST, { subscriberId: DEMO_IDS.subscribers.alice }), 'payoutIbans')).toEqual(before);
    });

    it('each change leaves an audit entry with the masked IBAN only', async () => {
      const rows = await server.db.query<{ actor_kind: string; details: Row }>(`select actor_kind, details from audit_log where action = 'iban.made_default' and details->>'subscriberId' = '${DEMO_IDS.subscribers.alice}' order by id`);
      expect(rows.map((r) => [r.actor_kind, r.details.iban])).toEqual([
        ['subscriber', IBAN_DE_MASKED],
        ['subscriber', IBAN_MASKED],
        ['backoffice', IBAN_DE_MASKED],
      ]);
      expect(JSON.stringify(rows)).not.toContain('30006000011234567890');
    });
  });

  describe('confirmation and review', () => {
    it('sendPayoutIbanConfirmationCode and confirmPayoutIban: the broker relays the code bob received', async () => {
      const pending = await data(register(broker, DEMO_IDS.subscribers.bob, { iban: IBAN_GB, holderName: 'Durand Bob' }), 'registerPayoutIban');
      expect(await data(run(broker, SEND_CODE, { subscriberId: DEMO_IDS.subscribers.bob, iban: pending.id }), 'sendPayoutIbanConfirmationCode')).toMatchObject({ id: pending.id, status: 'pending_confirmation' });
      const wrong = await run(broker, CONFIRM, { subscriberId: DEMO_IDS.subscribers.bob, iban: pending.id, code: 'abcdef' });
      expectError(wrong, 'unprocessable_content', 'CONFIRMATION_CODE_INVALID');
      const { code } = await lastConfirmationCode(server, pending.id);
      expect(await data(run(broker, CONFIRM, { subscriberId: DEMO_IDS.subscribers.bob, iban: pending.id, code }), 'confirmPayoutIban')).toMatchObject({ id: pending.id, status: 'awaiting_proof' });
    });

    it('reviewPayoutIban: back-office only (forbidden otherwise); refuse needs a reason', async () => {
      const pending = await data(register(broker, DEMO_IDS.subscribers.alice, { iban: IBAN_GB, holderName: 'Mallory' }), 'registerPayoutIban');
      for (const token of [alice, broker, machine]) expectError(await run(token, REVIEW, { subscriberId: DEMO_IDS.subscribers.alice, iban: pending.id, input: { decision: 'refuse', reason: 'no' } }), 'forbidden', 'INSUFFICIENT_ROLES');
      expectError(await run(backoffice, REVIEW, { subscriberId: DEMO_IDS.subscribers.alice, iban: pending.id, input: { decision: 'refuse' } }), 'parameter_invalid', 'REFUSAL_REASON_REQUIRED');
      expect(await data(run(backoffice, REVIEW, { subscriberId: DEMO_IDS.subscribers.alice, iban: pending.id, input: { decision: 'refuse', reason: 'not hers' } }), 'reviewPayoutIban')).toMatchObject({ status: 'refused', refusalReason: 'not hers' });
    });
  });
});
