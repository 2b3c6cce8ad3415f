import fc from 'fast-check';
import {
  astFromValue,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isUnionType,
  print,
  type GraphQLField,
  type GraphQLInputType,
} from 'graphql';
import { loadOperations } from '../../rest-bridge/operations';
import { ROUTES } from '../../rest-bridge/routes';
import type { Route } from '../../rest-bridge/route';
import { buildSchema } from '../../schema/index';
import { EACH_DATABASE } from '../support/databases';
import { call, login, type Answer } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';
import { DEMO_IDS, testId } from '../support/ids';
import { freshPolicy } from '../support/surrender-fixtures';
import { DeathClaimStore } from '../../store/death-claim-store';

/**
 * Property-based fuzzing of every REST route and every GraphQL field that takes arguments: generated
 * path parameters, query strings, bodies and variables must never answer >= 500. Each request is made
 * of plausible values (real ids, valid phones, IBANs, dates) so it gets past coercion and the domain's
 * rules, some hostile ones (NUL, lone surrogates, huge, unicode and SQL-ish text, impossible dates and
 * amounts), and one leaf poisoned on purpose: the way one bad field used to reach SQL. As anonymous,
 * subscriber, broker and back-office callers. Bounded and repeatable: FUZZ_SEED (default fixed) and
 * FUZZ_RUNS (per property, default 600: about 30 s a database) change it.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261130);
const RUNS = Number(process.env.FUZZ_RUNS ?? 600);

const SCHEMA = buildSchema();
const OPERATIONS = loadOperations(SCHEMA);

/** Real ids of the demo portfolio: a generated request sometimes reaches an object that exists. */
/** A payer of alice's with one IBAN (the default), inserted by the setup: the demo data has none. */
const FUZZ_PAYER = testId('payer_fuzz');
/** A single-premium request of that payer's, inserted by the setup. */
const FUZZ_PREMIUM = testId('premium_fuzz');
/** An open SEPA batch, inserted by the setup (a run puts the request above in a batch of its own). */
const FUZZ_BATCH = testId('sepa_batch_fuzz');
/** A death claim on a fresh policy of alice's (her demo policies stay unfrozen), with a named beneficiary and a class clause. */
const FUZZ_CLAIM = testId('death_claim_fuzz');
const FUZZ_CLAIM_PERSON = testId('claim_person_fuzz');
const FUZZ_CLAIM_CLAUSE = testId('claim_clause_fuzz');
const FUZZ_CLAIM_PAYMENT = testId('claim_payment_fuzz');
const REAL_IDS = [DEMO_IDS.policies.aliceAv, DEMO_IDS.policies.alicePer, DEMO_IDS.policies.bobAv, DEMO_IDS.subscribers.alice, DEMO_IDS.subscribers.bob, DEMO_IDS.users.broker, DEMO_IDS.distributor, DEMO_IDS.products.av, DEMO_IDS.products.per, DEMO_IDS.standardClauses.children];

const HOSTILE = [
  '\u0000', 'a\u0000b', '\ud800', 'x\udc00y', '\ud83d', '\u0007', '\r\n', 'line\nbreak', '\u2028', '\u0085', '\u009b',
  '0000-01-01', '1800-01-01', '9999-12-31', '2024-02-30', '0000-01-01T00:00:00Z', '-000001-01-01',
  "'; drop table users; --", "' or 1=1 --", '%00', '../../etc/passwd', '{}', '[]', 'null', '',
  'x'.repeat(5_000), 'é'.repeat(20_000), '🙂'.repeat(3_000), `${DEMO_IDS.policies.aliceAv}\u0000`, 'sbr_\ud800', 'MQ', 'AAAA', '-1', '1e400',
];

