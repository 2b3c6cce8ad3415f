import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { RequestContext } from '../context/context';
import { AppError } from '../errors/app-error';
import { errorIndexPage, errorPage, isErrorCode } from '../errors/docs-pages';
import { toAppError } from '../errors/graphql-errors';
import type { WebhookInbox } from '../domain/webhooks/inbox';
import type { KeyRing } from '../domain/auth/key-ring';
import { newRequestId } from '../domain/shared/ids';
import type { Db } from '../store/db';
import { bodyReader, mediaType, NO_BODY, parseBody, readBody } from './body';
import { htmlReply, readiness } from './service-pages';
import type { ExecutionPipeline } from '../execution/pipeline';
import type { PersistedDocuments } from '../execution/persisted-documents';
import { graphqlErrorReply, graphqlReply, graphqlRequest } from './graphql-http';
import type { Playground as LoadedPlayground } from '../playground/playground';
import type { ESignPages } from './esign-page';
import { Idempotency } from './idempotency';
import type { Logger } from './logger';
import { commonHeaders, errorReply, jsonReply, writeReply, type Reply } from './reply';
import { RequestTarget } from './target';
import type { RestBridge } from '../rest-bridge/bridge';

/** The playground as loaded at start-up, with the CSP its page is served under. */
export type Playground = LoadedPlayground & { csp: string };

export interface HttpDeps {
  /** The one execution pipeline, shared with the REST bridge. */
  pipeline: ExecutionPipeline;
  /** Persisted (APQ) and trusted documents: which text a /graphql request runs. */
  documents: PersistedDocuments;
  bridge: RestBridge;
  webhooks: WebhookInbox;
  keys: KeyRing;
  db: Db;
  idempotency: Idempotency;
  buildContext: (req: IncomingMessage, requestId: string, body: () => Promise<Buffer>) => Promise<RequestContext>;
  openapi: () => unknown;
  playground: Playground | undefined;
  /** The built-in e-signature provider's pages, when an esign webhook secret is configured. */
  esignPages: ESignPages | undefined;
  docsBaseUrl: () => string;
  maxBodyBytes: number;
  logger: Logger;
  accessLog: boolean;
}

const PLAYGROUND_ASSETS = '/playground/assets/';

/** The node:http front: one function routes every request and writes exactly one reply. */
export function createHttpServer(deps: HttpDeps): Server {
  return createServer((req, res) => {
    handle(deps, req, res).catch((error: unknown) => {
      // Only writing the reply or logging can fail here: never let it take the process down.
      deps.logger.error('reply failed', { path: req.url, error: error instanceof Error ? error.message : 'unknown' });
      res.destroy();
    });
  });
}

async function handle(deps: HttpDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = deps.accessLog ? performance.now() : 0;
  const incoming = req.headers['x-request-id'];
  const requestId = typeof incoming === 'string' && /^[\w.:-]{1,64}$/.test(incoming) ? incoming : newRequestId();
  let reply: Reply;
  try {
    reply = await route(deps, req, requestId);
  } catch (error) {
    const appError = error instanceof AppError ? error : toAppError(error, requestId);
    const path = (req.url ?? '/').split('?')[0];
    if (appError.code === 'internal_server_error') deps.logger.error('request failed', { requestId, path, error });
    else if (appError.extra.detail) deps.logger.info('request refused', { requestId, path, reason: appError.reason, detail: appError.extra.detail });
    reply = errorReply(appError, deps.docsBaseUrl());
  }
  if (!res.headersSent) writeReply(res, reply, commonHeaders(requestId));
  if (deps.accessLog) {
    // The path only: query strings may carry link tokens (the signing page's) and never reach the log.
    deps.logger.info('request', { requestId, method: req.method, path: (req.url ?? '/').split('?')[0], status: reply.status, ms: Math.round(performance.now() - started) });
  }
}

