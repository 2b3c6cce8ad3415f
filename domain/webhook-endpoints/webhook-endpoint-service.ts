import { AppError, insufficientRoles, invalidFields } from '../../errors/app-error';
import type { Db } from '../../store/db';
import type { WebhookEndpointStore } from '../../store/webhook-endpoint-store';
import type { Role, Viewer } from '../auth/viewer';
import { notFound } from '../shared/access';
import type { Acting } from '../shared/acting';
import type { AuditTrail } from '../shared/audit-trail';
import type { Clock } from '../shared/clock';
import { isUuid, newUuid } from '../shared/ids';
import { checkPageSize, decodeCursor, encodeCursor } from '../shared/paging';
import { catalogueEntry, EVENT_CATALOGUE, type EventTypeEntry } from './event-catalogue';
import { endpointUrlProblem } from './endpoint-url';
import { newSigningSecret, PREVIOUS_SECRET_OVERLAP_MS } from './signing-secret';
import type { WebhookDelivery, WebhookEndpoint, WebhookEndpointChanges, WebhookEndpointInput, WebhookEndpointWithSecret } from './webhook-endpoint';

/** Who manages endpoints: partner platforms and brokers (their distributor's), back-office (all). */
const MANAGERS: readonly Role[] = ['broker', 'machine', 'backoffice'];
const MAX_DESCRIPTION = 500;

export interface Page<T> {
  rows: T[];
  hasNextPage: boolean;
}

/**
 * Outbound webhook endpoints (docs/WEBHOOKS.md). A broker or a partner platform manages its
 * distributor's endpoints, which receive that distributor's events; back-office manages all, and its
 * own endpoints (no distributor) receive every event. Another distributor's endpoint answers 404 as a
 * missing one; subscribers get 403 before anything is looked up.
 */
export class WebhookEndpointService {
  constructor(
    private readonly db: Db,
    private readonly store: WebhookEndpointStore,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    private readonly production: boolean,
  ) {}

  eventTypes(viewer: Viewer): readonly EventTypeEntry[] {
    owner(viewer);
    return EVENT_CATALOGUE;
  }

  async create({ viewer, requestId }: Acting, input: WebhookEndpointInput): Promise<WebhookEndpointWithSecret> {
    const distributorId = owner(viewer);
    const problems = [...this.urlProblems(input.url), ...eventTypeProblems(input.eventTypes), ...descriptionProblems(input.description)];
    if (problems.length) throw invalidFields(problems);
    const now = this.clock.now();
    const endpoint: WebhookEndpoint = {
      id: newUuid(), distributorId, url: input.url, description: blankToNull(input.description), eventTypes: distinct(input.eventTypes), status: 'enabled',
      disabledReason: null, failingSince: null, createdBy: `${viewer.kind}:${viewer.id}`, createdAt: now, updatedAt: now,
    };
    const secret = newSigningSecret();
    await this.db.transaction(async (tx) => {
      await this.store.insert(tx, endpoint, secret);
      await this.audit.record(tx, { actor: viewer, action: 'webhook_endpoint.created', target: { type: 'webhook_endpoint', id: endpoint.id }, requestId, details: { url: endpoint.url, eventTypes: endpoint.eventTypes, distributorId } });
    });
    return { ...endpoint, secret };
  }

  async list(viewer: Viewer, first: number, after: string | null): Promise<Page<WebhookEndpoint>> {
    const distributorId = owner(viewer);
    checkPageSize(first);
    const scope = distributorId === null ? ({ kind: 'all' } as const) : ({ kind: 'distributor', id: distributorId } as const);
    const rows = await this.store.page(scope, after === null ? null : idOf(after), first + 1);
    return { rows: rows.slice(0, first), hasNextPage: rows.length > first };
  }

  async endpoint(viewer: Viewer, id: string): Promise<WebhookEndpoint> {
    return reached(viewer, await this.store.endpoint(id));
  }

  async update({ viewer, requestId }: Acting, id: string, changes: WebhookEndpointChanges): Promise<WebhookEndpoint> {
    owner(viewer);
    const problems = [
      ...(changes.url !== undefined ? this.urlProblems(changes.url) : []),
      ...eventTypeProblems(changes.eventTypes),
      ...descriptionProblems(changes.description),
    ];
    if (problems.length) throw invalidFields(problems);
    return this.db.transaction(async (tx) => {
      const current = reached(viewer, await this.store.endpoint(id, tx, { forUpdate: true }));
      const next: WebhookEndpoint = { ...current, updatedAt: this.clock.now() };
      if (changes.url !== undefined) next.url = changes.url;
      if (changes.eventTypes !== undefined) next.eventTypes = distinct(changes.eventTypes);
      if (changes.description !== undefined) next.description = blankToNull(changes.description);
      if (changes.enabled === true) Object.assign(next, { status: 'enabled', disabledReason: null, failingSince: null });
      // Disabling an endpoint the service disabled for failing keeps that reason: the owner knows why.
      if (changes.enabled === false && current.status === 'enabled') Object.assign(next, { status: 'disabled', disabledReason: 'by_owner' });
      await this.store.update(tx, next);
      await this.audit.record(tx, {
        actor: viewer, action: 'webhook_endpoint.updated', target: { type: 'webhook_endpoint', id }, requestId,
        details: { url: next.url, eventTypes: next.eventTypes, status: next.status, previousStatus: current.status },
      });
      return next;
    });
  }

