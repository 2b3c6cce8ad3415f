import {
  getNamedType,
  isInterfaceType,
  isObjectType,
  isUnionType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import { hashPassword } from '../../domain/auth/passwords';
import { ROUTES } from '../../rest-bridge/routes';
import { accessOf } from '../../schema/access';
import { buildSchema } from '../../schema/index';
import { EACH_DATABASE } from '../support/databases';
import { call, DEMO_PASSWORD, login, type Answer } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';
import { ACCESS_MATRIX, ACTORS, ALICE_PAYER_IBAN, ALICE_PAYOUT_IBAN, EMAIL_MESSAGE, PAYER_BODY, SUBSCRIPTION_BODY, scheduleBody, singlePremiumBody, type Actor, type Fixtures, type MatrixRow, type Outcome } from './access-matrix';
import { tinyPng } from '../support/files';
import { freshPolicy, parisToday, scaledEur } from '../support/surrender-fixtures';
import { DeathClaimStore } from '../../store/death-claim-store';
import { DeathClaimPaymentStore } from '../../store/death-claim-payment-store';
import { newUuid } from '../../domain/shared/ids';
import { DEMO_IDS, testId } from '../support/ids';

const SERIAL = '01:23:45:67:89:AB:CD:EF';
const PARTNER = { grant_type: 'client_credentials', client_id: 'demo-partner', client_secret: 'demo-partner-secret' };
const OTHER_BROKER_EMAIL = 'other-broker@access.test';
const EMAIL: Partial<Record<Actor, string>> = {
  subscriber: 'alice@demo.test',
  other_subscriber: 'bob@demo.test',
  broker: 'broker@demo.test',
  other_broker: OTHER_BROKER_EMAIL,
  backoffice: 'backoffice@demo.test',
};

let addressCounter = 0;
/** A distinct client address per call that may count against the login throttle. */
const newAddress = () => `10.77.${Math.floor(++addressCounter / 250)}.${addressCounter % 250}`;

type Headers = Record<string, string>;

const SCHEMA = buildSchema();
const ROOT_FIELDS = (schema: GraphQLSchema): string[] => [
  ...Object.keys(schema.getQueryType()?.getFields() ?? {}).map((f) => `Query.${f}`),
  ...Object.keys(schema.getMutationType()?.getFields() ?? {}).map((f) => `Mutation.${f}`),
];
const routeKey = (r: { method: string; path: string }) => `${r.method} ${r.path}`;

/** `Query.policy` -> its field definition. */
function rootField(key: string): { operation: 'query' | 'mutation'; field: GraphQLField<unknown, unknown> } {
  const [type, name] = key.split('.');
  const root = type === 'Query' ? SCHEMA.getQueryType()! : SCHEMA.getMutationType()!;
  return { operation: type === 'Query' ? 'query' : 'mutation', field: root.getFields()[name] };
}

/** A document calling one root field with the given variables, selecting `__typename` only. */
function documentFor(key: string, variables: Record<string, unknown>): string {
  const { operation, field } = rootField(key);
  const args = field.args.filter((a) => a.name in variables);
  const declared = args.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ');
  const passed = args.map((a) => `${a.name}: $${a.name}`).join(', ');
  const named = getNamedType(field.type);
  const selection = isObjectType(named) || isInterfaceType(named) || isUnionType(named) ? ' { __typename }' : '';
  return `${operation} AccessMatrix${declared ? `(${declared})` : ''} { ${field.name}${passed ? `(${passed})` : ''}${selection} }`;
}

const isWrite = (row: MatrixRow) => (row.kind === 'graphql' ? row.key.startsWith('Mutation.') : !row.key.startsWith('GET '));

/**
 * The outcome class of one answer, given what was expected: the expected class itself when the answer
 * matches it, else a description of what came back (so a failing row shows got vs expected per actor).
 */
function classify(row: MatrixRow, expected: Outcome, answer: Answer): string {
  const write = isWrite(row);
  if (row.kind === 'graphql') {
    const error = answer.json?.errors?.[0];
    const code: string | undefined = error?.extensions?.code;
    if (!error && answer.json?.data) return expected === 'public' ? 'public' : 'ok';
    if (code === 'unauthorized' || code === 'forbidden') return code;
    if (code === 'resource_not_found' || code === 'compartment_not_found' || code === 'payer_not_found' || code === 'payer_subscriber_not_found') return 'not_found';
    // Passes access control, refused by a business rule: `ok` for writes (see access-matrix.ts).
    if (write && code && code !== 'internal_server_error') return 'ok';
    return `${code ?? 'no code'} (${answer.status} ${error?.message ?? answer.text.slice(0, 200)})`;
  }
  const status = answer.status;
  const message = answer.json?.errors?.[0]?.message ?? '';
  if (expected === 'signature' && status === 401 && message === 'INVALID_SIGNATURE') return 'signature';
  if (status >= 200 && status < 300) return expected === 'public' ? 'public' : 'ok';
  if (status === 401) return `unauthorized${expected === 'unauthorized' ? '' : ` (${message})`}`;
  if (status === 403) return 'forbidden';
  if (status === 404) return `not_found${expected === 'not_found' ? '' : ` (${message})`}`;
  if (write && status >= 400 && status < 500) return 'ok';
  return `status ${status} (${message || answer.text.slice(0, 200)})`;
}

describe.each(EACH_DATABASE)('access matrix on %s', (_name, database) => {
  let server: TestServer;
  const as = {} as Record<Actor, Headers>;
  const fixtures = {} as Fixtures;

  async function machineHeaders(): Promise<Headers> {
    const token = await call(`${server.url}/v1/auth/token`, { method: 'POST', headers: { 'x-client-certificate-serial': SERIAL, 'x-forwarded-for': newAddress() }, json: PARTNER });
    if (token.status !== 200) throw new Error(`client token: ${token.status} ${token.text}`);
    return { authorization: `Bearer ${token.json.access_token}`, 'x-client-certificate-serial': SERIAL };
  }
  /** Headers with a session of the actor's own (a new one on every call). */
  async function signIn(actor: Actor): Promise<Headers> {
    if (actor === 'anonymous') return {};
    if (actor === 'machine') return machineHeaders();
    return { authorization: `Bearer ${(await login(server.url, EMAIL[actor]!, newAddress())).token}` };
  }
  async function expectCreated(answer: Promise<Answer>, what: string): Promise<any> {
    const done = await answer;
    if (![200, 201, 202].includes(done.status)) throw new Error(`setup: ${what}: ${done.status} ${done.text}`);
    return done.json;
  }
  const post = (who: Actor, path: string, json?: unknown) => call(`${server.url}${path}`, { method: 'POST', headers: as[who], ...(json !== undefined ? { json } : {}) });

  beforeAll(async () => {
    server = await startTestServer(database, { demoPortfolio: true, webhookSecrets: { esign: ['whsec_' + Buffer.from('esign-secret-for-tests-32-bytes!').toString('base64')], payments: ['whsec_' + Buffer.from('payments-secret-for-tests-32byte').toString('base64')] } });
    const now = new Date();
    await server.db.query('insert into distributors (id, name, created_at) values ($1, $2, $3)', [testId('dst_other'), 'Other Courtage', now]);
    await server.db.query('insert into users (id, email, kind, password_hash, distributor_id, created_at) values ($1, $2, $3, $4, $5, $6)', [
      testId('usr_other_broker'),
      OTHER_BROKER_EMAIL,
      'broker',
      await hashPassword(DEMO_PASSWORD),
      testId('dst_other'),
      now,
    ]);
    for (const actor of ACTORS) as[actor] = await signIn(actor);

    // An endpoint of alice's distributor first, so the events of the setup below are delivered to it.
    fixtures.webhookEndpointId = (await expectCreated(post('machine', '/v1/webhook-endpoints', { url: 'http://127.0.0.1:9/access-matrix' }), 'webhook endpoint')).id;
    fixtures.disposableEndpointIds = [];
    for (let i = 0; i < 2 * ACTORS.length; i++) fixtures.disposableEndpointIds.push((await expectCreated(post('machine', '/v1/webhook-endpoints', { url: 'http://127.0.0.1:9/disposable' }), 'webhook endpoint')).id);

    // Alice's objects the matrix targets.
    const [statement] = await server.db.query<{ id: string }>(`select id from commission_statements where broker_id = '${DEMO_IDS.users.broker}' order by period desc limit 1`);
    fixtures.commissionId = statement.id;
    fixtures.pngBase64 = tinyPng().toString('base64');
    const draft = await expectCreated(post('subscriber', `/v1/subscription/subscribers/${DEMO_IDS.subscribers.alice}/subscriptions`, SUBSCRIPTION_BODY), 'draft');
    fixtures.draftSubscriptionId = draft.id;
    const documents = await expectCreated(post('subscriber', `/v1/subscription/subscriptions/${draft.id}/documents`), 'documents');
    fixtures.documentId = documents[0].id;
    await expectCreated(post('subscriber', `/v1/subscription/subscriptions/${draft.id}/signing`, { method: 'otp' }), 'signature');
    // Before the total surrender, which sells alice's positions (position orders).
    fixtures.switchRequestId = (await expectCreated(
      post('subscriber', `/v1/switches/policies/${DEMO_IDS.policies.aliceAv}/compartments/${DEMO_IDS.compartments.aliceAvMain}/requests`, {
        legs: [{ isin: 'FR0010315770', direction: 'SELL', unit: 'BASIS_POINT_OF_CURRENT_POSITION', basisPoints: 1_000 }, { isin: 'LU0290358497', direction: 'BUY', unit: 'BASIS_POINT_OF_SELL_PROCEED', basisPoints: 10_000 }],
      }),
      'switch request',
    )).id;
    fixtures.totalDeclarationId = (await expectCreated(post('backoffice', `/v1/total-surrender/policies/${DEMO_IDS.policies.aliceAv}/declarations`, { reason: 'client-request' }), 'total surrender')).id;
    fixtures.partialDeclarationId = (
      await expectCreated(post('backoffice', `/v1/partial-surrender/policies/${DEMO_IDS.policies.alicePer}/compartments/${DEMO_IDS.compartments.alicePerC1}/declarations`, { amount: scaledEur(50_000), requestedAt: parisToday(server.clock), earlyReleaseCase: 'disability_of_holder' }), 'partial surrender')
    ).id;
    fixtures.supportRequestId = (await expectCreated(post('subscriber', `/v1/support/subscribers/${DEMO_IDS.subscribers.alice}/requests`, { category: 'other', subject: 'Setup', message: 'Setup request' }), 'support request')).id;
    fixtures.evidenceId = (await expectCreated(
      post('subscriber', `/v1/evidence/subscribers/${DEMO_IDS.subscribers.alice}/documents`, { kind: 'acceptance_endorsement', subjectId: DEMO_IDS.policies.aliceAv, fileName: 'consent.png', contentType: 'image/png', contentBase64: fixtures.pngBase64 }),
      'evidence',
    )).id;
    const [delivery] = await server.db.query<{ id: string }>('select id from webhook_deliveries where endpoint_id = $1 order by id limit 1', [fixtures.webhookEndpointId]);
    fixtures.webhookDeliveryId = delivery.id;
    fixtures.emailMessageId = (await expectCreated(post('machine', '/v1/emailing/messages', EMAIL_MESSAGE), 'e-mail message')).id;
    fixtures.mandateId = (await expectCreated(post('backoffice', '/v1/investments/mandates', { name: 'Access matrix', riskLevel: 3 }), 'mandate')).id;
    fixtures.payoutIbanId = (await expectCreated(post('subscriber', `/v1/pay-out/subscribers/${DEMO_IDS.subscribers.alice}/ibans`, { iban: ALICE_PAYOUT_IBAN, holderName: 'Alice Martin' }), 'payout IBAN')).id;
    fixtures.payerId = (await expectCreated(post('subscriber', `/v1/premium-scheduling/subscribers/${DEMO_IDS.subscribers.alice}/payers`, PAYER_BODY), 'payer')).id;
    await expectCreated(post('subscriber', `/v1/premium-scheduling/payers/${fixtures.payerId}/ibans`, { iban: ALICE_PAYER_IBAN, holderName: 'Jeanne Martin' }), 'payer IBAN');
    // A closed SEPA batch holding one premium of alice's payer (its file downloads), before the fixture request exists.
    await expectCreated(post('subscriber', '/v1/premium-scheduling/single-premium-requests', singlePremiumBody(fixtures)), 'single premium for a SEPA batch');
    const run = await expectCreated(post('backoffice', '/v1/premium-scheduling/sepa-batches/runs'), 'SEPA run');
    fixtures.sepaBatchId = run.batches.find((b: { kind: string }) => b.kind === 'collection').id;
    await expectCreated(post('backoffice', `/v1/premium-scheduling/sepa-batches/${fixtures.sepaBatchId}/close`), 'SEPA batch close');
    fixtures.singlePremiumRequestId = (await expectCreated(post('subscriber', '/v1/premium-scheduling/single-premium-requests', singlePremiumBody(fixtures)), 'single premium')).id;
    await expectCreated(post('subscriber', `/v1/premium-scheduling/policies/${DEMO_IDS.policies.aliceAv}/schedule`, scheduleBody(fixtures)), 'premium schedule');
    // A notice freezes every policy of the insured: the claim is written for one fresh policy of alice's only.
    const { policyId } = await freshPolicy(server, 'alice', 'av');
    fixtures.deathClaimId = newUuid();
    await new DeathClaimStore(server.db).insert(server.db, {
      id: fixtures.deathClaimId, policyId, subscriberId: DEMO_IDS.subscribers.alice, noticeId: newUuid(), status: 'notified', dateOfDeath: '2026-01-02', source: 'backoffice',
      certificateReference: 'ACCESS-MATRIX', valueAmount: 0, valueCurrency: 'EUR', valueBasis: 'recorded_value_at_notice', designationVersion: 0,
      // A named person (whose file the rows act on) and a class clause still to identify.
      beneficiaries: [
        { id: (fixtures.deathClaimBeneficiaryId = newUuid()), rank: 1, kind: 'named', beneficiaryId: null, clauseLineId: null, firstName: 'Paul', lastName: 'Martin', birthDate: '2001-03-04', relationship: null,
          shareBasisPoints: 10_000, shareOfClaimBasisPoints: null, clause: null, status: 'found', acceptedAt: null, renouncedOn: null, fileCompletedAt: null },
        { id: newUuid(), rank: 2, kind: 'class_clause', beneficiaryId: null, clauseLineId: null, firstName: null, lastName: null, birthDate: null, relationship: null,
          shareBasisPoints: null, shareOfClaimBasisPoints: null, clause: 'Mes héritiers', status: 'to_identify', acceptedAt: null, renouncedOn: null, fileCompletedAt: null },
      ],
      notifiedByKind: 'backoffice', notifiedById: null, requestId: null, notifiedAt: new Date(), closedAt: null,
    });
    fixtures.deathClaimDocumentId = (await expectCreated(post('backoffice', `/v1/death-claims/${fixtures.deathClaimId}/beneficiaries/${fixtures.deathClaimBeneficiaryId}/documents`,
      { item: 'identity_document', fileName: 'id.png', contentType: 'image/png', contentBase64: fixtures.pngBase64 }), 'death claim document')).id;
    // One beneficiary line of it, paid once (rows written as the services would).
    const beneficiaryId = newUuid();
    const at = new Date('2026-02-01T10:00:00Z');
    await server.db.query(
      `insert into death_claim_beneficiaries (id, claim_id, position, rank, kind, first_name, last_name, share_basis_points, status, file_completed_at, created_at, updated_at)
       values ($1, $2, 99, 1, 'named', 'Léa', 'Martin', 10000, 'found', $3, $3, $3)`,
      [beneficiaryId, fixtures.deathClaimId, at],
    );
    fixtures.deathClaimPaymentId = newUuid();
    await new DeathClaimPaymentStore(server.db).insert(server.db, {
      id: fixtures.deathClaimPaymentId, claimId: fixtures.deathClaimId, policyId, beneficiaryId, status: 'sent', capitalAmount: 1, interestAmount: 0, currency: 'EUR',
      iban: 'FR7630006000011234567890189', holderName: 'Léa Martin', fileCompletedAt: at, dueDate: '2026-03-01', interestTo: '2026-02-10', daysLate: 0, interestSegments: [],
      rateCategory: 'consumer', sentByKind: 'backoffice', sentById: null, requestId: null, sentAt: at, paidAt: null, rejectedAt: null, rejectionReason: null,
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  async function send(row: MatrixRow, headers: Headers): Promise<Answer> {
    // Fresh client addresses: login and token cells must not trip the per-address throttle.
    const common = { ...headers, 'x-forwarded-for': newAddress() };
    if (row.kind === 'graphql') {
      const request = row.request?.(fixtures) ?? {};
      const variables = request.variables ?? {};
      return call(`${server.url}/graphql`, { method: 'POST', headers: { ...common, ...request.headers }, json: { query: documentFor(row.key, variables), variables } });
    }
    const request = row.request?.(fixtures) ?? {};
    const [method, template] = row.key.split(' ');
    const path = template.replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = request.params?.[name];
      if (value === undefined) throw new Error(`${row.key}: no value for {${name}}`);
      return encodeURIComponent(value);
    });
    const query = request.query ? `?${new URLSearchParams(request.query)}` : '';
    return call(`${server.url}${path}${query}`, { method, headers: { ...common, ...request.headers }, ...(request.body !== undefined ? { json: request.body } : {}) });
  }

  describe.each(ACCESS_MATRIX.map((row) => [row.key, row] as const))('%s', (_key, row) => {
    it('answers every actor as classified', async () => {
      const got = {} as Record<Actor, string>;
      for (const actor of ACTORS) {
        // The machine serial is sent on every machine call (it is part of `as.machine`).
        const headers = 'freshSession' in row && row.freshSession ? await signIn(actor) : as[actor];
        got[actor] = classify(row, row.expect[actor], await send(row, headers));
      }
      expect(got).toEqual(row.expect);
    });
  });
});

describe('inventory (docs/SECURITY.md 18): the access matrix names every route and root field, and nothing else', () => {
  const keys = (kind: MatrixRow['kind']) => ACCESS_MATRIX.filter((r) => r.kind === kind).map((r) => r.key as string);

  it('has one row per key', () => {
    const all = ACCESS_MATRIX.map((r) => `${r.kind} ${r.key}`);
    expect(all.filter((k, i) => all.indexOf(k) !== i)).toEqual([]);
  });

  it('classifies every REST route of ROUTES, and no route that no longer exists', () => {
    const routes = ROUTES.map(routeKey);
    const table = keys('rest');
    expect({ unclassified: routes.filter((r) => !table.includes(r)), stale: table.filter((r) => !routes.includes(r)) }).toEqual({ unclassified: [], stale: [] });
  });

  it('classifies every Query and Mutation root field of the built schema, and no field that no longer exists', () => {
    const fields = ROOT_FIELDS(SCHEMA);
    const table = keys('graphql');
    expect({ unclassified: fields.filter((f) => !table.includes(f)), stale: table.filter((f) => !fields.includes(f)) }).toEqual({ unclassified: [], stale: [] });
  });

  it('keeps webhooks out of the bridge: they are signature-authenticated, not GraphQL operations', () => {
    for (const row of ACCESS_MATRIX.filter((r) => r.key.includes('/webhooks/'))) {
      expect(row.kind).toBe('http');
      expect(new Set(Object.values(row.expect))).toEqual(new Set(['signature']));
    }
    expect(ROUTES.filter((r) => r.path.includes('/webhooks/'))).toEqual([]);
  });

  it('agrees with the schema directives: public rows are @public, forbidden cells are roles outside @signedIn', () => {
    const roleOf: Partial<Record<Actor, string>> = { subscriber: 'subscriber', other_subscriber: 'subscriber', broker: 'broker', other_broker: 'broker', backoffice: 'backoffice', machine: 'machine' };
    const problems: string[] = [];
    for (const row of ACCESS_MATRIX.filter((r) => r.kind === 'graphql')) {
      const { field } = rootField(row.key);
      const access = accessOf(SCHEMA, field as never);
      if (!access) {
        problems.push(`${row.key}: no directive`);
        continue;
      }
      if (access.public !== (row.expect.anonymous === 'public')) problems.push(`${row.key}: @public ${access.public} vs anonymous ${row.expect.anonymous}`);
      if (access.public || access.roles === null) continue;
      for (const actor of ACTORS.filter((a) => a !== 'anonymous')) {
        const allowed = access.roles.includes(roleOf[actor] as never);
        if (!allowed && row.expect[actor] !== 'forbidden') problems.push(`${row.key}: ${actor} is outside @signedIn but classified ${row.expect[actor]}`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('subscribers never see commission data (docs/SECURITY.md 14)', () => {
  it('classifies every billing route and root field as forbidden to subscribers and partner platforms', () => {
    const billing = ACCESS_MATRIX.filter((r) => r.key.includes('/v1/billing/') || /^Query\.commission/i.test(r.key));
    expect(billing.length).toBeGreaterThanOrEqual(ROUTES.filter((r) => r.tag === 'billing').length + 3);
    for (const row of billing) {
      expect({ row: row.key, subscriber: row.expect.subscriber, other_subscriber: row.expect.other_subscriber, machine: row.expect.machine }).toEqual({
        row: row.key,
        subscriber: 'forbidden',
        other_subscriber: 'forbidden',
        machine: 'forbidden',
      });
    }
  });

  it('no type reachable from a root field a subscriber may call has a field named like commission', () => {
    const rootsForSubscribers: string[] = [];
    const seen = new Set<string>();
    const offending: string[] = [];
    const walk = (type: GraphQLNamedType, via: string) => {
      if (seen.has(type.name)) return;
      seen.add(type.name);
      const members = isUnionType(type) ? type.getTypes() : [];
      for (const member of members) walk(member, via);
      if (!isObjectType(type) && !isInterfaceType(type)) return;
      for (const field of Object.values(type.getFields())) {
        if (/commission/i.test(field.name)) offending.push(`${type.name}.${field.name} (reached from ${via})`);
        walk(getNamedType(field.type), via);
      }
    };
    for (const [typeName, root] of [['Query', SCHEMA.getQueryType()!], ['Mutation', SCHEMA.getMutationType()!]] as const) {
      for (const field of Object.values(root.getFields())) {
        const access = accessOf(SCHEMA, field as never);
        if (!access) continue;
        if (!access.public && access.roles !== null && !access.roles.includes('subscriber')) continue;
        rootsForSubscribers.push(`${typeName}.${field.name}`);
        if (/commission/i.test(field.name)) offending.push(`${typeName}.${field.name}`);
        walk(getNamedType(field.type), `${typeName}.${field.name}`);
      }
    }
    expect(rootsForSubscribers.length).toBeGreaterThan(20);
    expect(offending).toEqual([]);
  });
});
