import type { Db, Queryable } from './db';

/** A delivery leased to this replica, with all one attempt needs to go out. */
export interface LeasedDelivery {
  deliveryId: string;
  endpointId: string;
  url: string;
  /** Attempts made before this one. */
  attempts: number;
  event: OutboundEventBody;
  /** The endpoint's secrets live at the claim, newest first (two during a rotation). */
  secrets: string[];
}

/** An outbound event as it is sent; `data` null until the renderer has filled it. */
export interface OutboundEventBody {
  id: string;
  type: string;
  createdAt: Date;
  data: unknown;
}

export interface AttemptRecord {
  attemptedAt: Date;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
}

/** An endpoint switched off because it kept failing, with whom to tell. */
export interface DisabledEndpoint {
  endpointId: string;
  url: string;
  distributorId: string | null;
  failingSince: Date;
  /** The endpoint's creator when a person, else a broker of its distributor, else a back-office user. */
  ownerUserId: string | null;
}

interface LeasedRow {
  id: string;
  endpoint_id: string;
  url: string;
  attempts: number;
  event_id: string;
  type: string;
  created_at: Date;
  data: unknown;
  secrets: string[] | null;
}

/** A uuid[] literal: the ids are our own uuids, so no element needs quoting. */
function uuidArray(ids: readonly string[]): string {
  return `{${ids.join(',')}}`;
}

/** SQL of the webhook lane (outbox/webhook-lane.ts): leasing due deliveries, and recording each attempt under the lease. */
export class WebhookDeliveryStore {
  constructor(private readonly db: Db) {}

  /**
   * Leases due deliveries of enabled endpoints to `owner`: those of at most `endpoints` endpoints, none
   * of `busyEndpoints`, at most `perEndpoint` each (the oldest due first), and reads what their attempts
   * send. One statement (its own transaction): rows another replica is claiming right now are skipped
   * (SKIP LOCKED); rows under a live lease are not due. Answers in due order within each endpoint.
   */
  async claim(request: { owner: string; endpoints: number; perEndpoint: number; now: Date; leaseUntil: Date; busyEndpoints: readonly string[] }): Promise<LeasedDelivery[]> {
    // Enough candidates for every endpoint asked, even when one endpoint's backlog comes first.
    const candidates = request.endpoints * request.perEndpoint + request.endpoints * 4;
    const rows = await this.db.query<LeasedRow>(
      `with candidates as (
         select d.id, d.endpoint_id, d.next_attempt_at
           from webhook_deliveries d
           join webhook_endpoints e on e.id = d.endpoint_id
          where d.status = 'pending' and d.next_attempt_at <= $1
            and (d.lease_until is null or d.lease_until <= $1)
            and e.status = 'enabled'
            and not (d.endpoint_id = any($2::uuid[]))
          order by d.next_attempt_at
          limit $3
          for update of d skip locked
       ), ranked as (
         select id, endpoint_id, next_attempt_at, row_number() over (partition by endpoint_id order by next_attempt_at, id) as n from candidates
       ), first_endpoints as (
         select endpoint_id from ranked where n = 1 order by next_attempt_at limit $4
       ), chosen as (
         select r.id from ranked r join first_endpoints f on f.endpoint_id = r.endpoint_id where r.n <= $5
       ), leased as (
         update webhook_deliveries d set lease_owner = $6, lease_until = $7
           from chosen c where d.id = c.id
         returning d.id, d.endpoint_id, d.event_id, d.attempts, d.next_attempt_at
       )
       select l.id, l.endpoint_id, e.url, l.attempts, v.id as event_id, v.type, v.created_at, v.data,
              (select array_agg(s.secret order by s.created_at desc) from webhook_endpoint_secrets s
                where s.endpoint_id = l.endpoint_id and (s.expires_at is null or s.expires_at > $1)) as secrets
         from leased l
         join webhook_endpoints e on e.id = l.endpoint_id
         join outbound_events v on v.id = l.event_id
        order by l.endpoint_id, l.next_attempt_at, l.id`,
      [request.now, uuidArray(request.busyEndpoints), candidates, request.endpoints, request.perEndpoint, request.owner, request.leaseUntil],
    );
    return rows.map((row) => ({
      deliveryId: row.id,
      endpointId: row.endpoint_id,
      url: row.url,
      attempts: Number(row.attempts),
      event: { id: row.event_id, type: row.type, createdAt: new Date(row.created_at), data: row.data },
      secrets: row.secrets ?? [],
    }));
  }

  async event(eventId: string): Promise<OutboundEventBody | undefined> {
    const rows = await this.db.query<{ id: string; type: string; created_at: Date; data: unknown }>('select id, type, created_at, data from outbound_events where id = $1', [eventId]);
    const row = rows[0];
    return row && { id: row.id, type: row.type, createdAt: new Date(row.created_at), data: row.data };
  }

  /** Gives deliveries back unattempted (nothing was sent: no attempt is counted), due at `at` or when they were. */
  async release(deliveryIds: readonly string[], owner: string, at?: Date): Promise<void> {
    if (deliveryIds.length === 0) return;
    await this.db.query(
      `update webhook_deliveries set lease_owner = null, lease_until = null, next_attempt_at = coalesce($3::timestamptz, next_attempt_at)
        where id = any($1::uuid[]) and lease_owner = $2 and status = 'pending'`,
      [uuidArray(deliveryIds), owner, at ?? null],
    );
  }

