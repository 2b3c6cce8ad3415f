import type { DomainEvent, EventPublisher } from '../domain/shared/events';
import { newEventId, newUuid } from '../domain/shared/ids';
import type { Queryable } from './db';
import { wakeAfterCommit } from './wake-ups';

/** An event waiting for its `data`: what the renderer needs to read the resource. */
export interface UnrenderedEvent {
  id: string;
  type: string;
  distributorId: string | null;
  resource: Record<string, string>;
  createdAt: Date;
}

/**
 * The store side of the EventPublisher port: the event and one pending delivery per endpoint that
 * takes it, in the transaction of the change, then a NOTIFY that wakes the dispatchers once it has
 * committed, never for a rolled-back change (store/wake-ups.ts).
 */
export class WebhookEventStore implements EventPublisher {
  constructor(private readonly db: Queryable) {}

  async publish(tx: Queryable, event: DomainEvent, at: Date): Promise<string> {
    const id = newEventId(at);
    await tx.query('insert into outbound_events (id, type, created_at, distributor_id, resource) values ($1, $2, $3, $4, $5)', [id, event.type, at, event.distributorId, JSON.stringify(event.resource)]);
    // Endpoints enabled now that take this event: the distributor's and back-office's (no distributor),
    // subscribed to every type (null) or to this one.
    const endpoints = await tx.query<{ id: string }>(
      `select id from webhook_endpoints
        where status = 'enabled' and (distributor_id is null or distributor_id = $1) and (event_types is null or $2 = any(event_types))
        order by id`,
      [event.distributorId, event.type],
    );
    if (endpoints.length > 0) {
      await tx.query(
        `insert into webhook_deliveries (id, event_id, endpoint_id, status, attempts, next_attempt_at, created_at, updated_at)
         select d.id, $1, d.endpoint_id, 'pending', 0, $2, $2, $2 from unnest($3::uuid[], $4::uuid[]) as d(id, endpoint_id)`,
        [id, at, endpoints.map(() => newUuid()), endpoints.map((e) => e.id)],
      );
    }
    await wakeAfterCommit(tx, 'outbox', 'webhook');
    return id;
  }

  /** Events whose `data` is not rendered yet, oldest first. */
  async unrendered(limit: number): Promise<UnrenderedEvent[]> {
    const rows = await this.db.query<{ id: string; type: string; distributor_id: string | null; resource: Record<string, string>; created_at: Date }>(
      'select id, type, distributor_id, resource, created_at from outbound_events where rendered_at is null order by created_at, id limit $1',
      [limit],
    );
    return rows.map((r) => ({ id: r.id, type: r.type, distributorId: r.distributor_id, resource: r.resource, createdAt: r.created_at }));
  }

  async event(id: string): Promise<(UnrenderedEvent & { data: unknown; renderedAt: Date | null }) | undefined> {
    const [r] = await this.db.query<{ id: string; type: string; distributor_id: string | null; resource: Record<string, string>; created_at: Date; data: unknown; rendered_at: Date | null }>(
      'select id, type, distributor_id, resource, created_at, data, rendered_at from outbound_events where id = $1',
      [id],
    );
    return r && { id: r.id, type: r.type, distributorId: r.distributor_id, resource: r.resource, createdAt: r.created_at, data: r.data, renderedAt: r.rendered_at };
  }

  /** Keeps the first rendering only: every delivery and retry of an event sends the same body. */
  async saveRendering(id: string, data: unknown, at: Date): Promise<boolean> {
    const rows = await this.db.query('update outbound_events set data = $2, rendered_at = $3 where id = $1 and rendered_at is null returning id', [id, JSON.stringify(data), at]);
    return rows.length === 1;
  }
}
