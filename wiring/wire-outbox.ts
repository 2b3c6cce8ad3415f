import type { Config } from '../config';
import type { MailTemplates } from '../domain/emailing/mail-templates';
import type { Clock } from '../domain/shared/clock';
import type { Logger } from '../http/logger';
import { addressPolicy } from '../outbox/address-policy';
import { Dispatcher } from '../outbox/dispatcher';
import { EmailLane } from '../outbox/email-lane';
import type { Lane } from '../outbox/lane';
import { mailTransport } from '../outbox/mail-transport';
import { RETRY_CAP_MS, WebhookLane } from '../outbox/webhook-lane';
import { HttpWebhookTransport, type Resolver } from '../outbox/webhook-transport';
import type { EventRenderer } from '../rest-bridge/event-renderer';
import type { Db } from '../store/db';
import { OutboxStore } from '../store/outbox-store';
import { WebhookDeliveryStore } from '../store/webhook-delivery-store';

/** The outbox's dispatcher and the transports its lanes hold open (closed with the app). */
export function outboxDispatcher(db: Db, config: Config, deps: { clock: Clock; logger: Logger; templates: MailTemplates; bodies: EventRenderer; resolver?: Resolver }) {
  const { clock, logger } = deps;
  // Each lane is one kind of work leaving the database after its change committed.
  const webhookTransport = new HttpWebhookTransport(addressPolicy(config.production), deps.resolver);
  const webhookLane = new WebhookLane({
    store: new WebhookDeliveryStore(db),
    outbox: new OutboxStore(),
    transport: webhookTransport,
    clock,
    logger,
    timeoutMs: config.outbox.webhookTimeoutMs,
    retry: { baseMs: config.outbox.webhookRetryBaseMs, maxAttempts: config.outbox.webhookMaxAttempts, capMs: RETRY_CAP_MS },
    bodies: deps.bodies,
  });
  const lanes: Array<Lane<unknown>> = [webhookLane as Lane<unknown>];
  const mail = mailTransport(config.outbox);
  lanes.push(new EmailLane({
    db, store: new OutboxStore(), templates: deps.templates, transport: mail, clock, logger, from: config.outbox.mailFrom,
    retry: { baseMs: config.outbox.mailRetryBaseMs, maxAttempts: config.outbox.mailMaxAttempts, capMs: 6 * 3600_000 },
  }));
  const outbox = new Dispatcher(lanes, { db, clock, logger, concurrency: config.outbox.concurrency, pollMs: config.outbox.pollMs });
  return { outbox, webhookTransport, mail };
}
