import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { AppError } from './app-error';
import { CATALOG, docUrl } from './catalog';
import { internalError } from './envelope';
import { fieldErrorFromVariable } from './variable-errors';

/**
 * Finds the AppError behind any GraphQL error. An error without one and without a `path` happened
 * before execution (the document does not parse or validate, a variable does not coerce): the client's
 * mistake, `invalid_request`, graphql-js's message kept. Anything else is our fault: `internal`, masked.
 */
export function toAppError(error: unknown, requestId: string, bodyVariable?: string): AppError {
  let current: unknown = error;
  while (current instanceof GraphQLError && current.originalError) current = current.originalError;
  if (current instanceof AppError) return current;
  if (error instanceof GraphQLError && !error.path) return fieldErrorFromVariable(error, bodyVariable) ?? new AppError('invalid_request', error.message);
  return internalError(requestId);
}

/** The GraphQL shape of an AppError: the reason as message, catalog code and doc_url in extensions. */
export function formatAppError(appError: AppError, docsBaseUrl: string, base: GraphQLFormattedError): GraphQLFormattedError {
  return {
    message: appError.reason,
    ...(base.locations ? { locations: base.locations } : {}),
    ...(base.path ? { path: base.path } : {}),
    extensions: {
      code: appError.code,
      doc_url: docUrl(docsBaseUrl, appError.code),
      ...(appError.extra.field ? { field: appError.extra.field } : {}),
      ...(appError.extra.details?.length ? { details: appError.extra.details } : {}),
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
