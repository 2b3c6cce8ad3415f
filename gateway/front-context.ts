import type { IncomingMessage } from 'node:http';
import { authenticateRequest, type EdgeContext, type EdgeDeps } from '../context/context';
import type { AuthService, EdgeAssertionMinter } from '../domain/auth/auth-service';
import type { GraphQLError } from 'graphql';
import type { Prefetched } from './single-fetch';

/** The standard header and the legacy alias (http/idempotency.ts reads both). */
const IDEMPOTENCY_HEADERS = ['idempotency-key', 'x-quarzo-life-idempotency-key'];

/**
 * A request's context on the GraphQL front: the caller as the edge authenticated it (the same code
 * and database as the service), the credentials to forward to every subgraph, and what the subgraphs
 * answered beside their data (cookies, the headers an error implies).
 */
export interface FrontContext extends EdgeContext {
  /** Headers each subgraph request carries: the caller's credentials, the request id, the client's address. */
  forward: Record<string, string>;
  /**
   * The caller's Idempotency-Key (and its legacy alias), sent with the mutations only: the service keeps
   * the record in the transaction of the write, so the key travels to where the write happens.
   */
  idempotency: Record<string, string>;
  /** `Retry-After` / `WWW-Authenticate` / `Idempotent-Replayed` a subgraph answered with, lower-case names. */
  subgraphHeaders: Record<string, string>;
  /**
   * Set when the caller is a partner's signed request the edge verified: its `jti` is spent, so each
   * request to a subgraph carries an edge assertion minted for it instead (docs/SECURITY.md 31).
   */
  edgeAssertion?: EdgeAssertionMinter;
  /** A subgraph's answer already received for the gateway's next fetch (gateway/single-fetch.ts). */
  prefetched?: Prefetched;
  /** Set by the REST bridge's executor: the raw errors of the run are left here, not shaped for /graphql. */
  rawErrors?: GraphQLError[];
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** The credentials, request id and client address a subgraph needs to see the same caller we did. */
function forwardedHeaders(req: IncomingMessage, requestId: string, edge: EdgeContext, serialHeader: string): Record<string, string> {
  const forward: Record<string, string> = { 'x-request-id': requestId };
  const authorization = single(req.headers.authorization);
  const cookie = single(req.headers.cookie);
  if (authorization !== undefined) forward.authorization = authorization;
  if (cookie !== undefined) forward.cookie = cookie;
  // Only a serial the edge believed (it came from our TLS proxy) goes on: the subgraph trusts the front as its proxy.
  if (edge.certificateSerial !== undefined) forward[serialHeader] = edge.certificateSerial;
  // The subgraph (TRUST_PROXY=1, the front among TRUSTED_PROXIES) reads the client as the hop we append.
  const chain = single(req.headers['x-forwarded-for']);
  const peer = req.socket.remoteAddress ?? '';
  forward['x-forwarded-for'] = chain ? `${chain}, ${peer}` : peer;
  return forward;
}

/** The edge's dependencies: authentication that can also mint edge assertions. */
export interface FrontEdgeDeps extends EdgeDeps {
  auth: Pick<AuthService, 'authenticate' | 'edgeAssertions'>;
}

/** Builds the front's context for one request (401 decisions are the callers', from `viewer`/`authFailure`). */
export async function buildFrontContext(req: IncomingMessage, requestId: string, body: () => Promise<Buffer>, deps: FrontEdgeDeps): Promise<FrontContext> {
  const edge = await authenticateRequest({ headers: req.headers, remoteAddress: req.socket.remoteAddress, requestId, method: req.method ?? 'GET', target: req.url ?? '/', body }, deps);
  const edgeAssertion = edge.viewer ? deps.auth.edgeAssertions(edge.credentials, edge.viewer, requestId) : undefined;
  const forward = forwardedHeaders(req, requestId, edge, deps.clientCertSerialHeader);
  // The signed request is spent here; the assertion stands in for it (ForwardingDataSource.sendRequest).
  if (edgeAssertion) delete forward.authorization;
  const idempotency: Record<string, string> = {};
  for (const name of IDEMPOTENCY_HEADERS) {
    const value = single(req.headers[name]);
    if (value !== undefined) idempotency[name] = value;
  }
  return { ...edge, forward, idempotency, subgraphHeaders: {}, ...(edgeAssertion ? { edgeAssertion } : {}) };
}
