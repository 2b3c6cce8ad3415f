import type { ServerResponse } from 'node:http';
import type { AppError } from '../errors/app-error';
import { renderEnvelope } from '../errors/envelope';

/** A response built by a handler and written once; idempotency stores and replays these. */
export interface Reply {
  status: number;
  headers: Record<string, string | string[]>;
  body: string | Buffer;
  /**
   * `false` when the answer is not final although its status is below 500: a GraphQL answer whose
   * errors include a fault of ours or a throttle (GraphQL over HTTP answers those 200). Not stored.
   */
  final?: false;
}

export function jsonReply(status: number, value: unknown, headers: Record<string, string | string[]> = {}): Reply {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(value) };
}

// The few error bodies every unauthenticated or misrouted request gets are rendered once.
const renderedErrors = new Map<string, Reply>();
// A shared error (errors/app-error.ts `unauthorized`) finds its reply without building the key above.
const renderedFor = new WeakMap<AppError, { docsBaseUrl: string; reply: Reply }>();

/** The REST error envelope `{"errors":[{code,message,doc_url,reason,...}]}` with the catalog status and headers. */
export function errorReply(error: AppError, docsBaseUrl: string): Reply {
  const known = renderedFor.get(error);
  if (known?.docsBaseUrl === docsBaseUrl) return known.reply;
  const reply = renderErrorReply(error, docsBaseUrl);
  if (Object.isFrozen(error)) renderedFor.set(error, { docsBaseUrl, reply });
  return reply;
}

function renderErrorReply(error: AppError, docsBaseUrl: string): Reply {
  const { field, details, requestId, message } = error.extra;
  const plain = !field && !details && !requestId && !message;
  const key = plain ? `${docsBaseUrl}|${error.code}|${error.reason}|${JSON.stringify(error.extra.headers ?? null)}` : '';
  const cached = plain ? renderedErrors.get(key) : undefined;
  if (cached) return cached;
  const rendered = renderEnvelope(error, docsBaseUrl);
  const reply = jsonReply(rendered.status, rendered.body, rendered.headers);
  if (plain && renderedErrors.size < 1000) renderedErrors.set(key, reply);
  return reply;
}

/**
 * The headers every answer carries, the service's and the front's. API answers are per caller (and carry
 * tokens): nothing is cached unless a route says otherwise. A literal, not a spread: one shape per request.
 */
export function commonHeaders(requestId: string): Record<string, string> {
  return { 'x-request-id': requestId, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'cache-control': 'no-store' };
}

/**
 * Writes status, headers and body in one go; `common` are the headers every response carries, and a
 * reply's own header of the same name replaces the common one. Node takes the headers as a flat list of
 * names and values, which costs less per answer than an object it must walk.
 */
export function writeReply(res: ServerResponse, reply: Reply, common: Record<string, string>): void {
  const empty = reply.status === 204 || reply.status === 304;
  const own = reply.headers;
  const flat: Array<string | string[]> = [];
  for (const name in common) if (!(name in own)) flat.push(name, common[name]);
  for (const name in own) if (!(empty && name === 'content-type')) flat.push(name, own[name]);
  if (!empty) flat.push('content-length', String(typeof reply.body === 'string' ? Buffer.byteLength(reply.body) : reply.body.length));
  res.writeHead(reply.status, flat);
  res.end(empty ? '' : reply.body);
}
