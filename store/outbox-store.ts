import type { Queryable } from './db';

export interface OutboxMessage {
  recipientUserId: string | null;
  channel: 'email' | 'sms';
  template: string;
  payload: Record<string, unknown>;
}

/** Notifications are written in the transaction of the change that causes them; a sender delivers them later. */
export class OutboxStore {
  async enqueue(tx: Queryable, message: OutboxMessage, at: Date): Promise<void> {
    await tx.query('insert into notification_outbox (created_at, next_attempt_at, recipient_user_id, channel, template, payload) values ($1, $1, $2, $3, $4, $5)', [
      at, message.recipientUserId, message.channel, message.template, JSON.stringify(message.payload),
    ]);
  }
}
