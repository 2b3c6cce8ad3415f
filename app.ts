import type { IncomingMessage, Server } from 'node:http';
import type { Config } from './config';
import { buildContext, type Services } from './context/context';
import { ProxyTrust } from './context/proxy-trust';
import { SessionCookie } from './context/session-cookie';
import type { KeyRing } from './domain/auth/key-ring';
import type { ThrottlePolicy } from './domain/auth/login-throttle';
import { createAuthentication, followRevocations } from './context/authentication';
import { AuditTrail } from './domain/shared/audit-trail';
import { systemClock, type Clock } from './domain/shared/clock';
import { WebhookInbox } from './domain/webhooks/inbox';
import { WebhookRegistry } from './domain/webhooks/registry';
import { loadTrustedDocuments, PersistedDocuments } from './execution/persisted-documents';
import { ExecutionPipeline } from './execution/pipeline';
import { Idempotency } from './http/idempotency';
import { listenAt } from './http/lifecycle';
import { Dispatcher, OUTBOX_CHANNEL } from './outbox/dispatcher';
import { EmailLane } from './outbox/email-lane';
import { mailTransport } from './outbox/mail-transport';
import { MailTemplates } from './domain/emailing/mail-templates';
import { EmailingService } from './domain/emailing/emailing-service';
import type { Lane } from './outbox/lane';
import { addressPolicy } from './outbox/address-policy';
import { RETRY_CAP_MS, WebhookLane } from './outbox/webhook-lane';
import { HttpWebhookTransport, type Resolver } from './outbox/webhook-transport';
import { WebhookDeliveryStore } from './store/webhook-delivery-store';
import { consoleLogger, type Logger } from './http/logger';
import { createHttpServer, type Playground } from './http/server';
import { RestBridge } from './rest-bridge/bridge';
import { ROUTES } from './rest-bridge/routes';
import { buildSchema } from './schema';
import { AuditStore } from './store/audit-store';
import type { Db, Queryable } from './store/db';
import { WebhookStore } from './store/webhook-store';
import { CatalogueStore } from './store/catalogue-store';
import { SubscriptionStore } from './store/subscription-store';
import { SubscriptionService } from './domain/subscription/subscription-service';
import { DocumentService } from './domain/subscription/document-service';
import { BuiltInESignProvider, UnconfiguredESignProvider, type ESignProvider } from './domain/subscription/esign-provider';
import { SigningService } from './domain/subscription/signing-service';
import { Transitions } from './domain/subscription/transitions';
import { WithdrawalService } from './domain/subscription/withdrawal-service';
import { AppError } from './errors/app-error';
import { PolicyService } from './domain/policy/policy-service';
import { ESignPages } from './http/esign-page';
import { DocumentStore } from './store/document-store';
import { HousekeepingStore } from './store/housekeeping-store';
import { OutboxStore } from './store/outbox-store';
import { PolicyStore } from './store/policy-store';
import { DeathSettlementService } from './domain/death-settlement/death-settlement-service';
import { BeneficiaryStore } from './store/beneficiary-store';
import { PayOutService } from './domain/pay-out/pay-out-service';
import { PayOutStore } from './store/pay-out-store';
import { PayerService } from './domain/premiums/payer-service';
import { PayerStore } from './store/payer-store';
import { SinglePremiumService } from './domain/premiums/single-premium-service';
import { PremiumFunding } from './domain/premiums/premium-funding';
import { PremiumScheduleService } from './domain/premiums/premium-schedule-service';
import { ScheduleStore } from './store/schedule-store';
import { PremiumStore } from './store/premium-store';
import { SepaBatchService } from './domain/premiums/sepa-batch-service';
import { SepaStore } from './store/sepa-store';
import { fundsOriginProofHandler } from './domain/premiums/funds-origin-proof';
import { SignatureStore } from './store/signature-store';
import { BillingService } from './domain/billing/billing-service';
import { BillingStore } from './store/billing-store';
import { SupportService } from './domain/support/support-service';
import { SupportStore } from './store/support-store';
import { SurrenderStore } from './store/surrender-store';
import { SurrenderService } from './domain/surrender/surrender-service';
import { SurrenderPayments } from './domain/surrender/surrender-payments';
import { SURRENDER_PAYMENT_EVENTS } from './domain/surrender/payment-events';
import { PREMIUM_PAYMENT_EVENTS } from './domain/premiums/premium-payment-events';
import { PremiumSettlement } from './domain/premiums/premium-settlement';
import { RecordedAmountInvestment, type PremiumInvestment } from './domain/premiums/premium-investment';
import type { PayoutIbans } from './domain/surrender/payout-account';
import type { AcceptedBeneficiaryConsents } from './domain/surrender/accepted-beneficiaries';
import { EarlyReleaseFile, type EarlyReleaseProofs } from './domain/surrender/early-release-file';
import type { PolicyDocuments } from './domain/death-settlement/policy-documents';
import { EvidenceKinds } from './domain/evidence/evidence-kinds';
import { EvidenceService } from './domain/evidence/evidence-service';
import { EvidenceStore } from './store/evidence-store';
import { ibanProofHandler } from './domain/pay-out/iban-proof';
import { earlyReleaseProofHandler } from './domain/surrender/early-release-proof';
import { policyEvidenceHandler } from './domain/death-settlement/acceptance-evidence';
import { WebhookEndpointService } from './domain/webhook-endpoints/webhook-endpoint-service';
import { WebhookEndpointStore } from './store/webhook-endpoint-store';
import { WebhookEventStore } from './store/webhook-event-store';
import { EventRenderer } from './rest-bridge/event-renderer';
import type { EventPublisher } from './domain/shared/events';
import { FundService } from './domain/investments/fund-service';
import { PositionService } from './domain/investments/position-service';
import { FundStore } from './store/fund-store';
import { PositionStore } from './store/position-store';
import { ValuationStore } from './store/valuation-store';
import { MandateService } from './domain/investments/mandate-service';
import { MandateStore } from './store/mandate-store';
import { SwitchService } from './domain/investments/switch-service';
import { OrderService } from './domain/investments/order-service';
import { OrderStore } from './store/order-store';
import { remainingLines } from './domain/investments/position-order';
import type { PositionSales } from './domain/surrender/position-sales';
import { parisDate } from './domain/shared/paris-calendar';
import { DeathClaimService } from './domain/death-claims/death-claim-service';
import { DeathClaimStore } from './store/death-claim-store';
import { ClaimBeneficiaryService } from './domain/death-claims/claim-beneficiary-service';
import { DeathClaimBeneficiaryStore } from './store/death-claim-beneficiary-store';
import { DeathClaimPaymentService } from './domain/death-claims/claim-payment-service';
import { DeathClaimPaymentStore } from './store/death-claim-payment-store';
import { CLAIM_PAYMENT_EVENTS } from './domain/death-claims/claim-payment-events';
import type { PolicyFreeze } from './domain/shared/policy-freeze';
import { SwitchStore } from './store/switch-store';

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

