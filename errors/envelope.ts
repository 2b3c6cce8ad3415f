import { AppError } from './app-error';
import { CATALOG, docUrl, type ErrorCode } from './catalog';

/** One entry of the REST envelope `{"errors":[...]}`. */
export interface EnvelopeError {
  code: ErrorCode;
  message: string;
  doc_url: string;
  field?: string;
}

export interface RenderedError {
  status: number;
  headers: Record<string, string>;
  body: { errors: EnvelopeError[] };
}

/** Renders an AppError as the REST envelope; 401s have exactly code, message and doc_url. */
export function renderEnvelope(error: AppError, docsBaseUrl: string): RenderedError {
  const entry = (reason: string, field?: string): EnvelopeError => ({
    code: error.code,
    message: reason,
    doc_url: docUrl(docsBaseUrl, error.code),
    ...(field ? { field } : {}),
  });
  const errors = [entry(error.reason, error.extra.field), ...(error.extra.details ?? []).map((d) => entry(d.reason, d.field))];
  return { status: CATALOG[error.code].status, headers: error.extra.headers ?? {}, body: { errors } };
}

/** Unexpected failures are masked: the client sees a request id, the log sees the cause. */
export function internalError(requestId: string): AppError {
  return new AppError('internal', `INTERNAL_ERROR (request id ${requestId})`);
}
