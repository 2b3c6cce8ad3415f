import type { Queryable } from '../../store/db';
import type { AuditStore } from '../../store/audit-store';
import type { Viewer } from '../auth/viewer';
import type { Clock } from './clock';

/** Who did it: a signed-in viewer, or the system itself (a webhook, a scheduled job). */
export type Actor = Viewer | { kind: 'system'; id: string };

export interface AuditEvent {
  actor: Actor;
  /** Verb in the past tense, domain-scoped: `subscription.created`, `iban.made_default`. */
  action: string;
  target: { type: string; id: string | null };
  requestId: string | null;
  /** What changed. Never secrets or full IBANs: callers pass masked values. */
  details?: Record<string, unknown>;
}

/** One line of the append-only audit log, as recorded. */
export interface AuditEntry {
  id: number;
  at: Date;
  actorKind: string;
  actorId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  requestId: string | null;
  details: Record<string, unknown>;
}

/** Services record every write here, inside the write's own transaction (docs/SECURITY.md 21). */
export class AuditTrail {
  constructor(
    private readonly store: AuditStore,
    private readonly clock: Clock,
  ) {}

  record(tx: Queryable, event: AuditEvent): Promise<void> {
    return this.store.append(
      {
        at: this.clock.now(),
        actorKind: event.actor.kind,
        actorId: event.actor.id,
        action: event.action,
        targetType: event.target.type,
        targetId: event.target.id,
        requestId: event.requestId,
        details: event.details ?? {},
      },
      tx,
    );
  }

  history(targetType: string, targetId: string): Promise<AuditEntry[]> {
    return this.store.forTarget(targetType, targetId);
  }
}
