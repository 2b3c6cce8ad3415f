import type { WebhookDelivery, WebhookDeliveryAttempt, WebhookEndpoint } from '../domain/webhook-endpoints/webhook-endpoint';
import type { Queryable } from './db';

interface EndpointRow {
  id: string;
  distributor_id: string | null;
  url: string;
  description: string | null;
  event_types: string[] | null;
  status: 'enabled' | 'disabled';
  disabled_reason: 'by_owner' | 'failing' | null;
  failing_since: Date | null;
  created_by: string;
  created_at: Date;
  updated_at: Date;
}

interface DeliveryRow {
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  event_created_at: Date;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: number;
  next_attempt_at: Date;
  created_at: Date;
  updated_at: Date;
}

interface AttemptRow {
  delivery_id: string;
  attempt: number;
  attempted_at: Date;
  status_code: number | null;
  duration_ms: number;
  error: string | null;
}

const COLUMNS = 'id, distributor_id, url, description, event_types, status, disabled_reason, failing_since, created_by, created_at, updated_at';
const DELIVERY_COLUMNS = 'd.id, d.endpoint_id, d.event_id, e.type as event_type, e.created_at as event_created_at, d.status, d.attempts, d.next_attempt_at, d.created_at, d.updated_at';

function toEndpoint(r: EndpointRow): WebhookEndpoint {
  return {
    id: r.id, distributorId: r.distributor_id, url: r.url, description: r.description, eventTypes: r.event_types, status: r.status, disabledReason: r.disabled_reason,
    failingSince: r.failing_since, createdBy: r.created_by, createdAt: r.created_at, updatedAt: r.updated_at,
  };
}

function toDelivery(r: DeliveryRow, attempts: WebhookDeliveryAttempt[]): WebhookDelivery {
  return {
    id: r.id, endpointId: r.endpoint_id, eventId: r.event_id, eventType: r.event_type, eventCreatedAt: r.event_created_at, status: r.status, attemptCount: r.attempts,
    nextAttemptAt: r.next_attempt_at, createdAt: r.created_at, updatedAt: r.updated_at, attempts,
  };
}

/** Which endpoints a list reads: every one (back-office), or one distributor's. */
export type EndpointScope = { kind: 'all' } | { kind: 'distributor'; id: string };

/** Outbound webhook endpoints, their signing secrets, and the delivery log partners read. */
export class WebhookEndpointStore {
  constructor(private readonly db: Queryable) {}

