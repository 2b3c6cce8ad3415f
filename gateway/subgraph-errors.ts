import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { AppError, UNAUTHORIZED_REASONS, unauthorized, type ErrorDetail } from '../errors/app-error';
import { CATALOG, isErrorCode } from '../errors/catalog';
import { formatAppError, toAppError } from '../errors/graphql-errors';
import type { Logger } from '../http/logger';

/**
 * Errors on the GraphQL front. A subgraph's error is the subgraph's answer: it reaches the client
 * untouched (its code, message, doc_url, reason, path), only without the gateway's `serviceName`,
 * which would tell the world how we are deployed. Errors the front makes itself (a document that does
 * not validate, a subgraph that does not answer) are shaped by the catalog as the service shapes them.
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

/** The errors of one front answer in the catalog's shape, with the HTTP status and headers they imply. */
export interface ShapedErrors {
  errors: GraphQLFormattedError[];
  status: number;
  headers: Record<string, string>;
}

/**
 * The front's HTTP status, as the service's was before its execution pipeline (execution/pipeline.ts):
 * 401 first, then 429; an answer without data takes its first error's status; else 200. To be replaced
 * by the pipeline's rule (a request that ran is 200) when the front runs on it.
 */
function frontStatus(errors: readonly AppError[], hasData: boolean): number {
  if (errors.some((e) => e.code === 'unauthorized')) return 401;
  if (errors.some((e) => e.code === 'rate_limited')) return 429;
  if (!hasData && errors.length) return CATALOG[errors[0].code].status;
  return 200;
}

/** Response headers the errors imply (`WWW-Authenticate`, `Retry-After`), from the error that sets the status. */
function frontHeaders(errors: readonly AppError[], status: number): Record<string, string> {
  return errors.find((e) => CATALOG[e.code].status === status)?.extra.headers ?? {};
}

/** For /graphql: subgraph errors untouched, the front's own shaped; the HTTP status by frontStatus. */
export function shapeFrontErrors(errors: readonly GraphQLError[], hasData: boolean, requestId: string, docsBaseUrl: string, subgraphHeaders: Record<string, string>, logger: Logger): ShapedErrors {
  const formatted: GraphQLFormattedError[] = [];
  const appErrors: AppError[] = [];
  for (const error of errors) {
    if (fromSubgraphResponse(error)) {
      formatted.push(withoutServiceName(error));
      const appError = appErrorOf(error.message, error.extensions, subgraphHeaders);
      if (appError) appErrors.push(appError);
      continue;
    }
    const appError = toAppError(error, requestId);
    if (appError.code === 'internal_server_error') logger.error('front request failed', { requestId, error });
    else if (appError.extra.detail) logger.info('subgraph unavailable', { requestId, detail: appError.extra.detail });
    appErrors.push(appError);
    formatted.push(formatAppError(appError, docsBaseUrl, { locations: error.locations, path: error.path }));
  }
  const status = frontStatus(appErrors, hasData);
  return { errors: formatted, status, headers: frontHeaders(appErrors, status) };
}
