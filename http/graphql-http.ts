import { AppError } from '../errors/app-error';
import { CATALOG } from '../errors/catalog';
import { formatAppError } from '../errors/graphql-errors';
import { PERSISTED_QUERY_PROTOCOL_REASONS, type PersistedDocuments } from '../execution/persisted-documents';
import type { ExecutionOutcome, OperationRequest } from '../execution/pipeline';
import type { Reply } from './reply';
import type { RequestTarget } from './target';

/**
 * `/graphql` by the GraphQL-over-HTTP spec, around the execution pipeline (execution/pipeline.ts):
 * reads the request from a POST JSON body or GET parameters, and writes the pipeline's outcome in the
 * media type the client accepts (`application/graphql-response+json` when it asks for it, else
 * `application/json`), with the outcome's status, headers and cookies.
 */

/** The operation a GET or POST asks for; a malformed request is a 400 before anything else runs. */
export function graphqlRequest(method: string, url: RequestTarget, body: unknown, documents: PersistedDocuments): OperationRequest {
  const params: Record<string, unknown> =
    method === 'GET'
      ? {
          query: url.searchParams.get('query') ?? undefined,
          operationName: url.searchParams.get('operationName') ?? undefined,
          variables: jsonParameter(url.searchParams.get('variables'), 'variables'),
          extensions: jsonParameter(url.searchParams.get('extensions'), 'extensions'),
        }
      : (body as Record<string, unknown>);
  const { query, variables, operationName, extensions } = params;
  if (!isMapOrAbsent(variables)) throw invalidRequest('`variables`, when sent, must be a map of variable names to values.');
  if (!isMapOrAbsent(extensions)) throw invalidRequest('`extensions`, when sent, must be a map.');
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') throw invalidRequest('`operationName`, when sent, must be a string.');
  // The text itself, or one known by its hash (APQ, trusted documents): refused here when it may not run.
  const { query: text, known } = documents.resolve(query, extensions as Record<string, unknown> | null | undefined);
  return { query: text, known, variables: variables as Record<string, unknown> | null | undefined, operationName };
}

/** The outcome as the HTTP reply: `data` only when the operation ran; the errors in the catalog's shape. */
export function graphqlReply(outcome: ExecutionOutcome, accept: string | undefined, docsBaseUrl: string): Reply {
  const errors = outcome.errors.map(({ error, path, locations, asSent }) => asSent ?? formatAppError(error, docsBaseUrl, { path, locations }));
  const payload = { ...(errors.length ? { errors } : {}), ...(outcome.executed ? { data: outcome.data } : {}) };
  const headers: Record<string, string | string[]> = { 'content-type': contentType(accept), ...outcome.headers };
  if (outcome.cookies.length) headers['set-cookie'] = outcome.cookies;
  return { status: outcome.status, headers, body: JSON.stringify(payload), ...(outcome.final ? {} : { final: false as const }) };
}

/** A GraphQL-shaped error for a request refused before the pipeline (body too large, not JSON, malformed parameters). */
export function graphqlErrorReply(error: AppError, accept: string | undefined, docsBaseUrl: string): Reply {
  const formatted = formatAppError(error, docsBaseUrl);
  // Apollo's protocol answers a missing persisted query with 200 (its clients, Kotlin's and Swift's among them, read the body of a 200 only).
  const status = PERSISTED_QUERY_PROTOCOL_REASONS.has(error.reason) ? 200 : CATALOG[error.code].status;
  return { status, headers: { 'content-type': contentType(accept), ...(error.extra.headers ?? {}) }, body: JSON.stringify({ errors: [formatted] }) };
}

/** `application/graphql-response+json` for a client that lists it; `application/json` otherwise (`*\/*`, none, legacy clients). */
function contentType(accept: string | undefined): string {
  return accept?.includes('application/graphql-response+json') ? 'application/graphql-response+json; charset=utf-8' : 'application/json; charset=utf-8';
}

function isMapOrAbsent(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'object' && !Array.isArray(value));
}

/** A GET parameter holding JSON (`variables`, `extensions`). */
function jsonParameter(text: string | null, name: string): unknown {
  if (text === null) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw invalidRequest(`\`${name}\` must be URL-encoded JSON.`);
  }
}

function invalidRequest(message: string): AppError {
  return new AppError('parameter_invalid', 'INVALID_GRAPHQL_REQUEST', { message });
}
