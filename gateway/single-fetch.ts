import type { Experimental_DidResolveQueryPlanCallback, GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { getVariableValues, Kind, parse, print, type GraphQLSchema, type OperationDefinitionNode, type VariableDefinitionNode } from 'graphql';
import type { FrontContext } from './front-context';

// The gateway's own types, as its API hands them out (their packages are its dependencies, not ours).
type QueryPlan = Parameters<Experimental_DidResolveQueryPlanCallback>[0]['queryPlan'];
type FetchNode = Extract<NonNullable<QueryPlan['node']>, { kind: 'Fetch' }>;
type GatewayGraphQLResponse = Awaited<ReturnType<GraphQLDataSource['process']>>;
type IncomingOperation = Extract<GraphQLDataSourceProcessOptions<FrontContext>, { incomingRequestContext: unknown }>;
/** GraphQLDataSourceRequestKind.INCOMING_OPERATION: the gateway's enum is not among its exports. */
export const INCOMING_OPERATION = 'incoming operation' as unknown as IncomingOperation['kind'];

/** Operations remembered, each way (a short cut or not); the oldest is forgotten first. */
const MAX_REMEMBERED = 1000;

/**
 * A subgraph's answer the front already holds for one request: the gateway, asked to send exactly that
 * request, takes this instead (ForwardingDataSource.process), so nothing is sent twice.
 */
export interface Prefetched {
  query: string;
  operationName: string | undefined;
  settled: { response: GatewayGraphQLResponse } | { error: unknown };
}

/** What the short cut sends a subgraph: the planned fetch's operation and the variables it uses. */
export interface SubgraphRequest {
  query: string;
  operationName: string | undefined;
  variables: Record<string, unknown>;
}

/** A data source that can send a request without the gateway's preparations (gateway/data-source.ts). */
export interface DirectFetch {
  fetchDirect(request: SubgraphRequest, context: FrontContext): Promise<GatewayGraphQLResponse>;
}

interface Route {
  dataSource: DirectFetch;
  fetch: FetchNode;
  variableDefinitions: readonly VariableDefinitionNode[];
}

/**
 * The front's short cut for a query whose plan is one fetch from one subgraph asking exactly what the
 * client asked (`{ me { id } }`): the gateway's result shaping would give back the subgraph's data as it
 * came, so the front sends the planned fetch itself, through the same data source (credentials, edge
 * assertion, cookies, the subgraph-unavailable error), and answers the data. Apollo Server's request
 * pipeline, the gateway's per-request operation building and its result shaping are what it saves.
 *
 * Only what the gateway has planned and run once takes it: the document was parsed and validated
 * against the supergraph then, and is the same string now. Variables are coerced against the
 * supergraph each time, as the gateway does; a document with fragments, a mutation, a plan with
 * entity fetches or rewrites always go through the gateway. An answer carrying errors (or a subgraph
 * that cannot be reached) goes through the gateway too, handed the answer already received
 * (`Prefetched`): the gateway words errors and partial data its own way, and the request is not sent twice.
 */
export class SingleFetchRoutes {
  private readonly routes = new Map<string, Route | null>();

  constructor(private readonly schema: () => GraphQLSchema | undefined) {}

  /** The gateway's `experimental_didResolveQueryPlan`: called with every plan it runs. */
  readonly learn: Experimental_DidResolveQueryPlanCallback = ({ queryPlan, serviceMap, operationContext, requestContext }) => {
    const query = requestContext.request.query;
    if (query === undefined) return;
    const key = keyOf(query, requestContext.request.operationName ?? undefined);
    if (this.routes.has(key)) return;
    const node = queryPlan.node;
    const operation = operationContext.operation;
    let route: Route | null = null;
    if (node?.kind === 'Fetch' && Object.keys(operationContext.fragments).length === 0 && sameRequest(node, operation)) {
      const dataSource = serviceMap[node.serviceName] as (GraphQLDataSource<FrontContext> & Partial<DirectFetch>) | undefined;
      if (dataSource?.fetchDirect) route = { dataSource: dataSource as DirectFetch, fetch: node, variableDefinitions: operation.variableDefinitions ?? [] };
    }
    if (this.routes.size >= MAX_REMEMBERED) this.routes.delete(this.routes.keys().next().value!);
    this.routes.set(key, route);
  };

  /** A new supergraph: every plan may differ. */
  clear(): void {
    this.routes.clear();
  }

  /**
   * The data of `query`, fetched directly; undefined when the gateway must run it (then `ctx.prefetched`
   * may hold the subgraph's answer for it).
   */
  async run(query: string, operationName: string | undefined, variables: Record<string, unknown> | undefined, ctx: FrontContext): Promise<{ data: Record<string, unknown> } | undefined> {
    const route = this.routes.get(keyOf(query, operationName));
    const schema = this.schema();
    if (!route || !schema) return undefined;
    const { fetch, dataSource } = route;
    if (route.variableDefinitions.length > 0 && getVariableValues(schema, route.variableDefinitions, variables ?? {}).errors) return undefined;
    // The variables the fetch uses, as the gateway passes them (executeQueryPlan's executeFetch).
    const sent: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const name of fetch.variableUsages ?? []) {
      if (variables && Object.hasOwn(variables, name) && variables[name] !== undefined) sent[name] = variables[name];
    }
    let settled: Prefetched['settled'];
    try {
      const response = await dataSource.fetchDirect({ query: fetch.operation, operationName: fetch.operationName, variables: sent }, ctx);
      const data = response.data;
      if (!response.errors?.length && data !== null && typeof data === 'object') return { data };
      settled = { response };
    } catch (error) {
      settled = { error };
    }
    ctx.prefetched = { query: fetch.operation, operationName: fetch.operationName, settled };
    return undefined;
  }
}

function keyOf(query: string, operationName: string | undefined): string {
  return `${operationName ?? ''}\n${query}`;
}

/** The fetch asks the subgraph what the client asked the front: the same operation, bar its name. */
function sameRequest(fetch: FetchNode, operation: OperationDefinitionNode): boolean {
  if (fetch.operationKind !== 'query' || operation.operation !== 'query') return false;
  if (fetch.requires?.length || fetch.inputRewrites?.length || fetch.outputRewrites?.length || fetch.contextRewrites?.length) return false;
  const document = fetch.operationDocumentNode ?? parse(fetch.operation);
  if (document.definitions.length !== 1 || document.definitions[0].kind !== Kind.OPERATION_DEFINITION) return false;
  return print({ ...document.definitions[0], name: undefined }) === print({ ...operation, name: undefined });
}