async function route(deps: HttpDeps, req: IncomingMessage, requestId: string): Promise<Reply> {
  const url = new RequestTarget(req.url ?? '/');
  const path = url.pathname;
  const method = req.method ?? 'GET';
  if (path === '/graphql') return graphql(deps, req, url, requestId);
  if (path.startsWith('/esign/') && deps.esignPages) return deps.esignPages.handle(req, url);
  if (path.startsWith('/v1/webhooks/')) return webhook(deps, req, path.slice('/v1/webhooks/'.length));
  if (path === '/v1/openapi.json' && method === 'GET') return jsonReply(200, deps.openapi());
  if (path.startsWith('/v1/')) return deps.bridge.handle(req, url, requestId);
  if (method !== 'GET' && method !== 'HEAD') throw new AppError('resource_not_found', 'ROUTE_NOT_FOUND');
  switch (path) {
    case '/healthz':
      return jsonReply(200, { status: 'ok' });
    case '/readyz':
      return readiness(deps.db, deps.docsBaseUrl());
    case '/.well-known/jwks.json':
      await deps.keys.refreshIfStale();
      return jsonReply(200, deps.keys.jwks(), { 'cache-control': 'public, max-age=300' });
    case '/docs':
    case '/docs/':
    case '/docs/errors':
      return htmlReply(errorIndexPage(deps.docsBaseUrl()));
  }
  if (path.startsWith('/docs/errors/')) {
    const code = path.slice('/docs/errors/'.length);
    if (isErrorCode(code)) return htmlReply(errorPage(code, deps.docsBaseUrl()));
  }
  if (deps.playground && path.startsWith(PLAYGROUND_ASSETS)) {
    const asset = deps.playground.assets.get(path.slice(PLAYGROUND_ASSETS.length));
    if (asset) return { status: 200, headers: { 'content-type': asset.contentType, etag: asset.etag, 'cache-control': 'public, max-age=3600' }, body: asset.body };
  }
  throw new AppError('resource_not_found', 'ROUTE_NOT_FOUND');
}


async function graphql(deps: HttpDeps, req: IncomingMessage, url: RequestTarget, requestId: string): Promise<Reply> {
  const method = req.method ?? 'GET';
  const accept = Array.isArray(req.headers.accept) ? req.headers.accept.join(',') : req.headers.accept;
  const wantsPage = method === 'GET' && !url.searchParams.has('query') && (accept ?? '').includes('text/html');
  if (wantsPage && deps.playground) {
    return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': deps.playground.csp }, body: deps.playground.page };
  }
  try {
    if (method !== 'GET' && method !== 'POST') throw new AppError('method_not_allowed', 'METHOD_NOT_ALLOWED', { headers: { Allow: 'GET, POST' } });
    let body: unknown;
    let raw: Buffer = NO_BODY;
    const readRaw = bodyReader(req, deps.maxBodyBytes);
    if (method === 'POST') {
      raw = await readRaw();
      // A JSON body only: a cross-site form cannot send one without a preflight (CSRF, docs/SECURITY.md 8).
      if (mediaType(req) !== 'json') throw new AppError('parameter_invalid', 'UNSUPPORTED_CONTENT_TYPE');
      body = parseBody(raw, 'json');
    }
    const request = graphqlRequest(method, url, body, deps.documents);
    const context = await deps.buildContext(req, requestId, readRaw);
    // GET runs queries only (a link or an image cannot write), POST anything.
    const execute = async () => graphqlReply(await deps.pipeline.run(request, context, { readOnly: method === 'GET' }), accept, deps.docsBaseUrl());
    // Keys are the caller's: looked at only once there is one, so an anonymous caller learns nothing from them.
    const key = method === 'POST' && context.viewer ? Idempotency.keyOf(req.headers) : undefined;
    if (key && context.viewer) {
      return await deps.idempotency.run(`${context.viewer.kind}:${context.viewer.id}`, key, { method, path: '/graphql', body: raw }, execute);
    }
    return await execute();
  } catch (error) {
    // Failures outside the pipeline (body, parameters, idempotency, a database down) still answer in GraphQL's shape.
    const appError = error instanceof AppError ? error : toAppError(error, requestId);
    if (appError.code === 'internal_server_error') deps.logger.error('graphql request failed', { requestId, error });
    return graphqlErrorReply(appError, accept, deps.docsBaseUrl());
  }
}

async function webhook(deps: HttpDeps, req: IncomingMessage, source: string): Promise<Reply> {
  if (req.method !== 'POST') throw new AppError('method_not_allowed', 'METHOD_NOT_ALLOWED', { headers: { Allow: 'POST' } });
  if (!deps.webhooks.knows(source)) throw new AppError('resource_not_found', 'UNKNOWN_WEBHOOK_SOURCE');
  const rawBody = await readBody(req, deps.maxBodyBytes);
  const header = (name: string) => {
    const value = req.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const result = await deps.webhooks.receive({
    source,
    headers: { id: header('webhook-id'), timestamp: header('webhook-timestamp'), signature: header('webhook-signature') },
    rawBody,
  });
  return jsonReply(200, { received: true, duplicate: result.duplicate });
}
