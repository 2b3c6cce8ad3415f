import { ApolloServer, HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLSchema } from 'graphql';
import type { RequestContext } from '../context/context';
import { AppError } from '../errors/app-error';
import { formatAppError, toAppError } from '../errors/graphql-errors';
import { DirectExecutor, MAX_TOKENS } from './graphql-direct';
import { DocumentLimitsRule } from '../schema/limits';
import { shapeErrors } from './graphql-results';
import type { Logger } from './logger';
import type { Reply } from './reply';

export interface GraphqlEndpointOptions {
  schema: GraphQLSchema;
  production: boolean;
  docsBaseUrl: () => string;
  logger: Logger;
}

/**
 * `/graphql`: node:http hands us the parsed body, we hand back a Reply. Plain POSTs of valid documents
 * run on the direct executor (graphql-direct.ts); everything else goes through Apollo Server. Errors
 * leave in the catalog's shape either way; the HTTP status follows `statusFor` (401 before anything else).
 */
export class GraphqlEndpoint {
  private readonly apollo: ApolloServer<RequestContext>;
  private readonly direct: DirectExecutor;

  constructor(private readonly options: GraphqlEndpointOptions) {
    this.direct = new DirectExecutor(options.schema, { production: options.production }, options.docsBaseUrl, options.logger);
    this.apollo = new ApolloServer<RequestContext>({
      schema: options.schema,
      introspection: !options.production,
      hideSchemaDetailsFromClientErrors: options.production,
      includeStacktraceInErrorResponses: false,
      allowBatchedHttpRequests: false,
      csrfPrevention: true,
      // main.ts owns shutdown; Apollo's own signal handlers would race it and re-raise the signal.
      stopOnTerminationSignals: false,
      parseOptions: { maxTokens: MAX_TOKENS },
      validationRules: [DocumentLimitsRule],
      // Used only for errors raised before a request context exists (a body that is not a GraphQL request).
      formatError: (formatted, error) => formatAppError(toAppError(error, 'none'), options.docsBaseUrl(), formatted),
      // No HTTP caching of GraphQL answers (they are per-caller), and its per-field hooks cost on every request.
      // No inline traces (`ftv1`), which Apollo turns on for a Federation subgraph: any caller sending the
      // header would get per-field timings and error details, and we report no usage to Apollo.
      plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginCacheControlDisabled(), ApolloServerPluginInlineTraceDisabled(), this.catalogErrors()],
    });
  }

  start(): Promise<void> {
    return this.apollo.start();
  }

  stop(): Promise<void> {
    return this.apollo.stop();
  }

  async execute(request: { method: string; search: string; headers: Record<string, string | string[] | undefined>; body: unknown }, context: RequestContext): Promise<Reply> {
    if (request.method === 'POST') {
      const accept = request.headers.accept;
      const direct = await this.direct.execute(request.body, Array.isArray(accept) ? accept.join(',') : accept, context);
      if (direct) return direct;
    }
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const response = await this.apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: request.method, headers, search: request.search, body: request.body },
      context: async () => context,
    });
    let body = '';
    if (response.body.kind === 'complete') body = response.body.string;
    else for await (const chunk of response.body.asyncIterator) body += chunk;
    const replyHeaders: Record<string, string | string[]> = Object.fromEntries(response.headers);
    if (context.response.cookies.length && (response.status ?? 200) < 300 && !body.includes('"errors"')) replyHeaders['set-cookie'] = context.response.cookies;
    return { status: response.status ?? 200, headers: replyHeaders, body };
  }

  /** Rewrites every error into the catalog's shape with the request's id, and sets status and headers. */
  private catalogErrors(): ApolloServerPlugin<RequestContext> {
    const { docsBaseUrl, logger } = this.options;
    return {
      async requestDidStart() {
        return {
          async willSendResponse({ response, errors, contextValue }) {
            if (!errors?.length || response.body.kind !== 'single') return;
            const result = response.body.singleResult;
            const shaped = shapeErrors(errors, result.data !== undefined && result.data !== null, contextValue.requestId, docsBaseUrl(), logger);
            result.errors = shaped.errors;
            response.http.status = shaped.status;
            for (const [name, value] of Object.entries(shaped.headers)) response.http.headers.set(name.toLowerCase(), value);
          },
        };
      },
    };
  }
}

/** A GraphQL-shaped error reply for failures before Apollo runs (body too large, malformed JSON). */
export function graphqlErrorReply(error: AppError, status: number, docsBaseUrl: string): Reply {
  const formatted = formatAppError(error, docsBaseUrl);
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...(error.extra.headers ?? {}) }, body: JSON.stringify({ errors: [formatted] }) };
}