/** Any UTF-16 code units, lone surrogates included. */
const codeUnits = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 40 });
const text = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE) },
  { weight: 2, arbitrary: codeUnits },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  { weight: 2, arbitrary: fc.constantFrom(...REAL_IDS) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...REAL_IDS), codeUnits).map(([id, tail]) => id + tail) },
);
const integer = fc.oneof(fc.integer(), fc.constantFrom(0, -1, 1, 100_000, 2 ** 31, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 1e20, 0.5));
const anyJson = fc.oneof(text, integer, fc.boolean(), fc.constant(null), fc.constant({}), fc.constant([]));

/**
 * Values a real client would send, by field or argument name: a request made of them gets past
 * coercion and the domain's rules down to SQL, so the one hostile value among them is what is tested.
 */
const PLAUSIBLE: Record<string, fc.Arbitrary<unknown>> = {
  payerId: fc.constant(FUZZ_PAYER),
  claimId: fc.constant(FUZZ_CLAIM),
  paymentId: fc.constant(FUZZ_CLAIM_PAYMENT),
  beneficiaryId: fc.constantFrom(FUZZ_CLAIM_PERSON, FUZZ_CLAIM_CLAUSE),
  requestId: fc.constant(FUZZ_PREMIUM),
  batchId: fc.constant(FUZZ_BATCH),
  subscriberId: fc.constantFrom(DEMO_IDS.subscribers.alice, DEMO_IDS.subscribers.bob),
  policyId: fc.constantFrom(DEMO_IDS.policies.aliceAv, DEMO_IDS.policies.alicePer, DEMO_IDS.policies.bobAv),
  subscriptionId: fc.constantFrom(DEMO_IDS.subscriptions.aliceAv, DEMO_IDS.subscriptions.alicePer),
  compartmentId: fc.constantFrom(DEMO_IDS.compartments.aliceAvMain, DEMO_IDS.compartments.alicePerC1, DEMO_IDS.compartments.alicePerC3, DEMO_IDS.compartments.bobAvMain),
  insureeId: fc.constant(DEMO_IDS.insurees.alice),
  productId: fc.constantFrom(DEMO_IDS.products.av, DEMO_IDS.products.per),
  standardClauseId: fc.constantFrom(DEMO_IDS.standardClauses.children, DEMO_IDS.standardClauses.spouseChildren),
  brokerId: fc.constant(DEMO_IDS.users.broker),
  distributorId: fc.constant(DEMO_IDS.distributor),
  email: fc.constantFrom('alice@demo.test', 'fuzz@example.com'),
  password: fc.constant('demo-password-2026'),
  phone: fc.constantFrom('+33612345678', '06 12 34 56 78'),
  postalCode: fc.constant('75002'),
  country: fc.constant('FR'),
  nationality: fc.constant('FR'),
  taxResidence: fc.constant('FR'),
  currency: fc.constant('EUR'),
  iban: fc.constant('FR7630006000011234567890189'),
  debitIban: fc.constant('FR7630006000011234567890189'),
  isin: fc.constantFrom('FR0000000001', 'FR0010315770', 'LU0290358497', 'FR0010148981'),
  valuedOn: fc.constantFrom('2026-11-30', '2026-11-27', '2026-11-28'),
  scale: fc.constantFrom(2, 4),
  riskIndicator: fc.constantFrom(1, 4, 7),
  csv: fc.constantFrom('isin,valuedOn,nav,currency\nFR0010315770,2026-11-30,101.5,EUR\n', 'valuedOn,isin,nav,currency,correctionReason\r\n2026-11-27,LU0290358497,150,EUR,fix\r\n'),
  basisPoints: fc.constantFrom(10_000, 5_000, 1_000),
  shareBasisPoints: fc.constant(10_000),
  rank: fc.constant(1),
  amount: fc.constantFrom(100_000, 150_000, 60_000),
  birthDate: fc.constantFrom('1975-04-12', '1990-01-01'),
  acceptedAt: fc.constant('2024-01-01'),
  consentedAt: fc.constant('2024-01-01'),
  first: fc.constantFrom(1, 20),
  code: fc.constantFrom('123456', 'C2'),
  from: fc.constant('2026-01'),
  to: fc.constant('2026-06'),
};

