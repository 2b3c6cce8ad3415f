import { AsyncLocalStorage } from 'node:async_hooks';
import type { Queryable } from './db';

/**
 * NOTIFY wake-ups (the outbox's lanes) sent once the transaction that made the work has committed.
 *
 * Why not a NOTIFY inside the transaction: PostgreSQL serialises the commits of every transaction that
 * notified, each holding one database-wide lock through its WAL flush, so a write that notifies can
 * only commit one at a time with all the others (on a loaded server, half the writes per second). A
 * wake-up is only a hint: the dispatchers also poll (OUTBOX_POLL_MS), so one lost between the commit
 * and its NOTIFY (the process died there) costs a poll's delay, never a message. A wake-up asked in a
 * savepoint that is then rolled back is still sent: a dispatcher that wakes for nothing finds nothing.
 */
interface Collected {
  /** `channel` NUL `payload`, each once. */
  wakeUps: Set<string>;
  /** False once the transaction has ended: work it left running then notifies at once. */
  open: boolean;
}
const pending = new AsyncLocalStorage<Collected>();

/** Runs a transaction's body so that the wake-ups it asks for are kept for `sendWakeUps`. */
export function collectWakeUps<T>(work: () => Promise<T>): { result: Promise<T>; collected: Collected } {
  const collected: Collected = { wakeUps: new Set(), open: true };
  return { result: pending.run(collected, work), collected };
}

/** Sends a transaction's wake-ups, in one round trip, once it has committed (or drops them when it has not). */
export async function sendWakeUps(db: Queryable, collected: Collected, committed: boolean): Promise<void> {
  collected.open = false;
  if (!committed || collected.wakeUps.size === 0) return;
  const wakeUps = [...collected.wakeUps].map((w) => w.split('\0'));
  const [channels, payloads] = [wakeUps.map(([channel]) => channel), wakeUps.map(([, payload]) => payload)];
  await db.query('select pg_notify(n.channel, n.payload) from unnest($1::text[], $2::text[]) as n(channel, payload)', [channels, payloads]);
}

/**
 * Wakes `channel`'s listeners with `payload` once the work is committed: after the commit inside a
 * transaction that collects wake-ups (PostgreSQL's), otherwise by a NOTIFY in `tx`, which PostgreSQL
 * delivers at commit (PGlite, one connection, has no commits to serialise).
 */
export async function wakeAfterCommit(tx: Queryable, channel: string, payload: string): Promise<void> {
  const collected = pending.getStore();
  if (collected?.open) collected.wakeUps.add(`${channel}\0${payload}`);
  else await tx.query('select pg_notify($1, $2)', [channel, payload]);
}
