import { createHash } from 'node:crypto';
import { AppError } from '../errors/app-error';
import type { Clock } from '../domain/shared/clock';
import type { IdempotencyStore } from '../store/idempotency-store';
import type { Reply } from './reply';

/** Records are kept at least 24 hours (SECURITY.md 19). */
const RETENTION_MS = 24 * 3600 * 1000;
// Response headers worth replaying; cookies and per-request ids are not.
const REPLAYED_HEADERS = ['content-type', 'location', 'etag'];

/**
 * `Idempotency-Key` for POST and PATCH, REST and GraphQL alike: the first request runs and its response
 * is stored; the same key and body replays that response with `Idempotent-Replayed: true`; another
 * body is 422; a retry while the first still runs is 409. Keys are scoped to the caller.
 */
export class Idempotency {
  constructor(
    private readonly store: IdempotencyStore,
    private readonly clock: Clock,
  ) {}

  /** Validates the header value; undefined when the request carries none. */
  static keyOf(header: string | string[] | undefined): string | undefined {
    if (header === undefined) return undefined;
    const key = Array.isArray(header) ? header[0] : header;
    if (!/^[\x21-\x7e]{1,255}$/.test(key)) throw new AppError('invalid_request', 'INVALID_IDEMPOTENCY_KEY', { field: 'Idempotency-Key' });
    return key;
  }

  async run(scope: string, key: string, request: { method: string; path: string; body: Buffer }, execute: () => Promise<Reply>): Promise<Reply> {
    const fingerprint = createHash('sha256').update(request.method).update('\0').update(request.path).update('\0').update(request.body).digest('base64url');
    const now = this.clock.now();
    const claim = await this.store.claim(scope, key, fingerprint, now, new Date(now.getTime() + RETENTION_MS));
    if (claim !== 'claimed') {
      if (claim.fingerprint !== fingerprint) throw new AppError('unprocessable', 'IDEMPOTENCY_KEY_REUSED', { field: 'Idempotency-Key' });
      if (claim.state === 'running' || claim.response_status === null) throw new AppError('conflict', 'IDEMPOTENT_REQUEST_IN_PROGRESS');
      return {
        status: claim.response_status,
        headers: { ...(claim.response_headers ?? {}), 'idempotent-replayed': 'true' },
        body: claim.response_body ?? '',
      };
    }
    let reply: Reply;
    try {
      reply = await execute();
    } catch (error) {
      await this.store.release(scope, key);
      throw error;
    }
    // A fault of ours or a throttle is not a final answer: the retry (after Retry-After) should run again.
    if (reply.status >= 500 || reply.status === 429) {
      await this.store.release(scope, key);
      return reply;
    }
    const headers = Object.fromEntries(Object.entries(reply.headers).filter(([name]) => REPLAYED_HEADERS.includes(name.toLowerCase())));
    await this.store.complete(scope, key, { status: reply.status, headers, body: reply.body.toString() });
    return reply;
  }
}
