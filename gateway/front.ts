import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ApolloGateway, IntrospectAndCompose } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { getVariableValues, GraphQLError, Kind, print, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import type { GatewayConfig } from '../config/gateway';
import { loadTrustedDocuments, PersistedDocuments } from '../execution/persisted-documents';
import { followRevocations, createAuthentication } from '../context/authentication';
import { ProxyTrust } from '../context/proxy-trust';
import { SessionCookie } from '../context/session-cookie';
import { systemClock, type Clock } from '../domain/shared/clock';
import { newRequestId } from '../domain/shared/ids';
import { AppError, unauthorized } from '../errors/app-error';
import { errorIndexPage, errorPage, isErrorCode } from '../errors/docs-pages';
import { toAppError } from '../errors/graphql-errors';
import { bodyReader, mediaType, parseBody } from '../http/body';
import { graphqlErrorReply, graphqlReply, graphqlRequest } from '../http/graphql-http';
import { MAX_TOKENS, notRun, outcomeOf, withoutSuggestions, type ExecutionOutcome, type OperationRequest } from '../execution/pipeline';
import { Idempotency } from '../http/idempotency';
import { consoleLogger, type Logger } from '../http/logger';
import { commonHeaders, errorReply, jsonReply, writeReply, type Reply } from '../http/reply';
import { htmlReply, readiness } from '../http/service-pages';
import { listenAt } from '../http/lifecycle';
import { RequestTarget } from '../http/target';
import { RestBridge, type BridgeExecutor } from '../rest-bridge/bridge';
import type { PreparedOperation } from '../rest-bridge/operations';
import { ROUTES } from '../rest-bridge/routes';
import { buildSchema } from '../schema';
import { DocumentLimitsRule } from '../schema/limits';
import type { Db } from '../store/db';
import { ForwardingDataSource } from './data-source';
import { EdgeAccess } from './edge-access';
import { SingleFetchRoutes } from './single-fetch';
import { buildFrontContext, type FrontContext, type FrontEdgeDeps } from './front-context';
import { bridgeError, forwardedErrors } from './subgraph-errors';

export interface FrontOptions {
  config: GatewayConfig;
  /** The service's database: the edge checks tokens, cookies and sessions against it. */
  db: Db;
  clock?: Clock;
  logger?: Logger;
}

export interface Front {
  server: Server;
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * The GraphQL front (`npm run gateway`): `/graphql` over a supergraph with `@apollo/gateway`, and the
 * `/v1` REST bridge whose named operations run through the same gateway. Callers are authenticated
 * here, at the edge, with the service's own code and database; their credentials travel on to every
 * subgraph, which checks them again (a subgraph never trusts the front blindly; a partner's signed
 * request, spent here, goes on as an edge assertion: docs/SECURITY.md 31).
 *
 * Apollo Server stays only as the gateway's executor (`executeOperation`: parsing and validating against
 * the supergraph, query plans and their cache, the subgraph fetches): HTTP is ours, the service's
 * (http/graphql-http.ts), and every result is read by the execution pipeline's one rule (`outcomeOf`).
 */
export async function createFront(options: FrontOptions): Promise<Front> {
  const { config, db } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? consoleLogger;
  let docsBaseUrl = config.docsBaseUrl ?? `http://${config.host}:${config.port}/docs`;

  const { keys, auth } = await createAuthentication(db, config, clock);
  // The edge reads persisted and trusted documents as the service does (same settings, same manifest).
  const documents = new PersistedDocuments({
    trusted: config.documents.trustedDocumentsPath ? loadTrustedDocuments(config.documents.trustedDocumentsPath) : undefined,
    trustedOnly: config.documents.trustedDocumentsRequired,
    apqCacheSize: config.documents.apqCacheSize,
  });
  await followRevocations(db, auth);
  const edgeDeps: FrontEdgeDeps = {
    auth,
    sessionCookie: new SessionCookie(config.production),
    clientCertSerialHeader: config.clientCertSerialHeader,
    trustProxy: config.trustProxy,
    proxies: new ProxyTrust(config.trustedProxies),
    // The front's callers are the public: an edge assertion is ours to make, never to accept.
    edgeAssertions: false,
  };
  const context = (req: IncomingMessage, requestId: string, body: () => Promise<Buffer>) => buildFrontContext(req, requestId, body, edgeDeps);

  // Set before the gateway exists, read once it runs: its schema is what variables are coerced against.
  const singleFetch: SingleFetchRoutes = new SingleFetchRoutes((): GraphQLSchema | undefined => gateway.schema);
  const gateway: ApolloGateway = new ApolloGateway({
    ...(config.supergraphPath
      ? { supergraphSdl: readFileSync(config.supergraphPath, 'utf8') }
      : { supergraphSdl: new IntrospectAndCompose({ subgraphs: config.subgraphs! }) }),
    buildService: ({ name, url }) => new ForwardingDataSource(name, url!),
    experimental_didResolveQueryPlan: singleFetch.learn,
    logger: { debug: () => {}, info: () => {}, warn: (m: unknown) => logger.info('gateway', { message: String(m) }), error: (m: unknown) => logger.error('gateway', { message: String(m) }) },
  });
  const apollo = new ApolloServer<FrontContext>({
    gateway,
    introspection: !config.production,
    hideSchemaDetailsFromClientErrors: config.production,
    includeStacktraceInErrorResponses: false,
    stopOnTerminationSignals: false,
    parseOptions: { maxTokens: MAX_TOKENS },
    validationRules: [DocumentLimitsRule],
    plugins: [ApolloServerPluginLandingPageDisabled(), frontErrors()],
  });
  await apollo.start();
  gateway.onSchemaLoadOrUpdate(() => singleFetch.clear());

  // Our schema prepares and documents the bridge's operations; they run through the gateway.
  const schema = buildSchema({ production: config.production });
  const edgeAccess = new EdgeAccess(schema);
  // The service records Idempotency-Key in the transaction of the write it guards (http/idempotency.ts): the
  // front only checks the key's form (the bridge does) and passes it on with the mutation (data-source.ts).
  const idempotency: Pick<Idempotency, 'run'> = { run: (_scope, _key, _request, execute) => execute() };
  const bridge = new RestBridge<FrontContext>({
    schema,
    routes: ROUTES,
    buildContext: context,
    execute: gatewayExecutor(apollo, schema, singleFetch),
    idempotency,
    // The e-mailing route's key travels as its operation's argument, never as the header the service would replay on.
    keyTakenByOperation: (ctx) => {
      ctx.idempotency = {};
    },
    docsBaseUrl: () => docsBaseUrl,
    maxBodyBytes: config.maxBodyBytes,
    logger,
  });
  let openapi: unknown;

  const routes = async (req: IncomingMessage, requestId: string): Promise<Reply> => {
    const url = new RequestTarget(req.url ?? '/');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    if (path === '/graphql') return graphql(req, url, requestId);
    if (path === '/v1/openapi.json' && method === 'GET') return jsonReply(200, (openapi ??= bridge.openapi()));
    // Webhooks are the service's own (signed for it, applied in its transactions): routed to it directly.
    if (path.startsWith('/v1/') && !path.startsWith('/v1/webhooks/')) return bridge.handle(req, url, requestId);
    if (method !== 'GET' && method !== 'HEAD') throw new AppError('resource_not_found', 'ROUTE_NOT_FOUND');
    if (path === '/healthz') return jsonReply(200, { status: 'ok' });
    if (path === '/readyz') return readiness(db, docsBaseUrl);
    if (path === '/.well-known/jwks.json') {
      await keys.refreshIfStale();
      return jsonReply(200, keys.jwks(), { 'cache-control': 'public, max-age=300' });
    }
    if (path === '/docs' || path === '/docs/' || path === '/docs/errors') return htmlReply(errorIndexPage(docsBaseUrl));
    if (path.startsWith('/docs/errors/')) {
      const code = path.slice('/docs/errors/'.length);
      if (isErrorCode(code)) return htmlReply(errorPage(code, docsBaseUrl));
    }
    throw new AppError('resource_not_found', 'ROUTE_NOT_FOUND');
  };

  /**
   * `/graphql` as the service answers it (http/graphql-http.ts): the same request reading, the pipeline's
   * refusals before anything runs (401 at the edge, a mutation over GET), then the gateway, and the
   * result read by the pipeline's one rule for statuses, headers and cookies (`outcomeOf`).
   */
  const graphql = async (req: IncomingMessage, url: RequestTarget, requestId: string): Promise<Reply> => {
    const method = req.method ?? 'GET';
    const accept = Array.isArray(req.headers.accept) ? req.headers.accept.join(',') : req.headers.accept;
    try {
      if (method !== 'GET' && method !== 'POST') throw new AppError('method_not_allowed', 'METHOD_NOT_ALLOWED', { headers: { Allow: 'GET, POST' } });
      let body: unknown;
      const readRaw = bodyReader(req, config.maxBodyBytes);
      if (method === 'POST') {
        const raw = await readRaw();
        if (mediaType(req) !== 'json') throw new AppError('parameter_invalid', 'UNSUPPORTED_CONTENT_TYPE');
        body = parseBody(raw, 'json');
      }
      const request = graphqlRequest(method, url, body, documents);
      const ctx = await context(req, requestId, readRaw);
      if (method === 'POST' && ctx.viewer) Idempotency.keyOf(req.headers);
      const reply = graphqlReply(await runOnGateway(request, ctx, method === 'GET'), accept, docsBaseUrl);
      // The service replayed its stored answer for the Idempotency-Key: the client hears it as from the service.
      if (ctx.subgraphHeaders['idempotent-replayed'] === 'true') reply.headers['idempotent-replayed'] = 'true';
      return reply;
    } catch (error) {
      const appError = error instanceof AppError ? error : toAppError(error, requestId);
      if (appError.code === 'internal_server_error') logger.error('front graphql request failed', { requestId, error });
      return graphqlErrorReply(appError, accept, docsBaseUrl);
    }
  };

  const runOnGateway = async (request: OperationRequest, ctx: FrontContext, readOnly: boolean): Promise<ExecutionOutcome> => {
    const query = request.query!;
    const operationName = request.operationName ?? undefined;
    const verdict = edgeAccess.analyse(query, operationName);
    if (verdict && readOnly && verdict.operation !== 'query') {
      return notRun([{ error: new AppError('method_not_allowed', 'METHOD_NOT_ALLOWED', { message: 'Only queries run over GET; send mutations with POST.', headers: { Allow: 'POST' } }) }]);
    }
    // The documented 401, at the edge, before the gateway plans anything.
    if (verdict?.needsViewer && !ctx.viewer) return notRun([{ error: unauthorized(ctx.authFailure ?? 'NO_SESSION') }]);
    ctx.rawErrors = [];
    const direct = await singleFetch.run(query, operationName, request.variables ?? undefined, ctx);
    const response = direct ? undefined : await apollo.executeOperation({ query, variables: request.variables ?? undefined, operationName }, { contextValue: ctx });
    const single = direct ?? (response?.body.kind === 'single' ? response.body.singleResult : { errors: [] });
    const ran = single.data !== undefined;
    // The gateway's own document errors, in production without graphql-js's suggestions, as the pipeline words them.
    const errors = ctx.rawErrors.map((e) => (config.production && !e.path ? new GraphQLError(e.message, { originalError: withoutSuggestions(toAppError(e, ctx.requestId)) }) : e));
    const outcome = outcomeOf(ran ? { data: single.data as Record<string, unknown> | null, errors } : { errors }, ctx, { logger, forwarded: forwardedErrors(ctx.subgraphHeaders) });
    for (const { error } of outcome.errors) {
      if (error.reason === 'SUBGRAPH_UNAVAILABLE') logger.info('subgraph unavailable', { requestId: ctx.requestId, detail: error.extra.detail });
    }
    return outcome;
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger.error('reply failed', { path: req.url, error: error instanceof Error ? error.message : 'unknown' });
      res.destroy();
    });
  });
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const incoming = req.headers['x-request-id'];
    const requestId = typeof incoming === 'string' && /^[\w.:-]{1,64}$/.test(incoming) ? incoming : newRequestId();
    let reply: Reply;
    try {
      reply = await routes(req, requestId);
    } catch (error) {
      const appError = error instanceof AppError ? error : toAppError(error, requestId);
      if (appError.code === 'internal_server_error') logger.error('front request failed', { requestId, path: (req.url ?? '/').split('?')[0], error });
      reply = errorReply(appError, docsBaseUrl);
    }
    if (!res.headersSent) writeReply(res, reply, commonHeaders(requestId));
  };

  return {
    server,
    listen(port = config.port, host = config.host) {
      return listenAt(server, port, host).then((base) => {
        if (!config.docsBaseUrl) docsBaseUrl = `${base}/docs`;
        return base;
      });
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const deadline = setTimeout(() => server.closeAllConnections(), 5_000);
      await closed;
      clearTimeout(deadline);
      await apollo.stop();
    },
  };
}

