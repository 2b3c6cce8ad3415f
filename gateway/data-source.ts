import { randomUUID } from 'node:crypto';
import { RemoteGraphQLDataSource, type GraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Fetcher, FetcherRequestInit, FetcherResponse } from '@apollo/utils.fetcher';
import { GraphQLError } from 'graphql';
import { EDGE_ASSERTION_HEADER } from '../context/context';
import type { EdgeAssertionMinter } from '../domain/auth/auth-service';
import { AppError } from '../errors/app-error';
import { keepAliveFetch } from './keep-alive-fetch';
import type { FrontContext } from './front-context';
import { INCOMING_OPERATION } from './single-fetch';

type GatewayGraphQLResponse = Awaited<ReturnType<GraphQLDataSource['process']>>;
type ReceivedResponse = Parameters<NonNullable<RemoteGraphQLDataSource<FrontContext>['didReceiveResponse']>>[0];

/**
 * Headers kept so the front's reply can carry them as the service's does: those a subgraph's error
 * implies, and the service's mark on an answer it replayed for an Idempotency-Key.
 */
const KEPT_HEADERS = ['retry-after', 'www-authenticate', 'idempotent-replayed'];

/**
 * A GraphQL answer is passed on whatever its HTTP status. Our service answers 401/403/404 when a
 * request yields no data; Apollo's data source would turn that into "401: Unauthorized" and drop the
 * body, so the client would lose our code, message and doc_url. Anything that is not a GraphQL JSON
 * body (a proxy's 502 page) stays an HTTP failure: the subgraph is then unavailable.
 */
const passErrorsThrough: Fetcher = async (url: string, init?: FetcherRequestInit): Promise<FetcherResponse> => {
  const response = await keepAliveFetch(url, init);
  const type = response.headers.get('content-type') ?? '';
  if (response.ok || !/application\/(graphql-response\+)?json/.test(type)) return response as unknown as FetcherResponse;
  return new Response(await response.arrayBuffer(), { status: 200, headers: response.headers }) as unknown as FetcherResponse;
};

/**
 * One subgraph as the front sees it: each request carries the caller's credentials (FrontContext.forward),
 * the cookies a subgraph sets (sign-in, sign-out) go back to the client, and a subgraph that cannot be
 * reached gives its fields a `service_unavailable` error instead of failing the whole request.
 */
export class ForwardingDataSource extends RemoteGraphQLDataSource<FrontContext> {
  constructor(
    private readonly subgraphName: string,
    url: string,
  ) {
    const pending = new Map<string, EdgeAssertionMinter>();
    const parsed = new URL(url);
    const target = `${parsed.pathname}${parsed.search}`;
    // A partner's signed request goes on as an edge assertion minted for this very request: its method,
    // target and the digest of the exact body sent, so it is good for nothing else, once (docs/SECURITY.md
    // 31). willSendRequest leaves a ticket in the header; here the body is final and the ticket is redeemed.
    const fetcher: Fetcher = async (fetchUrl, init) => {
      const headers = (init?.headers ?? {}) as Record<string, string>;
      const ticket = headers[EDGE_ASSERTION_HEADER];
      if (ticket !== undefined) {
        const mint = pending.get(ticket);
        pending.delete(ticket);
        if (mint) headers[EDGE_ASSERTION_HEADER] = await mint({ method: init?.method ?? 'POST', target, body: typeof init?.body === 'string' ? init.body : '' });
        else delete headers[EDGE_ASSERTION_HEADER];
      }
      return passErrorsThrough(fetchUrl, init);
    };
    super({ url, fetcher });
    this.pending = pending;
  }

  /** Edge-assertion minters waiting for their request's body, by ticket. */
  private readonly pending: Map<string, EdgeAssertionMinter>;

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
    return super.process(options);
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<FrontContext>): void {
    // Schema loading and health checks run without a caller: nothing to forward.
    const forward = (context as Partial<FrontContext>).forward;
    if (!forward || !request.http) return;
    for (const [name, value] of Object.entries(forward)) request.http.headers.set(name, value);
    const mint = (context as Partial<FrontContext>).edgeAssertion;
    if (mint) {
      const ticket = randomUUID();
      this.pending.set(ticket, mint);
      request.http.headers.set(EDGE_ASSERTION_HEADER, ticket);
    }
    // Only the write carries the key: a plan's other fetches (entities) are queries with bodies of their own,
    // which the service would refuse as the same key reused.
    const idempotency = (context as Partial<FrontContext>).idempotency;
    if (idempotency && /^\s*mutation\b/.test(request.query ?? '')) {
      for (const [name, value] of Object.entries(idempotency)) request.http.headers.set(name, value);
    }
  }

  override async didReceiveResponse({ response, context }: ReceivedResponse): Promise<typeof response> {
    const headers = (response.http as unknown as { headers?: Headers } | undefined)?.headers;
    if (headers && context.response) {
      context.response.cookies.push(...headers.getSetCookie());
      for (const name of KEPT_HEADERS) {
        const value = headers.get(name);
        if (value !== null) context.subgraphHeaders[name] = value;
      }
    }
    return response;
  }

  override didEncounterError(error: Error): void {
    throw new GraphQLError(`subgraph ${this.subgraphName} unavailable`, {
      originalError: new AppError('service_unavailable', 'SUBGRAPH_UNAVAILABLE', { detail: `${this.subgraphName}: ${error.message}` }),
      extensions: { code: 'service_unavailable', serviceName: this.subgraphName },
    });
  }
}
