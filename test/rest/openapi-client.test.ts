import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import Ajv2020 from 'ajv/dist/2020';
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';
import ts from 'typescript';
import { EACH_DATABASE } from '../support/databases';
import { call, DEMO_PASSWORD, gql, login } from '../support/http';
import { deref, servedOpenApi, type Doc } from '../support/openapi-document';
import { startTestServer, type TestServer } from '../support/server';

/**
 * A client generated from GET /v1/openapi.json (openapi-typescript + openapi-fetch) compiles without casts
 * and works against the real server, whose answers match the document's schemas.
 */

const execFileAsync = promisify(execFile);
const ROOT = resolve(__dirname, '../..');

// The document as the server serves it.
let doc: Doc;
beforeAll(async () => {
  doc = await servedOpenApi();
});

/** Formats the document uses, checked as the server writes them. */
const FORMATS = {
  'date-time': /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/,
  date: /^\d{4}-\d{2}-\d{2}$/,
  email: /^[^@\s]+@[^@\s]+$/,
  uri: /^https?:\/\/\S+$/,
};
/** Formats not checked here: ids are the routes' own business (a non-UUID is refused there), bytes are bytes. */
const UNCHECKED_FORMATS = ['uuid', 'binary'];

/** Checks an answer against the schema the document gives for its route and status (JSON Schema 2020-12, as OpenAPI 3.1). */
function documentedAnswers(doc: Doc) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  for (const [name, pattern] of Object.entries(FORMATS)) ajv.addFormat(name, pattern);
  for (const name of UNCHECKED_FORMATS) ajv.addFormat(name, true);
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31 });
  ajv.addSchema({ $id: 'openapi.json', components: doc.components });
  return (method: string, path: string, answer: { status: number; json: unknown }) => {
    const route = `${method} ${path} ${answer.status}`;
    const response = deref(doc, doc.paths[path][method.toLowerCase()].responses[String(answer.status)] ?? {});
    const ref: string | undefined = response.content?.['application/json']?.schema?.$ref;
    if (!ref) return { route, problems: ['not documented'] };
    const validate = ajv.getSchema(`openapi.json${ref}`)!;
    validate(answer.json);
    return { route, problems: (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`) };
  };
}

/**
 * A client written against the generated types alone: it signs in, lists a subscriber's IBANs and
 * downloads a commission statement as PDF. Ids come from the answers; every field is read through the
 * types, with no cast, so the compiler checks the document against how a client uses it.
 */
const CLIENT = `
import createClient from 'openapi-fetch';
import type { paths } from './schema.js';

async function signIn(baseUrl: string, email: string, password: string): Promise<string> {
  const { data, error } = await createClient<paths>({ baseUrl }).POST('/v1/auth/login', { body: { email, password } });
  if (!data) throw new Error(\`login \${email}: \${JSON.stringify(error)}\`);
  return data.access_token;
}

const clientFor = (baseUrl: string, token: string) => createClient<paths>({ baseUrl, headers: { authorization: \`Bearer \${token}\` } });

export async function run(baseUrl: string, password: string) {
  const subscriber = clientFor(baseUrl, await signIn(baseUrl, 'alice@demo.test', password));
  const me = await subscriber.GET('/v1/auth/me');
  const subscriberId = me.data?.subscriberId;
  if (!subscriberId) throw new Error(\`me: \${JSON.stringify(me.error ?? me.data)}\`);
  const ibans = await subscriber.GET('/v1/pay-out/subscribers/{subscriberId}/ibans', { params: { path: { subscriberId } } });
  if (!ibans.data) throw new Error(\`ibans: \${JSON.stringify(ibans.error)}\`);

  const broker = clientFor(baseUrl, await signIn(baseUrl, 'broker@demo.test', password));
  const statements = await broker.GET('/v1/billing/commissions', { params: { query: { page: 1, perPage: 10 } } });
  const statement = statements.data?.items[0];
  if (!statement) throw new Error(\`commissions: \${JSON.stringify(statements.error ?? statements.data)}\`);
  const pdf = await broker.GET('/v1/billing/commissions/{commissionId}/download', {
    params: { path: { commissionId: statement.id }, query: { format: 'pdf' } },
    parseAs: 'arrayBuffer',
  });
  if (!pdf.data) throw new Error(\`download: \${pdf.response.status}\`);
  return {
    subscriberId,
    ibans: ibans.data.map((iban) => ({ id: iban.id, status: iban.status, isDefault: iban.isDefault })),
    statementId: statement.id,
    contentType: pdf.response.headers.get('content-type'),
    head: new TextDecoder('latin1').decode(new Uint8Array(pdf.data).subarray(0, 5)),
  };
}
`;

/** Mistakes the generated types must refuse: were they loose (any, unknown paths), these would compile. */
const MISUSE = `
import createClient from 'openapi-fetch';
import type { paths } from './schema.js';

const api = createClient<paths>({ baseUrl: 'http://localhost' });
export async function misuse() {
  // @ts-expect-error the login answer keeps its OAuth 2.0 name
  (await api.POST('/v1/auth/login', { body: { email: 'a@b.c', password: 'p' } })).data?.accessToken;
  // @ts-expect-error login needs a password
  await api.POST('/v1/auth/login', { body: { email: 'a@b.c' } });
  // @ts-expect-error no such route
  await api.GET('/v1/pay-out/ibans');
  // @ts-expect-error the path parameter is required
  await api.GET('/v1/pay-out/subscribers/{subscriberId}/ibans', { params: { path: {} } });
  // @ts-expect-error a download's format is pdf or csv
  await api.GET('/v1/billing/commissions/{commissionId}/download', { params: { path: { commissionId: 'x' }, query: { format: 'xml' } } });
  // @ts-expect-error an IBAN has no balance
  (await api.GET('/v1/pay-out/subscribers/{subscriberId}/ibans', { params: { path: { subscriberId: 'x' } } })).data?.[0]?.balance;
}
`;

describe('a client generated from the document (openapi-typescript + openapi-fetch)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'openapi-client-'));
    writeFileSync(join(dir, 'schema.ts'), astToString(await openapiTS(doc as OpenAPI3)));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    writeFileSync(join(dir, 'client.ts'), CLIENT);
    writeFileSync(join(dir, 'misuse.ts'), MISUSE);
    // The generated project resolves openapi-fetch and the DOM types from ours.
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  }, 180_000);
  afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('reads every answer without a cast', () => {
    expect(CLIENT).not.toMatch(/\bas\s+[A-Z{a-z]|<any>|\bany\b|\w!\.|\)!/);
  });

  it('compiles under strict TypeScript, and the types refuse misuse', () => {
    const program = ts.createProgram([join(dir, 'client.ts'), join(dir, 'misuse.ts')], {
      strict: true,
      noEmit: true,
      noUncheckedIndexedAccess: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
      types: [],
    });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n') + (d.file ? ` (${d.file.fileName.slice(dir.length)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1})` : ''));
    expect(diagnostics).toEqual([]);
  }, 180_000);

  describe.each(EACH_DATABASE)('run against the real server on %s', (_name, database) => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer(database, { demoPortfolio: true });
    });
    afterAll(() => server?.close());

    it('signs in, lists the subscriber’s IBANs and downloads a commission statement as PDF', async () => {
      const compiled = ts.transpileModule(readFileSync(join(dir, 'client.ts'), 'utf8'), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
      writeFileSync(join(dir, 'client.mjs'), compiled.outputText);
      writeFileSync(join(dir, 'main.mjs'), "import { run } from './client.mjs';\nconsole.log(JSON.stringify(await run(process.argv[2], process.argv[3])));\n");
      // A child process: the server answers from this one, so the client must not block it.
      const { stdout } = await execFileAsync(process.execPath, [join(dir, 'main.mjs'), server.url, DEMO_PASSWORD], { cwd: dir });
      const result = JSON.parse(stdout);
      expect(result.head).toBe('%PDF-');
      expect(result.contentType).toBe('application/pdf');
      expect(typeof result.subscriberId).toBe('string');
      expect(typeof result.statementId).toBe('string');
      // The demo subscriber's debit IBAN becomes her confirmed default pay-out IBAN at issue.
      expect(result.ibans).toEqual(expect.arrayContaining([expect.objectContaining({ status: 'confirmed', isDefault: true })]));
    });

    it('answers what the document says: each JSON answer validates against its documented schema', async () => {
      const conforms = documentedAnswers(doc);
      const as = async (email: string) => ({ authorization: `Bearer ${(await login(server.url, email)).token}` });
      const get = async (template: string, params: Record<string, string>, headers: Record<string, string>, status = 200) => {
        const url = template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name]));
        const answer = await call(`${server.url}${url}`, { headers });
        expect({ url, status: answer.status }).toEqual({ url, status });
        expect(conforms('GET', template, answer)).toEqual({ route: `GET ${template} ${status}`, problems: [] });
        return answer.json;
      };
      const signIn = await call(`${server.url}/v1/auth/login`, { method: 'POST', json: { email: 'alice@demo.test', password: DEMO_PASSWORD } });
      expect(conforms('POST', '/v1/auth/login', signIn)).toEqual({ route: 'POST /v1/auth/login 200', problems: [] });

      const alice = await as('alice@demo.test');
      const { subscriberId } = await get('/v1/auth/me', {}, alice);
      const policies = await gql(server.url, '{ policies { edges { node { id } } } }', { token: alice.authorization.slice(7) });
      const policyId: string = policies.json.data.policies.edges[0].node.id;
      const ids = { subscriberId, policyId };
      for (const path of [
        '/v1/subscription/products',
        '/v1/subscription/standard-clauses',
        '/v1/subscription/subscribers/{subscriberId}',
        '/v1/pay-out/subscribers/{subscriberId}/ibans',
        '/v1/evidence/subscribers/{subscriberId}/documents',
        '/v1/death-settlement/policies/{policyId}/beneficiary-designation',
        '/v1/death-settlement/policies/{policyId}/standard-beneficiary-designations',
      ]) {
        await get(path, ids, alice);
      }
      const backoffice = await as('backoffice@demo.test');
      await get('/v1/compartment-lifecycle/policies/{policyId}/compartments', ids, backoffice);
      await get('/v1/support/requests', {}, backoffice);
      await get('/v1/billing/commissions', {}, await as('broker@demo.test'));
      // Errors too: the envelope, whatever the code.
      await get('/v1/pay-out/subscribers/{subscriberId}/ibans', ids, {}, 401);
      await get('/v1/billing/commissions', {}, alice, 403);
    });
  });
});
