import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { AppError } from './app-error';
import { CATALOG } from './catalog';
import { describe, internalError } from './envelope';
import { fieldErrorFromVariable } from './variable-errors';

/**
 * Finds the AppError behind any GraphQL error. An error without one and without a `path` happened
 * before execution (the document does not parse or validate, a variable does not coerce): the client's
 * mistake, `parameter_invalid`, with graphql-js's explanation as the sentence. Anything else is our
 * fault: `internal_server_error`, masked.
 */
export function toAppError(error: unknown, requestId: string, bodyVariable?: string): AppError {
  let current: unknown = error;
  while (current instanceof GraphQLError && current.originalError) current = current.originalError;
  if (current instanceof AppError) return current;
  if (error instanceof GraphQLError && !error.path) {
    return fieldErrorFromVariable(error, bodyVariable) ?? new AppError('parameter_invalid', 'INVALID_GRAPHQL_REQUEST', { message: error.message });
  }
  return internalError(requestId);
}

/** The GraphQL shape of an AppError: the sentence as message; code, doc_url, reason and field in extensions. */
export function formatAppError(appError: AppError, docsBaseUrl: string, base: Pick<GraphQLFormattedError, 'locations' | 'path'> = {}): GraphQLFormattedError {
  const described = describe(appError, docsBaseUrl);
  return {
    message: described.message,
    ...(base.locations ? { locations: base.locations } : {}),
    ...(base.path ? { path: base.path } : {}),
    extensions: {
      code: described.code,
      doc_url: described.doc_url,
      ...described.extra,
      ...(described.details.length ? { details: described.details } : {}),
    },
  };
}

/**
 * The HTTP status for a GraphQL response: authentication decides first (401), then throttling (429);
 * a request that produced no data takes its error's status; field errors beside data stay 200.
 */
export function statusFor(errors: readonly AppError[], hasData: boolean): number {
  if (errors.some((e) => e.code === 'unauthorized')) return 401;
  if (errors.some((e) => e.code === 'rate_limited')) return 429;
  if (!hasData && errors.length) return CATALOG[errors[0].code].status;
  return 200;
}

/** Response headers the errors imply (`WWW-Authenticate`, `Retry-After`), from the error that sets the status. */
export function headersFor(errors: readonly AppError[], status: number): Record<string, string> {
  const decisive = errors.find((e) => CATALOG[e.code].status === status);
  return decisive?.extra.headers ?? {};
}
