import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenAPI } from 'openapi-types';
import { CATALOG } from '../../errors/catalog';
import { errorResponseName } from '../../rest-bridge/openapi-errors';
import { ROUTES } from '../../rest-bridge/routes';
import { deref, servedOpenApi, type Doc } from '../support/openapi-document';

/**
 * GET /v1/openapi.json is a document a generator can trust: two independent validators accept it, and it
 * says what the routes do (openapi-client.test.ts: a client generated from it).
 */

const execFileAsync = promisify(execFile);
const ROOT = resolve(__dirname, '../..');
const OAUTH_PATHS = ['/v1/auth/login', '/v1/auth/token'];
const OAUTH_NAMES = ['grant_type', 'client_id', 'client_secret', 'access_token', 'token_type', 'expires_in'];
/** The e-mailing route's body as the public docs spell it: `content.template_name`. */
const DOCUMENTED_SNAKE_NAMES = ['template_name'];

/** Every schema in the document (components and inline), with where it is, so rules can be checked on all. */
function eachSchema(doc: Doc, visit: (schema: Doc, at: string) => void): void {
  const schema = (node: Doc, at: string) => {
    visit(node, at);
    for (const [name, child] of Object.entries((node.properties ?? {}) as Record<string, Doc>)) schema(child, `${at}/properties/${name}`);
    if (node.items) schema(node.items, `${at}/items`);
    for (const key of ['oneOf', 'anyOf', 'allOf'] as const) (node[key] ?? []).forEach((child: Doc, i: number) => schema(child, `${at}/${key}/${i}`));
  };
  // Outside components, a schema is the value of a `schema` key (parameters, media types, headers).
  const find = (node: unknown, at: string): void => {
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'schema' && value && typeof value === 'object') schema(value as Doc, `${at}/schema`);
      else find(value, `${at}/${key}`);
    }
  };
  for (const [name, component] of Object.entries(doc.components.schemas as Record<string, Doc>)) schema(component, `#/components/schemas/${name}`);
  find(doc.paths, '#/paths');
  find(doc.components.responses, '#/components/responses');
  find(doc.components.parameters, '#/components/parameters');
  find(doc.components.headers, '#/components/headers');
}

function operations(doc: Doc): Array<{ method: string; path: string; operation: Doc }> {
  return Object.entries(doc.paths as Record<string, Doc>).flatMap(([path, item]) => Object.entries(item).map(([method, operation]) => ({ method: method.toUpperCase(), path, operation: operation as Doc })));
}

// The document as the server serves it.
let doc: Doc;
beforeAll(async () => {
  doc = await servedOpenApi();
});

