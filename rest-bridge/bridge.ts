import type { IncomingMessage } from 'node:http';
import { getNamedType, isEnumType, type ExecutionResult, type GraphQLInputType, type GraphQLSchema } from 'graphql';
import type { RequestContext } from '../context/context';
import { AppError, invalidFields, unauthorized } from '../errors/app-error';
import { decisiveError, toAppError } from '../errors/graphql-errors';
import { outcomeOf, type ExecutionOutcome, type ExecutionPipeline } from '../execution/pipeline';
import { isUuid } from '../domain/shared/ids';
import { bodyReader, mediaType, NO_BODY, parseBody } from '../http/body';
import { Idempotency } from '../http/idempotency';
import type { RequestTarget } from '../http/target';
import type { Logger } from '../http/logger';
import { errorReply, jsonReply, type Reply } from '../http/reply';
import { applyAcceptVariable } from './accept';
import { buildOpenApi } from './openapi';
import { loadOperations, type PreparedOperation } from './operations';
import { documentPreconditions, etagHeader, ifMatchVersion } from './preconditions';
import type { Route } from './route';
import { RouteMatcher } from './route-matcher';
import { invert, renameKeys, restEnumValue, restEnumValues } from './wire-names';

/** What the bridge reads of a request's context: the caller, its credentials, the response effects. */
export type BridgeContext = Pick<RequestContext, 'requestId' | 'viewer' | 'authFailure' | 'credentials' | 'response'>;

/**
 * FEDERATION SEAM (gateway/): how a route's named operation is executed. Unset, it runs on the local
 * schema with the full RequestContext; the GraphQL front sets it to run through the gateway's
 * executor. Its errors must carry the AppError behind them as `originalError` (toAppError reads it).
 */
export type BridgeExecutor<C extends BridgeContext> = (operation: PreparedOperation, variables: Record<string, unknown>, context: C) => Promise<FrontResult>;

/**
 * A front's result. `replayed`: the service answered with the response it stored for the request's
 * Idempotency-Key (its `Idempotent-Replayed: true`); the reply then says so, as the single process's does.
 */
export type FrontResult = ExecutionResult & { replayed?: boolean };

export interface BridgeDeps<C extends BridgeContext = RequestContext> {
  /** Our schema: the operations are prepared and documented (OpenAPI) from it, wherever they run. */
  schema: GraphQLSchema;
  /** The one execution pipeline, shared with /graphql (the single process); unset only where `execute` is set. */
  pipeline?: ExecutionPipeline;
  routes: readonly Route[];
  buildContext: (req: IncomingMessage, requestId: string, body: () => Promise<Buffer>) => Promise<C>;
  /** FEDERATION SEAM: see BridgeExecutor; undefined = the local schema. */
  execute?: BridgeExecutor<C>;
  /** FEDERATION SEAM: the front passes the key on to the service instead (gateway/front.ts). */
  idempotency: Pick<Idempotency, 'run'>;
  /**
   * FEDERATION SEAM: a route took the idempotency key into its operation (Route.idempotencyKeyVariable);
   * the front must not also pass the header on, or the service's generic layer would replay instead.
   */
  keyTakenByOperation?: (context: C) => void;
  docsBaseUrl: () => string;
  maxBodyBytes: number;
  logger: Logger;
}

/**
 * Legacy `/v1` paths, each run as one named GraphQL operation on the execution pipeline `/graphql`
 * uses (execution/pipeline.ts), with the same context builder. Order of checks: route (404/405),
 * credentials (401), body (413/400), then the operation, whose errors map to the catalog's status.
 */
export class RestBridge<C extends BridgeContext = RequestContext> {
  private readonly matcher: RouteMatcher;
  private readonly operations: Map<string, PreparedOperation>;

  constructor(private readonly deps: BridgeDeps<C>) {
    if (!deps.pipeline && !deps.execute) throw new Error('the REST bridge needs the execution pipeline (or a front\'s executor)');
    this.matcher = new RouteMatcher(deps.routes);
    this.operations = loadOperations(deps.schema);
    for (const route of deps.routes) {
      if (!this.operations.has(route.operation)) throw new Error(`route ${route.method} ${route.path}: no operation ${route.operation}`);
    }
    // Compiled once here (graphql-jit), not on a route's first request; one jit cannot compile runs on graphql-js.
    if (deps.pipeline) for (const operation of this.operations.values()) deps.pipeline.compile(operation.document, operation.name);
  }

  /** The OpenAPI document for every route, generated from the table and the operations. */
  openapi(): unknown {
    return documentPreconditions(buildOpenApi(this.deps.schema, this.deps.routes, this.operations, this.deps.docsBaseUrl()), this.deps.routes);
  }

