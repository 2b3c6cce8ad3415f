import {
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLInputType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { CATALOG, type ErrorCode } from '../errors/catalog';
import { toSnake } from './case';
import type { PreparedOperation } from './operations';
import type { Route } from './route';

type JsonSchema = Record<string, unknown>;

const SCALARS: Record<string, JsonSchema> = {
  String: { type: 'string' },
  // Every resource id is a UUID (docs/DOMAIN.md, "Ids").
  ID: { type: 'string', format: 'uuid' },
  Int: { type: 'integer' },
  Float: { type: 'number' },
  Boolean: { type: 'boolean' },
  DateTime: { type: 'string', format: 'date-time' },
  EmailAddress: { type: 'string', format: 'email' },
};

function inputSchema(type: GraphQLInputType): JsonSchema {
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) return { type: 'array', items: inputSchema(inner.ofType) };
  if (isScalarType(inner)) return SCALARS[inner.name] ?? { type: 'string', description: inner.description ?? inner.name };
  if (isEnumType(inner)) return { type: 'string', enum: inner.getValues().map((v) => v.name) };
  if (isInputObjectType(inner)) {
    const fields = Object.values(inner.getFields());
    return {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(fields.map((f) => [toSnake(f.name), { ...inputSchema(f.type), ...(f.description ? { description: f.description } : {}) }])),
      required: fields.filter((f) => isNonNullType(f.type) && f.defaultValue === undefined).map((f) => toSnake(f.name)),
    };
  }
  return {};
}

/** The response body's schema follows the operation's selection, so it documents exactly what is sent. */
function outputSchema(type: GraphQLOutputType, selection: SelectionSetNode | undefined): JsonSchema {
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) return { type: 'array', items: outputSchema(inner.ofType, selection) };
  if (isScalarType(inner)) return SCALARS[inner.name] ?? { type: 'string' };
  if (isEnumType(inner)) return { type: 'string', enum: inner.getValues().map((v) => v.name) };
  if (isObjectType(inner) && selection) {
    const fields = inner.getFields();
    const properties: Record<string, JsonSchema> = {};
    for (const node of selection.selections) {
      if (node.kind !== 'Field' || !fields[node.name.value]) continue;
      const field = fields[node.name.value];
      const schema = outputSchema(field.type, node.selectionSet);
      properties[toSnake(node.alias?.value ?? node.name.value)] = isNonNullType(field.type) ? schema : { ...schema, nullable: true };
    }
    return { type: 'object', properties };
  }
  return { type: 'object' };
}

const ERROR_ENVELOPE: JsonSchema = {
  type: 'object',
  required: ['errors'],
  properties: {
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['code', 'message', 'doc_url'],
        properties: {
          code: { type: 'string', enum: Object.keys(CATALOG) },
          message: { type: 'string', description: 'A sentence for people; for 401s and INSUFFICIENT_ROLES, the stable reason itself.' },
          doc_url: { type: 'string', format: 'uri' },
          reason: { type: 'string', description: 'Stable machine reason, e.g. REQUIRED_FIELD_MISSING.' },
          field: { type: 'string', description: 'The parameter at fault.' },
          requestId: { type: 'string', description: 'On internal_server_error: the id to quote to support.' },
        },
      },
    },
  },
};

function errorResponse(code: ErrorCode) {
  return { description: CATALOG[code].title, content: { 'application/json': { schema: { $ref: '#/components/schemas/Errors' } } } };
}