describe('GET /v1/openapi.json', () => {

  it('is valid under @apidevtools/swagger-parser', async () => {
    await expect(SwaggerParser.validate(structuredClone(doc) as OpenAPI.Document)).resolves.toBeDefined();
  });

  it('has neither errors nor warnings under Redocly’s recommended rules', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'openapi-lint-'));
    try {
      writeFileSync(join(dir, 'openapi.json'), JSON.stringify(doc));
      writeFileSync(join(dir, 'redocly.yaml'), 'extends:\n  - recommended\n');
      const cli = join(ROOT, 'node_modules/@redocly/cli/bin/cli.js');
      // Exit status 1 on errors: the JSON report is read either way.
      const output = await execFileAsync(process.execPath, [cli, 'lint', 'openapi.json', '--format=json'], {
        cwd: dir,
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
        maxBuffer: 16 * 1024 * 1024,
      }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
      const report = JSON.parse(output.stdout);
      expect(report.problems.map((p: Doc) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location?.[0]?.pointer}`)).toEqual([]);
      expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('gives every route one operation with a unique operationId', () => {
    const documented = operations(doc);
    expect(documented.map((o) => `${o.method} ${o.path}`).sort()).toEqual([...ROUTES.map((r) => `${r.method} ${r.path}`), 'POST /v1/webhooks/{source}'].sort());
    const ids = documented.map((o) => o.operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const route of ROUTES) expect(doc.paths[route.path][route.method.toLowerCase()].operationId).toMatch(new RegExp(`^${route.operation}`));
    // The five compartment actions share one GraphQL operation, not one operationId.
    expect(doc.paths['/v1/compartment-lifecycle/policies/{policyId}/compartments/{compartmentId}/suspend'].post.operationId).toBe('TransitionCompartmentSuspend');
  });

  it.each(ROUTES.map((r) => [`${r.method} ${r.path}`, r] as const))('documents %s with its success status, security and body types', (_label, route) => {
    const operation = doc.paths[route.path][route.method.toLowerCase()];
    expect(Object.keys(operation.responses)).toContain(String(route.status));
    if (route.auth === 'required') expect(operation.security).toEqual([{ bearer: [] }, { session: [] }]);
    else expect(operation.security).toEqual([]);
    if (route.body) {
      const types = Object.keys(operation.requestBody.content).sort();
      expect(types).toEqual(route.body.map((t) => (t === 'json' ? 'application/json' : 'application/x-www-form-urlencoded')).sort());
    } else {
      expect(operation.requestBody).toBeUndefined();
    }
  });

  it('names a component schema for every request and JSON response body', () => {
    for (const { method, path, operation } of operations(doc)) {
      for (const [type, media] of Object.entries((operation.requestBody?.content ?? {}) as Record<string, Doc>)) {
        expect({ at: `${method} ${path} ${type}`, ref: media.schema.$ref }).toEqual({ at: `${method} ${path} ${type}`, ref: expect.stringMatching(/^#\/components\/schemas\/\w+$/) });
      }
      for (const [status, response] of Object.entries(operation.responses as Record<string, Doc>)) {
        for (const [type, media] of Object.entries((deref(doc, response).content ?? {}) as Record<string, Doc>)) {
          if (type !== 'application/json') continue;
          expect({ at: `${method} ${path} ${status}`, ref: media.schema.$ref }).toEqual({ at: `${method} ${path} ${status}`, ref: expect.stringMatching(/^#\/components\/schemas\/\w+$/) });
        }
      }
    }
    // No untyped success body is left.
    for (const name of Object.keys(doc.components.schemas)) expect({ name, schema: doc.components.schemas[name] }).not.toEqual({ name, schema: {} });
  });

  it('never has an empty `required`, requires only declared properties, and spells null the OpenAPI 3.1 way', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    eachSchema(doc, (schema, at) => {
      expect({ at, nullable: schema.nullable }).toEqual({ at, nullable: undefined });
      if (schema.required === undefined) return;
      expect({ at, required: schema.required.length > 0 }).toEqual({ at, required: true });
      for (const name of schema.required) expect({ at, name, declared: name in (schema.properties ?? {}) }).toEqual({ at, name, declared: true });
    });
  });

  it('speaks camelCase, but for the error envelope, the OAuth 2.0 names of login and token and the e-mailing route\'s template_name', () => {
    const camel = /^[a-z][a-zA-Z0-9]*$/;
    for (const [name, schema] of Object.entries(doc.components.schemas as Record<string, Doc>)) {
      for (const key of Object.keys(schema.properties ?? {})) {
        if (name === 'Error' && key === 'doc_url') continue;
        if (OAUTH_NAMES.includes(key) || (name === 'EmailContentInput' && DOCUMENTED_SNAKE_NAMES.includes(key))) continue;
        expect({ schema: name, key }).toEqual({ schema: name, key: expect.stringMatching(camel) });
      }
    }
    for (const { path, operation } of operations(doc)) {
      for (const p of (operation.parameters ?? []) as Doc[]) if (p.in === 'query') expect({ path, name: p.name }).toEqual({ path, name: expect.stringMatching(camel) });
    }
    const media = (path: string) => doc.paths[path].post.requestBody.content;
    const login = deref(doc, media('/v1/auth/login')['application/json'].schema);
    expect(login).toMatchObject({ type: 'object', additionalProperties: false, required: expect.arrayContaining(['email', 'password']) });
    expect(Object.keys(login.properties).sort()).toEqual(['email', 'password']);
    const token = deref(doc, media('/v1/auth/token')['application/x-www-form-urlencoded'].schema);
    expect(Object.keys(token.properties)).toEqual(expect.arrayContaining(['grant_type', 'client_id', 'client_secret']));
    for (const path of OAUTH_PATHS) {
      const ok = deref(doc, doc.paths[path].post.responses['200'].content['application/json'].schema);
      expect(Object.keys(ok.properties).sort()).toEqual(['access_token', 'expires_in', 'token_type']);
    }
    const me = deref(doc, doc.paths['/v1/auth/me'].get.responses['200'].content['application/json'].schema);
    expect(me.properties).toHaveProperty('subscriberId');
    const list = doc.paths['/v1/billing/commissions'].get.parameters.map((p: Doc) => p.name);
    expect(list).toEqual(expect.arrayContaining(['page', 'perPage', 'type']));
  });

  it('describes each download as the bytes it is, of its media types', () => {
    const files = ROUTES.filter((r) => r.file);
    expect(files.map((r) => r.operation).sort()).toEqual(['DownloadCommissionStatement', 'DownloadEvidence', 'DownloadSepaBatchFile', 'DownloadSubscriptionDocument']);
    for (const route of files) {
      const success = doc.paths[route.path].get.responses[String(route.status)];
      expect(Object.keys(success.content).sort()).toEqual([...route.file!.contentTypes].sort());
      for (const media of Object.values(success.content as Record<string, Doc>)) expect(media.schema).toEqual({ type: 'string', format: 'binary' });
      expect(success.headers['Content-Disposition']).toBeDefined();
    }
    const commission = doc.paths['/v1/billing/commissions/{commissionId}/download'].get.responses['200'].content;
    expect(Object.keys(commission).sort()).toEqual(['application/pdf', 'text/csv']);
    const sepa = doc.paths['/v1/premium-scheduling/sepa-batches/{batchId}/file'].get.responses['200'].content;
    expect(Object.keys(sepa)).toEqual(['application/xml']);
  });

  it('documents the e-mailing route\'s own key rule: both headers, no replay marker, 409 for a key already used', () => {
    const operation = doc.paths['/v1/emailing/messages'].post;
    const headers = operation.parameters.filter((p: Doc) => p.in === 'header');
    expect(headers.map((p: Doc) => p.name)).toEqual(['Idempotency-Key', 'X-Quarzo-Life-Idempotency-Key']);
    expect(headers[0].description).toMatch(/409 conflict, never a replay/);
    expect(operation.responses['202'].headers?.['Idempotent-Replayed']).toBeUndefined();
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['400', '401', '403', '409']));
  });

  it('documents the idempotency headers on every POST and PATCH that takes credentials, and the replay marker', () => {
    expect(doc.components.parameters.IdempotencyKey).toMatchObject({ name: 'Idempotency-Key', in: 'header', required: false });
    expect(doc.components.parameters.IdempotencyKeyAlias).toMatchObject({ name: 'X-Quarzo-Life-Idempotency-Key', in: 'header', required: false });
    for (const route of ROUTES.filter((r) => r.auth === 'required' && (r.method === 'POST' || r.method === 'PATCH') && !r.idempotencyKeyVariable)) {
      const operation = doc.paths[route.path][route.method.toLowerCase()];
      const refs = operation.parameters.map((p: Doc) => p.$ref).filter(Boolean);
      expect({ route: route.path, refs }).toEqual({ route: route.path, refs: expect.arrayContaining(['#/components/parameters/IdempotencyKey', '#/components/parameters/IdempotencyKeyAlias']) });
      if (route.status !== 204) expect(operation.responses[String(route.status)].headers['Idempotent-Replayed']).toEqual({ $ref: '#/components/headers/IdempotentReplayed' });
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['409', '422']));
    }
  });

  it('lists every status a route can answer, each error as the one envelope', () => {
    for (const route of ROUTES) {
      const statuses = Object.keys(doc.paths[route.path][route.method.toLowerCase()].responses);
      const expected = ['400', '500', String(route.status)];
      if (route.auth === 'required') expected.push('401', '403');
      if (route.path.includes('{')) expected.push('404');
      if (route.body) expected.push('413', '415');
      if (route.ifMatch) expected.push('412', '428');
      if (route.rateLimited) expected.push('429');
      if (OAUTH_PATHS.includes(route.path)) expected.push('401');
      // A status no catalog code answers with (415 once non-JSON bodies are 400s) is not claimed.
      const answerable = expected.filter((s) => s === String(route.status) || Object.values(CATALOG).some((entry) => String(entry.status) === s));
      expect({ route: `${route.method} ${route.path}`, statuses }).toEqual({ route: `${route.method} ${route.path}`, statuses: expect.arrayContaining(answerable) });
      for (const status of statuses) expect({ route: `${route.method} ${route.path}`, status, known: status === String(route.status) || Object.values(CATALOG).some((entry) => String(entry.status) === status) }).toEqual({ route: `${route.method} ${route.path}`, status, known: true });
    }
    expect(doc.paths['/v1/auth/login'].post.responses).toHaveProperty('429');
    for (const { operation } of operations(doc)) {
      for (const [status, response] of Object.entries(operation.responses as Record<string, Doc>)) {
        if (Number(status) < 400) continue;
        expect(deref(doc, response).content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Errors' });
      }
    }
    const error = doc.components.schemas.Error;
    expect([...error.required].sort()).toEqual(['code', 'doc_url', 'message']);
    expect(Object.keys(error.properties)).toEqual(expect.arrayContaining(['code', 'message', 'doc_url', 'reason', 'field', 'details']));
    // The codes are the catalog's, whatever they are called, each named by the response of its status.
    expect([...error.properties.code.enum].sort()).toEqual(Object.keys(CATALOG).sort());
    for (const [code, entry] of Object.entries(CATALOG)) {
      const response = doc.components.responses[errorResponseName(entry.status)];
      if (entry.status === 405) continue; // another method on a documented path, not an answer of an operation
      expect({ code, description: response?.description }).toEqual({ code, description: expect.stringContaining(`\`${code}\``) });
    }
    expect(doc.paths['/v1/death-settlement/policies/{policyId}/beneficiary-designation'].get.responses['200'].headers.ETag).toBeDefined();
  });

  it('declares the bearer JWT and session cookie schemes', () => {
    expect(doc.components.securitySchemes).toEqual({
      bearer: expect.objectContaining({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }),
      session: expect.objectContaining({ type: 'apiKey', in: 'cookie' }),
    });
  });
});
