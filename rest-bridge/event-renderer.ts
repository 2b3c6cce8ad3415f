import type { GraphQLSchema } from 'graphql';
import { createLoaders } from '../context/loaders';
import type { RequestContext, Services } from '../context/context';
import { SessionCookie } from '../context/session-cookie';
import type { Role, Viewer } from '../domain/auth/viewer';
import type { Clock } from '../domain/shared/clock';
import { newRequestId } from '../domain/shared/ids';
import { EVENT_CATALOGUE } from '../domain/webhook-endpoints/event-catalogue';
import { CATALOG } from '../errors/catalog';
import type { ExecutionPipeline } from '../execution/pipeline';
import type { Logger } from '../http/logger';
import { accessOf } from '../schema/access';
import type { UnrenderedEvent, WebhookEventStore } from '../store/webhook-event-store';
import { loadOperations, type PreparedOperation } from './operations';
import type { Route } from './route';

export interface EventRendererDeps {
  schema: GraphQLSchema;
  pipeline: ExecutionPipeline;
  routes: readonly Route[];
  services: Services;
  store: Pick<WebhookEventStore, 'unrendered' | 'event' | 'saveRendering'>;
  clock: Clock;
  logger: Logger;
}

/** A catalogue read, prepared: its route's path parameters and its named query. */
interface Read {
  params: string[];
  operation: PreparedOperation;
  roles: readonly Role[] | null;
}

/**
 * Fills an event's `data` with its resource as the REST read the catalogue names returns it: that
 * route's named query, run on the execution pipeline like any request, so the event carries exactly
 * what the partner would read (docs/WEBHOOKS.md). Once per event: retries and replays send the same body.
 *
 * It reads as the event's audience, never as anyone who could call us. The viewer is made here and
 * nowhere else, never from credentials, so no HTTP request can obtain it; and it is fail-closed: a
 * distributor's event is read as a partner of that distributor (its object-level checks and its
 * masking: a partner sees masked IBANs, so an event never tells a partner more than its own read
 * would), a direct subscriber's event (no distributor, back-office endpoints only) as back-office.
 * A resource that this reader cannot see renders as null rather than as someone else's data.
 */
export class EventRenderer {
  private readonly reads = new Map<string, Read[]>();
  private running: Promise<number> | undefined;
  private again = false;

  constructor(private readonly deps: EventRendererDeps) {
    const operations = loadOperations(deps.schema);
    for (const entry of EVENT_CATALOGUE) {
      this.reads.set(entry.type, entry.reads.map((key) => this.prepare(key, operations)));
    }
  }

  /**
   * Renders the events still without `data`, oldest first, at most `limit`; resolves with how many were
   * rendered. Calls made while one runs share its pass, then one more pass runs. The dispatcher calls
   * this before it delivers; the app calls it whenever a change NOTIFYs `outbox` `webhook`.
   */
  renderPending(limit = 100): Promise<number> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      let rendered = 0;
      do {
        this.again = false;
        for (const event of await this.deps.store.unrendered(limit)) if (await this.renderEvent(event)) rendered += 1;
      } while (this.again);
      return rendered;
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Waits for the pass under way, if any (before the database closes). */
  async settle(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  /** Renders one event now unless it already is; true when its `data` is set (now or before). */
  async render(eventId: string): Promise<boolean> {
    const event = await this.deps.store.event(eventId);
    if (!event) return false;
    return event.renderedAt !== null || (await this.renderEvent(event));
  }

  /** One event's rendering; false (left for a later pass) when our side failed. */
  private async renderEvent(event: UnrenderedEvent): Promise<boolean> {
    const read = this.reads.get(event.type)?.find((r) => sameKeys(r.params, event.resource));
    if (!read) {
      this.deps.logger.error('event names no read of its type', { eventId: event.id, type: event.type, resource: event.resource });
      return this.deps.store.saveRendering(event.id, null, this.deps.clock.now());
    }
    const viewer = readerOf(event.distributorId, read.roles);
    if (!viewer) {
      this.deps.logger.error('no reader may read this event type for a distributor', { eventId: event.id, type: event.type });
      return this.deps.store.saveRendering(event.id, null, this.deps.clock.now());
    }
    const outcome = await this.deps.pipeline.run({ document: read.operation.document, variables: { ...event.resource } }, this.context(viewer));
    const failures = outcome.errors.map((e) => e.error);
    if (failures.some((e) => CATALOG[e.code].status >= 500)) {
      this.deps.logger.error('event rendering failed; retried on the next pass', { eventId: event.id, reasons: failures.map((e) => e.reason) });
      return false;
    }
    const data = failures.length ? null : (outcome.data?.[read.operation.rootField] ?? null);
    await this.deps.store.saveRendering(event.id, data, this.deps.clock.now());
    return true;
  }

  private context(viewer: Viewer): RequestContext {
    const services = this.deps.services;
    return {
      requestId: newRequestId(),
      viewer,
      authFailure: null,
      address: 'internal',
      certificateSerial: undefined,
      credentials: {},
      services,
      sessionCookie: new SessionCookie(true),
      response: { cookies: [] },
      loaders: createLoaders(services, viewer),
    };
  }

  /** A catalogue read's route and query; a read that is not a GET of a named query stops start-up. */
  private prepare(key: string, operations: Map<string, PreparedOperation>): Read {
    const route = this.deps.routes.find((r) => `${r.method} ${r.path}` === key);
    if (!route || route.method !== 'GET') throw new Error(`event catalogue: no GET route ${key}`);
    const operation = operations.get(route.operation);
    const definition = operation?.document.definitions[0];
    if (!operation || definition?.kind !== 'OperationDefinition' || definition.operation !== 'query') throw new Error(`event catalogue: ${key} is not a named query`);
    const field = this.deps.schema.getQueryType()!.getFields()[fieldName(definition)];
    const access = field && accessOf(this.deps.schema, field);
    return { params: [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]), operation, roles: access && !access.public ? access.roles : null };
  }
}

/** The read's root field name (an alias may name its response key otherwise). */
function fieldName(definition: { selectionSet: { selections: readonly unknown[] } }): string {
  const [first] = definition.selectionSet.selections as Array<{ name: { value: string } }>;
  return first.name.value;
}

/**
 * Who reads an event: a partner platform of its distributor, or a broker of it where partner platforms
 * may not read that resource (support requests); back-office for an event without a distributor.
 * Undefined when no such reader may read it: the event is not rendered rather than read more widely.
 */
function readerOf(distributorId: string | null, roles: readonly Role[] | null): Viewer | undefined {
  const kind: Role | undefined = distributorId === null ? 'backoffice' : (['machine', 'broker'] as const).find((k) => roles === null || roles.includes(k));
  if (!kind || (roles !== null && !roles.includes(kind))) return undefined;
  return { id: 'system:event-renderer', kind, email: null, clientId: null, distributorId, sessionId: 'none' };
}

function sameKeys(params: readonly string[], resource: Readonly<Record<string, unknown>>): boolean {
  const keys = Object.keys(resource);
  return keys.length === params.length && params.every((p) => typeof resource[p] === 'string');
}

