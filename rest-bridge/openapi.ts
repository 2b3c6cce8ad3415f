import { getNamedType, GraphQLNonNull, isEnumType, isNonNullType, type FragmentDefinitionNode, type GraphQLInputType, type GraphQLSchema } from 'graphql';
import type { PreparedOperation } from './operations';
import { ERROR_SCHEMAS, ERROR_STATUSES, errorResponseRef, errorResponses } from './openapi-errors';
import { pascal, ref, requiredList, SchemaRegistry, type JsonSchema } from './openapi-schemas';
import type { Route } from './route';
import { wireEnumValues } from './wire-names';

/**
 * OpenAPI 3.1 for every bridge route, generated from the route table and the named operations it runs:
 * request and response bodies are named schemas built from the GraphQL types (a response documents
 * exactly what its operation selects), and each operation lists every status it can answer.
 * Field names are the GraphQL ones (camelCase), but where a route declares wire names of its own
 * (`Route.wireNames`: the OAuth 2.0 names of the login and token routes).
 */

const MEDIA_TYPES = { json: 'application/json', form: 'application/x-www-form-urlencoded' } as const;

/** Idempotency (POST and PATCH with credentials): the request headers and the replay marker. */
const IDEMPOTENCY_PARAMETERS: Record<string, JsonSchema> = {
  IdempotencyKey: {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description: 'Makes a retry safe: the same key and body replay the first answer; another body is 422, a retry while the first runs is 409. 1 to 255 visible ASCII characters, a UUID typically.',
    schema: { type: 'string', minLength: 1, maxLength: 255 },
  },
  IdempotencyKeyAlias: {
    name: 'X-Quarzo-Life-Idempotency-Key',
    in: 'header',
    required: false,
    description: 'The legacy name of Idempotency-Key; when both are sent they must be equal.',
    schema: { type: 'string', minLength: 1, maxLength: 255 },
  },
};
const IDEMPOTENT_REPLAYED = { $ref: '#/components/headers/IdempotentReplayed' };

const TAGS: Record<string, string> = {
  auth: 'Sign-in, partner tokens and the caller',
  subscription: 'Subscribers, subscriptions, contract documents and signature',
  'compartment-lifecycle': 'Compartments of a policy and their lifecycle',
  billing: 'Commission statements for distributors',
  support: 'Support requests',
  'death-settlement': 'Beneficiary designations',
  'death-claims': 'Death claims: the notice of death, the claims it opens, their beneficiaries',
  'total-surrender': 'Total surrender declarations',
  'partial-surrender': 'Partial surrender declarations',
  'pay-out': 'Pay-out IBANs',
  evidence: 'Proofs uploaded by or for a subscriber, and their review',
  emailing: 'Templated e-mails queued by back-office and partner platforms',
  webhooks: 'Events sent to us by providers',
};