/** A value for a GraphQL input type (of a field or argument called `name`): plausible, or hostile at a rate of hostility in 20. */
function valueFor(type: GraphQLInputType, name: string, hostility: number, depth = 0): fc.Arbitrary<unknown> {
  if (isNonNullType(type)) return valueFor(type.ofType, name, hostility, depth);
  if (isListType(type)) return fc.array(valueFor(type.ofType, name, hostility, depth + 1), { minLength: depth > 2 ? 0 : 1, maxLength: depth > 2 ? 0 : 3 });
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields());
    return fc.record(Object.fromEntries(fields.map((f) => [f.name, depth > 3 ? fc.constant(null) : valueFor(f.type, f.name, hostility, depth + 1)])), {
      requiredKeys: fields.filter((f) => isNonNullType(f.type)).map((f) => f.name),
    });
  }
  const plausible = isEnumType(type) ? fc.constantFrom(...type.getValues().map((v) => v.name)) : (PLAUSIBLE[name] ?? plausibleScalar(type.name));
  return fc.oneof({ weight: 20, arbitrary: plausible }, { weight: hostility, arbitrary: hostileScalar(type.name) });
}

function plausibleScalar(scalar: string): fc.Arbitrary<unknown> {
  switch (scalar) {
    case 'Int':
    case 'SafeInt':
    case 'Float':
      return fc.integer({ min: 0, max: 1000 });
    case 'Boolean':
      return fc.boolean();
    case 'ID':
      return fc.constantFrom(...REAL_IDS);
    case 'LocalDate':
      return fc.constant('1980-05-05');
    default:
      return fc.constantFrom('Paris', 'Martin', 'Some text');
  }
}

function hostileScalar(scalar: string): fc.Arbitrary<unknown> {
  switch (scalar) {
    case 'Int':
    case 'SafeInt':
    case 'Float':
      return fc.oneof(integer, anyJson);
    case 'Boolean':
      return anyJson;
    case 'LocalDate':
      return fc.oneof(fc.constantFrom('0000-01-01', '1800-01-01', '1899-12-31', '9999-12-31', '2200-12-31', '2024-02-29', '0001-01-01'), text);
    default:
      return fc.oneof({ weight: 4, arbitrary: text }, { weight: 1, arbitrary: anyJson });
  }
}

/** How hostile one request is, besides its one poisoned value: from none to mostly bad. */
const hostility = fc.constantFrom(0, 1, 3, 20);

/** Values that once gave 500s from deep inside: NUL (text columns), lone surrogates (jsonb), year 0, a huge string. */
const POISON = fc.constantFrom('\u0000', 'a\u0000b', '\ud800', 'x\udc00y', '0000-01-01', '1800-01-01', 'Ali\r\nce', 'x'.repeat(200_000), "'; select pg_sleep(1); --");

type Path = Array<string | number>;

/** The paths of every text or number in a value (nested objects and lists included). */
function leafPaths(value: unknown, path: Path = []): Path[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => leafPaths(item, [...path, i]));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => leafPaths(v, [...path, k]));
  return typeof value === 'string' || typeof value === 'number' ? [path] : [];
}

/** A copy of `value` with the leaf at `path` replaced. */
function withLeaf(value: unknown, path: Path, replacement: unknown): unknown {
  if (!path.length) return replacement;
  const [head, ...rest] = path;
  const copy: any = Array.isArray(value) ? [...value] : { ...(value as object) };
  copy[head] = withLeaf(copy[head], rest, replacement);
  return copy;
}

/** Plausible-or-hostile values with exactly one more leaf poisoned: the way one bad field reaches SQL among good ones. */
function poisoned<T>(values: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.tuple(values, fc.nat(), POISON).map(([value, pick, poison]) => {
    const leaves = leafPaths(value);
    return leaves.length ? (withLeaf(value, leaves[pick % leaves.length], poison) as T) : value;
  });
}

