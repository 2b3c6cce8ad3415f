import type { IncomingMessage } from 'node:http';
import type { Config } from '../config';
import { buildContext, type Services } from '../context/context';
import { ProxyTrust } from '../context/proxy-trust';
import { SessionCookie } from '../context/session-cookie';
import type { KeyRing } from '../domain/auth/key-ring';
import type { Clock } from '../domain/shared/clock';
import { BuiltInESignProvider, type ESignProvider } from '../domain/subscription/esign-provider';
import type { WebhookInbox } from '../domain/webhooks/inbox';
import { loadTrustedDocuments, PersistedDocuments } from '../execution/persisted-documents';
import { ExecutionPipeline } from '../execution/pipeline';
import { ESignPages } from '../http/esign-page';
import { Idempotency } from '../http/idempotency';
import type { Logger } from '../http/logger';
import { createHttpServer, type Playground } from '../http/server';
import { RestBridge } from '../rest-bridge/bridge';
import { EventRenderer } from '../rest-bridge/event-renderer';
import { ROUTES } from '../rest-bridge/routes';
import { buildSchema } from '../schema';
import type { Db } from '../store/db';
import type { WebhookEventStore } from '../store/webhook-event-store';

export interface HttpDeps {
  services: Services;
  keys: KeyRing;
  inbox: WebhookInbox;
  /** Where events wait for their `data` (the event renderer fills it). */
  events: WebhookEventStore;
  esign: ESignProvider;
  esignSecret: string | undefined;
  clock: Clock;
  logger: Logger;
  playground?: Playground;
  /** Known once the server listens: read when a request needs them. */
  baseUrl: () => string;
  docsBaseUrl: () => string;
}

/** Schema -> execution pipeline -> GraphQL and the REST bridge -> the HTTP server. */
export function httpServer(db: Db, config: Config, deps: HttpDeps) {
  const { services, clock, logger, esign, esignSecret, baseUrl, docsBaseUrl } = deps;
  const schema = buildSchema({ production: config.production });
  const sessionCookie = new SessionCookie(config.production);
  const contextDeps = {
    services,
    sessionCookie,
    edge: {
      auth: services.auth,
      sessionCookie,
      clientCertSerialHeader: config.clientCertSerialHeader,
      trustProxy: config.trustProxy,
      proxies: new ProxyTrust(config.trustedProxies),
      // Behind a GraphQL front (among TRUSTED_PROXIES), a partner's signed request arrives as its edge assertion.
      edgeAssertions: true,
    },
  };
  const context = (req: IncomingMessage, requestId: string, body: () => Promise<Buffer>) =>
    buildContext({ headers: req.headers, remoteAddress: req.socket.remoteAddress, requestId, method: req.method ?? 'GET', target: req.url ?? '/', body }, contextDeps);
  const idempotency = new Idempotency(db, clock);
  const pipeline = new ExecutionPipeline(schema, { production: config.production, logger, jit: config.documents.jit });
  // Read at start-up: a required manifest that is missing or wrong stops the service (fails closed).
  const documents = new PersistedDocuments({
    trusted: config.documents.trustedDocumentsPath ? loadTrustedDocuments(config.documents.trustedDocumentsPath) : undefined,
    trustedOnly: config.documents.trustedDocumentsRequired,
    apqCacheSize: config.documents.apqCacheSize,
  });
  const bridge = new RestBridge({ schema, pipeline, routes: ROUTES, buildContext: context, idempotency, docsBaseUrl, maxBodyBytes: config.maxBodyBytes, logger });
  const eventRenderer = new EventRenderer({ schema, pipeline, routes: ROUTES, services, store: deps.events, clock, logger });
  let openapi: unknown;
  const server = createHttpServer({
    pipeline,
    documents,
    bridge,
    webhooks: deps.inbox,
    keys: deps.keys,
    db,
    idempotency,
    buildContext: context,
    openapi: () => (openapi ??= bridge.openapi()),
    playground: config.production ? undefined : deps.playground,
    esignPages: esign instanceof BuiltInESignProvider && esignSecret ? new ESignPages(esign, esignSecret, baseUrl, clock, (id) => services.signing.statusOf(id)) : undefined,
    docsBaseUrl,
    maxBodyBytes: config.maxBodyBytes,
    logger,
    accessLog: config.accessLog,
  });
  return { server, eventRenderer };
}