export function buildOpenApi(schema: GraphQLSchema, routes: readonly Route[], operations: Map<string, PreparedOperation>, docsBaseUrl: string): JsonSchema {
  const registry = new SchemaRegistry([...Object.keys(ERROR_SCHEMAS), ...Object.keys(WEBHOOK_SCHEMAS)]);
  for (const operation of operations.values()) registry.reserveFragments(operation.document);
  const operationIds = uniqueOperationIds(routes);
  const statuses = new Set<number>();
  const paths: Record<string, Record<string, unknown>> = {};

  routes.forEach((route, index) => {
    const operation = operations.get(route.operation)!;
    const definition = operation.document.definitions[0];
    if (definition.kind !== 'OperationDefinition') return;
    const root = definition.operation === 'query' ? schema.getQueryType() : schema.getMutationType();
    const field = definition.selectionSet.selections[0];
    const rootField = root && field.kind === 'Field' ? root.getFields()[field.name.value] : undefined;
    const wire = Object.fromEntries(Object.entries(route.wireNames ?? {}).map(([wireName, name]) => [name, wireName]));
    const names = (key: string) => wire[key] ?? key;

    const pathParams = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    const implied = new Set([...pathParams, ...Object.keys(route.constants ?? {}), ...(route.ifMatch ? [route.ifMatch.variable] : [])]);
    const free = [...operation.variables].filter(([name]) => !implied.has(name));
    const parameters: JsonSchema[] = pathParams.map((name) => {
      const variable = operation.variables.get(name);
      return { name, in: 'path', required: true, schema: variable ? registry.input(variable.type) : { type: 'string' } };
    });
    if (!route.body) {
      // Query strings are text: an enum value's `_` may also be written `-`; the enums the docs spell with `-` take only that (`business-commission`).
      for (const [name, v] of free) parameters.push({ name: names(name), in: 'query', required: v.required, schema: queryValueSchema(v.type, registry) });
    }

    let requestBody: JsonSchema | undefined;
    if (route.body) {
      let bodySchema: JsonSchema;
      let required: boolean;
      if (route.bodyVariable) {
        const variable = operation.variables.get(route.bodyVariable)!;
        bodySchema = registry.input(variable.type);
        required = variable.required;
      } else {
        const object = {
          type: 'object',
          additionalProperties: false,
          properties: Object.fromEntries(free.map(([name, v]) => [names(name), v.required ? registry.input(v.type) : registry.inputField(v.type)])),
          ...requiredList(free.filter(([, v]) => v.required).map(([name]) => names(name))),
        };
        bodySchema = ref(registry.name([`${route.operation}Request`, `${operationIds[index]}Request`], object));
        required = free.some(([, v]) => v.required);
      }
      requestBody = { required, content: Object.fromEntries(route.body.map((t) => [MEDIA_TYPES[t], { schema: bodySchema }])) };
    }

    // A route that takes the key itself (the e-mailing route) documents its own rule: a key names one request, never replayed.
    const ownKey = route.idempotencyKeyVariable !== undefined;
    const idempotent = !ownKey && route.auth === 'required' && (route.method === 'POST' || route.method === 'PATCH');
    if (idempotent) parameters.push({ $ref: '#/components/parameters/IdempotencyKey' }, { $ref: '#/components/parameters/IdempotencyKeyAlias' });
    if (ownKey) {
      const description = 'Optional. Names the request once for the caller: a key already used is 409 conflict, never a replay. 1 to 255 characters once trimmed; the two headers, when both are sent, must be equal.';
      for (const name of ['Idempotency-Key', 'X-Quarzo-Life-Idempotency-Key']) parameters.push({ name, in: 'header', required: false, description, schema: { type: 'string', minLength: 1, maxLength: 255 } });
    }

    let success: JsonSchema;
    if (route.status === 204) success = { description: 'Done, no content' };
    else if (route.file) {
      success = {
        description: 'The file itself (Content-Disposition: attachment, with its name)',
        headers: { 'Content-Disposition': { description: 'attachment; filename="..."; filename*=UTF-8\'\'...', schema: { type: 'string' } } },
        content: Object.fromEntries(route.file.contentTypes.map((type) => [type, { schema: { type: 'string', format: 'binary' } }])),
      };
    } else {
      const fragments = new Map<string, FragmentDefinitionNode>();
      for (const d of operation.document.definitions) if (d.kind === 'FragmentDefinition') fragments.set(d.name.value, d);
      // The bridge answers 404 rather than a null body, so the root value is documented as present.
      const type = rootField ? rootField.type : undefined;
      const body = type && field.kind === 'Field' ? registry.output(isNonNullType(type) ? type : new GraphQLNonNull(type), field.selectionSet, { fragments, names, hint: `${route.operation}Result` }) : { type: 'object' };
      const named = typeof body.$ref === 'string' ? body : ref(registry.name([`${route.operation}Response`], body));
      success = { description: route.summary, content: { 'application/json': { schema: named } } };
    }
    if (idempotent && route.status !== 204) success.headers = { ...(success.headers as object), 'Idempotent-Replayed': IDEMPOTENT_REPLAYED };

    const errors = errorStatuses(route, operation, pathParams.length > 0);
    errors.forEach((s) => statuses.add(s));
    paths[route.path] ??= {};
    paths[route.path][route.method.toLowerCase()] = {
      operationId: operationIds[index],
      summary: route.summary,
      tags: [route.tag],
      ...(parameters.length ? { parameters } : {}),
      ...(requestBody ? { requestBody } : {}),
      security: route.auth === 'required' ? [{ bearer: [] }, { session: [] }] : [],
      responses: { [route.status]: success, ...Object.fromEntries(errors.map((s) => [s, errorResponseRef(s)])) },
    };
  });

  paths['/v1/webhooks/{source}'] = { post: webhookOperation() };
  WEBHOOK_ERRORS.forEach((s) => statuses.add(s));

  const usedTags = [...new Set([...routes.map((r) => r.tag), 'webhooks'])];
  return {
    openapi: '3.1.0',
    info: {
      title: 'insurance-gateway REST API',
      version: '1',
      description: `Legacy REST paths, each backed by one GraphQL operation. Every error is \`{"errors": [{code, message, doc_url}]}\`; each code has its page under ${docsBaseUrl}/errors.`,
      license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
    },
    servers: [{ url: '/', description: 'This server' }],
    tags: usedTags.map((name) => ({ name, description: TAGS[name] ?? name })),
    paths,
    components: {
      schemas: { ...ERROR_SCHEMAS, ...WEBHOOK_SCHEMAS, ...registry.schemas },
      responses: errorResponses(statuses, docsBaseUrl),
      parameters: IDEMPOTENCY_PARAMETERS,
      headers: {
        IdempotentReplayed: { description: '`true` when this is the stored answer to an earlier request with the same Idempotency-Key.', schema: { type: 'string', enum: ['true'] } },
      },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An access token from /v1/auth/login or /v1/auth/token, or a request signed by a partner (RS256 JWT per request).' },
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: 'session',
          description: 'The session cookie set by /v1/auth/login (`__Host-session` over HTTPS). Writes with it need a JSON body or the X-Requested-With header.',
        },
      },
    },
  };
}

