import type { Queryable } from './db';

export interface IdempotencyRecord {
  fingerprint: string;
  state: 'running' | 'done';
  response_status: number | null;
  response_headers: Record<string, string | string[]> | null;
  response_body: string | null;
}

export class IdempotencyStore {
  constructor(private readonly db: Queryable) {}

  /** Claims (scope, key) for a new request; returns the existing record when someone already has it. */
  async claim(scope: string, key: string, fingerprint: string, now: Date, expiresAt: Date): Promise<IdempotencyRecord | 'claimed'> {
    // An expired record protects nothing: make room for the new request. A record left "running" by a
    // process that died is never reclaimed early, since its write may have committed: the key answers
    // 409 until it expires and the client retries with a new key after reading the resource.
    await this.db.query('delete from idempotency_keys where scope = $1 and key = $2 and expires_at <= $3', [scope, key, now]);
    const inserted = await this.db.query(
      `insert into idempotency_keys (scope, key, fingerprint, state, created_at, expires_at)
       values ($1, $2, $3, 'running', $4, $5) on conflict (scope, key) do nothing returning key`,
      [scope, key, fingerprint, now, expiresAt],
    );
    if (inserted.length) return 'claimed';
    const rows = await this.db.query<IdempotencyRecord>(
      'select fingerprint, state, response_status, response_headers, response_body from idempotency_keys where scope = $1 and key = $2',
      [scope, key],
    );
    // Deleted between our insert and select (expired and reclaimed elsewhere): treat as running.
    return rows[0] ?? { fingerprint, state: 'running', response_status: null, response_headers: null, response_body: null };
  }

  async complete(scope: string, key: string, response: { status: number; headers: Record<string, string | string[]>; body: string }): Promise<void> {
    await this.db.query(
      `update idempotency_keys set state = 'done', response_status = $3, response_headers = $4, response_body = $5
        where scope = $1 and key = $2`,
      [scope, key, response.status, JSON.stringify(response.headers), response.body],
    );
  }

  /** Forgets a claim whose request failed on our side, so the client's retry runs again. */
  async release(scope: string, key: string): Promise<void> {
    await this.db.query(`delete from idempotency_keys where scope = $1 and key = $2 and state = 'running'`, [scope, key]);
  }
}
