import { randomBytes } from 'node:crypto';
import { getNamedType, isInputObjectType, isInterfaceType, isObjectType, isUnionType, type GraphQLNamedType } from 'graphql';
import { issueStatement } from '../../domain/billing/commission-rules';
import { buildSchema } from '../../schema';
import { accessOf } from '../../schema/access';
import { BillingStore } from '../../store/billing-store';
import { EACH_DATABASE } from '../support/databases';
import { call, gql, login } from '../support/http';
import { QueryCounter } from '../support/query-counter';
import { insertBroker } from '../support/actors';
import { startTestServer, type TestServer } from '../support/server';
import { DEMO_IDS, testId } from '../support/ids';

const SERIAL = '01:23:45:67:89:AB:CD:EF';

const STATEMENT_FIELDS = `id brokerId period premiumTotal { amount currency } commissionTotal { amount currency } lineCount issuedAt
  lines { policyId policyLabel premium { amount currency } rateBasisPoints commission { amount currency } }`;
const PAGE = `query Page($first: Int, $after: String, $brokerId: ID, $from: String, $to: String) {
  commissionStatements(first: $first, after: $after, brokerId: $brokerId, from: $from, to: $to) {
    edges { cursor node { id period } }
    nodes { ${STATEMENT_FIELDS} }
    pageInfo { hasNextPage endCursor }
  }
}`;
const ONE = `query One($id: ID!) { commissionStatement(id: $id) { ${STATEMENT_FIELDS} } }`;
const FILE = `query File($id: ID!, $format: CommissionStatementFormat) { commissionStatementFile(id: $id, format: $format) { fileName contentType contentBase64 } }`;

/** Every root field of the billing domain, each with valid arguments. */
const ROOT_FIELDS: Array<[string, string, Record<string, unknown>]> = [
  ['commissionStatements', PAGE, {}],
  ['commissionStatement', ONE, { id: testId('cst_x') }],
  ['commissionStatementFile', FILE, { id: testId('cst_x'), format: 'csv' }],
];