/** The subscription journey's services, sharing one transition recorder. */
function subscriptionServices(db: Db, audit: AuditTrail, events: EventPublisher, clock: Clock, esign: ESignProvider, policyService: PolicyService, onPolicyIssued: ConstructorParameters<typeof SigningService>[11]) {
  const subscriptionStore = new SubscriptionStore(db);
  const catalogue = new CatalogueStore(db);
  const policies = new PolicyStore(db);
  const outbox = new OutboxStore();
  const transitions = new Transitions(subscriptionStore, audit, clock);
  const subscription = new SubscriptionService(db, subscriptionStore, catalogue, audit, clock);
  return {
    subscription,
    documents: new DocumentService(db, subscription, subscriptionStore, catalogue, new DocumentStore(db), transitions, audit, clock),
    signing: new SigningService(db, subscription, subscriptionStore, catalogue, new SignatureStore(db), policies, outbox, events, transitions, esign, clock, onPolicyIssued),
    withdrawal: new WithdrawalService(db, subscription, subscriptionStore, policies, policyService, outbox, events, transitions, clock),
  };
}

/** The esign webhook names our signature in `data.signature_id`. */
function signatureIdOf(data: unknown): string {
  const id = (data as { signature_id?: unknown } | null)?.signature_id;
  if (typeof id !== 'string') throw new AppError('parameter_invalid', 'SIGNATURE_ID_MISSING', { field: 'data.signature_id' });
  return id;
}

