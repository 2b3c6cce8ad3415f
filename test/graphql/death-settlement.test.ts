import { EACH_DATABASE } from '../support/databases';
import { gql, login, type Answer } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';
import { acceptedEvidence, uploadEvidence } from '../support/evidence';
import { DEMO_IDS } from '../support/ids';

const FIELDS = `policyId version kind isDefault standardClause { id } beneficiaries { id firstName lastName birthDate address { line1 line2 postalCode city country } rank shareBasisPoints accepted acceptedAt }`;

const DESIGNATION = `query Designation($policyId: ID!) { beneficiaryDesignation(policyId: $policyId) { ${FIELDS} } }`;
const POLICY = `query Policy($id: ID!) { policy(id: $id) { id beneficiaryDesignation { ${FIELDS} } } }`;
const PAGE = `query Page { policies(first: 10) { edges { node { id beneficiaryDesignation { version kind standardClause { id } } } } } }`;
const CLAUSES = `query Clauses($policyId: ID!) { standardBeneficiaryDesignations(policyId: $policyId) { id title text } }`;
const DESIGNATE = `mutation Designate($policyId: ID!, $expectedVersion: Int!, $input: BeneficiaryDesignationInput!) {
  designateBeneficiaries(policyId: $policyId, expectedVersion: $expectedVersion, input: $input) { ${FIELDS} }
}`;

const RECORD_ACCEPTANCE = `mutation Accept($policyId: ID!, $input: BeneficiaryAcceptanceInput!) {
  recordBeneficiaryAcceptance(policyId: $policyId, input: $input) { ${FIELDS} version }
}`;

type Input = Record<string, unknown>;

function person(firstName: string, rank: number, share: number, overrides: Input = {}): Input {
  return { firstName, lastName: 'Bernard', birthDate: '1999-12-01', address: { line1: '5 quai Saint-Antoine', postalCode: '69002', city: 'Lyon', country: 'FR' }, rank, shareBasisPoints: share, ...overrides };
}

