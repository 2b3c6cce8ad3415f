import type { ErrorCode } from './catalog';

export interface AppErrorExtra {
  /** Input field at fault, as the client spelled it (dotted path). */
  field?: string;
  /** More errors of the same request (each offending field). */
  details?: Array<{ reason: string; field?: string }>;
  /** Response headers the error implies (`Retry-After`, `WWW-Authenticate`, `Allow`). */
  headers?: Record<string, string>;
  /** For the log only, never sent: what exactly went wrong (a webhook's stale timestamp, say). */
  detail?: string;
}

/**
 * The error every layer throws on purpose: a catalog code plus a stable upper-snake reason that
 * clients can switch on (`NO_SESSION`, `ALLOCATION_NOT_100_PERCENT`...). Domain code throws it;
 * the GraphQL and REST renderers turn it into the envelope. Free of GraphQL and HTTP on purpose.
 */
export class AppError extends Error {
  declare readonly code: ErrorCode;
  /** Stable reason: the envelope's `message`. */
  declare readonly reason: string;
  declare readonly extra: AppErrorExtra;

  constructor(code: ErrorCode, reason: string, extra: AppErrorExtra = {}) {
    // Expected outcomes (a 401, a validation failure) are answers, not faults: a stack trace for each
    // would cost more than the rest of a 401 request (measured with `npm run bench`), so none is taken.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(reason);
    Error.stackTraceLimit = limit;
    this.code = code;
    this.reason = reason;
    this.extra = extra;
  }
}
AppError.prototype.name = 'AppError';

/** A validation failure naming every offending field at once. */
export function invalidFields(problems: Array<{ field: string; reason: string }>): AppError {
  const [first] = problems;
  return new AppError('invalid_request', first.reason, { field: first.field, details: problems.slice(1) });
}

export type UnauthorizedReason =
  | 'NO_SESSION'
  | 'INVALID_BEARER_TOKEN'
  | 'SESSION_EXPIRED'
  | 'INVALID_CREDENTIALS'
  | 'MISSING_CLIENT_CERTIFICATE_SERIAL'
  | 'MALFORMED_CLIENT_CERTIFICATE_SERIAL'
  | 'INVALID_CLIENT_CREDENTIALS'
  | 'INVALID_SIGNATURE';

/** RFC 6750: `error="invalid_token"` only when a token was presented and rejected. */
export function unauthorized(reason: UnauthorizedReason, detail?: string): AppError {
  const challenge = reason === 'INVALID_BEARER_TOKEN' || reason === 'SESSION_EXPIRED' ? 'Bearer error="invalid_token"' : 'Bearer';
  return new AppError('unauthorized', reason, { headers: { 'WWW-Authenticate': challenge }, detail });
}
