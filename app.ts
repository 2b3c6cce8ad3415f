import type { Server } from 'node:http';
import type { Config } from './config';
import type { Services } from './context/context';
import type { KeyRing } from './domain/auth/key-ring';
import type { ThrottlePolicy } from './domain/auth/login-throttle';
import { createAuthentication, followRevocations } from './context/authentication';
import { AuditTrail } from './domain/shared/audit-trail';
import { systemClock, type Clock } from './domain/shared/clock';
import { WebhookInbox } from './domain/webhooks/inbox';
import type { WebhookRegistry } from './domain/webhooks/registry';
import { listenAt } from './http/lifecycle';
import { OUTBOX_CHANNEL, type Dispatcher } from './outbox/dispatcher';
import type { Resolver } from './outbox/webhook-transport';
import { MailTemplates } from './domain/emailing/mail-templates';
import { EmailingService } from './domain/emailing/emailing-service';
import { consoleLogger, type Logger } from './http/logger';
import type { Playground } from './http/server';
import type { EventRenderer } from './rest-bridge/event-renderer';
import { AuditStore } from './store/audit-store';
import type { Db } from './store/db';
import { WebhookStore } from './store/webhook-store';
import { CatalogueStore } from './store/catalogue-store';
import { ProductCatalogue } from './domain/subscription/product-catalogue';
import { SubscriptionStore } from './store/subscription-store';
import { BuiltInESignProvider, UnconfiguredESignProvider, type ESignProvider } from './domain/subscription/esign-provider';
import { PolicyService } from './domain/policy/policy-service';
import { OutboxStore } from './store/outbox-store';
import { PolicyStore } from './store/policy-store';
import { PayOutService } from './domain/pay-out/pay-out-service';
import { PayOutStore } from './store/pay-out-store';
import { BillingService } from './domain/billing/billing-service';
import { BillingStore } from './store/billing-store';
import { SupportService } from './domain/support/support-service';
import { SupportStore } from './store/support-store';
import { EvidenceService } from './domain/evidence/evidence-service';
import { EvidenceStore } from './store/evidence-store';
import { WebhookEndpointService } from './domain/webhook-endpoints/webhook-endpoint-service';
import { WebhookEndpointStore } from './store/webhook-endpoint-store';
import { WebhookEventStore } from './store/webhook-event-store';
import { startBackgroundRuns } from './wiring/background-runs';
import type { Core } from './wiring/core';
import { deathClaimServices } from './wiring/wire-death-claims';
import { deathSettlementService } from './wiring/wire-death-settlement';
import { evidenceKinds } from './wiring/wire-evidence';
import { httpServer } from './wiring/wire-http';
import { investmentServices } from './wiring/wire-investments';
import { outboxDispatcher } from './wiring/wire-outbox';
import { premiumServices } from './wiring/wire-premiums';
import { subscriptionServices } from './wiring/wire-subscription';
import { surrenderServices } from './wiring/wire-surrender';
import { providerWebhooks } from './wiring/wire-webhooks';

export interface AppOptions {
  config: Config;
  db: Db;
  clock?: Clock;
  logger?: Logger;
  throttle?: ThrottlePolicy;
  /** Webhook secrets used when the environment sets none (demo mode). */
  defaultWebhookSecrets?: Record<string, string[]>;
  playground?: Playground;
  /**
   * `auto` (default): the outbox dispatcher starts with `listen` and stops with `close`. `manual`: it
   * never runs by itself; tests send the outbox with `app.outbox.drain()` at the moment they choose.
   */
  outbox?: 'auto' | 'manual';
  /** Resolves webhook host names (the system's DNS by default); the address policy applies to its answers. */
  webhookResolver?: Resolver;
}

