import { createHash } from 'node:crypto';
import type { Queryable } from './db';

// Buckets embed client input (an e-mail, an address): hashed, they have a fixed size whatever is sent.
const key = (bucket: string) => createHash('sha256').update(bucket).digest('base64url');

export class RateLimitStore {
  constructor(private readonly db: Queryable) {}

  /**
   * Counts one hit in a fixed window and returns the count and when the window ends, atomically
   * (one upsert), so replicas sharing the database share the limit.
   */
  async hit(bucket: string, now: Date, windowSeconds: number): Promise<{ hits: number; windowEndsAt: Date }> {
    const rows = await this.db.query<{ hits: number; window_ends_at: Date }>(
      `insert into rate_limits (bucket, hits, window_ends_at)
       values ($1, 1, $2::timestamptz + make_interval(secs => $3))
       on conflict (bucket) do update set
         hits = case when rate_limits.window_ends_at <= $2 then 1 else rate_limits.hits + 1 end,
         window_ends_at = case when rate_limits.window_ends_at <= $2 then excluded.window_ends_at else rate_limits.window_ends_at end
       returning hits, window_ends_at`,
      [key(bucket), now, windowSeconds],
    );
    return { hits: Number(rows[0].hits), windowEndsAt: new Date(rows[0].window_ends_at) };
  }

  async clear(bucket: string): Promise<void> {
    await this.db.query('delete from rate_limits where bucket = $1', [key(bucket)]);
  }
}