/** The body as REST clients send it: GraphQL's names, except a route's own wire names (OAuth 2.0). */
function wireBody(route: Route, value: unknown): unknown {
  if (!route.wireNames || !value || typeof value !== 'object') return value;
  const wire = Object.fromEntries(Object.entries(route.wireNames).map(([name, graphql]) => [graphql, name]));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [wire[k] ?? k, v]));
}

/** Percent-encodes a path segment as WTF-8, so lone surrogates reach the server too (encodeURIComponent throws on them). */
function encodeSegment(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    const pair = code >= 0xd800 && code <= 0xdbff && i + 1 < value.length && (value.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    if (pair) {
      out += encodeURIComponent(value.slice(i, i + 2));
      i++;
    } else if (code >= 0xd800 && code <= 0xdfff) {
      out += [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    } else out += encodeURIComponent(value[i]);
  }
  return out;
}

type Caller = 'anonymous' | 'subscriber' | 'broker' | 'backoffice';
// Mostly signed in: an anonymous request stops at 401 before its input is looked at.
const caller = fc.constantFrom<Caller>('subscriber', 'subscriber', 'backoffice', 'backoffice', 'broker', 'anonymous');

/** A REST request for a route: generated path parameters, query string or body. */
function restRequest(route: Route): fc.Arbitrary<{ path: string; query: string; body: unknown }> {
  const operation = OPERATIONS.get(route.operation)!;
  const params = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
  const variables = [...operation.variables].filter(([name]) => !params.includes(name) && !(route.constants && name in route.constants));
  const inputType = route.bodyVariable ? operation.variables.get(route.bodyVariable)?.type : undefined;
  return poisoned(hostility.chain((h) => fc.record({
    params: fc.tuple(...params.map((name) => fc.oneof({ weight: 20, arbitrary: PLAUSIBLE[name] ?? fc.constantFrom(...REAL_IDS) }, { weight: h, arbitrary: text }))),
    values: route.bodyVariable && inputType
      ? valueFor(inputType, route.bodyVariable, h)
      : fc.record(Object.fromEntries(variables.map(([name, v]) => [name, valueFor(v.type, name, h)])), { requiredKeys: variables.filter(([, v]) => v.required).map(([name]) => name) }),
  }))).map(({ params: generated, values }) => {
    let path = route.path;
    params.forEach((name, i) => (path = path.replace(`{${name}}`, encodeSegment(String(generated[i])))));
    if (route.body) return { path, query: '', body: wireBody(route, values) };
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries((values ?? {}) as Record<string, unknown>)) {
      // URLSearchParams would turn lone surrogates into U+FFFD: encode them ourselves.
      if (value !== undefined && value !== null) search.append(name, typeof value === 'string' ? value.replace(/[\ud800-\udfff]/g, '') : JSON.stringify(value));
    }
    const raw = Object.entries((values ?? {}) as Record<string, unknown>)
      .filter(([, v]) => typeof v === 'string' && /[\ud800-\udfff]/.test(v))
      .map(([k, v]) => `${k}=${encodeSegment(v as string)}`);
    const query = [search.toString(), ...raw].filter(Boolean).join('&');
    return { path, query: query ? `?${query}` : '', body: undefined };
  });
}

/** Every root field taking arguments (nested arguments such as `Subscriber.supportRequests` go through the same guard). */
const GRAPHQL_FIELDS: Array<{ operation: 'query' | 'mutation'; field: GraphQLField<unknown, unknown> }> = [
  ...Object.values(SCHEMA.getQueryType()!.getFields()).map((field) => ({ operation: 'query' as const, field })),
  ...Object.values(SCHEMA.getMutationType()!.getFields()).map((field) => ({ operation: 'mutation' as const, field })),
].filter(({ field }) => field.args.length > 0);

