import type { ServerResponse } from 'node:http';
import type { AppError } from '../errors/app-error';
import { renderEnvelope } from '../errors/envelope';

/** A response built by a handler and written once; idempotency stores and replays these. */
export interface Reply {
  status: number;
  headers: Record<string, string | string[]>;
  body: string | Buffer;
}

export function jsonReply(status: number, value: unknown, headers: Record<string, string | string[]> = {}): Reply {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(value) };
}

/** The REST error envelope `{"errors":[{code,message,doc_url}]}` with the catalog status and headers. */
export function errorReply(error: AppError, docsBaseUrl: string): Reply {
  const rendered = renderEnvelope(error, docsBaseUrl);
  return jsonReply(rendered.status, rendered.body, rendered.headers);
}

export function writeReply(res: ServerResponse, reply: Reply): void {
  const body = reply.status === 204 || reply.status === 304 ? '' : reply.body;
  const headers: Record<string, string | string[] | number> = { ...reply.headers };
  if (body !== '') headers['content-length'] = Buffer.byteLength(body);
  else delete headers['content-type'];
  res.writeHead(reply.status, headers);
  res.end(body);
}
