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
    // One round trip: the key's lock, then, only if we hold it, the record written; an expired record
    // protects nothing and is replaced as if it had been purged, a live one stays and is read below.
    const [claim] = await this.db.query<{ held: boolean; claimed: boolean }>(
      `with lock as materialized (select pg_try_advisory_xact_lock(hashtextextended($1, 0)) as held),
            claimed as (
              insert into idempotency_keys (scope, key, fingerprint, state, created_at, expires_at)
              select $2::text, $3::text, $4::text, 'running', $5::timestamptz, $6::timestamptz from lock where held
              on conflict (scope, key) do update
                 set fingerprint = excluded.fingerprint, state = 'running', response_status = null, response_headers = null, response_body = null,
                     created_at = excluded.created_at, expires_at = excluded.expires_at
               where idempotency_keys.expires_at <= excluded.created_at
              returning key)
       select (select held from lock) as held, exists (select 1 from claimed) as claimed`,
      [`idempotency ${scope} ${key}`, scope, key, fingerprint, now, expiresAt],
    );
    if (!claim.held) return 'busy';
    if (claim.claimed) return 'claimed';
    const [row] = await this.db.query<IdempotencyRow>(
      'select fingerprint, state, response_status, response_headers, response_body from idempotency_keys where scope = $1 and key = $2',
      [scope, key],
    );
    // Deleted between our claim and this read (expired and purged elsewhere): as if still running.
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