/** A document calling one field, its arguments as variables, or as literals where they print as one. */
function graphqlRequest({ operation, field }: (typeof GRAPHQL_FIELDS)[number]): fc.Arbitrary<{ query: string; variables: Record<string, unknown> }> {
  const values = poisoned(hostility.chain((h) => fc.record(Object.fromEntries(field.args.map((a) => [a.name, valueFor(a.type, a.name, h)])), { requiredKeys: field.args.filter((a) => isNonNullType(a.type)).map((a) => a.name) })));
  return fc.tuple(values, fc.boolean()).map(([args, literal]) => {
    const declared: string[] = [];
    const passed: string[] = [];
    const variables: Record<string, unknown> = {};
    for (const a of field.args) {
      if (!(a.name in args)) continue;
      const ast = literal ? safeLiteral(args[a.name], a.type) : undefined;
      if (ast !== undefined) passed.push(`${a.name}: ${ast}`);
      else {
        declared.push(`$${a.name}: ${a.type.toString()}`);
        passed.push(`${a.name}: $${a.name}`);
        variables[a.name] = args[a.name];
      }
    }
    const named = getNamedType(field.type);
    const selection = isObjectType(named) || isInterfaceType(named) || isUnionType(named) ? ' { __typename }' : '';
    return { query: `${operation}${declared.length ? `(${declared.join(', ')})` : ''} { ${field.name}${passed.length ? `(${passed.join(', ')})` : ''}${selection} }`, variables };
  });
}

function safeLiteral(value: unknown, type: GraphQLInputType): string | undefined {
  try {
    const ast = astFromValue(value, type);
    return ast ? print(ast) : undefined;
  } catch {
    return undefined;
  }
}

function describeAnswer(answer: Answer): string {
  return `${answer.status} ${answer.text.slice(0, 300)}`;
}

