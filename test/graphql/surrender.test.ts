import { EACH_DATABASE } from '../support/databases';
import { gql, login, type Answer } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';
import { DEMO_IBAN_MASKED, freshPolicy, PAYMENTS_SECRET, paymentsEvent } from '../support/surrender-fixtures';
import { parisToday, scaledEur } from '../support/surrender-fixtures';
import { reasonOf } from '../support/errors';
import { DEMO_IDS, testId } from '../support/ids';

// ---- documents -------------------------------------------------------------------------------------

const FIELDS = `id policyId policy { id } compartment { id code } kind compartmentId status amount { amount currency } paidAmount { amount currency }
  reason earlyReleaseCase payoutIban payoutIbanSource requestedAt paymentDueBy paidAt rejectionReason declaredBy
  requiredDocuments { item status }
  history { fromStatus toStatus actorKind note }`;

const DECLARE_TOTAL = `mutation($policyId: ID!, $input: DeclareTotalSurrenderInput) {
  declareTotalSurrender(policyId: $policyId, input: $input) { ${FIELDS} }
}`;

const DECLARE_PARTIAL = `mutation($policyId: ID!, $compartmentId: ID!, $input: DeclarePartialSurrenderInput!) {
  declarePartialSurrender(policyId: $policyId, compartmentId: $compartmentId, input: $input) { ${FIELDS} }
}`;

const DECLARATION = `query($policyId: ID!, $id: ID!, $kind: SurrenderKind, $compartmentId: ID) {
  surrenderDeclaration(policyId: $policyId, id: $id, kind: $kind, compartmentId: $compartmentId) { ${FIELDS} }
}`;

const POLICY_DECLARATIONS = `query($id: ID!) {
  policy(id: $id) { id status surrenderDeclarations { id kind status amount { amount } } compartments { code status value { amount } } }
}`;

const eur = (amount: number) => ({ amount, currency: 'EUR' });

let addressCounter = 0;
const newAddress = () => `10.53.${Math.floor(++addressCounter / 250)}.${addressCounter % 250}`;

/** The first error's reason and catalog code. */
const failure = (answer: Answer) => ({ reason: reasonOf(answer.json.errors?.[0]), code: answer.json.errors?.[0]?.extensions?.code });

