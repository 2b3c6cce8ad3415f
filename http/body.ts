import type { IncomingMessage } from 'node:http';
import { AppError } from '../errors/app-error';

/** The body of a request that has none: one shared, zero-length (nothing can be written into it). */
export const NO_BODY: Buffer = Buffer.alloc(0);

/** Reads the whole body, refusing (413) as soon as it passes `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(new AppError('payload_too_large', 'BODY_TOO_LARGE'));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new AppError('payload_too_large', 'BODY_TOO_LARGE'));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * The body read at most once, on first call: the context builder may need it to check a signed
 * request's digest (after the signature, so an unauthenticated caller's body is never read for it), and
 * the route reads it again for its input.
 */
export function bodyReader(req: IncomingMessage, limit: number): () => Promise<Buffer> {
  let read: Promise<Buffer> | undefined;
  return () => (read ??= readBody(req, limit));
}

export type MediaType = 'json' | 'form';

/** The body's media type, or undefined when absent or another type. */
export function mediaType(req: IncomingMessage): MediaType | undefined {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'))) return 'json';
  if (type === 'application/x-www-form-urlencoded') return 'form';
  return undefined;
}

/** Parses a body of an accepted media type into a plain object. */
export function parseBody(raw: Buffer, type: MediaType): Record<string, unknown> {
  if (type === 'form') return Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new AppError('parameter_invalid', 'MALFORMED_JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new AppError('parameter_invalid', 'BODY_MUST_BE_A_JSON_OBJECT');
  }
  if (deeperThan(value, MAX_JSON_DEPTH)) throw new AppError('parameter_invalid', 'BODY_NESTED_TOO_DEEP');
  return value as Record<string, unknown>;
}

/** No request of ours nests deeper; recursive code downstream must never see a hostile depth. */
const MAX_JSON_DEPTH = 32;

function deeperThan(root: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[root, 1]];
  while (stack.length) {
    const [value, depth] = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Object.values(value)) stack.push([child, depth + 1]);
  }
  return false;
}
