import type { Queryable } from '../../store/db';

/** A verified delivery from an outside system, in the shape handlers receive. */
export interface WebhookEvent {
  source: string;
  id: string;
  type: string;
  timestamp: Date;
  data: unknown;
}

/** Runs inside the transaction that records the webhook id, so an event is applied exactly once. */
export type WebhookHandler = (event: WebhookEvent, tx: Queryable) => Promise<void>;

/** Which domain handler applies each (source, event type); domains register at startup. */
export class WebhookRegistry {
  // Nested maps rather than a joined "source:type" key, so no choice of separator can make two pairs collide.
  private readonly handlers = new Map<string, Map<string, WebhookHandler>>();

  /** Adds the handler for one event type of one source; throws when that pair already has one. */
  register(source: string, eventType: string, handler: WebhookHandler): void {
    if (source === '' || eventType === '') throw new Error('Webhook source and event type must be non-empty');
    let bySource = this.handlers.get(source);
    if (bySource === undefined) {
      bySource = new Map();
      this.handlers.set(source, bySource);
    }
    // Two domains silently fighting over one event would apply it twice or not at all: fail at startup instead.
    if (bySource.has(eventType)) throw new Error(`A webhook handler is already registered for ${source} / ${eventType}`);
    bySource.set(eventType, handler);
  }

  /** The handler for this pair, or undefined when no domain asked for it. */
  handlerFor(source: string, eventType: string): WebhookHandler | undefined {
    return this.handlers.get(source)?.get(eventType);
  }

  /** Every source with at least one handler, sorted. */
  sources(): string[] {
    return [...this.handlers.keys()].sort();
  }
}
