/**
 * The error catalog: every error the API returns has one of these codes. Runtime errors, the GraphQL
 * extensions and the HTML pages at /docs/errors/<code> are all rendered from these entries.
 */
export interface CatalogEntry {
  /** HTTP status the code always maps to. */
  status: number;
  /** Short human title, e.g. "Unauthorized". */
  title: string;
  /** One sentence: what the code means. */
  description: string;
  /** Typical causes, one line each. */
  causes: string[];
  /** What the caller should do, one line each. */
  fixes: string[];
  /** A message value typical of this code, used in the documented example. */
  exampleMessage: string;
}

export const CATALOG = {
  unauthorized: {
    status: 401,
    title: 'Unauthorized',
    description: 'The request is missing valid authentication credentials.',
    causes: [
      'Missing session cookie or bearer token (NO_SESSION).',
      'A bearer token that is not one of ours: not a JWT, a bad signature, a wrong algorithm, type, issuer or audience (INVALID_BEARER_TOKEN).',
      'An expired access token, or a session that was logged out or has expired (SESSION_EXPIRED).',
      'Wrong e-mail or password on /v1/auth/login (INVALID_CREDENTIALS).',
      'On /v1/auth/token: missing certificate serial header (MISSING_CLIENT_CERTIFICATE_SERIAL), a malformed serial (MALFORMED_CLIENT_CERTIFICATE_SERIAL), or a wrong client id, secret or serial (INVALID_CLIENT_CREDENTIALS).',
      'A webhook whose signature or timestamp does not verify (INVALID_SIGNATURE).',
    ],
    fixes: [
      'Provide a valid authentication token or signature.',
      'Sign in again if the session expired.',
      'Retry with corrected authentication credentials.',
    ],
    exampleMessage: 'NO_SESSION',
  },
  forbidden: {
    status: 403,
    title: 'Forbidden',
    description: 'The caller is authenticated but its role may not perform this operation.',
    causes: ['The operation is reserved to other roles (for example back-office only).', 'A cookie-authenticated write without the CSRF header.'],
    fixes: ['Call with an account that has the required role.', 'Send `X-Requested-With` (or JSON) on cookie-authenticated writes.'],
    exampleMessage: 'ROLE_NOT_ALLOWED',
  },
  not_found: {
    status: 404,
    title: 'Not found',
    description: 'The resource does not exist, or the caller may not see it.',
    causes: ['A wrong identifier.', "Another customer's resource: the API does not reveal that it exists.", 'A path the API does not have.'],
    fixes: ['Check the identifier and the path against the API reference.'],
    exampleMessage: 'ROUTE_NOT_FOUND',
  },
  method_not_allowed: {
    status: 405,
    title: 'Method not allowed',
    description: 'The path exists but not with this HTTP method.',
    causes: ['For example GET on a path that only accepts POST.'],
    fixes: ['Use one of the methods listed in the `Allow` response header.'],
    exampleMessage: 'METHOD_NOT_ALLOWED',
  },
  invalid_idempotency_key: {
    status: 400,
    title: 'Invalid idempotency key',
    description: 'The idempotency key of a POST or PATCH is not one the API can keep.',
    causes: [
      'An `Idempotency-Key` (or `X-Quarzo-Life-Idempotency-Key`) header that is blank after trimming, longer than 255 characters, or holds characters other than visible ASCII.',
      'Both headers sent with different values.',
    ],
    fixes: ['Omit the header if you do not need idempotency.', 'Otherwise send one key per operation, such as a UUID, and the same key on each retry.'],
    exampleMessage: 'INVALID_IDEMPOTENCY_KEY',
  },
  invalid_request: {
    status: 400,
    title: 'Invalid request',
    description: 'The request is malformed or a field fails validation.',
    causes: [
      'Malformed JSON.',
      'A missing, unknown or invalid field (the error names it in `field`).',
      'Text with control characters or lone surrogates, or too long (INVALID_CHARACTERS, TOO_LONG); an id or cursor that is not one of ours (INVALID_ID, INVALID_CURSOR); a date outside 1900-2200; an amount above 100,000,000.00 (AMOUNT_ABOVE_MAXIMUM).',
      'A GraphQL document that does not parse or validate.',
    ],
    fixes: ['Correct the named field and retry.'],
    exampleMessage: 'MALFORMED_JSON',
  },
  unprocessable: {
    status: 422,
    title: 'Unprocessable',
    description: 'The request is well formed but a business rule refuses it.',
    causes: ['A rule such as a deadline or a limit applies; the message names it.', 'An Idempotency-Key reused with a different request.'],
    fixes: ['Read the message: it names the rule that applied.'],
    exampleMessage: 'IDEMPOTENCY_KEY_REUSED',
  },
  conflict: {
    status: 409,
    title: 'Conflict',
    description: 'The request conflicts with the current state of the resource.',
    causes: [
      'An illegal state change (the message names the current state).',
      'The thing already exists or is already open (an IBAN registered twice, a second total surrender).',
      'Money already left the policy: a withdrawal after a surrender was declared or paid (WITHDRAWAL_AFTER_SURRENDER).',
    ],
    fixes: ['Read the resource again and retry if the change still makes sense.'],
    exampleMessage: 'TOTAL_SURRENDER_ALREADY_OPEN',
  },
  precondition_failed: {
    status: 412,
    title: 'Precondition failed',
    description: 'The `If-Match` version is no longer current.',
    causes: ['Someone else changed the resource since you read it.'],
    fixes: ['GET the resource again, reapply your change, PUT with the new ETag.'],
    exampleMessage: 'STALE_VERSION',
  },
  precondition_required: {
    status: 428,
    title: 'Precondition required',
    description: 'This write needs an `If-Match` header.',
    causes: ['A PUT without `If-Match`.'],
    fixes: ['GET the resource and send its ETag in `If-Match`.'],
    exampleMessage: 'IF_MATCH_REQUIRED',
  },
  payload_too_large: {
    status: 413,
    title: 'Payload too large',
    description: 'The request body is larger than the server accepts.',
    causes: ['A body over the limit (1 MiB by default).'],
    fixes: ['Send a smaller body.'],
    exampleMessage: 'BODY_TOO_LARGE',
  },
  unsupported_media_type: {
    status: 415,
    title: 'Unsupported media type',
    description: 'The request body has a content type this route does not accept.',
    causes: ['A body without `Content-Type: application/json`.'],
    fixes: ['Send JSON with `Content-Type: application/json`.'],
    exampleMessage: 'UNSUPPORTED_CONTENT_TYPE',
  },
  rate_limited: {
    status: 429,
    title: 'Too many requests',
    description: 'Too many requests in a short time; the `Retry-After` header says when to retry.',
    causes: ['Repeated failed logins for one account or from one address.', 'Too many one-time signing codes asked for in an hour (TOO_MANY_OTP_REQUESTS).'],
    fixes: ['Wait for the number of seconds in `Retry-After`.'],
    exampleMessage: 'TOO_MANY_LOGIN_ATTEMPTS',
  },
  internal: {
    status: 500,
    title: 'Internal error',
    description: 'Something failed on our side. The message carries a request id to quote to support.',
    causes: ['A fault in the service or its database.'],
    fixes: ['Retry later; if it persists, contact support with the request id.'],
    exampleMessage: 'INTERNAL_ERROR (request id req_01HZY...)',
  },
  service_unavailable: {
    status: 503,
    title: 'Service unavailable',
    description: 'The service cannot answer right now, for example while its database is unreachable.',
    causes: ['The database is down or starting.'],
    fixes: ['Retry after a short wait.'],
    exampleMessage: 'DATABASE_UNAVAILABLE',
  },
} satisfies Record<string, CatalogEntry>;

export type ErrorCode = keyof typeof CATALOG;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(CATALOG, value);
}

export function docUrl(docsBaseUrl: string, code: ErrorCode): string {
  return `${docsBaseUrl}/errors/${code}`;
}
