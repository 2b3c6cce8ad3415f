import type { ErrorCode } from './catalog';

/** One more offending field of a request that has several. */
export interface ErrorDetail {
  reason: string;
  field?: string;
  expected?: string;
}

export interface AppErrorExtra {
  /** Input field at fault, as the client spelled it (dotted path). */
  field?: string;
  /** More errors of the same request (each offending field). */
  details?: ErrorDetail[];
  /** For a value of the wrong form, the GraphQL type it should have had (`LocalDate`): the sentence says how to write it. */
  expected?: string;
  /** Response headers the error implies (`Retry-After`, `WWW-Authenticate`, `Allow`). */
  headers?: Record<string, string>;
  /** For the log only, never sent: what exactly went wrong (a webhook's stale timestamp, say). */
  detail?: string;
  /**
   * A sentence for people written where the error arose, when the reason's sentence cannot say it
   * (graphql-js explaining why a document does not validate). Otherwise errors/messages.ts has it.
   */
  message?: string;
  /** The request id a masked failure carries, for the caller to quote to support. */
  requestId?: string;
}

/**
 * The error every layer throws on purpose: a catalog code plus a stable upper-snake reason that
 * clients can switch on (`NO_SESSION`, `ALLOCATION_NOT_100_PERCENT`...). Domain code throws it;
 * errors/envelope.ts renders it for REST and GraphQL alike: the reason goes out as `reason` beside a
 * sentence for people (errors/messages.ts), except for the codes whose documented message is the
 * reason itself (401s, `INSUFFICIENT_ROLES`). Free of GraphQL and HTTP on purpose.
 */
export class AppError extends Error {
  declare readonly code: ErrorCode;
  /** Stable machine reason: the envelope's `reason` (its `message` for 401s and INSUFFICIENT_ROLES). */
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
  return new AppError('parameter_invalid', first.reason, { field: first.field, details: problems.slice(1) });
}

/** The documented 401 messages: a 401's `message` is one of these, never a sentence. */
export const UNAUTHORIZED_REASONS = [
  'NO_SESSION',
  'INVALID_BEARER_TOKEN',
  'SESSION_EXPIRED',
  'INVALID_CREDENTIALS',
  'MISSING_CLIENT_CERTIFICATE_SERIAL',
  'MALFORMED_CLIENT_CERTIFICATE_SERIAL',
  'INVALID_CLIENT_CREDENTIALS',
  'INVALID_SIGNATURE',
] as const;

export type UnauthorizedReason = (typeof UNAUTHORIZED_REASONS)[number];

/** The documented 403 message for a caller whose role may not perform the operation. */
export const INSUFFICIENT_ROLES = 'INSUFFICIENT_ROLES';

/** A caller whose role may not perform the operation: 403 `forbidden`, message `INSUFFICIENT_ROLES`. */
export function insufficientRoles(): AppError {
  return new AppError('forbidden', INSUFFICIENT_ROLES);
}

/** RFC 6750: `error="invalid_token"` only when a token was presented and rejected. */
export function unauthorized(reason: UnauthorizedReason, detail?: string): AppError {
  if (detail !== undefined) return new AppError('unauthorized', reason, { headers: challengeOf(reason), detail });
  // Every unauthenticated request gets one of these: one frozen error per reason, its reply rendered once (http/reply.ts).
  let error = plainUnauthorized.get(reason);
  if (!error) plainUnauthorized.set(reason, (error = Object.freeze(new AppError('unauthorized', reason, Object.freeze({ headers: challengeOf(reason) })))));
  return error;
}

const plainUnauthorized = new Map<UnauthorizedReason, AppError>();

function challengeOf(reason: UnauthorizedReason): Record<string, string> {
  return Object.freeze({ 'WWW-Authenticate': reason === 'INVALID_BEARER_TOKEN' || reason === 'SESSION_EXPIRED' ? 'Bearer error="invalid_token"' : 'Bearer' });
}