/** What a route can answer besides success, from what it declares and what its operation takes. */
function errorStatuses(route: Route, operation: PreparedOperation, hasPathParams: boolean): number[] {
  const out = [400];
  const protectedRoute = route.auth === 'required';
  // Login and token (the routes with OAuth wire names) refuse bad credentials with 401 too.
  if (protectedRoute || route.wireNames) out.push(401);
  if (protectedRoute) out.push(403);
  const namesResource = hasPathParams || [...operation.variables.values()].some((v) => getNamedType(v.type).name === 'ID');
  if (protectedRoute && namesResource) out.push(404);
  // Writes meet state conflicts and business rules; an idempotent retry answers 409 while the first runs and 422 for another body.
  if (protectedRoute && route.method !== 'GET') out.push(409, 422);
  if (route.ifMatch) out.push(412, 428);
  if (route.body) out.push(413, 415);
  if (route.rateLimited) out.push(429);
  out.push(500, 503);
  return out.filter((status) => ERROR_STATUSES.has(status)).sort((a, b) => a - b);
}

/**
 * operationIds are unique: a route that shares its operation with others (the compartment actions)
 * adds its path constants to the name, `TransitionCompartmentSuspend`.
 */
function uniqueOperationIds(routes: readonly Route[]): string[] {
  const count = new Map<string, number>();
  for (const r of routes) count.set(r.operation, (count.get(r.operation) ?? 0) + 1);
  const ids = routes.map((r) => (count.get(r.operation)! > 1 ? r.operation + pascal(Object.values(r.constants ?? {}).map(String)) : r.operation));
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate) throw new Error(`OpenAPI: operationId ${duplicate} names two routes; give them distinct path constants`);
  return ids;
}

/** A query parameter's value: never null, and an enum's values also in their `-` spelling, inline. */
function queryValueSchema(type: GraphQLInputType, registry: SchemaRegistry): JsonSchema {
  const named = getNamedType(type);
  if (isEnumType(named)) {
    const values = wireEnumValues(named);
    return { type: 'string', enum: [...new Set([...values, ...values.map((v) => v.replaceAll('_', '-'))])] };
  }
  return registry.input(type);
}

const WEBHOOK_ERRORS = [400, 401, 404, 413, 500, 503].filter((status) => ERROR_STATUSES.has(status));

const WEBHOOK_SCHEMAS: Record<string, JsonSchema> = {
  WebhookEvent: {
    type: 'object',
    required: ['type'],
    properties: { type: { type: 'string' }, timestamp: { type: 'string' }, data: { type: 'object' } },
  },
  WebhookReceipt: {
    type: 'object',
    required: ['received'],
    properties: { received: { type: 'boolean' }, duplicate: { type: 'boolean', description: 'This webhook-id was applied before.' } },
  },
};

/** Inbound webhooks are not GraphQL operations (verified over the raw body), but callers need them documented. */
function webhookOperation(): JsonSchema {
  return {
    operationId: 'ReceiveWebhook',
    summary: 'Inbound provider events (esign, payments), signed with Standard Webhooks; each webhook-id applied once',
    tags: ['webhooks'],
    security: [],
    parameters: [
      { name: 'source', in: 'path', required: true, schema: { type: 'string', enum: ['esign', 'payments'] } },
      ...['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => ({ name, in: 'header', required: true, schema: { type: 'string' } })),
    ],
    requestBody: { required: true, content: { 'application/json': { schema: ref('WebhookEvent') } } },
    responses: {
      200: { description: 'Received (duplicate: true when this webhook-id was applied before)', content: { 'application/json': { schema: ref('WebhookReceipt') } } },
      ...Object.fromEntries(WEBHOOK_ERRORS.map((s) => [s, errorResponseRef(s)])),
    },
  };
}