/** OpenAPI 3.0 for every bridge route, generated from the route table and the operations it runs. */
export function buildOpenApi(schema: GraphQLSchema, routes: readonly Route[], operations: Map<string, PreparedOperation>, docsBaseUrl: string): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const operation = operations.get(route.operation)!;
    const definition = operation.document.definitions[0];
    if (definition.kind !== 'OperationDefinition') continue;
    const root = definition.operation === 'query' ? schema.getQueryType() : schema.getMutationType();
    const field = definition.selectionSet.selections[0];
    const pathParams = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    const bodyVars = [...operation.variables].filter(([name]) => !pathParams.includes(toSnake(name)) && !pathParams.includes(name) && !(route.constants && name in route.constants));
    const parameters = pathParams.map((name) => ({ name, in: 'path', required: true, schema: operation.variables.get(name)?.scalar === 'ID' ? { type: 'string', format: 'uuid' } : { type: 'string' } }));
    if (!route.body) {
      for (const [name, v] of bodyVars) parameters.push({ name: toSnake(name), in: 'query', required: v.required, schema: inputSchema(v.type) as { type: string } });
    }
    const bodySchema = route.bodyVariable
      ? inputSchema(operation.variables.get(route.bodyVariable)!.type)
      : {
          type: 'object',
          additionalProperties: false,
          properties: Object.fromEntries(bodyVars.map(([name, v]) => [toSnake(name), inputSchema(v.type)])),
          required: bodyVars.filter(([, v]) => v.required).map(([name]) => toSnake(name)),
        };
    const media = Object.fromEntries((route.body ?? []).map((t) => [t === 'json' ? 'application/json' : 'application/x-www-form-urlencoded', { schema: bodySchema }]));
    const rootField = root && field.kind === 'Field' ? root.getFields()[field.name.value] : undefined;
    const success = route.status === 204
      ? { description: 'Done, no content' }
      : { description: 'Success', content: { 'application/json': { schema: rootField && field.kind === 'Field' ? outputSchema(rootField.type, field.selectionSet) : {} } } };
    const responses: Record<string, unknown> = { [route.status]: success, 400: errorResponse('parameter_invalid') };
    if (route.auth === 'required') Object.assign(responses, { 401: errorResponse('unauthorized'), 403: errorResponse('forbidden'), 404: errorResponse('resource_not_found') });
    else if (route.tag === 'auth') responses[401] = errorResponse('unauthorized');
    if (route.body) responses[413] = errorResponse('payload_too_large');
    paths[route.path] ??= {};
    paths[route.path][route.method.toLowerCase()] = {
      operationId: route.operation,
      summary: route.summary,
      tags: [route.tag],
      ...(parameters.length ? { parameters } : {}),
      ...(route.body ? { requestBody: { required: true, content: media } } : {}),
      ...(route.auth === 'required' ? { security: [{ bearer: [] }, { session: [] }] } : { security: [] }),
      responses,
    };
  }
  // Inbound webhooks are not GraphQL operations (verified over the raw body), but callers need them documented.
  paths['/v1/webhooks/{source}'] = {
    post: {
      operationId: 'ReceiveWebhook',
      summary: 'Inbound provider events (esign, payments), signed with Standard Webhooks; each webhook-id applied once',
      tags: ['webhooks'],
      security: [],
      parameters: [
        { name: 'source', in: 'path', required: true, schema: { type: 'string', enum: ['esign', 'payments'] } },
        ...['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => ({ name, in: 'header', required: true, schema: { type: 'string' } })),
      ],
      requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['type'], properties: { type: { type: 'string' }, timestamp: { type: 'string' }, data: { type: 'object' } } } } } },
      responses: {
        200: { description: 'Received (duplicate: true when this webhook-id was applied before)', content: { 'application/json': { schema: { type: 'object', properties: { received: { type: 'boolean' }, duplicate: { type: 'boolean' } } } } } },
        401: errorResponse('unauthorized'),
        404: errorResponse('resource_not_found'),
        413: errorResponse('payload_too_large'),
      },
    },
  };
  return {
    openapi: '3.0.3',
    info: { title: 'insurance-gateway REST API', version: '1', description: `Legacy REST paths, each backed by one GraphQL operation. Errors: ${docsBaseUrl}` },
    paths,
    components: {
      schemas: { Errors: ERROR_ENVELOPE },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        session: { type: 'apiKey', in: 'cookie', name: 'session' },
      },
    },
  };
}
