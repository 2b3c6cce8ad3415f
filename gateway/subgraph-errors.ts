import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { AppError, UNAUTHORIZED_REASONS, unauthorized, type ErrorDetail } from '../errors/app-error';
import { isErrorCode } from '../errors/catalog';
import type { ForwardedError } from '../execution/pipeline';

/**
 * Errors on the GraphQL front. A subgraph's error is the subgraph's answer: it reaches the client
 * untouched (its code, message, doc_url, reason, path), only without the gateway's `serviceName`,
 * which would tell the world how we are deployed. Errors the front makes itself (a document that does
 * not validate, a subgraph that does not answer) are shaped by the catalog as the service shapes them.
 * Statuses, headers and cookies follow the execution pipeline's one rule (execution/pipeline.ts).
 */

/** The gateway marks every error that came from a subgraph's response with the subgraph's name. */
function fromSubgraphResponse(error: GraphQLError): boolean {
  return typeof error.extensions.serviceName === 'string' && !(error.originalError instanceof AppError);
}

function withoutServiceName(error: GraphQLError): GraphQLFormattedError {
  const { serviceName: _omitted, ...extensions } = error.extensions;
  return { message: error.message, ...(error.locations ? { locations: error.locations } : {}), ...(error.path ? { path: error.path } : {}), extensions };
}

/**
 * The AppError behind one of our subgraph's errors (its extensions name a catalog code and a doc_url),
 * so the front can take the service's HTTP status and the REST bridge its envelope; undefined for a
 * foreign subgraph's errors. The message is kept as sent; the headers the error implies come from the
 * subgraph's response.
 */
export function appErrorOf(message: string, extensions: Record<string, unknown>, subgraphHeaders: Record<string, string>): AppError | undefined {
  const { code, doc_url: docUrl, reason, field, requestId, details } = extensions;
  if (!isErrorCode(code) || typeof docUrl !== 'string') return undefined;
  if (code === 'unauthorized' && (UNAUTHORIZED_REASONS as readonly string[]).includes(message)) return unauthorized(message as (typeof UNAUTHORIZED_REASONS)[number]);
  const headers: Record<string, string> = {};
  if (code === 'rate_limited' && subgraphHeaders['retry-after']) headers['Retry-After'] = subgraphHeaders['retry-after'];
  return new AppError(code, typeof reason === 'string' ? reason : message, {
    ...(typeof field === 'string' ? { field } : {}),
    ...(typeof requestId === 'string' ? { requestId } : {}),
    ...(Array.isArray(details) ? { details: details as ErrorDetail[] } : {}),
    ...(Object.keys(headers).length ? { headers } : {}),
    // The documented 401/INSUFFICIENT_ROLES messages are the reason itself; every other one is the subgraph's sentence.
    ...(typeof reason === 'string' ? { message } : {}),
  });
}

/** For the REST bridge: a subgraph's error carries its AppError as originalError, which toAppError reads. */
export function bridgeError(error: GraphQLError, subgraphHeaders: Record<string, string>): GraphQLError {
  if (!fromSubgraphResponse(error)) return error;
  const appError = appErrorOf(error.message, error.extensions, subgraphHeaders);
  return appError ? new GraphQLError(error.message, { path: error.path, extensions: error.extensions, originalError: appError }) : error;
}

/**
 * For the execution pipeline's rules (execution/pipeline.ts `outcomeOf`): an error a subgraph wrote
 * reaches the client as written (without `serviceName`); ours stands in the rules as the AppError it
 * names, another team's as a failure of that part (`SUBGRAPH_ERROR`, never shown). The front's own
 * errors (a document that does not validate, a subgraph that does not answer) are left to the pipeline.
 */
export function forwardedErrors(subgraphHeaders: Record<string, string>): ForwardedError {
  return (error) => {
    if (!fromSubgraphResponse(error)) return undefined;
    const appError = appErrorOf(error.message, error.extensions, subgraphHeaders) ?? new AppError('service_unavailable', 'SUBGRAPH_ERROR');
    return { error: appError, asSent: withoutServiceName(error) };
  };
}