  async delete({ viewer, requestId }: Acting, id: string): Promise<string> {
    owner(viewer);
    return this.db.transaction(async (tx) => {
      const current = reached(viewer, await this.store.endpoint(id, tx, { forUpdate: true }));
      await this.store.delete(tx, current.id);
      await this.audit.record(tx, { actor: viewer, action: 'webhook_endpoint.deleted', target: { type: 'webhook_endpoint', id }, requestId, details: { url: current.url } });
      return current.id;
    });
  }

  /** A new current secret; the previous one keeps signing beside it for 24 hours (docs/WEBHOOKS.md). */
  async rotateSecret({ viewer, requestId }: Acting, id: string): Promise<WebhookEndpointWithSecret> {
    owner(viewer);
    const secret = newSigningSecret();
    return this.db.transaction(async (tx) => {
      const current = reached(viewer, await this.store.endpoint(id, tx, { forUpdate: true }));
      const now = this.clock.now();
      const previousUntil = new Date(now.getTime() + PREVIOUS_SECRET_OVERLAP_MS);
      await this.store.rotate(tx, current.id, secret, now, previousUntil);
      // Never the secret itself in the audit trail.
      await this.audit.record(tx, { actor: viewer, action: 'webhook_endpoint.secret_rotated', target: { type: 'webhook_endpoint', id }, requestId, details: { previousExpiresAt: previousUntil.toISOString() } });
      return { ...current, updatedAt: now, secret };
    });
  }

  async deliveries(viewer: Viewer, endpointId: string, first: number, after: string | null): Promise<Page<WebhookDelivery>> {
    checkPageSize(first);
    const endpoint = reached(viewer, await this.store.endpoint(endpointId));
    const rows = await this.store.deliveries(endpoint.id, after === null ? null : idOf(after), first + 1);
    return { rows: rows.slice(0, first), hasNextPage: rows.length > first };
  }

  /**
   * Queues a delivery again, whatever its status, with a fresh retry budget; its attempt log is kept.
   * 409 while an attempt of it is under way, or while the endpoint is disabled (enable it first).
   */
  async replay({ viewer, requestId }: Acting, endpointId: string, deliveryId: string): Promise<WebhookDelivery> {
    owner(viewer);
    return this.db.transaction(async (tx) => {
      const endpoint = reached(viewer, await this.store.endpoint(endpointId, tx));
      const delivery = await this.store.delivery(endpoint.id, deliveryId, tx, { forUpdate: true });
      if (!delivery) throw notFound('webhook_delivery');
      if (endpoint.status !== 'enabled') throw new AppError('conflict', 'WEBHOOK_ENDPOINT_DISABLED');
      const now = this.clock.now();
      if (!(await this.store.replay(tx, delivery.id, now))) throw new AppError('conflict', 'WEBHOOK_DELIVERY_IN_FLIGHT');
      await this.audit.record(tx, { actor: viewer, action: 'webhook_delivery.replayed', target: { type: 'webhook_delivery', id: delivery.id }, requestId, details: { endpointId: endpoint.id, eventId: delivery.eventId, previousStatus: delivery.status } });
      await this.store.wakeDispatchers(tx);
      return { ...delivery, status: 'pending', attemptCount: 0, nextAttemptAt: now, updatedAt: now };
    });
  }

  /** The opaque cursor of an endpoint or a delivery in its list (by id). */
  static cursorOf(row: { id: string }): string {
    return encodeCursor([row.id]);
  }

  private urlProblems(url: string): Array<{ field: string; reason: string }> {
    const problem = endpointUrlProblem(url, this.production);
    return problem ? [{ field: 'url', reason: problem }] : [];
  }
}

/**
 * The distributor whose endpoints the viewer manages (null: back-office, all of them); 403 for anyone
 * else. A broker or a partner without a distributor has nothing to manage.
 */
function owner(viewer: Viewer): string | null {
  if (!MANAGERS.includes(viewer.kind)) throw insufficientRoles();
  if (viewer.kind === 'backoffice') return null;
  if (viewer.distributorId === null) throw insufficientRoles();
  return viewer.distributorId;
}

/** The endpoint if the viewer manages it; another distributor's answers 404, as a missing one. */
function reached(viewer: Viewer, endpoint: WebhookEndpoint | undefined): WebhookEndpoint {
  const distributorId = owner(viewer);
  if (!endpoint || (distributorId !== null && endpoint.distributorId !== distributorId)) throw notFound('webhook_endpoint');
  return endpoint;
}

function eventTypeProblems(types: string[] | null | undefined): Array<{ field: string; reason: string }> {
  if (types === undefined || types === null) return [];
  if (types.length === 0) return [{ field: 'eventTypes', reason: 'EVENT_TYPES_EMPTY' }];
  return types.flatMap((type, i) => (catalogueEntry(type) ? [] : [{ field: `eventTypes.${i}`, reason: 'UNKNOWN_EVENT_TYPE' }]));
}

function descriptionProblems(description: string | null | undefined): Array<{ field: string; reason: string }> {
  return description && description.length > MAX_DESCRIPTION ? [{ field: 'description', reason: 'TOO_LONG' }] : [];
}

function distinct(types: string[] | null | undefined): string[] | null {
  return types ? [...new Set(types)] : null;
}

function blankToNull(text: string | null | undefined): string | null {
  const trimmed = text?.trim();
  return trimmed ? trimmed : null;
}

function idOf(cursor: string): string {
  const [id] = decodeCursor(cursor, 1);
  if (!isUuid(id)) throw new AppError('parameter_invalid', 'INVALID_CURSOR', { field: 'after' });
  return id;
}