/** FEDERATION SEAM (rest-bridge/bridge.ts): a route's named operation runs through the gateway. */
function gatewayExecutor(apollo: ApolloServer<FrontContext>, schema: GraphQLSchema, singleFetch: SingleFetchRoutes): BridgeExecutor<FrontContext> {
  // Each operation's text, printed once: the gateway learns and caches plans by it, and a query planned
  // as one fetch of what it asks takes the short cut from its second run on, as on /graphql.
  const texts = new WeakMap<PreparedOperation, string>();
  return async (operation, variables, context) => {
    // Variables are coerced against our schema here, as the single process does before executing, so a
    // malformed value is the same 400 naming the field as REST spells it (graphql-js's error, read by the
    // bridge); the supergraph's copies of our scalars cannot tell a bad date from a good one.
    const definition = operation.document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
    const coerced = getVariableValues(schema, definition.variableDefinitions ?? [], variables);
    if (coerced.errors) return { errors: coerced.errors };
    let query = texts.get(operation);
    if (query === undefined) texts.set(operation, (query = print(operation.document)));
    context.rawErrors = [];
    const direct = await singleFetch.run(query, operation.name, variables, context);
    const response = direct ? undefined : await apollo.executeOperation({ query, variables, operationName: operation.name }, { contextValue: context });
    const result = direct ?? (response?.body.kind === 'single' ? response.body.singleResult : undefined);
    const errors = context.rawErrors.map((e) => bridgeError(e, context.subgraphHeaders));
    const replayed = context.subgraphHeaders['idempotent-replayed'] === 'true';
    return { data: (result?.data ?? null) as Record<string, unknown> | null, ...(errors.length ? { errors } : {}), ...(replayed ? { replayed } : {}) };
  };
}

/** Leaves every run's raw errors in its context: the pipeline's rule reads them (/graphql, the REST bridge). */
function frontErrors(): ApolloServerPlugin<FrontContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ errors, contextValue }) {
          if (errors?.length && contextValue.rawErrors) contextValue.rawErrors.push(...errors);
        },
      };
    },
  };
}
