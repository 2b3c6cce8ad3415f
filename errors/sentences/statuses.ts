import type { Sentence } from './sentence';

/** Access (403), not found (404) and the other statuses our own codes cover. */
export const STATUS_SENTENCES: Record<string, Sentence> = {
  // Access
  CSRF_HEADER_REQUIRED: 'A write authenticated by the session cookie must send the X-Requested-With header or a JSON body.',

  // Not found (404)
  ROUTE_NOT_FOUND: 'There is no such path in this API.',
  UNKNOWN_WEBHOOK_SOURCE: 'No webhook source of this name is configured.',
  EVIDENCE_SUBJECT_NOT_FOUND: (f) => `${f} does not name something you may attach evidence to.`,
  // Other statuses our own codes cover
  METHOD_NOT_ALLOWED: 'This path does not accept this HTTP method; the Allow header lists those it does.',
  STALE_VERSION: 'The resource changed since the version named in If-Match; read it again and retry.',
  ETAG_NOT_MATCHED: 'If-Match does not name a current version of this resource; read it again and retry.',
  IF_MATCH_REQUIRED: 'This write needs an If-Match header holding the ETag of the version you read.',
  BODY_TOO_LARGE: 'The request body is larger than this route accepts.',
  TOO_MANY_LOGIN_ATTEMPTS: 'Too many failed logins; wait for the time given in Retry-After.',
  TOO_MANY_OTP_REQUESTS: 'Too many one-time codes were asked for; wait for the time given in Retry-After.',
  INTERNAL_ERROR: 'An unexpected error occurred. Quote the requestId to support if it persists.',
  DATABASE_UNAVAILABLE: 'The service is unavailable for a moment; retry shortly.',
  SUBGRAPH_UNAVAILABLE: 'A part of the API behind the GraphQL front did not answer; its fields are null for now. Retry shortly.',
  SUBGRAPH_ERROR: 'Another part of the API behind the GraphQL front reported an error for these fields; its own message and code say what.',
};