describe.each(EACH_DATABASE)('input fuzzing on %s', (_name, database) => {
  let server: TestServer;
  const headers: Record<Caller, Record<string, string>> = { anonymous: {}, subscriber: {}, broker: {}, backoffice: {} };

  beforeAll(async () => {
    server = await startTestServer(database, { demoPortfolio: true });
    headers.subscriber = { authorization: `Bearer ${(await login(server.url, 'alice@demo.test', '10.9.0.1')).token}` };
    headers.broker = { authorization: `Bearer ${(await login(server.url, 'broker@demo.test', '10.9.0.2')).token}` };
    headers.backoffice = { authorization: `Bearer ${(await login(server.url, 'backoffice@demo.test', '10.9.0.3')).token}` };
    const now = server.clock.now();
    await server.db.query("insert into payers (id, subscriber_id, relationship, first_name, last_name, birth_date, created_by_kind, created_at) values ($1, $2, 'parent', 'Fuzz', 'Payer', '1950-01-01', 'backoffice', $3)", [FUZZ_PAYER, DEMO_IDS.subscribers.alice, now]);
    await server.db.query("insert into payer_ibans (id, payer_id, iban, holder_name, country, is_default, created_by_kind, created_at) values ($1, $2, 'FR7630006000011234567890189', 'Fuzz Payer', 'FR', true, 'backoffice', $3)", [testId('payer_iban_fuzz'), FUZZ_PAYER, now]);
    await server.db.query(
      `insert into single_premium_requests (id, policy_id, payer_id, method, amount, currency, iban, holder_name, allocation, status, funds_origin_proof_required, created_by_kind, created_at, updated_at)
       values ($1, $2, $3, 'sepa_direct_debit', 150000, 'EUR', 'FR7630006000011234567890189', 'Fuzz Payer', $4, 'pending_collection', false, 'backoffice', $5, $5)`,
      [FUZZ_PREMIUM, DEMO_IDS.policies.aliceAv, FUZZ_PAYER, JSON.stringify([{ compartmentId: DEMO_IDS.compartments.aliceAvMain, isin: 'FR0000000001', basisPoints: 10_000 }]), now],
    );
    await server.db.query("insert into sepa_batches (id, kind, requested_date, status, message_id, created_at) values ($1, 'collection', '2026-12-15', 'open', 'QLFUZZ', $2)", [FUZZ_BATCH, now]);
    const { policyId } = await freshPolicy(server, 'alice', 'av');
    const blank = { beneficiaryId: null, clauseLineId: null, relationship: null, shareOfClaimBasisPoints: null, acceptedAt: null, renouncedOn: null, fileCompletedAt: null };
    await new DeathClaimStore(server.db).insert(server.db, {
      id: FUZZ_CLAIM, policyId, subscriberId: DEMO_IDS.subscribers.alice, noticeId: testId('notice_fuzz'), status: 'notified', dateOfDeath: '2026-01-02', source: 'backoffice',
      certificateReference: 'FUZZ', valueAmount: 0, valueCurrency: 'EUR', valueBasis: 'recorded_value_at_notice', designationVersion: 0,
      beneficiaries: [
        { ...blank, id: FUZZ_CLAIM_PERSON, rank: 1, kind: 'named', firstName: 'Paul', lastName: 'Martin', birthDate: '2001-03-04', shareBasisPoints: 10_000, clause: null, status: 'found' },
        { ...blank, id: FUZZ_CLAIM_CLAUSE, rank: 2, kind: 'class_clause', firstName: null, lastName: null, birthDate: null, shareBasisPoints: null, clause: 'Mes enfants', status: 'to_identify' },
      ],
      notifiedByKind: 'backoffice', notifiedById: null, requestId: null, notifiedAt: now, closedAt: null,
    });
    await server.db.query(
      `insert into death_claim_payments (id, claim_id, policy_id, beneficiary_id, status, capital_amount, interest_amount, currency, iban, holder_name, file_completed_at,
         due_date, interest_to, days_late, interest_segments, rate_category, sent_by_kind, sent_at, rejected_at, rejection_reason)
       values ($1, $2, $3, $4, 'rejected', 100000, 0, 'EUR', 'FR7630006000011234567890189', 'Léa Martin', $5, '2026-02-02', '2026-01-20', 0, '[]', 'consumer', 'backoffice', $5, $5, 'fuzz')`,
      [FUZZ_CLAIM_PAYMENT, FUZZ_CLAIM, policyId, FUZZ_CLAIM_PERSON, now],
    );
  }, 60_000);
  afterAll(() => server?.close());

  // Logging out would end the callers' sessions for every later run; a logout has no input anyway.
  const routes = ROUTES.filter((r) => r.operation !== 'Logout');

  it('answers every REST route below 500, whatever the path parameters, query and body', async () => {
    const request = fc.constantFrom(...routes).chain((route) => fc.record({ route: fc.constant(route), caller, request: restRequest(route) }));
    await fc.assert(
      fc.asyncProperty(request, async ({ route, caller, request: { path, query, body } }) => {
        const answer = await call(`${server.url}${path}${query}`, {
          method: route.method,
          headers: { ...headers[caller], 'x-forwarded-for': '10.9.1.1' },
          ...(body !== undefined ? { body: JSON.stringify(body), headers: { ...headers[caller], 'content-type': 'application/json', 'x-forwarded-for': '10.9.1.1' } } : {}),
        });
        if (answer.status >= 500) throw new Error(`${route.method} ${path}${query} ${JSON.stringify(body ?? null).slice(0, 500)} as ${caller} -> ${describeAnswer(answer)}`);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
  }, 120_000);

  it('answers every GraphQL field taking arguments below 500, with variables and literals', async () => {
    const request = fc.constantFrom(...GRAPHQL_FIELDS).chain((field) => fc.record({ caller, request: graphqlRequest(field) }));
    await fc.assert(
      fc.asyncProperty(request, async ({ caller, request: { query, variables } }) => {
        const answer = await call(`${server.url}/graphql`, { method: 'POST', json: { query, variables }, headers: { ...headers[caller], 'x-forwarded-for': '10.9.2.1' } });
        if (answer.status >= 500) throw new Error(`${query} ${JSON.stringify(variables).slice(0, 300)} as ${caller} -> ${describeAnswer(answer)}`);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
  }, 120_000);
});
