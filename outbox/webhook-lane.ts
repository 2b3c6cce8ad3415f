import type { Clock } from '../domain/shared/clock';
import { signStandardWebhook } from '../domain/webhooks/standard-webhooks';
import type { Logger } from '../http/logger';
import type { Queryable } from '../store/db';
import type { OutboxStore } from '../store/outbox-store';
import type { DisabledEndpoint, LeasedDelivery, OutboundEventBody, WebhookDeliveryStore } from '../store/webhook-delivery-store';
import { nextAttemptAt, type RetryPolicy } from './backoff';
import type { ClaimRequest, Lane } from './lane';
import type { WebhookTransport } from './webhook-transport';

/** Fills `outbound_events.data` with the REST read of the event's resource (the events' renderer). */
export interface EventBodies {
  /** Fills the event's `data` unless it is set; false when it could not (left for later). */
  render(eventId: string): Promise<boolean>;
}

export interface WebhookLaneOptions {
  store: WebhookDeliveryStore;
  outbox: OutboxStore;
  transport: WebhookTransport;
  clock: Clock;
  logger: Logger;
  /** A 2xx must arrive within this. */
  timeoutMs: number;
  retry: RetryPolicy;
  /** Renders an event whose `data` is still empty; without it such an event waits for whoever renders it. */
  bodies?: EventBodies;
  random?: () => number;
}

/** An endpoint failing for this long without a single success is disabled. */
export const DISABLE_AFTER_FAILING_MS = 5 * 24 * 3600_000;

/** The longest wait between two attempts, whatever the backoff's doubling reaches. */
export const RETRY_CAP_MS = 6 * 3600_000;

/** How long a delivery that cannot go yet (event not rendered, no live secret) waits before it is looked at again. */
const UNRENDERED_WAIT_MS = 1_000;

/** Time for recording an attempt's outcome after the transport's timeout, inside the lease. */
const RECORDING_MARGIN_MS = 5_000;

/**
 * Deliveries of one endpoint leased together and sent one after the other: one claim feeds several
 * attempts, since the claim, not the HTTP call, bounds a replica's throughput. Each attempt starts only
 * if it can finish within the lease; what cannot is given back.
 */
const DELIVERIES_PER_CLAIM = 8;

/** Deliveries of one endpoint leased together, in due order. */
export interface DeliveryBatch {
  endpointId: string;
  deliveries: LeasedDelivery[];
  leaseUntil: Date;
}

export const WEBHOOK_LANE = 'webhook';

export const USER_AGENT = 'insurance-gateway-webhooks/1';

/**
 * Webhook deliveries (docs/WEBHOOKS.md): each attempt POSTs the event's envelope, signed like Standard
 * Webhooks with every live secret of the endpoint, and records its outcome under the lease. A 2xx in
 * time succeeds; anything else is retried after the backoff, until the attempts run out (`failed`).
 * An endpoint failing five days in a row is disabled and its owner told by e-mail.
 */
export class WebhookLane implements Lane<DeliveryBatch> {
  readonly name = WEBHOOK_LANE;
  /** Room for two attempts that run to the timeout: a batch goes on while its next attempt fits. */
  readonly leaseMs: number;
  /** Its claim reads the oldest due deliveries first: one endpoint's backlog can fill that window. */
  readonly shortClaimFindsAll = false;

  constructor(private readonly options: WebhookLaneOptions) {
    this.leaseMs = 2 * options.timeoutMs + RECORDING_MARGIN_MS;
  }

  async claim(request: ClaimRequest): Promise<DeliveryBatch[]> {
    const leased = await this.options.store.claim({
      owner: request.owner,
      endpoints: request.limit,
      perEndpoint: DELIVERIES_PER_CLAIM,
      now: request.now,
      leaseUntil: request.leaseUntil,
      busyEndpoints: request.busyTargets,
    });
    const batches = new Map<string, DeliveryBatch>();
    for (const delivery of leased) {
      const batch = batches.get(delivery.endpointId) ?? { endpointId: delivery.endpointId, deliveries: [], leaseUntil: request.leaseUntil };
      batch.deliveries.push(delivery);
      batches.set(delivery.endpointId, batch);
    }
    return [...batches.values()];
  }

  targetOf(job: DeliveryBatch): string {
    return job.endpointId;
  }

