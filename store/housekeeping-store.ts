import type { Queryable } from './db';

/** Deletes rows whose purpose has passed; every replica may run it, the deletes are idempotent. */
export class HousekeepingStore {
  constructor(private readonly db: Queryable) {}

  /** `keysRetiredBefore`: signing keys retired before it verify nothing any more (KeyRing.verifyingSince). */
  async purge(now: Date, keysRetiredBefore: Date): Promise<void> {
    await this.db.query('delete from idempotency_keys where expires_at <= $1', [now]);
    await this.db.query('delete from signing_keys where retired_at <= $1', [keysRetiredBefore]);
    await this.db.query('delete from rate_limits where window_ends_at <= $1', [now]);
    // A signed request's id is remembered well past its 5-second window (docs/SECURITY.md 27).
    await this.db.query('delete from signed_request_ids where expires_at <= $1', [now]);
    // Sessions are kept a day past their end, so a late request still reads "expired", not "unknown".
    await this.db.query(`delete from sessions where expires_at <= $1::timestamptz - interval '1 day'`, [now]);
  }
}
