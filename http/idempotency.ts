import { createHash } from 'node:crypto';
import { AppError } from '../errors/app-error';
import type { Clock } from '../domain/shared/clock';
import type { Db } from '../store/db';
import { IdempotencyStore } from '../store/idempotency-store';
import type { Reply } from './reply';

/** The standard header and the alias legacy clients were documented to send. */
const IDEMPOTENCY_HEADERS = ['idempotency-key', 'x-quarzo-life-idempotency-key'];

/** Records are kept at least 24 hours (docs/SECURITY.md 19). */
const RETENTION_MS = 24 * 3600 * 1000;
// Response headers worth replaying; cookies and per-request ids are not.
const REPLAYED_HEADERS = ['content-type', 'location', 'etag'];

/** Thrown inside the unit of work to roll it back while still answering with `reply`. */
class NotFinal {
  constructor(readonly reply: Reply) {}
}

/**
 * `Idempotency-Key` for POST and PATCH, REST and GraphQL alike: the first request runs and its response
 * is stored; the same key and body replays that response with `Idempotent-Replayed: true`; another
 * body is 422; a retry while the first still runs is 409 with `Retry-After` (as the public docs promise: the
 * client waits and tries again with the same key). Keys are scoped to the caller.
 *
 * The record lives and dies with the write: the key is claimed, the operation runs and its answer is
 * stored in one transaction (`Db.unitOfWork`, which every transaction and query of the operation
 * joins). A process killed at any point leaves either the write and its answer, or neither: the retry
 * replays the one or runs the write once.
 *
 * "Still running" is known without waiting: in this process from the keys it is running, across
 * replicas from a transaction-scoped advisory lock on the key that the running request holds.
 */
export class Idempotency {
  /** Keys this process is running now (`scope`, NUL, `key`). */
  private readonly running = new Set<string>();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /**
   * The request's key: `Idempotency-Key`, or the documented legacy alias `X-Quarzo-Life-Idempotency-Key`
   * (the same value when both are sent); undefined when it carries neither. Surrounding spaces are not
   * part of a key; what is left must be 1 to 255 visible ASCII characters (a UUID, typically), else 400
   * `invalid_idempotency_key`.
   */
  static keyOf(headers: Record<string, string | string[] | undefined>): string | undefined {
    const sent = IDEMPOTENCY_HEADERS.map((name) => headers[name]).filter((value) => value !== undefined);
    if (sent.length === 0) return undefined;
    const keys = sent.map((value) => (Array.isArray(value) ? value.join(',') : value).trim());
    if (keys.some((key) => key !== keys[0]) || !/^[\x21-\x7e]{1,255}$/.test(keys[0])) {
      throw new AppError('invalid_idempotency_key', 'INVALID_IDEMPOTENCY_KEY', { field: 'Idempotency-Key' });
    }
    return keys[0];
  }

  /**
   * The key as sent, for an operation that applies its own rules to it (POST /v1/emailing/messages):
   * null without either header; two different keys are no usable key, passed on blank for the
   * operation to refuse.
   */
  static sentKeyOf(headers: Record<string, string | string[] | undefined>): string | null {
    const sent = IDEMPOTENCY_HEADERS.map((name) => headers[name]).filter((value) => value !== undefined);
    if (sent.length === 0) return null;
    const keys = sent.map((value) => (Array.isArray(value) ? value.join(',') : value));
    return keys.every((key) => key.trim() === keys[0].trim()) ? keys[0] : '';
  }

  async run(scope: string, key: string, request: { method: string; path: string; body: Buffer }, execute: () => Promise<Reply>): Promise<Reply> {
    const fingerprint = createHash('sha256').update(request.method).update('\0').update(request.path).update('\0').update(request.body).digest('base64url');
    const local = `${scope}\0${key}`;
    if (this.running.has(local)) throw inProgress();
    this.running.add(local);
    try {
      return await this.db.unitOfWork(async (tx) => {
        const store = new IdempotencyStore(tx);
        const now = this.clock.now();
        const claim = await store.claim(scope, key, fingerprint, now, new Date(now.getTime() + RETENTION_MS));
        if (claim === 'busy') throw inProgress();
        if (claim !== 'claimed') {
          if (claim.fingerprint !== fingerprint) throw new AppError('unprocessable_content', 'IDEMPOTENCY_KEY_REUSED', { field: 'Idempotency-Key' });
          // Only a record committed by an earlier version (which claimed keys in a transaction of their
          // own) can be committed while running: it expires with its retention.
          if (claim.state === 'running' || claim.responseStatus === null) throw inProgress();
          return {
            status: claim.responseStatus,
            headers: { ...(claim.responseHeaders ?? {}), 'idempotent-replayed': 'true' },
            body: claim.responseBody ?? '',
          };
        }
        const reply = await execute();
        // A fault of ours or a throttle is not a final answer: the whole unit rolls back, the write with
        // the key, so the retry (after Retry-After) runs again on the state before this attempt.
        if (reply.status >= 500 || reply.status === 429 || reply.final === false) throw new NotFinal(reply);
        const headers = Object.fromEntries(Object.entries(reply.headers).filter(([name]) => REPLAYED_HEADERS.includes(name.toLowerCase())));
        await store.complete(scope, key, { status: reply.status, headers, body: reply.body.toString() });
        return reply;
      });
    } catch (error) {
      if (error instanceof NotFinal) return error.reply;
      throw error;
    } finally {
      this.running.delete(local);
    }
  }
}

/** 409 while the first request with the key runs: the retry should come back shortly with the same key. */
function inProgress(): AppError {
  return new AppError('conflict', 'IDEMPOTENT_REQUEST_IN_PROGRESS', { field: 'Idempotency-Key', headers: { 'Retry-After': '1' } });
}