describe.each(EACH_DATABASE)('GraphQL death settlement on %s', (_name, database) => {
  let server: TestServer;
  const tokens: Record<string, string> = {};
  const designate = (who: string, policyId: string, expectedVersion: number, input: Input) => gql(server.url, DESIGNATE, { token: tokens[who], variables: { policyId, expectedVersion, input } });
  const error = (answer: Answer) => answer.json.errors?.[0];

  beforeAll(async () => {
    server = await startTestServer(database, { demoPortfolio: true });
    for (const [i, who] of ['alice', 'bob', 'broker', 'backoffice'].entries()) tokens[who] = (await login(server.url, `${who}@demo.test`, `10.61.0.${i + 1}`)).token;
  });
  afterAll(() => server.close());

  it('Policy.beneficiaryDesignation: the product default (first standard clause) at version 0 until one is made', async () => {
    const answer = await gql(server.url, POLICY, { token: tokens.alice, variables: { id: DEMO_IDS.policies.aliceAv } });
    expect(answer.json).toEqual({
      data: { policy: { id: DEMO_IDS.policies.aliceAv, beneficiaryDesignation: { policyId: DEMO_IDS.policies.aliceAv, version: 0, kind: 'standard', isDefault: true, standardClause: { id: DEMO_IDS.standardClauses.spouseChildren }, beneficiaries: [] } } },
    });
  });

  it('the standard clauses usable on a policy, the default first', async () => {
    const answer = await gql(server.url, CLAUSES, { token: tokens.alice, variables: { policyId: DEMO_IDS.policies.aliceAv } });
    expect(answer.json.data.standardBeneficiaryDesignations.map((c: { id: string }) => c.id)).toEqual([DEMO_IDS.standardClauses.spouseChildren, DEMO_IDS.standardClauses.children, DEMO_IDS.standardClauses.heirs]);
  });

  it('designateBeneficiaries with the expected version moves to the next version', async () => {
    const answer = await designate('alice', DEMO_IDS.policies.aliceAv, 0, { beneficiaries: [person('Hugo', 1, 5_000), person('Inès', 1, 5_000), person('Odile', 2, 10_000, { lastName: 'Roux' })] });
    expect(answer.status).toBe(200);
    const d = answer.json.data.designateBeneficiaries;
    expect(d).toMatchObject({ version: 1, kind: 'custom', isDefault: false, standardClause: null });
    expect(d.beneficiaries.map((b: Input) => [b.firstName, b.rank, b.shareBasisPoints, b.accepted])).toEqual([
      ['Hugo', 1, 5_000, false],
      ['Inès', 1, 5_000, false],
      ['Odile', 2, 10_000, false],
    ]);
    expect(d.beneficiaries[0].address).toEqual({ line1: '5 quai Saint-Antoine', line2: null, postalCode: '69002', city: 'Lyon', country: 'FR' });
    const read = await gql(server.url, DESIGNATION, { token: tokens.alice, variables: { policyId: DEMO_IDS.policies.aliceAv } });
    expect(read.json.data.beneficiaryDesignation).toEqual(d);
  });

  it('a stale expectedVersion is refused with precondition_failed', async () => {
    const answer = await designate('alice', DEMO_IDS.policies.aliceAv, 0, { standardClauseId: DEMO_IDS.standardClauses.heirs });
    expect(answer.status).toBe(200);
    expect(answer.json.data).toEqual({ designateBeneficiaries: null });
    expect(error(answer)).toMatchObject({ path: ['designateBeneficiaries'], extensions: { reason: 'STALE_VERSION', code: 'precondition_failed', doc_url: `${server.url}/docs/errors/precondition_failed` } });
  });

  it('shares of a rank that do not total 100% are refused naming the rank', async () => {
    const answer = await designate('alice', DEMO_IDS.policies.aliceAv, 1, { beneficiaries: [person('Hugo', 1, 7_000), person('Inès', 1, 2_000)] });
    expect(error(answer)).toMatchObject({ extensions: { reason: 'SHARES_OF_RANK_1_NOT_100_PERCENT', code: 'parameter_invalid', field: 'beneficiaries' } });
  });

  it('an acceptance is recorded by back-office from the endorsement; removing the beneficiary then needs their consent document (conflict)', async () => {
    const bearer = (who: string) => ({ authorization: `Bearer ${tokens[who]}` });
    const current = (await gql(server.url, DESIGNATION, { token: tokens.alice, variables: { policyId: DEMO_IDS.policies.aliceAv } })).json.data.beneficiaryDesignation;
    const keep = current.beneficiaries.map(({ accepted: _a, acceptedAt: _at, ...b }: Input) => b);
    const hugo = keep[0].id as string;
    // The designation cannot carry an acceptance any more.
    const set = await designate('backoffice', DEMO_IDS.policies.aliceAv, 1, { beneficiaries: [{ ...keep[0], accepted: true, acceptedAt: '2026-03-02' }, keep[1], keep[2]] });
    expect(error(set)).toMatchObject({ extensions: { reason: 'ACCEPTANCE_RECORDED_SEPARATELY', code: 'parameter_invalid', field: 'beneficiaries.0.accepted' } });

    const endorsement = (await uploadEvidence(server, bearer('alice'), DEMO_IDS.subscribers.alice, { kind: 'acceptance_endorsement', subjectId: DEMO_IDS.policies.aliceAv, item: hugo })).json.id;
    const input = { beneficiaryId: hugo, acceptedAt: '2026-03-02', endorsementId: endorsement };
    const byBroker = await gql(server.url, RECORD_ACCEPTANCE, { token: tokens.broker, variables: { policyId: DEMO_IDS.policies.aliceAv, input } });
    expect(error(byBroker)).toMatchObject({ extensions: { code: 'forbidden' } });
    const accepted = await gql(server.url, RECORD_ACCEPTANCE, { token: tokens.backoffice, variables: { policyId: DEMO_IDS.policies.aliceAv, input } });
    expect(accepted.json.data.recordBeneficiaryAcceptance).toMatchObject({ version: 2 });
    expect(accepted.json.data.recordBeneficiaryAcceptance.beneficiaries[0]).toMatchObject({ firstName: 'Hugo', accepted: true, acceptedAt: '2026-03-02' });

    const refused = await designate('alice', DEMO_IDS.policies.aliceAv, 2, { standardClauseId: DEMO_IDS.standardClauses.children });
    expect(error(refused)).toMatchObject({ extensions: { reason: 'ACCEPTED_BENEFICIARY_CONSENT_REQUIRED', code: 'conflict', field: 'consents' } });

    const consent = await acceptedEvidence(server, bearer('alice'), bearer('backoffice'), DEMO_IDS.subscribers.alice, { kind: 'beneficiary_consent', subjectId: DEMO_IDS.policies.aliceAv, item: hugo });
    const consented = await designate('alice', DEMO_IDS.policies.aliceAv, 2, { standardClauseId: DEMO_IDS.standardClauses.children, consents: [{ beneficiaryId: hugo, evidenceId: consent }] });
    expect(consented.json.data.designateBeneficiaries).toMatchObject({ version: 3, kind: 'standard', standardClause: { id: DEMO_IDS.standardClauses.children }, beneficiaries: [] });
  });

  it("subscriber A gets not_found for B's designation, through the query, the policy and the mutation", async () => {
    const query = await gql(server.url, DESIGNATION, { token: tokens.alice, variables: { policyId: DEMO_IDS.policies.bobAv } });
    expect(error(query)).toMatchObject({ extensions: { reason: 'POLICY_NOT_FOUND', code: 'resource_not_found' } });
    const policy = await gql(server.url, POLICY, { token: tokens.alice, variables: { id: DEMO_IDS.policies.bobAv } });
    expect(error(policy)).toMatchObject({ extensions: { reason: 'POLICY_NOT_FOUND', code: 'resource_not_found' } });
    const clauses = await gql(server.url, CLAUSES, { token: tokens.alice, variables: { policyId: DEMO_IDS.policies.bobAv } });
    expect(error(clauses)).toMatchObject({ extensions: { reason: 'POLICY_NOT_FOUND', code: 'resource_not_found' } });
    const mutation = await designate('alice', DEMO_IDS.policies.bobAv, 0, { standardClauseId: DEMO_IDS.standardClauses.heirs });
    expect(error(mutation)).toMatchObject({ extensions: { reason: 'POLICY_NOT_FOUND', code: 'resource_not_found' } });
    const bobs = await gql(server.url, DESIGNATION, { token: tokens.bob, variables: { policyId: DEMO_IDS.policies.bobAv } });
    expect(bobs.json.data.beneficiaryDesignation).toMatchObject({ version: 0, isDefault: true });
  });

  it('the broker of the distributor may designate, and sees every designation of its page', async () => {
    const changed = await designate('broker', DEMO_IDS.policies.bobPer, 0, { standardClauseId: DEMO_IDS.standardClauses.heirs });
    expect(changed.json.data.designateBeneficiaries).toMatchObject({ version: 1, standardClause: { id: DEMO_IDS.standardClauses.heirs } });
    const page = await gql(server.url, PAGE, { token: tokens.broker });
    expect(page.json.data.policies.edges.map((e: { node: Input }) => e.node)).toEqual([
      { id: DEMO_IDS.policies.aliceAv, beneficiaryDesignation: { version: 3, kind: 'standard', standardClause: { id: DEMO_IDS.standardClauses.children } } },
      { id: DEMO_IDS.policies.alicePer, beneficiaryDesignation: { version: 0, kind: 'standard', standardClause: { id: DEMO_IDS.standardClauses.spouseChildren } } },
      { id: DEMO_IDS.policies.bobAv, beneficiaryDesignation: { version: 0, kind: 'standard', standardClause: { id: DEMO_IDS.standardClauses.spouseChildren } } },
      { id: DEMO_IDS.policies.bobPer, beneficiaryDesignation: { version: 1, kind: 'standard', standardClause: { id: DEMO_IDS.standardClauses.heirs } } },
    ]);
  });

  it('anonymous callers are refused before anything else', async () => {
    const answer = await gql(server.url, DESIGNATE, { variables: { policyId: DEMO_IDS.policies.aliceAv, expectedVersion: 3, input: { standardClauseId: DEMO_IDS.standardClauses.heirs } } });
    expect(answer.status).toBe(401);
    expect(error(answer)).toMatchObject({ message: 'NO_SESSION', extensions: { code: 'unauthorized' } });
  });
});
