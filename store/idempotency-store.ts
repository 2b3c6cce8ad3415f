import type { Queryable } from './db';

export interface IdempotencyRecord {
  fingerprint: string;
  state: 'running' | 'done';
  responseStatus: number | null;
  responseHeaders: Record<string, string | string[]> | null;
  responseBody: string | null;
}

interface IdempotencyRow {
  fingerprint: string;
  state: 'running' | 'done';
  response_status: number | null;
  response_headers: Record<string, string | string[]> | null;
  response_body: string | null;
}

/**
 * Idempotency records. `claim` and `complete` run in the transaction of the write they answer for
 * (http/idempotency.ts), so a record is committed, done, together with that write or not at all.
 */
export class IdempotencyStore {
  constructor(private readonly db: Queryable) {}

  /**
   * Claims (scope, key) for a new request; returns the committed record when there is one, or `busy`
   * while another transaction (another replica) holds the key. The key's advisory lock lasts as long as
   * the claiming transaction, so a second claimant learns at once that the first still runs instead of
   * waiting on the unique index for it.
   */
  async claim(scope: string, key: string, fingerprint: string, now: Date, expiresAt: Date): Promise<IdempotencyRecord | 'claimed' | 'busy'> {
    const [lock] = await this.db.query<{ held: boolean }>('select pg_try_advisory_xact_lock(hashtextextended($1, 0)) as held', [`idempotency ${scope} ${key}`]);
    if (!lock.held) return 'busy';
    // An expired record protects nothing: make room for the new request.
    await this.db.query('delete from idempotency_keys where scope = $1 and key = $2 and expires_at <= $3', [scope, key, now]);
    const inserted = await this.db.query(
      `insert into idempotency_keys (scope, key, fingerprint, state, created_at, expires_at)
       values ($1, $2, $3, 'running', $4, $5) on conflict (scope, key) do nothing returning key`,
      [scope, key, fingerprint, now, expiresAt],
    );
    if (inserted.length) return 'claimed';
    const [row] = await this.db.query<IdempotencyRow>(
      'select fingerprint, state, response_status, response_headers, response_body from idempotency_keys where scope = $1 and key = $2',
      [scope, key],
    );
    // Deleted between our insert and select (expired and purged elsewhere): as if still running.
    if (!row) return { fingerprint, state: 'running', responseStatus: null, responseHeaders: null, responseBody: null };
    return { fingerprint: row.fingerprint, state: row.state, responseStatus: row.response_status, responseHeaders: row.response_headers, responseBody: row.response_body };
  }

  async complete(scope: string, key: string, response: { status: number; headers: Record<string, string | string[]>; body: string }): Promise<void> {
    await this.db.query(
      `update idempotency_keys set state = 'done', response_status = $3, response_headers = $4, response_body = $5
        where scope = $1 and key = $2`,
      [scope, key, response.status, JSON.stringify(response.headers), response.body],
    );
  }
}
