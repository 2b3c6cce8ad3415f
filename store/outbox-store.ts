import { OUTBOX_CHANNEL } from '../outbox/dispatcher';
import type { Queryable } from './db';
import { wakeAfterCommit } from './wake-ups';

export interface OutboxMessage {
  recipientUserId: string | null;
  channel: 'email' | 'sms';
  template: string;
  payload: Record<string, unknown>;
}

/** The name the e-mail lane listens for on the outbox channel. */
export const EMAIL_LANE = 'email';

export type MailStatus = 'pending' | 'sent' | 'failed';

/** A message of the e-mailing route (POST /v1/emailing/messages), as stored. */
export interface QueuedEmail {
  id: string;
  from: string;
  to: string;
  subject: string;
  templateName: string;
  variables: Record<string, unknown>;
  requestedBy: string;
  idempotencyKey: string | null;
  status: MailStatus;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: Date | null;
  createdAt: Date;
  sentAt: Date | null;
}

/** One outbox row claimed for sending, with the address it goes to (null: none could be found). */
export interface ClaimedMail {
  rowId: string;
  channel: 'email' | 'sms';
  template: string;
  payload: Record<string, unknown>;
  /** From the e-mailing route; null for the domain's notifications (the default sender, the template's subject). */
  sender: string | null;
  subject: string | null;
  recipient: string | null;
  attempts: number;
}

/** How an attempt ended, recorded under the lease that made it. */
export type MailOutcome = { kind: 'sent' } | { kind: 'retry'; at: Date; error: string } | { kind: 'failed'; error: string };

// Named, never `*`: a prepared statement (store/pg-db.ts) whose columns a migration changed fails on a running replica.
const QUEUED_COLUMNS = 'message_id, sender, subject, template, payload, requested_by, idempotency_key, status, attempts, last_error, next_attempt_at, created_at, sent_at';

interface QueuedRow {
  message_id: string;
  sender: string;
  subject: string;
  template: string;
  payload: { to: string; variables: Record<string, unknown> };
  requested_by: string;
  idempotency_key: string | null;
  status: MailStatus;
  attempts: number;
  last_error: string | null;
  next_attempt_at: Date;
  created_at: Date;
  sent_at: Date | null;
}

const toQueued = (row: QueuedRow): QueuedEmail => ({
  id: row.message_id,
  from: row.sender,
  to: row.payload.to,
  subject: row.subject,
  templateName: row.template,
  variables: row.payload.variables,
  requestedBy: row.requested_by,
  idempotencyKey: row.idempotency_key,
  status: row.status,
  attempts: row.attempts,
  lastError: row.last_error,
  nextAttemptAt: row.status === 'pending' ? new Date(row.next_attempt_at) : null,
  createdAt: new Date(row.created_at),
  sentAt: row.sent_at ? new Date(row.sent_at) : null,
});

/**
 * Notifications are written in the transaction of the change that causes them; the e-mail lane
 * (outbox/email-lane.ts) sends them after it commits, woken by the NOTIFY sent here.
 */
export class OutboxStore {
  async enqueue(tx: Queryable, message: OutboxMessage, at: Date): Promise<void> {
    await tx.query('insert into notification_outbox (created_at, next_attempt_at, recipient_user_id, channel, template, payload) values ($1, $1, $2, $3, $4, $5)', [
      at, message.recipientUserId, message.channel, message.template, JSON.stringify(message.payload),
    ]);
    await notify(tx);
  }

  /** Queues a message of the e-mailing route; false when the caller already used the key (nothing written). */
  async queueEmail(tx: Queryable, message: QueuedEmail): Promise<boolean> {
    const rows = await tx.query(
      `insert into notification_outbox (created_at, next_attempt_at, recipient_user_id, channel, template, payload, message_id, sender, subject, requested_by, idempotency_key)
       values ($1, $1, null, 'email', $2, $3, $4, $5, $6, $7, $8)
       on conflict (requested_by, idempotency_key) do nothing returning id`,
      [message.createdAt, message.templateName, JSON.stringify({ to: message.to, variables: message.variables }), message.id, message.from, message.subject, message.requestedBy, message.idempotencyKey],
    );
    if (rows.length === 0) return false;
    await notify(tx);
    return true;
  }

  async queuedEmail(tx: Queryable, id: string): Promise<QueuedEmail | undefined> {
    const [row] = await tx.query<QueuedRow>(`select ${QUEUED_COLUMNS} from notification_outbox where message_id = $1`, [id]);
    return row ? toQueued(row) : undefined;
  }

  /**
   * Leases up to `limit` due messages to `owner` (skipping rows another replica is claiming), with the
   * address each goes to: the payload's `to` for e-mail, else the recipient's own address (their
   * subscriber profile's, else their login's). `sms` rows are claimed too: with no SMS provider, the
   * code they carry goes to the person's e-mail address (docs/EMAIL.md), never to the phone in `to`.
   */
  async claimMail(tx: Queryable, request: { owner: string; limit: number; now: Date; leaseUntil: Date }): Promise<ClaimedMail[]> {
    const rows = await tx.query<{ id: string; channel: 'email' | 'sms'; template: string; payload: Record<string, unknown>; sender: string | null; subject: string | null; attempts: number; recipient: string | null }>(
      `with due as (
         select id from notification_outbox
         where status = 'pending' and channel in ('email', 'sms') and next_attempt_at <= $3 and (lease_until is null or lease_until <= $3)
         order by next_attempt_at, id
         limit $4
         for update skip locked
       ), leased as (
         update notification_outbox o set lease_owner = $1, lease_until = $2 from due where o.id = due.id
         returning o.id, o.channel, o.template, o.payload, o.sender, o.subject, o.attempts, o.recipient_user_id, o.next_attempt_at
       )
       select l.id::text as id, l.channel, l.template, l.payload, l.sender, l.subject, l.attempts,
              case when l.channel = 'email' and jsonb_typeof(l.payload->'to') = 'string' then l.payload->>'to' else coalesce(s.email, u.email) end as recipient
       from leased l left join users u on u.id = l.recipient_user_id left join subscribers s on s.user_id = l.recipient_user_id
       order by l.next_attempt_at, l.id`,
      [request.owner, request.leaseUntil, request.now, request.limit],
    );
    return rows.map((row) => ({ rowId: row.id, channel: row.channel, template: row.template, payload: row.payload, sender: row.sender, subject: row.subject, recipient: row.recipient, attempts: row.attempts }));
  }

  /** Records an attempt's outcome if `owner` still holds the lease; false when it does not (nothing changed). */
  async recordMail(tx: Queryable, rowId: string, owner: string, outcome: MailOutcome, at: Date): Promise<boolean> {
    const status = outcome.kind === 'retry' ? 'pending' : outcome.kind;
    const rows = await tx.query(
      `update notification_outbox set status = $3, attempts = attempts + 1, sent_at = $4, next_attempt_at = coalesce($5, next_attempt_at), last_error = $6, lease_owner = null, lease_until = null
       where id = $1 and lease_owner = $2 and status = 'pending' returning id`,
      [rowId, owner, status, outcome.kind === 'sent' ? at : null, outcome.kind === 'retry' ? outcome.at : null, outcome.kind === 'sent' ? null : outcome.error],
    );
    return rows.length === 1;
  }
}

/** Wakes the e-mail lane of every replica once the transaction commits. */
function notify(tx: Queryable): Promise<void> {
  return wakeAfterCommit(tx, OUTBOX_CHANNEL, EMAIL_LANE);
}
