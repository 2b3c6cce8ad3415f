import { AppError, INSUFFICIENT_ROLES } from './app-error';
import { CATALOG, docUrl, type ErrorCode } from './catalog';
import { sentenceFor } from './messages';

/**
 * What an error says, whichever protocol carries it: the catalog code and its page, a sentence for
 * people as `message`, and beside it the stable `reason`, the `field` at fault and, for a masked
 * failure, the `requestId`. REST puts these in an envelope entry, GraphQL in `extensions`; both come
 * from `describe`, so the two never drift apart.
 */
export interface Described {
  code: ErrorCode;
  message: string;
  doc_url: string;
  /** Properties beside code, message and doc_url; absent where the docs show none (401s, INSUFFICIENT_ROLES). */
  extra: { reason?: string; field?: string; requestId?: string };
  /** The request's other offending fields, each with its own reason and sentence. */
  details: Array<{ reason: string; field?: string; message: string }>;
}

/** Codes whose documented `message` is the machine reason itself rather than a sentence. */
function messageIsReason(error: AppError): boolean {
  return error.code === 'unauthorized' || error.reason === INSUFFICIENT_ROLES;
}

function sentence(code: ErrorCode, reason: string, field?: string, expected?: string): string {
  return sentenceFor(reason, field, expected) ?? CATALOG[code].description;
}

export function describe(error: AppError, docsBaseUrl: string): Described {
  const base = { code: error.code, doc_url: docUrl(docsBaseUrl, error.code) };
  if (messageIsReason(error)) return { ...base, message: error.reason, extra: {}, details: [] };
  const { field, expected, requestId } = error.extra;
  return {
    ...base,
    message: error.extra.message ?? sentence(error.code, error.reason, field, expected),
    extra: { reason: error.reason, ...(field ? { field } : {}), ...(requestId ? { requestId } : {}) },
    details: (error.extra.details ?? []).map((d) => ({ reason: d.reason, ...(d.field ? { field: d.field } : {}), message: sentence(error.code, d.reason, d.field, d.expected) })),
  };
}

/** One entry of the REST envelope `{"errors":[...]}`. */
export interface EnvelopeError {
  code: ErrorCode;
  message: string;
  doc_url: string;
  reason?: string;
  field?: string;
  requestId?: string;
}

export interface RenderedError {
  status: number;
  headers: Record<string, string>;
  body: { errors: EnvelopeError[] };
}

/**
 * Renders an AppError as the REST envelope: one entry per offending field, each with its sentence and
 * reason. 401s and INSUFFICIENT_ROLES have exactly code, message and doc_url, as documented.
 */
export function renderEnvelope(error: AppError, docsBaseUrl: string): RenderedError {
  const described = describe(error, docsBaseUrl);
  const first: EnvelopeError = { code: described.code, message: described.message, doc_url: described.doc_url, ...described.extra };
  const more = described.details.map((d): EnvelopeError => ({ code: described.code, message: d.message, doc_url: described.doc_url, reason: d.reason, ...(d.field ? { field: d.field } : {}) }));
  return { status: CATALOG[error.code].status, headers: error.extra.headers ?? {}, body: { errors: [first, ...more] } };
}

/** Unexpected failures are masked: the client sees a request id to quote, the log sees the cause. */
export function internalError(requestId: string): AppError {
  return new AppError('internal_server_error', 'INTERNAL_ERROR', { requestId });
}