  /**
   * Sends the batch's deliveries in due order. After a failure the rest are given back untried (the
   * endpoint is failing: each is retried on its own); so is any that could not finish within the lease.
   */
  async attempt(batch: DeliveryBatch, owner: string): Promise<void> {
    const latestStart = batch.leaseUntil.getTime() - this.options.timeoutMs - RECORDING_MARGIN_MS;
    for (const [i, delivery] of batch.deliveries.entries()) {
      const rest = batch.deliveries.slice(i).map((d) => d.deliveryId);
      if (i > 0 && this.options.clock.now().getTime() > latestStart) return this.options.store.release(rest, owner);
      const acknowledged = await this.attemptOne(delivery, owner).catch(async (error: unknown) => {
        await this.options.store.release(rest.slice(1), owner);
        throw error;
      });
      if (!acknowledged) return this.options.store.release(rest.slice(1), owner);
    }
  }

  /** One delivery's attempt, recorded under the lease; true when acknowledged. */
  private async attemptOne(job: LeasedDelivery, owner: string): Promise<boolean> {
    const { store, transport, clock } = this.options;
    const event = job.event.data !== null ? job.event : await this.rendered(job.event.id);
    // Our faults, not the endpoint's: nothing is sent, no attempt is counted, the delivery waits.
    if (!event || job.secrets.length === 0) {
      this.options.logger.error(event ? 'webhook endpoint has no live secret: nothing sent unsigned' : 'webhook event not rendered yet', { eventId: job.event.id, endpointId: job.endpointId });
      await store.release([job.deliveryId], owner, new Date(clock.now().getTime() + UNRENDERED_WAIT_MS));
      return false;
    }
    const attemptedAt = clock.now();
    const body = JSON.stringify({ id: event.id, type: event.type, created_at: event.createdAt.toISOString(), data: event.data });
    const timestamp = Math.floor(attemptedAt.getTime() / 1000);
    const signature = job.secrets.map((secret) => signStandardWebhook({ id: event.id, timestamp, rawBody: body, secret })).join(' ');
    const answer = await transport.post({
      url: job.url,
      body,
      timeoutMs: this.options.timeoutMs,
      headers: {
        'content-type': 'application/json',
        'user-agent': USER_AGENT,
        'webhook-id': event.id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signature,
      },
    });
    const record = { attemptedAt, statusCode: answer.statusCode, durationMs: answer.durationMs, error: answer.error };
    if (answer.error === null) {
      if (!(await store.recordSuccess(job.deliveryId, owner, record))) this.leaseLost(job);
      return true;
    }
    const next = nextAttemptAt(this.options.retry, job.attempts + 1, attemptedAt, this.options.random);
    const disableIfFailingSince = new Date(attemptedAt.getTime() - DISABLE_AFTER_FAILING_MS);
    const outcome = await store.recordFailure(job.deliveryId, owner, record, next, disableIfFailingSince, (tx, endpoint) => this.notifyDisabled(tx, endpoint, attemptedAt));
    if (!outcome.recorded) this.leaseLost(job);
    if (outcome.disabled) this.options.logger.info('webhook endpoint disabled after failing for 5 days', { endpointId: outcome.disabled.endpointId });
    return false;
  }

  /** An event claimed before its body was rendered: rendered now, if a renderer was given. */
  private async rendered(eventId: string): Promise<OutboundEventBody | undefined> {
    if (!this.options.bodies) return undefined;
    await this.options.bodies.render(eventId);
    const rendered = await this.options.store.event(eventId);
    return rendered?.data === null ? undefined : rendered;
  }

  /** The owner hears of it by e-mail, in the transaction that disables the endpoint; partners get no event about it. */
  private notifyDisabled(tx: Queryable, endpoint: DisabledEndpoint, at: Date): Promise<void> {
    return this.options.outbox.enqueue(
      tx,
      {
        recipientUserId: endpoint.ownerUserId,
        channel: 'email',
        template: 'webhook_endpoint_disabled',
        payload: { endpointId: endpoint.endpointId, url: endpoint.url, failingSince: endpoint.failingSince.toISOString(), disabledAt: at.toISOString() },
      },
      at,
    );
  }

  /** The attempt outlived its lease and another replica has the delivery now: its outcome is theirs to record. */
  private leaseLost(job: LeasedDelivery): void {
    this.options.logger.error('webhook attempt outlived its lease; outcome not recorded', { deliveryId: job.deliveryId });
  }
}
