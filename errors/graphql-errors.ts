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
 * The error that decides a failed request's HTTP status, for every front: authentication first (401),
 * then a fault of ours (5xx), then a throttle (429), else the client's mistake, several malformed values
 * merged into one 400 naming each field.
 */
export function decisiveError(errors: readonly AppError[]): AppError {
  return (
    errors.find((e) => e.code === 'unauthorized') ??
    errors.find((e) => CATALOG[e.code].status >= 500) ??
    errors.find((e) => e.code === 'rate_limited') ??
    mergeInvalid(errors)
  );
}

/** Several malformed values (input coercion reports each) become one 400 naming every field. */
function mergeInvalid(errors: readonly AppError[]): AppError {
  const invalid = errors.filter((e) => e.code === 'parameter_invalid');
  if (invalid.length < 2 || invalid.length !== errors.length) return errors[0];
  const [first, ...rest] = invalid;
  const details = [...(first.extra.details ?? []), ...rest.flatMap((e) => [{ reason: e.reason, field: e.extra.field, expected: e.extra.expected }, ...(e.extra.details ?? [])])];
  return new AppError('parameter_invalid', first.reason, { ...first.extra, details });
}
