import type { IncomingMessage } from 'node:http';
import { AppError } from '../errors/app-error';
import type { Route } from './route';

/**
 * ETag / If-Match for routes that declare them (docs/SECURITY.md 20). Our ETags are strong and carry the
 * resource's integer version, quoted: `"3"`. The operation itself compares the version and answers
 * `precondition_failed` when it is no longer current.
 */

// GraphQL Int is 32-bit: a larger version cannot be one of ours.
const MAX_VERSION = 2_147_483_647;
const VERSION_TAG = /^"(\d{1,10})"$/;

export function etagOf(version: number): string {
  return `"${version}"`;
}

/**
 * The version `If-Match` names. Missing, or `*` (which names no version, so cannot guard a lost
 * update): 428. A value that is none of our tags (weak `W/"3"`, a list, garbage) can never match the
 * current one: 412, as RFC 9110 13.1.1 says for a false condition.
 */
export function ifMatchVersion(req: IncomingMessage): number {
  const raw = req.headers['if-match']?.trim();
  if (!raw || raw === '*') throw new AppError('precondition_required', 'IF_MATCH_REQUIRED');
  const match = VERSION_TAG.exec(raw);
  if (!match || Number(match[1]) > MAX_VERSION) throw new AppError('precondition_failed', 'ETAG_NOT_MATCHED');
  return Number(match[1]);
}

/** The `etag` header for a route that declares one, from the result's version field; none otherwise. */
export function etagHeader(route: Route, value: unknown): Record<string, string> {
  if (!route.etag || typeof value !== 'object' || value === null) return {};
  const version = (value as Record<string, unknown>)[route.etag.versionField];
  return typeof version === 'number' && Number.isInteger(version) ? { etag: etagOf(version) } : {};
}

interface OpenApiOperation {
  parameters?: unknown[];
  responses: Record<string, Record<string, unknown>>;
}

/** Adds the `If-Match` header and the `ETag` response header to the generated OpenAPI document (its 412/428 come with the route's other statuses). */
export function documentPreconditions<T>(doc: T, routes: readonly Route[]): T {
  const paths = (doc as { paths: Record<string, Record<string, OpenApiOperation>> }).paths;
  for (const route of routes) {
    const operation = paths[route.path]?.[route.method.toLowerCase()];
    if (!operation) continue;
    if (route.ifMatch) {
      operation.parameters = [
        ...(operation.parameters ?? []),
        { name: 'If-Match', in: 'header', required: true, description: 'The ETag of the version you read, e.g. "3". Missing: 428; no longer current: 412.', schema: { type: 'string' } },
      ];
    }
    const success = operation.responses[String(route.status)];
    if (route.etag && success) success.headers = { ...(success.headers ?? {}), ETag: { description: 'The version, quoted: send it back in If-Match.', schema: { type: 'string' } } };
  }
  return doc;
}