describe.each(EACH_DATABASE)('GraphQL surrender declarations on %s', (_name, database) => {
  let server: TestServer;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    server = await startTestServer(database, { demoPortfolio: true, webhookSecrets: { payments: [PAYMENTS_SECRET] } });
    for (const who of ['alice', 'bob', 'broker', 'backoffice']) tokens[who] = (await login(server.url, `${who}@demo.test`, newAddress())).token;
  });
  afterAll(async () => {
    await server?.close();
  });

  it('declarePartialSurrender of a PER: awaiting its documents (no deadline yet), listed on the policy and readable by id', async () => {
    const { policyId, compartments } = await freshPolicy(server, 'alice', 'per');
    const answer = await gql(server.url, DECLARE_PARTIAL, { token: tokens.alice, variables: { policyId, compartmentId: compartments.C1, input: { amount: scaledEur(75_000), requestedAt: parisToday(server.clock), earlyReleaseCase: 'main_residence_purchase' } } });
    expect(answer.json.errors).toBeUndefined();
    const declared = answer.json.data.declarePartialSurrender;
    expect(declared).toMatchObject({
      policyId, policy: { id: policyId }, compartment: { id: compartments.C1, code: 'C1' }, kind: 'partial', compartmentId: compartments.C1, status: 'awaiting_documents', amount: eur(75_000), paidAmount: null, earlyReleaseCase: 'main_residence_purchase',
      payoutIban: DEMO_IBAN_MASKED, payoutIbanSource: 'subscription_debit', declaredBy: 'subscriber', history: [{ fromStatus: null, toStatus: 'awaiting_documents', actorKind: 'subscriber', note: null }],
      paymentDueBy: null, requiredDocuments: [{ item: 'purchase_agreement_or_deed', status: 'missing' }],
    });

    const byId = await gql(server.url, DECLARATION, { token: tokens.alice, variables: { policyId, id: declared.id } });
    expect(byId.json.data.surrenderDeclaration).toEqual(declared);
    const listed = await gql(server.url, POLICY_DECLARATIONS, { token: tokens.alice, variables: { id: policyId } });
    expect(listed.json.data.policy.surrenderDeclarations).toEqual([{ id: declared.id, kind: 'partial', status: 'awaiting_documents', amount: { amount: 75_000 } }]);
  });

  it('takes the REST contract\'s shapes: reason (client_request here), requestedAt, amount {value, scale, currency}', async () => {
    const { policyId, compartments } = await freshPolicy(server, 'alice', 'av');
    const reasonFields = `mutation($policyId: ID!, $compartmentId: ID!, $input: DeclarePartialSurrenderInput!) {
      declarePartialSurrender(policyId: $policyId, compartmentId: $compartmentId, input: $input) { amount { amount currency } reason reasonCode earlyReleaseCase }
    }`;
    const input = { amount: { value: 6_000_000, scale: 4, currency: 'EUR' }, requestedAt: parisToday(server.clock), reason: 'regulatory' };
    const answer = await gql(server.url, reasonFields, { token: tokens.alice, variables: { policyId, compartmentId: compartments.MAIN, input } });
    expect(answer.json.data.declarePartialSurrender).toEqual({ amount: eur(60_000), reason: 'regulatory', reasonCode: 'regulatory', earlyReleaseCase: null });
    const total = await freshPolicy(server, 'alice', 'av');
    const declared = await gql(server.url, DECLARE_TOTAL, { token: tokens.alice, variables: { policyId: total.policyId, input: { reason: 'client_request', requestedAt: parisToday(server.clock) } } });
    expect(declared.json.data.declareTotalSurrender.reason).toBe('client_request');
    const finer = await gql(server.url, reasonFields, { token: tokens.alice, variables: { policyId, compartmentId: compartments.MAIN, input: { ...input, amount: { value: 60_001, scale: 3, currency: 'EUR' } } } });
    expect(finer.json.errors.map((e: { extensions: { field: string } }) => e.extensions.field)).toEqual(['amount.value']);
    expect(finer.json.errors[0].extensions).toMatchObject({ code: 'parameter_invalid', details: [{ field: 'amount.scale', reason: 'AMOUNT_FINER_THAN_MINOR_UNIT' }] });
  });

  it('declareTotalSurrender, then paid: the policy shows closed compartments with no value', async () => {
    const { policyId } = await freshPolicy(server, 'alice', 'av');
    const answer = await gql(server.url, DECLARE_TOTAL, { token: tokens.alice, variables: { policyId } });
    const declared = answer.json.data.declareTotalSurrender;
    expect(declared).toMatchObject({ kind: 'total', compartmentId: null, status: 'received', amount: eur(1_287_450), requiredDocuments: [] });
    expect(new Date(declared.paymentDueBy).getTime()).toBeGreaterThan(new Date(declared.requestedAt).getTime() + 58 * 24 * 3600_000);
    expect((await paymentsEvent(server, 'surrender.paid', { declaration_id: declared.id })).status).toBe(200);
    const policy = (await gql(server.url, POLICY_DECLARATIONS, { token: tokens.alice, variables: { id: policyId } })).json.data.policy;
    expect(policy).toEqual({ id: policyId, status: 'closed', surrenderDeclarations: [{ id: declared.id, kind: 'total', status: 'paid', amount: { amount: 1_287_450 } }], compartments: [{ code: 'MAIN', status: 'closed', value: { amount: 0 } }] });
    const read = (await gql(server.url, DECLARATION, { token: tokens.alice, variables: { policyId, id: declared.id, kind: 'total' } })).json.data.surrenderDeclaration;
    expect(read).toMatchObject({ status: 'paid', paidAmount: eur(1_287_450), paidAt: expect.any(String) });
  });

  it('the same rules as REST: 409 for an open total, 422 naming the rule for the PER cases', async () => {
    const per = await freshPolicy(server, 'alice', 'per');
    const other = await gql(server.url, DECLARE_TOTAL, { token: tokens.alice, variables: { policyId: per.policyId, input: { earlyReleaseCase: 'sabbatical' } } });
    expect(failure(other)).toEqual({ reason: 'PER_EARLY_RELEASE_CASE_NOT_ALLOWED', code: 'unprocessable_content' });
    const c3 = await gql(server.url, DECLARE_PARTIAL, { token: tokens.alice, variables: { policyId: per.policyId, compartmentId: per.compartments.C3, input: { amount: scaledEur(60_000), requestedAt: parisToday(server.clock), earlyReleaseCase: 'main_residence_purchase' } } });
    expect(failure(c3)).toEqual({ reason: 'MAIN_RESIDENCE_NOT_FROM_C3', code: 'unprocessable_content' });
    expect((await gql(server.url, DECLARE_TOTAL, { token: tokens.alice, variables: { policyId: per.policyId, input: { earlyReleaseCase: 'disability_of_holder' } } })).json.errors).toBeUndefined();
    const second = await gql(server.url, DECLARE_PARTIAL, { token: tokens.alice, variables: { policyId: per.policyId, compartmentId: per.compartments.C1, input: { amount: scaledEur(60_000), requestedAt: parisToday(server.clock), earlyReleaseCase: 'disability_of_holder' } } });
    expect(failure(second)).toEqual({ reason: 'TOTAL_SURRENDER_ALREADY_OPEN', code: 'conflict' });
    const negative = await gql(server.url, DECLARE_PARTIAL, { token: tokens.alice, variables: { policyId: per.policyId, compartmentId: per.compartments.C1, input: { amount: scaledEur(-5), requestedAt: parisToday(server.clock), earlyReleaseCase: 'disability_of_holder' } } });
    expect(failure(negative)).toEqual({ reason: 'VALUE_NOT_POSITIVE_INTEGER', code: 'parameter_invalid' });
  });

  it('a rejected declaration shows its reason and history', async () => {
    const { policyId, compartments } = await freshPolicy(server, 'alice', 'av');
    const declared = (await gql(server.url, DECLARE_PARTIAL, { token: tokens.alice, variables: { policyId, compartmentId: compartments.MAIN, input: { amount: scaledEur(60_000), requestedAt: parisToday(server.clock) } } })).json.data.declarePartialSurrender;
    await paymentsEvent(server, 'surrender.processing', { declaration_id: declared.id });
    await paymentsEvent(server, 'surrender.rejected', { declaration_id: declared.id, reason: 'IBAN closed' });
    const read = (await gql(server.url, DECLARATION, { token: tokens.alice, variables: { policyId, id: declared.id, compartmentId: compartments.MAIN } })).json.data.surrenderDeclaration;
    expect(read).toMatchObject({ status: 'rejected', rejectionReason: 'IBAN closed', paidAmount: null });
    expect(read.history).toEqual([
      { fromStatus: null, toStatus: 'received', actorKind: 'subscriber', note: null },
      { fromStatus: 'received', toStatus: 'processing', actorKind: 'system', note: null },
      { fromStatus: 'processing', toStatus: 'rejected', actorKind: 'system', note: 'IBAN closed' },
    ]);
  });

  describe('object-level access: subscriber A gets not_found on B’s records', () => {
    let bobs: Awaited<ReturnType<typeof freshPolicy>>;
    let bobsDeclaration: string;

    beforeAll(async () => {
      bobs = await freshPolicy(server, 'bob', 'av');
      bobsDeclaration = (await gql(server.url, DECLARE_PARTIAL, { token: tokens.bob, variables: { policyId: bobs.policyId, compartmentId: bobs.compartments.MAIN, input: { amount: scaledEur(60_000), requestedAt: parisToday(server.clock) } } })).json.data.declarePartialSurrender.id;
    });

    it('declaring on B’s policy or compartment, exactly as for ones that do not exist', async () => {
      const total = await gql(server.url, DECLARE_TOTAL, { token: tokens.alice, variables: { policyId: bobs.policyId } });
      const missing = await gql(server.url, DECLARE_TOTAL, { token: tokens.alice, variables: { policyId: testId('pol_nobody') } });
      expect(failure(total)).toEqual({ reason: 'POLICY_NOT_FOUND', code: 'resource_not_found' });
      expect(failure(missing)).toEqual(failure(total));
      const partial = await gql(server.url, DECLARE_PARTIAL, { token: tokens.alice, variables: { policyId: bobs.policyId, compartmentId: bobs.compartments.MAIN, input: { amount: scaledEur(60_000), requestedAt: parisToday(server.clock) } } });
      expect(failure(partial)).toEqual({ reason: 'POLICY_NOT_FOUND', code: 'resource_not_found' });
      const alices = await freshPolicy(server, 'alice', 'av');
      const foreignCompartment = await gql(server.url, DECLARE_PARTIAL, { token: tokens.alice, variables: { policyId: alices.policyId, compartmentId: bobs.compartments.MAIN, input: { amount: scaledEur(60_000), requestedAt: parisToday(server.clock) } } });
      expect(failure(foreignCompartment)).toEqual({ reason: 'COMPARTMENT_NOT_FOUND', code: 'compartment_not_found' });
    });

    it('reading B’s declaration, under B’s policy or under A’s own', async () => {
      const direct = await gql(server.url, DECLARATION, { token: tokens.alice, variables: { policyId: bobs.policyId, id: bobsDeclaration } });
      expect(failure(direct)).toEqual({ reason: 'POLICY_NOT_FOUND', code: 'resource_not_found' });
      const alices = await freshPolicy(server, 'alice', 'av');
      const smuggled = await gql(server.url, DECLARATION, { token: tokens.alice, variables: { policyId: alices.policyId, id: bobsDeclaration } });
      expect(failure(smuggled)).toEqual({ reason: 'SURRENDER_DECLARATION_NOT_FOUND', code: 'resource_not_found' });
      const listed = await gql(server.url, POLICY_DECLARATIONS, { token: tokens.alice, variables: { id: bobs.policyId } });
      expect(failure(listed)).toEqual({ reason: 'POLICY_NOT_FOUND', code: 'resource_not_found' });
    });

    it('B’s broker and back-office reach it; the wrong kind does not', async () => {
      for (const who of ['broker', 'backoffice', 'bob']) {
        const answer = await gql(server.url, DECLARATION, { token: tokens[who], variables: { policyId: bobs.policyId, id: bobsDeclaration } });
        expect(answer.json.data.surrenderDeclaration.id).toBe(bobsDeclaration);
      }
      const wrongKind = await gql(server.url, DECLARATION, { token: tokens.bob, variables: { policyId: bobs.policyId, id: bobsDeclaration, kind: 'total' } });
      expect(failure(wrongKind)).toEqual({ reason: 'SURRENDER_DECLARATION_NOT_FOUND', code: 'resource_not_found' });
    });
  });

  it('needs a session', async () => {
    const answer = await gql(server.url, DECLARE_TOTAL, { variables: { policyId: DEMO_IDS.policies.aliceAv } });
    expect(failure(answer)).toEqual({ reason: 'NO_SESSION', code: 'unauthorized' });
  });
});