  async handle(req: IncomingMessage, url: RequestTarget, requestId: string): Promise<Reply> {
    try {
      return await this.dispatch(req, url, requestId);
    } catch (error) {
      const appError = error instanceof AppError ? error : toAppError(error, requestId);
      if (appError.code === 'internal_server_error') this.deps.logger.error('rest route failed', { requestId, path: url.pathname, error });
      return errorReply(appError, this.deps.docsBaseUrl());
    }
  }

  private async dispatch(req: IncomingMessage, url: RequestTarget, requestId: string): Promise<Reply> {
    const method = req.method ?? 'GET';
    const match = this.matcher.match(method, url.pathname);
    if (match.kind === 'none') throw new AppError('resource_not_found', 'ROUTE_NOT_FOUND');
    if (match.kind === 'wrong_method') throw new AppError('method_not_allowed', 'METHOD_NOT_ALLOWED', { headers: { Allow: match.allow.join(', ') } });
    const { route, params } = match;
    // One read of the body, shared: a signed request's digest is checked while credentials are (still 401 first).
    const readRaw = bodyReader(req, route.maxBodyBytes ?? this.deps.maxBodyBytes);
    const context = await this.deps.buildContext(req, requestId, readRaw);
    if (route.auth === 'required') {
      if (!context.viewer) throw unauthorized(context.authFailure ?? 'NO_SESSION');
      this.checkCsrf(req, context);
    }
    // Optimistic concurrency (route.ifMatch): after the 401 check, before any other work, 428 without
    // If-Match; the version it names becomes a variable, like a path constant the body cannot set.
    const expected = route.ifMatch ? { [route.ifMatch.variable]: ifMatchVersion(req) } : undefined;
    const raw = route.body ? await readRaw() : NO_BODY;
    const body = route.body ? this.parse(req, raw, route) : {};
    const operation = this.operations.get(route.operation)!;
    const variables = this.variables(operation, expected ? { ...route, constants: { ...route.constants, ...expected } } : route, params, url.searchParams, body);
    // route.acceptVariable: the Accept header picks a variable (a download's format) the query string left unset.
    applyAcceptVariable(route, req, variables);
    const run = () => this.run(operation, route, variables, context);
    if (route.idempotencyKeyVariable) {
      variables[route.idempotencyKeyVariable] = Idempotency.sentKeyOf(req.headers);
      this.deps.keyTakenByOperation?.(context);
      return run();
    }
    const key = method === 'POST' || method === 'PATCH' ? Idempotency.keyOf(req.headers) : undefined;
    if (key && context.viewer) {
      return this.deps.idempotency.run(`${context.viewer.kind}:${context.viewer.id}`, key, { method, path: url.pathname, body: raw }, run);
    }
    return run();
  }

  private async run(operation: PreparedOperation, route: Route, variables: Record<string, unknown>, context: C): Promise<Reply> {
    // FEDERATION SEAM: the front's executor (its result read by the pipeline's rules), else the pipeline.
    const result = this.deps.execute ? await this.deps.execute(operation, variables, context) : undefined;
    const outcome = result
      ? outcomeOf(result, context, { bodyVariable: route.bodyVariable, logger: this.deps.logger, operation: operation.name })
      : // Without a front's executor the context is the service's own RequestContext (app.ts).
        await this.deps.pipeline!.run({ document: operation.document, variables, operationName: operation.name }, context as unknown as RequestContext, { bodyVariable: route.bodyVariable });
    const reply = this.reply(operation, route, outcome);
    return result?.replayed ? { ...reply, headers: { ...reply.headers, 'idempotent-replayed': 'true' } } : reply;
  }

  private reply(operation: PreparedOperation, route: Route, outcome: ExecutionOutcome): Reply {
    if (outcome.errors.length) {
      // REST keeps one error and its catalog status (errors/graphql-errors.ts `decisiveError`), where /graphql answers 200 with partial data.
      const decisive = decisiveError(outcome.errors.map((e) => e.error));
      const reply = errorReply(route.wireNames ? wireFields(decisive, invert(route.wireNames)) : decisive, this.deps.docsBaseUrl());
      return outcome.final ? reply : { ...reply, final: false };
    }
    const cookies: Record<string, string[]> = outcome.cookies.length ? { 'set-cookie': outcome.cookies } : {};
    const value = outcome.data?.[operation.rootField];
    if (route.file) return fileReply(value as { fileName: string; contentType: string; contentBase64: string });
    // route.etag: the result's version goes out as the ETag a later If-Match sends back.
    const body = route.status === 204 ? null : route.wireNames && value !== null && typeof value === 'object' ? renameKeys(value as Record<string, unknown>, invert(route.wireNames)) : value;
    return jsonReply(route.status, body, { ...cookies, ...etagHeader(route, value) });
  }

