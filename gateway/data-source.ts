import { RemoteGraphQLDataSource, type GraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import { EDGE_ASSERTION_HEADER } from '../context/context';
import { AppError } from '../errors/app-error';
import type { FrontContext } from './front-context';
import { INCOMING_OPERATION, type DirectFetch, type SubgraphRequest } from './single-fetch';
import { headerValues, isGraphQLJson, postToSubgraph } from './subgraph-http';

type GatewayGraphQLResponse = Awaited<ReturnType<GraphQLDataSource['process']>>;

/**
 * Headers kept so the front's reply can carry them as the service's does: those a subgraph's error
 * implies, and the service's mark on an answer it replayed for an Idempotency-Key.
 */
const KEPT_HEADERS = ['retry-after', 'www-authenticate', 'idempotent-replayed'];

/**
 * One subgraph as the front sees it: each request carries the caller's credentials (FrontContext.forward),
 * the cookies a subgraph sets (sign-in, sign-out) go back to the client, and a subgraph that cannot be
 * reached gives its fields a `service_unavailable` error instead of failing the whole request.
 *
 * Every request goes out through `send`: the gateway's (`process`) and the front's short cut's
 * (`fetchDirect`, gateway/single-fetch.ts). Apollo's own preparation of a request (fetch Headers,
 * a node-fetch Request, its response parsing) cost the front more than the request itself.
 */
export class ForwardingDataSource extends RemoteGraphQLDataSource<FrontContext> implements DirectFetch {
  private readonly target: string;

  constructor(
    private readonly subgraphName: string,
    url: string,
  ) {
    super({ url });
    const parsed = new URL(url);
    this.target = `${parsed.pathname}${parsed.search}`;
  }

  /**
   * The answer the front already holds for this very request (gateway/single-fetch.ts) is taken once,
   * instead of sending the request again; every other request goes out.
   */
  override async process(options: GraphQLDataSourceProcessOptions<FrontContext>): Promise<GatewayGraphQLResponse> {
    const context = options.context as Partial<FrontContext>;
    const held = context.prefetched;
    if (held && options.kind === INCOMING_OPERATION && held.query === options.request.query && held.operationName === (options.request.operationName ?? undefined)) {
      context.prefetched = undefined;
      if ('error' in held.settled) throw held.settled.error;
      return held.settled.response;
    }
    const { query, operationName, variables, extensions } = options.request;
    if (!query) throw new Error('a subgraph request without a query');
    return this.send({ query, operationName: operationName ?? undefined, variables: variables ?? {}, ...(extensions ? { extensions } : {}) }, context);
  }

  /** The short cut's request (gateway/single-fetch.ts): sent as the gateway's are. */
  fetchDirect(request: SubgraphRequest, context: FrontContext): Promise<GatewayGraphQLResponse> {
    return this.send(request, context);
  }

  /**
   * Each request carries the caller's credentials; schema loading and health checks run without a
   * caller, so nothing is forwarded then.
   */
  private send(request: SubgraphRequest & { extensions?: object }, context: Partial<FrontContext>): Promise<GatewayGraphQLResponse> {
    const headers: Record<string, string> = { ...context.forward, 'content-type': 'application/json' };
    // Only the write carries the key: a plan's other fetches (entities) are queries with bodies of their own,
    // which the service would refuse as the same key reused.
    if (context.idempotency && /^\s*mutation\b/.test(request.query)) Object.assign(headers, context.idempotency);
    return this.exchange(request, headers, context);
  }

  private async exchange(payload: object, headers: Record<string, string>, context: Partial<FrontContext>): Promise<GatewayGraphQLResponse> {
    const body = JSON.stringify(payload);
    // A partner's signed request goes on as an edge assertion minted for this very request: its method,
    // target and the digest of the exact body sent, so it is good for nothing else, once (docs/SECURITY.md 31).
    if (context.edgeAssertion) headers[EDGE_ASSERTION_HEADER] = await context.edgeAssertion({ method: 'POST', target: this.target, body });
    let parsed: unknown;
    try {
      const answer = await postToSubgraph(this.url!, headers, body);
      if (context.response) {
        context.response.cookies.push(...headerValues(answer, 'set-cookie'));
        for (const name of KEPT_HEADERS) {
          const [value] = headerValues(answer, name);
          if (value !== undefined) context.subgraphHeaders![name] = value;
        }
      }
      // A GraphQL answer is passed on whatever its HTTP status: our service answers 401/403/404 when a
      // request yields no data, with our code, message and doc_url. Anything else (a proxy's 502 page)
      // means the subgraph is unavailable.
      if (!isGraphQLJson(answer)) throw new Error(`${answer.status}: not a GraphQL answer`);
      parsed = JSON.parse(answer.body);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`${answer.status}: not a GraphQL answer`);
    } catch (error) {
      this.didEncounterError(error instanceof Error ? error : new Error(String(error)));
    }
    return parsed as GatewayGraphQLResponse;
  }

  override didEncounterError(error: Error): never {
    throw new GraphQLError(`subgraph ${this.subgraphName} unavailable`, {
      originalError: new AppError('service_unavailable', 'SUBGRAPH_UNAVAILABLE', { detail: `${this.subgraphName}: ${error.message}` }),
      extensions: { code: 'service_unavailable', serviceName: this.subgraphName },
    });
  }
}