/** What surrender reads from other domains, each through a small interface. */
interface SurrenderNeighbours {
  payoutIbans: PayoutIbans;
  acceptedBeneficiaries: AcceptedBeneficiaryConsents;
  proofs: EarlyReleaseProofs;
  sales: PositionSales;
}

/** Surrender declarations, their early-release files and the payment provider's outcomes for them. */
function surrenderServices(db: Db, audit: AuditTrail, events: EventPublisher, clock: Clock, policies: PolicyService, neighbours: SurrenderNeighbours, freeze: PolicyFreeze) {
  const store = new SurrenderStore(db);
  const policyStore = new PolicyStore(db);
  const catalogue = new CatalogueStore(db);
  const outbox = new OutboxStore();
  const earlyReleaseFile = new EarlyReleaseFile(store, policyStore, neighbours.proofs, audit, outbox, clock);
  return {
    surrender: new SurrenderService(db, store, policies, policyStore, catalogue, neighbours.payoutIbans, neighbours.acceptedBeneficiaries, earlyReleaseFile, audit, outbox, events, clock, freeze, neighbours.sales),
    surrenderPayments: new SurrenderPayments(store, policies, policyStore, audit, outbox, events, clock, neighbours.sales),
    earlyReleaseFile,
  };
}

/** Each kind of evidence, handled by the domain that owns its subject. */
function evidenceKinds(db: Db, payOut: PayOutService, earlyReleaseFile: EarlyReleaseFile, singlePremiums: SinglePremiumService, claimBeneficiaries: ClaimBeneficiaryService): EvidenceKinds {
  const kinds = new EvidenceKinds();
  kinds.register('iban_proof', ibanProofHandler(new PayOutStore(db), payOut));
  kinds.register('early_release_proof', earlyReleaseProofHandler(new SurrenderStore(db), new PolicyStore(db), earlyReleaseFile));
  const policyEvidence = policyEvidenceHandler(new PolicyStore(db), new BeneficiaryStore(db));
  kinds.register('acceptance_endorsement', policyEvidence);
  kinds.register('beneficiary_consent', policyEvidence);
  kinds.register('funds_origin_proof', fundsOriginProofHandler(singlePremiums));
  kinds.register('death_claim_document', claimBeneficiaries.evidenceHandler());
  return kinds;
}