function monthAgo(now: Date, back: number): string {
  const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1));
  return `${month.getUTCFullYear()}-${String(month.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** Every named type reachable from `roots` through output fields (arguments and inputs included). */
function reachable(roots: Array<{ type: GraphQLNamedType; fields?: string[] }>): Set<string> {
  const seen = new Set<string>();
  const visit = (type: GraphQLNamedType, only?: string[]) => {
    if (seen.has(type.name) && !only) return;
    seen.add(type.name);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (only && !only.includes(field.name)) continue;
        visit(getNamedType(field.type));
        for (const arg of field.args) visit(getNamedType(arg.type));
      }
      if (isObjectType(type)) for (const i of type.getInterfaces()) visit(i);
    } else if (isUnionType(type)) {
      for (const member of type.getTypes()) visit(member);
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) visit(getNamedType(field.type));
    }
  };
  for (const root of roots) visit(root.type, root.fields);
  return seen;
}

describe('GraphQL billing schema', () => {
  it('no type reachable from a root field a subscriber may call leads to commission data (docs/SECURITY.md 14)', () => {
    const schema = buildSchema();
    const roots = [schema.getQueryType()!, schema.getMutationType()!].map((type) => ({
      type,
      fields: Object.values(type.getFields())
        .filter((field) => {
          const access = accessOf(schema, field as never);
          return access?.public || access?.roles === null || access?.roles?.includes('subscriber');
        })
        .map((field) => field.name),
    }));
    expect(roots[0].fields).toEqual(expect.arrayContaining(['policy', 'subscriber', 'subscription', 'mySubscriberProfile']));
    const types = reachable(roots);
    expect(types.has('Policy')).toBe(true);
    expect(types.has('Subscriber')).toBe(true);
    expect(roots.flatMap((root) => root.fields).filter((f) => /commission/i.test(f))).toEqual([]);
    expect([...types].filter((name) => /commission/i.test(name))).toEqual([]);
    // Nor any field of those types named like commission data.
    for (const name of types) {
      const type = schema.getType(name);
      if (isObjectType(type) && name !== 'Query' && name !== 'Mutation') expect(Object.keys(type.getFields()).filter((f) => /commission/i.test(f))).toEqual([]);
    }
  });

  it('every billing root field is for brokers and back-office only', () => {
    const schema = buildSchema();
    const fields = schema.getQueryType()!.getFields();
    for (const [name] of ROOT_FIELDS) expect(accessOf(schema, fields[name] as never)).toEqual({ public: false, roles: ['broker', 'backoffice'] });
  });
});

describe.each(EACH_DATABASE)('GraphQL billing commissions on %s', (_name, database) => {
  let server: TestServer;
  const counter = new QueryCounter();
  const tokens: Record<string, string> = {};
  let otherStatementId: string;
  let months: string[];

  beforeAll(async () => {
    // The outbox stays still: its dispatcher's polls would count as the requests' queries.
    server = await startTestServer(database, { demoPortfolio: true, wrapDb: counter.wrap, outbox: 'manual' });
    const now = server.clock.now();
    months = Array.from({ length: 12 }, (_, i) => monthAgo(now, 12 - i));
    for (const [i, who] of ['alice', 'bob', 'broker', 'backoffice'].entries()) tokens[who] = (await login(server.url, `${who}@demo.test`, `10.62.0.${i + 1}`)).token;
    const grant = await call(`${server.url}/v1/auth/token`, {
      method: 'POST',
      headers: { 'x-client-certificate-serial': SERIAL, 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '10.62.0.9' },
      body: 'grant_type=client_credentials&client_id=demo-partner&client_secret=demo-partner-secret',
    });
    tokens.partner = grant.json.access_token;
    const otherId = testId(`usr_${randomBytes(6).toString('hex')}`);
    await insertBroker(server.db, now, { userId: otherId, distributorId: testId('dst_other_gql') });
    tokens.other = (await login(server.url, `${otherId}@other.test`, '10.62.0.5')).token;
    const other = issueStatement(otherId, months[11], 'EUR', now, [{ policyId: testId('pol_other'), policyLabel: 'Carole Petit', premium: 10_000, rateBasisPoints: 100 }]);
    await server.db.transaction((tx) => new BillingStore(server.db).insertStatement(tx, other.statement, other.lines));
    otherStatementId = other.statement.id;
  });
  afterAll(() => server?.close());

  const gqlAs = (who: string, query: string, variables: Record<string, unknown> = {}) =>
    gql(server.url, query, { token: tokens[who], variables, headers: who === 'partner' ? { 'x-client-certificate-serial': SERIAL } : {} });

  it('a subscriber gets forbidden on every billing root field, and no data; so does a partner platform', async () => {
    for (const who of ['alice', 'bob', 'partner']) {
      for (const [field, query, variables] of ROOT_FIELDS) {
        const answer = await gqlAs(who, query, variables);
        expect({ who, field, data: answer.json.data, errors: answer.json.errors.map((e: { message: string; extensions: { code: string } }) => [e.message, e.extensions.code]) }).toEqual({
          who,
          field,
          data: { [field]: null },
          errors: [['INSUFFICIENT_ROLES', 'forbidden']],
        });
        // A field refused by role is a field error: the request ran (GraphQL over HTTP), so 200.
        expect(answer.status).toBe(200);
      }
    }
  });

  it('without credentials every billing root field is unauthorized', async () => {
    for (const [, query, variables] of ROOT_FIELDS) {
      const answer = await gql(server.url, query, { variables });
      expect(answer.status).toBe(401);
      expect(answer.json.errors[0]).toMatchObject({ message: 'NO_SESSION', extensions: { code: 'unauthorized' } });
    }
  });

  it('a broker pages through its statements as a connection, newest period first, with lines', async () => {
    const first = await gqlAs('broker', PAGE, { first: 7 });
    const page1 = first.json.data.commissionStatements;
    expect(page1.edges).toHaveLength(7);
    expect(page1.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(page1.nodes.map((n: { id: string }) => n.id));
    expect(page1.pageInfo).toEqual({ hasNextPage: true, endCursor: page1.edges[6].cursor });
    const second = await gqlAs('broker', PAGE, { first: 7, after: page1.pageInfo.endCursor });
    const page2 = second.json.data.commissionStatements;
    expect(page2.pageInfo).toEqual({ hasNextPage: false, endCursor: page2.edges.at(-1).cursor });
    const all = [...page1.nodes, ...page2.nodes];
    expect(all.map((s: { period: string }) => s.period)).toEqual([...months].reverse());
    expect(all.every((s: { brokerId: string }) => s.brokerId === DEMO_IDS.users.broker)).toBe(true);
    expect(all[0].lines).toEqual([
      { policyId: DEMO_IDS.policies.aliceAv, policyLabel: 'Alice Martin - Démo Vie', premium: { amount: 20_000, currency: 'EUR' }, rateBasisPoints: 250, commission: { amount: 500, currency: 'EUR' } },
      { policyId: DEMO_IDS.policies.alicePer, policyLabel: 'Alice Martin - Démo Retraite PER', premium: { amount: 15_000, currency: 'EUR' }, rateBasisPoints: 300, commission: { amount: 450, currency: 'EUR' } },
      { policyId: DEMO_IDS.policies.bobAv, policyLabel: 'Bob Durand - Démo Vie', premium: { amount: 30_000, currency: 'EUR' }, rateBasisPoints: 250, commission: { amount: 750, currency: 'EUR' } },
      { policyId: DEMO_IDS.policies.bobPer, policyLabel: 'Bob Durand - Démo Retraite PER', premium: { amount: 12_345, currency: 'EUR' }, rateBasisPoints: 300, commission: { amount: 370, currency: 'EUR' } },
    ]);
    expect(all[0]).toMatchObject({ lineCount: 4, premiumTotal: { amount: 77_345, currency: 'EUR' }, commissionTotal: { amount: 2_070, currency: 'EUR' } });
  });

  it('a line links to its policy, read with the caller\'s own access to policies', async () => {
    const query = '{ commissionStatements(first: 1) { nodes { lines { policyId policy { id } } } } }';
    for (const who of ['broker', 'backoffice']) {
      const answer = await gqlAs(who, query);
      const lines = answer.json.data.commissionStatements.nodes[0]?.lines ?? [];
      if (who === 'backoffice' && lines.length === 0) continue;
      expect({ who, errors: answer.json.errors }).toEqual({ who, errors: undefined });
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(line.policy).toEqual({ id: line.policyId });
    }
  });

  it('the lines of a whole page cost one query, whatever the page size', async () => {
    const cost = async (first: number) => {
      counter.count = 0;
      const answer = await gqlAs('backoffice', PAGE, { first });
      expect(answer.json.data.commissionStatements.nodes).toHaveLength(first);
      return counter.count;
    };
    await cost(1); // warms the session cache
    const one = await cost(1);
    const twelve = await cost(12);
    // One query for the page, one for every line of it (batched); the session is cached. No N+1.
    expect(twelve).toBe(one);
    expect(twelve).toBe(2);
  });

  it('filters by period and caps the page size', async () => {
    const answer = await gqlAs('broker', PAGE, { from: months[9], to: months[10] });
    expect(answer.json.data.commissionStatements.nodes.map((s: { period: string }) => s.period)).toEqual([months[10], months[9]]);
    const bad = await gqlAs('broker', PAGE, { from: 'last-month' });
    expect(bad.json.errors[0]).toMatchObject({ extensions: { reason: 'INVALID_PERIOD', code: 'parameter_invalid', field: 'from' } });
    const big = await gqlAs('backoffice', PAGE, { first: 1000 });
    expect(big.json.errors[0]).toMatchObject({ extensions: { reason: 'PAGE_SIZE_OUT_OF_RANGE', code: 'parameter_invalid', field: 'first' } });
  });

  it('each statement has a type (enum inducement | business_commission, typeCode as REST spells it) and the connection filters by it', async () => {
    const TYPED = `query Typed($type: CommissionType, $first: Int, $page: Int, $perPage: Int, $after: String) {
      commissionStatements(type: $type, first: $first, page: $page, perPage: $perPage, after: $after) { nodes { id period type typeCode } pageInfo { hasNextPage endCursor } page perPage }
    }`;
    const all = (await gqlAs('broker', TYPED, { first: 100 })).json.data.commissionStatements;
    expect(all).toMatchObject({ page: 1, perPage: 100 });
    for (const s of all.nodes) {
      const quarterEnd = Number(s.period.slice(5)) % 3 === 0;
      expect({ type: s.type, typeCode: s.typeCode }).toEqual(quarterEnd ? { type: 'inducement', typeCode: 'inducement' } : { type: 'business_commission', typeCode: 'business-commission' });
    }
    const business = (await gqlAs('broker', TYPED, { type: 'business_commission', first: 100 })).json.data.commissionStatements.nodes;
    expect(business.map((s: { id: string }) => s.id)).toEqual(all.nodes.filter((s: { type: string }) => s.type === 'business_commission').map((s: { id: string }) => s.id));
    expect(business).toHaveLength(8);
    // Cursor paging keeps the filter; page numbers work here too.
    const first = (await gqlAs('broker', TYPED, { type: 'inducement', first: 3 })).json.data.commissionStatements;
    const rest = (await gqlAs('broker', TYPED, { type: 'inducement', first: 3, after: first.pageInfo.endCursor })).json.data.commissionStatements;
    expect([...first.nodes, ...rest.nodes].map((s: { type: string }) => s.type)).toEqual(Array(4).fill('inducement'));
    expect(rest).toMatchObject({ page: null, perPage: 3, pageInfo: { hasNextPage: false } });
    const page2 = (await gqlAs('broker', TYPED, { type: 'inducement', page: 2, perPage: 3 })).json.data.commissionStatements;
    expect(page2.nodes.map((s: { id: string }) => s.id)).toEqual(rest.nodes.map((s: { id: string }) => s.id));
    // The REST spelling is no GraphQL enum value; bad page numbers and page with a cursor are invalid_request.
    expect((await gqlAs('broker', TYPED, { type: 'business-commission' })).json.errors[0]).toMatchObject({ extensions: { code: 'parameter_invalid' } });
    expect((await gqlAs('broker', TYPED, { page: 0 })).json.errors[0]).toMatchObject({ extensions: { reason: 'INVALID_PAGE', code: 'parameter_invalid', field: 'page' } });
    expect((await gqlAs('broker', TYPED, { perPage: 101 })).json.errors[0]).toMatchObject({ extensions: { reason: 'PAGE_SIZE_OUT_OF_RANGE', code: 'parameter_invalid', field: 'perPage' } });
    expect((await gqlAs('broker', TYPED, { page: 1, after: first.pageInfo.endCursor })).json.errors[0]).toMatchObject({ extensions: { reason: 'PAGE_WITH_CURSOR', field: 'page' } });
  });

  it('a broker reads one of its statements; another broker’s is not_found, exactly like a missing one', async () => {
    const list = await gqlAs('broker', PAGE, { first: 1 });
    const id = list.json.data.commissionStatements.nodes[0].id;
    expect((await gqlAs('broker', ONE, { id })).json.data.commissionStatement).toMatchObject({ id, brokerId: DEMO_IDS.users.broker, lineCount: 4 });
    for (const query of [ONE, FILE]) {
      const stolen = await gqlAs('broker', query, { id: otherStatementId });
      const missing = await gqlAs('broker', query, { id: testId('cst_missing') });
      expect(stolen.json.errors[0]).toMatchObject({ extensions: { reason: 'COMMISSION_STATEMENT_NOT_FOUND', code: 'resource_not_found' } });
      expect(stolen.json.errors.map((e: { message: string }) => e.message)).toEqual(missing.json.errors.map((e: { message: string }) => e.message));
      expect((await gqlAs('other', query, { id })).json.errors[0].extensions.reason).toBe('COMMISSION_STATEMENT_NOT_FOUND');
    }
    expect((await gqlAs('other', ONE, { id: otherStatementId })).json.data.commissionStatement.lines[0].policyLabel).toBe('Carole Petit');
    expect((await gqlAs('backoffice', ONE, { id: otherStatementId })).json.data.commissionStatement.id).toBe(otherStatementId);
    // The brokerId filter: another broker is not found for a broker; back-office may name anyone.
    expect((await gqlAs('other', PAGE, { brokerId: DEMO_IDS.users.broker })).json.errors[0].extensions.reason).toBe('BROKER_NOT_FOUND');
    expect((await gqlAs('backoffice', PAGE, { brokerId: DEMO_IDS.users.broker, first: 100 })).json.data.commissionStatements.nodes).toHaveLength(12);
  });

  it('serves the statement as a file: PDF by default, CSV on request, base64', async () => {
    const list = await gqlAs('broker', PAGE, { first: 1 });
    const { id, period } = list.json.data.commissionStatements.nodes[0];
    const pdf = (await gqlAs('broker', FILE, { id })).json.data.commissionStatementFile;
    expect(pdf).toMatchObject({ fileName: `commission-statement-${period}.pdf`, contentType: 'application/pdf' });
    expect(Buffer.from(pdf.contentBase64, 'base64').subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const csv = (await gqlAs('broker', FILE, { id, format: 'csv' })).json.data.commissionStatementFile;
    expect(csv).toMatchObject({ fileName: `commission-statement-${period}.csv`, contentType: 'text/csv; charset=utf-8' });
    const text = Buffer.from(csv.contentBase64, 'base64').toString('utf8');
    expect(text.startsWith('\ufeffstatement_id,period,line,policy_id,policy_label,premium,commission_rate_bp,commission,currency\r\n')).toBe(true);
    expect(text).toContain(`,${DEMO_IDS.policies.bobPer},Bob Durand - Démo Retraite PER,123.45,300,3.70,EUR\r\n`);
  });
});