  private parse(req: IncomingMessage, raw: Buffer, route: Route): Record<string, unknown> {
    if (raw.length === 0 && req.headers['content-type'] === undefined) return {};
    const type = mediaType(req);
    if (!type || !route.body!.includes(type)) {
      throw new AppError('parameter_invalid', 'UNSUPPORTED_CONTENT_TYPE', { headers: { Accept: route.body!.map((t) => (t === 'json' ? 'application/json' : 'application/x-www-form-urlencoded')).join(', ') } });
    }
    return parseBody(raw, type);
  }

  private variables(operation: PreparedOperation, route: Route, params: Record<string, string>, query: URLSearchParams, sent: Record<string, unknown>): Record<string, unknown> {
    const variables: Record<string, unknown> = {};
    const problems: Array<{ field: string; reason: string }> = [];
    const body = route.wireNames ? renameKeys(sent, route.wireNames) : sent;
    const wireName = (name: string) => (route.wireNames ? (invert(route.wireNames)[name] ?? name) : name);
    const pathProblems: typeof problems = [];
    // Routes with a body take their input from it alone: credentials must never ride in a URL.
    if (!route.body) {
      for (const [name, value] of query) {
        if (operation.variables.has(name)) variables[name] = coerceText(value, operation.variables.get(name)!.type);
      }
    }
    if (route.bodyVariable) variables[route.bodyVariable] = restEnumValues(body, operation.variables.get(route.bodyVariable)!.type);
    else {
      for (const [name, value] of Object.entries(body)) {
        const variable = operation.variables.get(name);
        if (!variable || name in params || (route.constants && name in route.constants)) problems.push({ field: wireName(name), reason: 'UNKNOWN_FIELD' });
        else variables[name] = restEnumValues(value, variable.type);
      }
    }
    for (const [name, value] of Object.entries(params)) {
      variables[name] = value;
      // A path id names a resource, and every resource id is a UUID: anything else is a 400 naming the
      // parameter as the path spells it (`declarationId`; the input guard would name the field's argument, `id`).
      if (isIdVariable(operation, name) && !isUuid(value)) pathProblems.push({ field: name, reason: 'INVALID_ID' });
    }
    Object.assign(variables, route.constants);
    for (const [name, definition] of operation.variables) {
      if (definition.required && (variables[name] === undefined || variables[name] === null)) problems.push({ field: wireName(name), reason: 'REQUIRED_FIELD_MISSING' });
    }
    if (pathProblems.length || problems.length) throw invalidFields([...pathProblems, ...problems]);
    return variables;
  }

  /** Cookie-authenticated writes need a header a cross-site form cannot send (docs/SECURITY.md 8). */
  private checkCsrf(req: IncomingMessage, context: C): void {
    const write = req.method !== 'GET' && req.method !== 'HEAD';
    const byCookie = context.credentials.bearer === undefined && context.credentials.sessionCookie !== undefined;
    if (write && byCookie && mediaType(req) !== 'json' && !req.headers['x-requested-with']) {
      throw new AppError('forbidden', 'CSRF_HEADER_REQUIRED');
    }
  }
}

function fileReply(file: { fileName: string; contentType: string; contentBase64: string }): Reply {
  // RFC 6266: a plain ASCII name, and the exact name in filename* for clients that read it.
  const ascii = file.fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return {
    status: 200,
    headers: {
      'content-type': file.contentType,
      'content-disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
      'cache-control': 'private, no-store',
    },
    body: Buffer.from(file.contentBase64, 'base64'),
  };
}

/** Whether an operation variable holds an id (GraphQL `ID`, nullable or not). */
function isIdVariable(operation: PreparedOperation, name: string): boolean {
  return operation.variables.get(name)?.scalar === 'ID';
}

/** A route with its own wire names (OAuth 2.0) hears about its fields as the caller spelled them. */
function wireFields(error: AppError, names: Readonly<Record<string, string>>): AppError {
  if (!error.extra.field && !error.extra.details) return error;
  const rename = (field: string | undefined) => (field === undefined ? undefined : (names[field] ?? field));
  return new AppError(error.code, error.reason, {
    ...error.extra,
    field: rename(error.extra.field),
    details: error.extra.details?.map((d) => ({ ...d, field: rename(d.field) })),
  });
}

/**
 * Query-string values are text; numbers and booleans are converted for variables of those types. REST
 * spells multi-word enum values with '-' (the public docs' `business-commission`), which a GraphQL enum
 * value cannot hold: an enum variable reads them as '_' (`business_commission`).
 */
function coerceText(value: string, type: GraphQLInputType): unknown {
  const named = getNamedType(type);
  if (isEnumType(named)) return restEnumValue(value, named);
  const scalar = named.name;
  if (scalar === 'Int' && /^-?\d+$/.test(value)) return Number(value);
  if (scalar === 'Boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}
