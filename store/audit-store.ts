import type { AuditEntry } from '../domain/shared/audit-trail';
import type { Queryable } from './db';

interface AuditEntryRow {
  id: number;
  at: Date;
  actor_kind: string;
  actor_id: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  request_id: string | null;
  details: Record<string, unknown>;
}

/** The audit log is append-only: the table refuses UPDATE and DELETE (trigger in 001-foundation.sql). */
export class AuditStore {
  constructor(private readonly db: Queryable) {}

  async append(entry: Omit<AuditEntry, 'id'>, tx: Queryable = this.db): Promise<void> {
    await tx.query(
      `insert into audit_log (at, actor_kind, actor_id, action, target_type, target_id, request_id, details)
       values ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [entry.at, entry.actorKind, entry.actorId, entry.action, entry.targetType, entry.targetId, entry.requestId, JSON.stringify(entry.details)],
    );
  }

  async forTarget(targetType: string, targetId: string): Promise<AuditEntry[]> {
    const rows = await this.db.query<AuditEntryRow>(
      'select id, at, actor_kind, actor_id, action, target_type, target_id, request_id, details from audit_log where target_type = $1 and target_id = $2 order by id',
      [targetType, targetId],
    );
    return rows.map((r) => ({
      id: r.id, at: r.at, actorKind: r.actor_kind, actorId: r.actor_id, action: r.action, targetType: r.target_type, targetId: r.target_id, requestId: r.request_id, details: r.details,
    }));
  }
}