/** Composition root: store -> services -> schema -> Apollo -> HTTP routes. */
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
  const policies = new PolicyService(db, new PolicyStore(db), new CatalogueStore(db), audit, clock, events);
  const journey = subscriptionServices(db, audit, events, clock, esign, policies, async (tx, issued) => {
    if (issued.standardClauseId) await services.deathSettlement.initialDesignation(tx, issued.policyId, issued.standardClauseId);
    // No silent fallback to the debit IBAN at pay-out time: it becomes a confirmed pay-out IBAN here.
    await services.payOut.adoptDebitIban(tx, issued);
    // The policy's value becomes positions bought by the subscription's allocation at the first NAVs dated on or after payment.
    if (issued.invested.amount > 0) await services.orders.invest(tx, {
      policyId: issued.policyId, allocation: issued.invested.allocation.map((l) => ({ compartmentId: issued.invested.compartmentId, ...l })),
      amount: issued.invested.amount, currency: issued.invested.currency, tradeDate: parisDate(issued.invested.paidAt), cause: { type: 'issue', id: issued.policyId },
    });
  });
  // A death claim freezes its policy: every act on a policy's money or beneficiaries asks it.
  const deathClaims = new DeathClaimService(db, new DeathClaimStore(db), new SubscriptionStore(db), new CatalogueStore(db), new OutboxStore(), events, audit, clock, {
    lock: (tx, policyIds) => orders.lockForReturn(tx, { policyIds }),
    giveBack: async (tx, ids, reason) => {
      for (const id of ids) await returnDeclarationSales(tx, id, `surrender declaration ${id} rejected: ${reason}`);
    },
  });
  // A beneficiary's documents are evidence (read once `services` exists: evidence needs this service's handler).
  const claimBeneficiaries = new ClaimBeneficiaryService(db, new DeathClaimBeneficiaryStore(), new DeathClaimStore(db), deathClaims, () => services.evidence, new OutboxStore(), events, audit, clock);
  const payOut = new PayOutService(db, new PayOutStore(db), journey.subscription, new SubscriptionStore(db), new OutboxStore(), events, audit, clock);
  const payers = new PayerService(db, new PayerStore(db), new SubscriptionStore(db), audit, clock);
  const funding = new PremiumFunding(policies, new PolicyStore(db), new SubscriptionStore(db), new CatalogueStore(db), payers, deathClaims);
  const singlePremiums = new SinglePremiumService(db, new PremiumStore(db), policies, new PolicyStore(db), funding, audit, clock);
  const premiumSchedules = new PremiumScheduleService(db, new ScheduleStore(db), policies, funding, audit, clock);
  // A collected premium counts in its compartments' recorded amounts, as issue's money does, and buys
  // fund positions at the first NAVs dated on or after its arrival (position orders, below).
  const recordedAmounts = new RecordedAmountInvestment(new PolicyStore(db));
  const premiumInvestment: PremiumInvestment = {
    invest: async (tx, premium) => {
      await recordedAmounts.invest(tx, premium);
      if (premium.amount > 0) await services.orders.invest(tx, { ...premium, cause: { type: 'premium', id: premium.cause.id } });
    },
  };
  const premiumSettlement = new PremiumSettlement(
    new PremiumStore(db), new ScheduleStore(db), new PayerStore(db), policies, new PolicyStore(db), premiumInvestment, audit, new OutboxStore(), events, clock,
  );
  // Beneficiary documents are evidence attached to the policy (read when an operation runs, once `services` exists).
  const policyDocuments: PolicyDocuments = {
    ofPolicy: (tx, kind, policyId) => services.evidence.ofSubject(tx, kind, policyId),
    accept: async (tx, acting, id) => void (await services.evidence.acceptWithin(tx, acting, id)),
  };
  const deathSettlement = new DeathSettlementService(db, new BeneficiaryStore(db), policies, new CatalogueStore(db), policyDocuments, new OutboxStore(), events, audit, clock, deathClaims);
  // Position orders: what issue and premiums invest and surrenders sell, executed by forward pricing.
  const orders = new OrderService(db, new OrderStore(db), new PositionStore(db), new FundStore(db), new ValuationStore(db), new PolicyStore(db), audit, clock, async (tx, order) => {
    if (order.cause.type === 'surrender_declaration') await services.surrender.saleExecuted(tx, order.cause.id);
  });
  // The one way a rejected surrender declaration's sales give their money back: the payment provider's rejection and a notice of death both call it.
  const returnDeclarationSales = async (tx: Queryable, id: string, reason: string): Promise<void> =>
    void (await orders.returnSales(tx, { type: 'surrender_declaration', id }, { type: 'surrender_rejected', id }, reason));
  const surrender = surrenderServices(db, audit, events, clock, policies, {
    // A payout goes to a confirmed pay-out IBAN: the one named, else the subscriber's default.
    payoutIbans: { find: (tx, subscriberId, ibanId) => payOut.payoutAccount(tx, subscriberId, ibanId) },
    // An accepted beneficiary's consent, read from the policy's current designation.
    acceptedBeneficiaries: { relyOnConsents: (tx, policyId, declarationId) => deathSettlement.relyOnConsents(tx, policyId, declarationId) },
    proofs: { ofDeclaration: (tx, declarationId) => services.evidence.ofSubject(tx, 'early_release_proof', declarationId) },
    sales: {
      heldValue: (tx, compartment) => orders.heldValue(tx, compartment),
      sell: (tx, input) => orders.sell(tx, input),
      executeDue: (ids) => orders.executeDue(ids),
      reduceBuys: (tx, compartmentId, by, cause, options) => orders.reduceBuys(tx, compartmentId, by, cause, options),
      // Every rejection path (the payment provider, a notice of death) gives a declaration's sales back this way.
      returnSales: returnDeclarationSales,
      lockSales: (tx, id) => orders.lockForReturn(tx, { cause: { type: 'surrender_declaration', ids: [id] } }),
      ofDeclarations: async (ids, tx) => (await orders.ofCause('surrender_declaration', ids, tx)).map((o) => ({
        id: o.id, compartmentId: o.compartmentId, status: o.status, proceeds: o.proceeds,
        unsold: o.status === 'pending' ? remainingLines(o).reduce((sum, l) => sum + (l.amount ?? 0), 0) : 0,
      })),
    },
  }, deathClaims);
  const switches = new SwitchService(db, policies, new SwitchStore(db), new PositionStore(db), new FundStore(db), new ValuationStore(db), audit, clock, new PolicyStore(db), new OutboxStore(), events, deathClaims);
  // Loading a NAV may complete what a waiting switch needs to be priced (forward pricing).
  const mandates = new MandateService(db, new MandateStore(db), policies, new SwitchStore(db), switches, new PositionStore(db), new FundStore(db), audit, clock, new PolicyStore(db), deathClaims);
  // Loading NAVs may price waiting switches and position orders alike.
  const funds = new FundService(db, new FundStore(db), new ValuationStore(db), audit, clock, async () => {
    await switches.executeDue();
    await orders.executeDue();
  });
  const services: Services = {
    auth,
    audit,
    ...journey,
    policies,
    deathSettlement,
    deathClaims,
    claimBeneficiaries,
    deathClaimPayments: new DeathClaimPaymentService(db, new DeathClaimPaymentStore(db), new DeathClaimStore(db), new DeathClaimBeneficiaryStore(), new PolicyStore(db), new OutboxStore(), events, audit, clock),
    payOut,
    payers,
    singlePremiums,
    premiumSettlement,
    premiumSchedules,
    sepaBatches: new SepaBatchService(db, new SepaStore(db), payers, new OutboxStore(), config.sepa, audit, clock),
    ...surrender,
    billing: new BillingService(new BillingStore(db)),
    support: new SupportService(db, new SupportStore(db), journey.subscription, new OutboxStore(), events, audit, clock),
    emailing: new EmailingService(db, new OutboxStore(), mailTemplates, config.outbox.mailSenders, audit, clock),
    evidence: new EvidenceService(db, new EvidenceStore(db), evidenceKinds(db, payOut, surrender.earlyReleaseFile, singlePremiums, claimBeneficiaries), journey.subscription, audit, clock),
    webhookEndpoints: new WebhookEndpointService(db, new WebhookEndpointStore(db), audit, clock, config.production),
    funds,
    switches,
    mandates,
    orders,
    positions: new PositionService(policies, new PositionStore(db), new FundStore(db), new ValuationStore(db), funds),
    clock,
  };
  await followRevocations(db, auth);
  const housekeepingStore = new HousekeepingStore(db);
  const webhooks = new WebhookRegistry();
  for (const [type, outcome] of [['signature.completed', 'completed'], ['signature.declined', 'declined'], ['signature.expired', 'expired']] as const) {
    webhooks.register('esign', type, (event, tx) => services.signing.applyProviderOutcome(tx, signatureIdOf(event.data), outcome, 'esign'));
  }
  for (const [type, outcome] of SURRENDER_PAYMENT_EVENTS) {
    webhooks.register('payments', type, (event, tx) => services.surrenderPayments.apply(tx, outcome, event));
  }
  for (const [type, outcome] of PREMIUM_PAYMENT_EVENTS) {
    webhooks.register('payments', type, (event, tx) => services.premiumSettlement.apply(tx, outcome, event));
  }
  for (const [type, outcome] of CLAIM_PAYMENT_EVENTS) {
    webhooks.register('payments', type, (event, tx) => services.deathClaimPayments.apply(tx, outcome, event));
  }
  const inbox = new WebhookInbox(db, new WebhookStore(), webhooks, secrets, clock);

  const schema = buildSchema({ production: config.production });
  const contextDeps = {
    services,
    sessionCookie: new SessionCookie(config.production),
    clientCertSerialHeader: config.clientCertSerialHeader,
    trustProxy: config.trustProxy,
    proxies: new ProxyTrust(config.trustedProxies),
    // Behind a GraphQL front (among TRUSTED_PROXIES), a partner's signed request arrives as its edge assertion.
    edgeAssertions: true,
  };
  const context = (req: IncomingMessage, requestId: string, body: () => Promise<Buffer>) =>
    buildContext({ headers: req.headers, remoteAddress: req.socket.remoteAddress, requestId, method: req.method ?? 'GET', target: req.url ?? '/', body }, contextDeps);
  const idempotency = new Idempotency(db, clock);
  const pipeline = new ExecutionPipeline(schema, { production: config.production, logger, jit: config.documents.jit });
  // Read at start-up: a required manifest that is missing or wrong stops the service (fails closed).
  const documents = new PersistedDocuments({
    trusted: config.documents.trustedDocumentsPath ? loadTrustedDocuments(config.documents.trustedDocumentsPath) : undefined,
    trustedOnly: config.documents.trustedDocumentsRequired,
    apqCacheSize: config.documents.apqCacheSize,
  });
  const bridge = new RestBridge({ schema, pipeline, routes: ROUTES, buildContext: context, idempotency, docsBaseUrl: () => docsBaseUrl, maxBodyBytes: config.maxBodyBytes, logger });
  const eventRenderer = new EventRenderer({ schema, pipeline, routes: ROUTES, services, store: events, clock, logger });
  let openapi: unknown;
  let closing = false;
  const server = createHttpServer({
    pipeline,
    documents,
    bridge,
    webhooks: inbox,
    keys,
    db,
    idempotency,
    buildContext: context,
    openapi: () => (openapi ??= bridge.openapi()),
    playground: config.production ? undefined : options.playground,
    esignPages: esign instanceof BuiltInESignProvider && esignSecret ? new ESignPages(esign, esignSecret, () => baseUrl, clock, (id) => services.signing.statusOf(id)) : undefined,
    docsBaseUrl: () => docsBaseUrl,
    maxBodyBytes: config.maxBodyBytes,
    logger,
    accessLog: config.accessLog,
  });

  // Expired idempotency records, rate-limit windows, sessions and signing keys are deleted now and then.
  const housekeeping = setInterval(() => {
    housekeepingStore.purge(clock.now(), keys.verifyingSince()).catch((error: unknown) => logger.error('housekeeping failed', { error }));
  }, 10 * 60_000);
  housekeeping.unref();

  // Each due date of a premium schedule becomes one collection; every replica may run this (the unique
  // key on schedule and date keeps it to one), so no leader is needed.
  const premiumRun = setInterval(() => {
    services.premiumSchedules.runDue().catch((error: unknown) => logger.error('premium schedule run failed', { error }));
  }, 15 * 60_000);
  premiumRun.unref();

  // Orders and switches whose NAVs arrived without a load through us (or while a run failed) are priced here too;
  // every replica may run it: the compartment lock and each order's status make each execute once.
  const pricingRun = setInterval(() => {
    (async () => {
      await services.switches.executeDue();
      await services.orders.executeDue();
    })().catch((error: unknown) => logger.error('forward pricing run failed', { error }));
  }, 15 * 60_000);
  pricingRun.unref();

  // Each lane is one kind of work leaving the database after its change committed.
  const webhookTransport = new HttpWebhookTransport(addressPolicy(config.production), options.webhookResolver);
  const webhookLane = new WebhookLane({
    store: new WebhookDeliveryStore(db),
    outbox: new OutboxStore(),
    transport: webhookTransport,
    clock,
    logger,
    timeoutMs: config.outbox.webhookTimeoutMs,
    retry: { baseMs: config.outbox.webhookRetryBaseMs, maxAttempts: config.outbox.webhookMaxAttempts, capMs: RETRY_CAP_MS },
    bodies: eventRenderer,
  });
  const lanes: Array<Lane<unknown>> = [webhookLane as Lane<unknown>];
  const mail = mailTransport(config.outbox);
  lanes.push(new EmailLane({
    db, store: new OutboxStore(), templates: mailTemplates, transport: mail, clock, logger, from: config.outbox.mailFrom,
    retry: { baseMs: config.outbox.mailRetryBaseMs, maxAttempts: config.outbox.mailMaxAttempts, capMs: 6 * 3600_000 },
  }));
  const outbox = new Dispatcher(lanes, { db, clock, logger, concurrency: config.outbox.concurrency, pollMs: config.outbox.pollMs });

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
      clearInterval(housekeeping);
      closing = true;
      clearInterval(premiumRun);
      clearInterval(pricingRun);
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
