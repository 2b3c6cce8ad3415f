import type { SessionPrincipal } from './principals';

/**
 * Sessions read recently, so an authenticated request costs no database round trip. A logout evicts
 * its session here at once and, through a database notification, in every other replica; the short
 * lifetime bounds the damage should a notification ever be lost (a dropped LISTEN connection).
 */
export class SessionCache {
  private readonly bySession = new Map<string, { row: SessionPrincipal; until: number }>();
  private readonly sessionByCookie = new Map<string, string>();
  /** Sessions evicted within a lifetime: a read that began before the logout must not cache them again. */
  private readonly evicted = new Map<string, number>();

  constructor(
    private readonly lifetimeMs = 30_000,
    private readonly maxEntries = 50_000,
  ) {}

  get(sessionId: string, nowMs: number): SessionPrincipal | undefined {
    const entry = this.bySession.get(sessionId);
    if (!entry) return undefined;
    if (entry.until <= nowMs) {
      this.bySession.delete(sessionId);
      return undefined;
    }
    return entry.row;
  }

  getByCookie(cookieHash: string, nowMs: number): SessionPrincipal | undefined {
    const sessionId = this.sessionByCookie.get(cookieHash);
    return sessionId === undefined ? undefined : this.get(sessionId, nowMs);
  }

  put(row: SessionPrincipal, nowMs: number, cookieHash?: string): void {
    const evictedAt = this.evicted.get(row.id);
    if (evictedAt !== undefined && nowMs - evictedAt < this.lifetimeMs) return;
    if (this.bySession.size >= this.maxEntries) {
      this.bySession.clear();
      this.sessionByCookie.clear();
      this.evicted.clear();
    }
    this.bySession.set(row.id, { row, until: nowMs + this.lifetimeMs });
    if (cookieHash !== undefined) this.sessionByCookie.set(cookieHash, row.id);
  }

  clear(): void {
    this.bySession.clear();
    this.sessionByCookie.clear();
  }

  evict(sessionId: string, nowMs: number = Date.now()): void {
    this.bySession.delete(sessionId);
    if (this.evicted.size >= this.maxEntries) this.evicted.clear();
    this.evicted.set(sessionId, nowMs);
  }
}
