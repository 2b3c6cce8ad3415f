import type { Queryable } from './db';

export class WebhookStore {
  /** Records a delivery; false when this (source, webhook-id) was seen before. */
  async recordOnce(tx: Queryable, event: { source: string; id: string; type: string; receivedAt: Date; handled: boolean }): Promise<boolean> {
    const rows = await tx.query(
      `insert into webhook_events (source, webhook_id, event_type, received_at, handled)
       values ($1, $2, $3, $4, $5) on conflict (source, webhook_id) do nothing returning webhook_id`,
      [event.source, event.id, event.type, event.receivedAt, event.handled],
    );
    return rows.length > 0;
  }
}
