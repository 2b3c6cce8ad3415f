import type { Db, Queryable } from './db';

/** A delivery leased to this replica: what one attempt needs to go out. */
export interface LeasedDelivery {
  deliveryId: string;
  endpointId: string;
  eventId: string;
  url: string;
  /** Attempts made before this one. */
  attempts: number;
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
  event_id: string;
  url: string;
  attempts: number;
}

/** Candidates read per claimed job: several due deliveries may share one endpoint, and only one of them goes. */
const CANDIDATES_PER_SLOT = 4;

/** A uuid[] literal: the ids are our own uuids, so no element needs quoting. */
function uuidArray(ids: readonly string[]): string {
  return `{${ids.join(',')}}`;
}

/** SQL of the webhook lane (outbox/webhook-lane.ts): leasing due deliveries, and recording each attempt under the lease. */
export class WebhookDeliveryStore {
  constructor(private readonly db: Db) {}

  /**
   * Leases due deliveries of enabled endpoints to `owner`, at most one per endpoint and none of
   * `busyEndpoints`. Rows another replica is claiming right now are skipped (SKIP LOCKED); rows under a
   * live lease are not due.
   */
  async claim(request: { owner: string; limit: number; now: Date; leaseUntil: Date; busyEndpoints: readonly string[] }): Promise<LeasedDelivery[]> {
    return this.db.transaction(async (tx) => {
      const candidates = await tx.query<LeasedRow>(
        `select d.id, d.endpoint_id, d.event_id, e.url, d.attempts
           from webhook_deliveries d
           join webhook_endpoints e on e.id = d.endpoint_id
          where d.status = 'pending' and d.next_attempt_at <= $1
            and (d.lease_until is null or d.lease_until <= $1)
            and e.status = 'enabled'
            and not (d.endpoint_id = any($2::uuid[]))
          order by d.next_attempt_at
          limit $3
          for update of d skip locked`,
        [request.now, uuidArray(request.busyEndpoints), request.limit * CANDIDATES_PER_SLOT],
      );
      const chosen = new Map<string, LeasedRow>();
      for (const row of candidates) {
        if (chosen.size >= request.limit) break;
        if (!chosen.has(row.endpoint_id)) chosen.set(row.endpoint_id, row);
      }
      if (chosen.size === 0) return [];
      const ids = [...chosen.values()].map((row) => row.id);
      await tx.query('update webhook_deliveries set lease_owner = $1, lease_until = $2 where id = any($3::uuid[])', [request.owner, request.leaseUntil, uuidArray(ids)]);
      return [...chosen.values()].map((row) => ({ deliveryId: row.id, endpointId: row.endpoint_id, eventId: row.event_id, url: row.url, attempts: Number(row.attempts) }));
    });
  }

  async event(eventId: string): Promise<OutboundEventBody | undefined> {
    const rows = await this.db.query<{ id: string; type: string; created_at: Date; data: unknown }>('select id, type, created_at, data from outbound_events where id = $1', [eventId]);
    const row = rows[0];
    return row && { id: row.id, type: row.type, createdAt: new Date(row.created_at), data: row.data };
  }

  /** The secrets that sign at `at`: the current one, and a rotated-out one until it expires. Newest first. */
  async liveSecrets(endpointId: string, at: Date): Promise<string[]> {
    const rows = await this.db.query<{ secret: string }>(
      'select secret from webhook_endpoint_secrets where endpoint_id = $1 and (expires_at is null or expires_at > $2) order by created_at desc',
      [endpointId, at],
    );
    return rows.map((row) => row.secret);
  }

  /** Gives the delivery back unattempted, due at `at` (nothing was sent: no attempt is counted). */
  async release(deliveryId: string, owner: string, at: Date): Promise<void> {
    await this.db.query('update webhook_deliveries set lease_owner = null, lease_until = null, next_attempt_at = $3 where id = $1 and lease_owner = $2 and status = $4', [
      deliveryId, owner, at, 'pending',
    ]);
  }

  /**
   * Records an acknowledged attempt and clears the endpoint's run of failures. False when this replica
   * no longer holds the lease (it expired and another took the delivery): then nothing is written.
   */
  async recordSuccess(deliveryId: string, owner: string, attempt: AttemptRecord): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const updated = await tx.query<{ endpoint_id: string }>(
        `update webhook_deliveries set status = 'succeeded', attempts = attempts + 1, lease_owner = null, lease_until = null, updated_at = $3
          where id = $1 and lease_owner = $2 and status = 'pending' returning endpoint_id`,
        [deliveryId, owner, attempt.attemptedAt],
      );
      if (updated.length === 0) return false;
      await this.insertAttempt(tx, deliveryId, attempt);
      await tx.query('update webhook_endpoints set failing_since = null where id = $1 and failing_since is not null', [updated[0].endpoint_id]);
      return true;
    });
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
