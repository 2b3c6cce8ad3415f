import { STATUS_CODES } from 'node:http';
import { CATALOG } from '../errors/catalog';
import type { JsonSchema } from './openapi-schemas';

/**
 * The error side of the OpenAPI document: the envelope every error is sent in, and one named response
 * per status, which lists the catalog codes of that status (read from the catalog, so renamed or new
 * codes appear without touching this file).
 */

export const ERROR_SCHEMAS: Record<string, JsonSchema> = {
  Errors: {
    type: 'object',
    description: 'Every error answer: one or more errors, the first the decisive one.',
    required: ['errors'],
    properties: { errors: { type: 'array', minItems: 1, items: { $ref: '#/components/schemas/Error' } } },
  },
  Error: {
    type: 'object',
    description: 'One error. Switch on `code`; `message` is for people (for 401s the stable reason itself). Other properties may join these.',
    required: ['code', 'message', 'doc_url'],
    properties: {
      code: { type: 'string', enum: Object.keys(CATALOG), description: 'Stable machine-readable code; its page is `doc_url`.' },
      message: { type: 'string' },
      doc_url: { type: 'string', format: 'uri', description: 'The page that explains the code.' },
      reason: { type: 'string', description: 'Stable upper-case reason within the code, e.g. REQUIRED_FIELD_MISSING.' },
      field: { type: 'string', description: 'The parameter, header or body field at fault (dotted path).' },
      details: { type: 'array', items: { $ref: '#/components/schemas/ErrorDetail' }, description: 'Further problems of the same request.' },
      requestId: { type: 'string', description: 'For a failure on our side: the id to quote to support.' },
    },
  },
  ErrorDetail: {
    type: 'object',
    description: 'Another problem of the same request.',
    properties: { reason: { type: 'string' }, field: { type: 'string' }, message: { type: 'string' } },
  },
};

/** The statuses some catalog code answers with: a status no code has is never documented. */
export const ERROR_STATUSES: ReadonlySet<number> = new Set(Object.values(CATALOG).map((entry) => entry.status));

/** Headers some error answers carry. */
const ERROR_HEADERS: Record<number, Record<string, JsonSchema>> = {
  401: { 'WWW-Authenticate': { description: 'The Bearer challenge (RFC 6750).', schema: { type: 'string' } } },
  415: { Accept: { description: 'The media types the route accepts.', schema: { type: 'string' } } },
  429: { 'Retry-After': { description: 'Seconds to wait before trying again.', schema: { type: 'integer' } } },
};

/** `components.responses` key for an error status: its reason phrase, `BadRequest` for 400. */
export function errorResponseName(status: number): string {
  return (STATUS_CODES[status] ?? `Status${status}`).replace(/[^A-Za-z0-9]/g, '');
}

export const errorResponseRef = (status: number) => ({ $ref: `#/components/responses/${errorResponseName(status)}` });

/** One named response per status the document uses; its description names the catalog codes of that status. */
export function errorResponses(statuses: Iterable<number>, docsBaseUrl: string): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  for (const status of [...new Set(statuses)].sort((a, b) => a - b)) {
    const codes = Object.entries(CATALOG).filter(([, entry]) => entry.status === status);
    const list = codes.map(([code, entry]) => `\`${code}\` (${entry.description} ${docsBaseUrl}/errors/${code})`).join('; ');
    out[errorResponseName(status)] = {
      description: `${STATUS_CODES[status] ?? status}${list ? `: ${list}` : ''}`,
      ...(ERROR_HEADERS[status] ? { headers: ERROR_HEADERS[status] } : {}),
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Errors' } } },
    };
  }
  return out;
}