  /**
   * Records an acknowledged attempt and clears the endpoint's run of failures. False when this replica
   * no longer holds the lease (it expired and another took the delivery): then nothing is written.
   */
  async recordSuccess(deliveryId: string, owner: string, attempt: AttemptRecord): Promise<boolean> {
    // One statement, atomic on its own: the commonest write of the lane, kept to one round trip.
    const rows = await this.db.query<{ id: string }>(
      `with done as (
         update webhook_deliveries set status = 'succeeded', attempts = attempts + 1, lease_owner = null, lease_until = null, updated_at = $3
          where id = $1 and lease_owner = $2 and status = 'pending' returning id, endpoint_id
       ), logged as (
         insert into webhook_delivery_attempts (delivery_id, attempt, attempted_at, status_code, duration_ms, error)
         select done.id, (select coalesce(max(attempt), 0) + 1 from webhook_delivery_attempts where delivery_id = $1), $3, $4, $5, null from done
       ), recovered as (
         update webhook_endpoints set failing_since = null where id = (select endpoint_id from done) and failing_since is not null
       )
       select id from done`,
      [deliveryId, owner, attempt.attemptedAt, attempt.statusCode, attempt.durationMs],
    );
    return rows.length > 0;
  }

  /**
   * Records a failed attempt: due again at `nextAttemptAt`, or `failed` when null. The endpoint's run of
   * failures starts now unless one is running; when it began at or before `disableIfFailingSince` the
   * endpoint is disabled (reason `failing`) in the same transaction, and `disabled` says so once, to the
   * replica that disabled it, which `onDisabled` lets write its notification in that transaction too.
   */
  async recordFailure(
    deliveryId: string,
    owner: string,
    attempt: AttemptRecord,
    nextAttemptAt: Date | null,
    disableIfFailingSince: Date,
    onDisabled: (tx: Queryable, endpoint: DisabledEndpoint) => Promise<void>,
  ): Promise<{ recorded: boolean; disabled?: DisabledEndpoint }> {
    return this.db.transaction(async (tx) => {
      const updated = await tx.query<{ endpoint_id: string }>(
        `update webhook_deliveries
            set status = $3, attempts = attempts + 1, next_attempt_at = coalesce($4, next_attempt_at),
                lease_owner = null, lease_until = null, updated_at = $5
          where id = $1 and lease_owner = $2 and status = 'pending' returning endpoint_id`,
        [deliveryId, owner, nextAttemptAt ? 'pending' : 'failed', nextAttemptAt, attempt.attemptedAt],
      );
      if (updated.length === 0) return { recorded: false };
      await this.insertAttempt(tx, deliveryId, attempt);
      const endpointId = updated[0].endpoint_id;
      await tx.query('update webhook_endpoints set failing_since = $2 where id = $1 and failing_since is null', [endpointId, attempt.attemptedAt]);
      const disabled = await tx.query<{ id: string; url: string; distributor_id: string | null; failing_since: Date; created_by: string }>(
        `update webhook_endpoints set status = 'disabled', disabled_reason = 'failing', updated_at = $3
          where id = $1 and status = 'enabled' and failing_since <= $2
          returning id, url, distributor_id, failing_since, created_by`,
        [endpointId, disableIfFailingSince, attempt.attemptedAt],
      );
      const row = disabled[0];
      if (!row) return { recorded: true };
      const endpoint: DisabledEndpoint = {
        endpointId: row.id,
        url: row.url,
        distributorId: row.distributor_id,
        failingSince: new Date(row.failing_since),
        ownerUserId: await this.ownerOf(tx, row.created_by, row.distributor_id),
      };
      await onDisabled(tx, endpoint);
      return { recorded: true, disabled: endpoint };
    });
  }

  private async insertAttempt(tx: Queryable, deliveryId: string, attempt: AttemptRecord): Promise<void> {
    await tx.query(
      `insert into webhook_delivery_attempts (delivery_id, attempt, attempted_at, status_code, duration_ms, error)
       select $1, coalesce(max(attempt), 0) + 1, $2, $3, $4, $5 from webhook_delivery_attempts where delivery_id = $1`,
      [deliveryId, attempt.attemptedAt, attempt.statusCode, attempt.durationMs, attempt.error],
    );
  }

  /** Who hears that an endpoint was disabled: its creator if a person (not a subscriber), else the distributor's broker, else back-office. */
  private async ownerOf(tx: Queryable, createdBy: string, distributorId: string | null): Promise<string | null> {
    const rows = await tx.query<{ id: string }>(
      `select id from users
        where (id = $1 and kind <> 'subscriber')
           or (kind = 'broker' and distributor_id = $2)
           or kind = 'backoffice'
        order by case when id = $1 then 0 when kind = 'broker' then 1 else 2 end, created_at, id
        limit 1`,
      [createdBy, distributorId],
    );
    return rows[0]?.id ?? null;
  }
}