  async insert(tx: Queryable, e: WebhookEndpoint, secret: string): Promise<void> {
    await tx.query(`insert into webhook_endpoints (${COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, [
      e.id, e.distributorId, e.url, e.description, e.eventTypes, e.status, e.disabledReason, e.failingSince, e.createdBy, e.createdAt, e.updatedAt,
    ]);
    await tx.query('insert into webhook_endpoint_secrets (endpoint_id, secret, created_at) values ($1, $2, $3)', [e.id, secret, e.createdAt]);
  }

  async endpoint(id: string, tx: Queryable = this.db, options: { forUpdate?: boolean } = {}): Promise<WebhookEndpoint | undefined> {
    const [row] = await tx.query<EndpointRow>(`select ${COLUMNS} from webhook_endpoints where id = $1${options.forUpdate ? ' for update' : ''}`, [id]);
    return row && toEndpoint(row);
  }

  /** A page in creation order (UUIDv7 ids sort by creation), after the endpoint `after`. */
  async page(scope: EndpointScope, after: string | null, limit: number): Promise<WebhookEndpoint[]> {
    const rows = await this.db.query<EndpointRow>(
      `select ${COLUMNS} from webhook_endpoints
        where ($1::text is null or distributor_id = $1) and ($2::uuid is null or id > $2)
        order by id limit $3`,
      [scope.kind === 'distributor' ? scope.id : null, after, limit],
    );
    return rows.map(toEndpoint);
  }

  async update(tx: Queryable, e: WebhookEndpoint): Promise<void> {
    await tx.query(
      'update webhook_endpoints set url = $2, description = $3, event_types = $4, status = $5, disabled_reason = $6, failing_since = $7, updated_at = $8 where id = $1',
      [e.id, e.url, e.description, e.eventTypes, e.status, e.disabledReason, e.failingSince, e.updatedAt],
    );
  }

  /** Deletes the endpoint; its secrets, deliveries and their attempts go with it (on delete cascade). */
  async delete(tx: Queryable, id: string): Promise<void> {
    await tx.query('delete from webhook_endpoints where id = $1', [id]);
  }

  /**
   * A new current secret; the current one (no expiry yet) keeps signing until `previousUntil`. Secrets
   * are keyed by creation time: two rotations within one clock tick are kept a millisecond apart.
   */
  async rotate(tx: Queryable, endpointId: string, secret: string, at: Date, previousUntil: Date): Promise<void> {
    // Secrets whose overlap has ended sign nothing any more: they go.
    await tx.query('delete from webhook_endpoint_secrets where endpoint_id = $1 and expires_at <= $2', [endpointId, at]);
    await tx.query('update webhook_endpoint_secrets set expires_at = $2 where endpoint_id = $1 and expires_at is null', [endpointId, previousUntil]);
    await tx.query(
      `insert into webhook_endpoint_secrets (endpoint_id, secret, created_at)
       select $1, $2, greatest($3::timestamptz, coalesce(max(created_at) + interval '1 millisecond', $3::timestamptz)) from webhook_endpoint_secrets where endpoint_id = $1`,
      [endpointId, secret, at],
    );
    await tx.query('update webhook_endpoints set updated_at = $2 where id = $1', [endpointId, at]);
  }

  /**
   * The secrets that sign a delivery made at `at`, newest (the current one) first: the current one and
   * any previous one whose overlap has not ended. The dispatcher signs with each (Standard Webhooks
   * lists one signature per secret).
   */
  async signingSecrets(endpointId: string, at: Date, tx: Queryable = this.db): Promise<string[]> {
    const rows = await tx.query<{ secret: string }>(
      'select secret from webhook_endpoint_secrets where endpoint_id = $1 and (expires_at is null or expires_at > $2) order by created_at desc',
      [endpointId, at],
    );
    return rows.map((r) => r.secret);
  }

  /** A page of an endpoint's deliveries, newest first (by id), after the delivery `after`, with their attempts. */
  async deliveries(endpointId: string, after: string | null, limit: number): Promise<WebhookDelivery[]> {
    const rows = await this.db.query<DeliveryRow>(
      `select ${DELIVERY_COLUMNS} from webhook_deliveries d join outbound_events e on e.id = d.event_id
        where d.endpoint_id = $1 and ($2::uuid is null or d.id < $2) order by d.id desc limit $3`,
      [endpointId, after, limit],
    );
    const attempts = await this.attemptsOf(rows.map((r) => r.id), this.db);
    return rows.map((r) => toDelivery(r, attempts.get(r.id) ?? []));
  }

  async delivery(endpointId: string, deliveryId: string, tx: Queryable = this.db, options: { forUpdate?: boolean } = {}): Promise<WebhookDelivery | undefined> {
    const [row] = await tx.query<DeliveryRow>(
      `select ${DELIVERY_COLUMNS} from webhook_deliveries d join outbound_events e on e.id = d.event_id
        where d.id = $1 and d.endpoint_id = $2${options.forUpdate ? ' for update of d' : ''}`,
      [deliveryId, endpointId],
    );
    if (!row) return undefined;
    return toDelivery(row, (await this.attemptsOf([row.id], tx)).get(row.id) ?? []);
  }

  /**
   * Queues a delivery again with a fresh retry budget: pending, due now, `attempts` back to 0. The
   * attempt log stays; the dispatcher numbers a new attempt max(attempt) + 1, so attempt numbers stay
   * unique across replays (the log's primary key is (delivery_id, attempt)). False when an attempt is
   * under way (a lease that has not expired): replaying it then could attempt it twice at once.
   */
  async replay(tx: Queryable, deliveryId: string, at: Date): Promise<boolean> {
    const rows = await tx.query(
      `update webhook_deliveries set status = 'pending', attempts = 0, next_attempt_at = $2, lease_owner = null, lease_until = null, updated_at = $2
        where id = $1 and (lease_until is null or lease_until <= $2) returning id`,
      [deliveryId, at],
    );
    return rows.length === 1;
  }

  /** Wakes the dispatchers of every replica (they LISTEN on `outbox`), once the transaction commits. */
  async wakeDispatchers(tx: Queryable): Promise<void> {
    await tx.query(`select pg_notify('outbox', 'webhook')`);
  }

  private async attemptsOf(deliveryIds: string[], tx: Queryable): Promise<Map<string, WebhookDeliveryAttempt[]>> {
    const byDelivery = new Map<string, WebhookDeliveryAttempt[]>();
    if (deliveryIds.length === 0) return byDelivery;
    const rows = await tx.query<AttemptRow>(
      'select delivery_id, attempt, attempted_at, status_code, duration_ms, error from webhook_delivery_attempts where delivery_id = any($1::uuid[]) order by delivery_id, attempt',
      [deliveryIds],
    );
    for (const r of rows) {
      const list = byDelivery.get(r.delivery_id) ?? [];
      list.push({ attempt: r.attempt, attemptedAt: r.attempted_at, statusCode: r.status_code, durationMs: r.duration_ms, error: r.error });
      byDelivery.set(r.delivery_id, list);
    }
    return byDelivery;
  }
}