export interface App {
  server: Server;
  services: Services;
  keys: KeyRing;
  webhooks: WebhookRegistry;
  /** Sends what the outbox holds: webhook deliveries and e-mail. */
  outbox: Dispatcher;
  /** Fills events' `data` from their REST read (the webhook lane calls `renderPending` before delivering). */
  eventRenderer: EventRenderer;
  /** Where e-mail goes, for the start-up banner: an SMTP server or a folder of .eml files. */
  mailDestination: string;
  /** Starts listening; resolves with the base URL (`http://host:port`). */
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Composition root: store -> services -> schema -> Apollo -> HTTP routes. Each domain's services are
 * wired in wiring/wire-<domain>.ts; this file puts them together and runs the whole.
 */
export async function createApp(options: AppOptions): Promise<App> {
  const { config, db } = options;
  const clock = options.clock ?? systemClock;
  // The repository's mail templates, read once: the e-mailing route checks messages against them, the e-mail lane renders them.
  const mailTemplates = new MailTemplates();
  const logger = options.logger ?? consoleLogger;
  let docsBaseUrl = config.docsBaseUrl ?? `http://${config.host}:${config.port}/docs`;

  const { keys, auth } = await createAuthentication(db, config, clock, options.throttle);
  const audit = new AuditTrail(new AuditStore(db), clock);
  // Events for partners' endpoints, published by the services in the transaction of each change.
  const events = new WebhookEventStore(db);
  const secrets = { ...(options.defaultWebhookSecrets ?? {}), ...config.webhookSecrets };
  let baseUrl = `http://${config.host}:${config.port}`;
  const esignSecret = secrets.esign?.[0];
  const esign: ESignProvider = esignSecret ? new BuiltInESignProvider(() => baseUrl, esignSecret) : new UnconfiguredESignProvider();
  // One instance of each service, shared by the others that need it.
  const products = new ProductCatalogue(new CatalogueStore(db));
  const policies = new PolicyService(db, new PolicyStore(db), products, audit, clock, events);
  const core: Core = { db, audit, events, clock, policies, products, services: () => services };
  const journey = subscriptionServices(core, esign);
  const death = deathClaimServices(core);
  const payOut = new PayOutService(db, new PayOutStore(db), journey.subscription, new SubscriptionStore(db), new OutboxStore(), events, audit, clock);
  const premiums = premiumServices(core, config.sepa, death.deathClaims);
  const deathSettlement = deathSettlementService(core, death.deathClaims);
  const investments = investmentServices(core, death.deathClaims);
  const surrender = surrenderServices(core, { payOut, deathSettlement, orders: investments.orders }, death.deathClaims);
  const services: Services = {
    auth,
    audit,
    ...journey,
    policies,
    deathSettlement,
    ...death,
    payOut,
    ...premiums,
    ...surrender,
    billing: new BillingService(new BillingStore(db)),
    support: new SupportService(db, new SupportStore(db), journey.subscription, new OutboxStore(), events, audit, clock),
    emailing: new EmailingService(db, new OutboxStore(), mailTemplates, config.outbox.mailSenders, audit, clock),
    evidence: new EvidenceService(db, new EvidenceStore(db), evidenceKinds(db, payOut, surrender.earlyReleaseFile, premiums.singlePremiums, death.claimBeneficiaries), journey.subscription, audit, clock),
    webhookEndpoints: new WebhookEndpointService(db, new WebhookEndpointStore(db), audit, clock, config.production),
    ...investments,
    clock,
  };
  await followRevocations(db, auth);
  const webhooks = providerWebhooks(services);
  const inbox = new WebhookInbox(db, new WebhookStore(), webhooks, secrets, clock);
  const { server, eventRenderer } = httpServer(db, config, {
    services, keys, inbox, events, esign, esignSecret, clock, logger, playground: options.playground, baseUrl: () => baseUrl, docsBaseUrl: () => docsBaseUrl,
  });
  let closing = false;
  const stopBackgroundRuns = startBackgroundRuns(db, services, keys, clock, logger);
  const { outbox, webhookTransport, mail } = outboxDispatcher(db, config, { clock, logger, templates: mailTemplates, bodies: eventRenderer, resolver: options.webhookResolver });

  return {
    server,
    services,
    keys,
    webhooks,
    outbox,
    eventRenderer,
    mailDestination: mail.description,
    async listen(port = config.port, host = config.host) {
      const base = await listenAt(server, port, host);
      // Events are rendered just after their change commits (its NOTIFY), so `data` is the resource as the change left it.
      await db.listen(OUTBOX_CHANNEL, (payload) => {
        if (payload === 'webhook' && !closing) eventRenderer.renderPending().catch((error: unknown) => logger.error('event rendering failed', { error }));
      });
      if (!config.docsBaseUrl) docsBaseUrl = `${base}/docs`;
      baseUrl = base;
      if (options.outbox !== 'manual') await outbox.start();
      return base;
    },
    async close() {
      closing = true;
      stopBackgroundRuns();
      await outbox.stop();
      await eventRenderer.settle();
      webhookTransport.close();
      mail.close();
      // Stop accepting, let requests in flight finish (5 s at most), then cut what is left.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const deadline = setTimeout(() => server.closeAllConnections(), 5_000);
      await closed;
      clearTimeout(deadline);
    },
  };
}
