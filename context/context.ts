import type { PremiumSettlement } from '../domain/premiums/premium-settlement';
import type { EvidenceService } from '../domain/evidence/evidence-service';
import type { EmailingService } from '../domain/emailing/emailing-service';
import type { IncomingHttpHeaders } from 'node:http';
import type { UnauthorizedReason } from '../errors/app-error';
import type { AuthService, PresentedCredentials } from '../domain/auth/auth-service';
import type { Viewer } from '../domain/auth/viewer';
import type { AuditTrail } from '../domain/shared/audit-trail';
import type { Clock } from '../domain/shared/clock';
import type { DocumentService } from '../domain/subscription/document-service';
import type { SigningService } from '../domain/subscription/signing-service';
import type { SubscriptionService } from '../domain/subscription/subscription-service';
import type { WithdrawalService } from '../domain/subscription/withdrawal-service';
import type { PolicyService } from '../domain/policy/policy-service';
import type { BillingService } from '../domain/billing/billing-service';
import type { SupportService } from '../domain/support/support-service';
import type { DeathSettlementService } from '../domain/death-settlement/death-settlement-service';
import type { PayOutService } from '../domain/pay-out/pay-out-service';
import type { PayerService } from '../domain/premiums/payer-service';
import type { SinglePremiumService } from '../domain/premiums/single-premium-service';
import type { SepaBatchService } from '../domain/premiums/sepa-batch-service';
import type { PremiumScheduleService } from '../domain/premiums/premium-schedule-service';
import type { SurrenderService } from '../domain/surrender/surrender-service';
import type { SurrenderPayments } from '../domain/surrender/surrender-payments';
import type { EarlyReleaseFile } from '../domain/surrender/early-release-file';
import type { WebhookEndpointService } from '../domain/webhook-endpoints/webhook-endpoint-service';
import type { FundService } from '../domain/investments/fund-service';
import type { PositionService } from '../domain/investments/position-service';
import type { SwitchService } from '../domain/investments/switch-service';
import type { OrderService } from '../domain/investments/order-service';
import type { MandateService } from '../domain/investments/mandate-service';
import { createLoaders, type Loaders } from './loaders';
import type { ProxyTrust } from './proxy-trust';
import type { ClaimBeneficiaryService } from '../domain/death-claims/claim-beneficiary-service';
import type { DeathClaimService } from '../domain/death-claims/death-claim-service';
import type { DeathClaimPaymentService } from '../domain/death-claims/claim-payment-service';
import type { SessionCookie } from './session-cookie';

/** Domain services, built once in app.ts and shared by every request. */
export interface Services {
  auth: AuthService;
  audit: AuditTrail;
  subscription: SubscriptionService;
  documents: DocumentService;
  signing: SigningService;
  withdrawal: WithdrawalService;
  policies: PolicyService;
  deathSettlement: DeathSettlementService;
  deathClaims: DeathClaimService;
  claimBeneficiaries: ClaimBeneficiaryService;
  deathClaimPayments: DeathClaimPaymentService;
  payOut: PayOutService;
  payers: PayerService;
  singlePremiums: SinglePremiumService;
  /** The payment provider's outcomes for premium collections (`payments` webhook). */
  premiumSettlement: PremiumSettlement;
  premiumSchedules: PremiumScheduleService;
  sepaBatches: SepaBatchService;
  surrender: SurrenderService;
  surrenderPayments: SurrenderPayments;
  earlyReleaseFile: EarlyReleaseFile;
  billing: BillingService;
  support: SupportService;
  evidence: EvidenceService;
  webhookEndpoints: WebhookEndpointService;
  emailing: EmailingService;
  funds: FundService;
  positions: PositionService;
  switches: SwitchService;
  mandates: MandateService;
  orders: OrderService;
  clock: Clock;
}

/** What a resolver may ask of the HTTP response, applied by whichever front (GraphQL or REST) ran it. */
export interface ResponseEffects {
  cookies: string[];
}

/** Per-request context: the same for `/graphql` and every `/v1` route. */
export interface RequestContext {
  requestId: string;
  viewer: Viewer | null;
  /** Why there is no viewer; null when there is one. */
  authFailure: UnauthorizedReason | null;
  /** Client address (with TRUST_PROXY, the right-most X-Forwarded-For hop that is not our proxy). */
  address: string;
  /** Raw value of the client certificate serial header. */
  certificateSerial: string | undefined;
  /** Raw credentials, for operations that act on them (logout clears the cookie it came with). */
  credentials: PresentedCredentials;
  services: Services;
  sessionCookie: SessionCookie;
  response: ResponseEffects;
  /** Batching loaders, created per request so nothing cached leaks between callers. */
  loaders: Loaders;
}

/** What the edge needs to authenticate a request: no domain service beyond authentication. */
export interface EdgeDeps {
  auth: Pick<AuthService, 'authenticate'>;
  sessionCookie: SessionCookie;
  clientCertSerialHeader: string;
  trustProxy: boolean;
  /** Proxy headers (certificate serial, X-Forwarded-For) count only from these peers. */
  proxies: ProxyTrust;
  /**
   * Whether the front's edge assertion (EDGE_ASSERTION_HEADER) counts, from a trusted proxy only: the
   * service behind a front, yes; the front itself never (its callers are the public).
   */
  edgeAssertions: boolean;
}

/** The header carrying the front's edge assertion to the service (docs/SECURITY.md 31). */
export const EDGE_ASSERTION_HEADER = 'x-edge-assertion';

export interface ContextDeps {
  /** The edge's dependencies, authentication included (built once, not per request). */
  edge: EdgeDeps;
  services: Services;
  sessionCookie: SessionCookie;
}

export interface IncomingRequestInfo {
  headers: IncomingHttpHeaders;
  remoteAddress: string | undefined;
  requestId: string;
  method: string;
  /** The request target exactly as sent (path and query). */
  target: string;
  /** Reads the raw body once (later calls share the read); a partner's signed request covers it. */
  body: () => Promise<Buffer>;
}

/**
 * The part of the context that a GraphQL front (gateway/) builds at the edge, before any planning:
 * who the caller is, or why there is none. Resolvers get it inside the full RequestContext.
 */
export type EdgeContext = Pick<RequestContext, 'requestId' | 'viewer' | 'authFailure' | 'address' | 'certificateSerial' | 'credentials' | 'response'>;

/** Reads credentials off the request and resolves them to a viewer (one database round trip at most). */
export async function authenticateRequest(request: IncomingRequestInfo, deps: EdgeDeps): Promise<EdgeContext> {
  // Headers only our proxy may set are ignored from anyone else, so a client cannot claim a certificate.
  const viaProxy = deps.proxies.trusts(request.remoteAddress);
  const credentials = presentedCredentials(request.headers, deps, viaProxy);
  if (credentials.bearer !== undefined || credentials.edgeAssertion !== undefined) credentials.request = { method: request.method, target: request.target, body: request.body };
  const authentication = await deps.auth.authenticate(credentials);
  return {
    requestId: request.requestId,
    viewer: 'viewer' in authentication ? authentication.viewer : null,
    authFailure: 'failure' in authentication ? authentication.failure : null,
    address: deps.proxies.clientAddress(request.remoteAddress, single(request.headers['x-forwarded-for']), deps.trustProxy),
    certificateSerial: credentials.certificateSerial,
    credentials,
    response: { cookies: [] },
  };
}

/** The edge's context plus what resolvers need: the services, the cookie codec, per-request loaders. */
export async function buildContext(request: IncomingRequestInfo, deps: ContextDeps): Promise<RequestContext> {
  return new ServiceContext(await authenticateRequest(request, deps.edge), deps.services, deps.sessionCookie);
}

/**
 * A class rather than an object literal with a getter: every request's context then shares one shape,
 * which the resolvers' property reads stay fast on (a literal with a getter and a spread is built slowly).
 */
class ServiceContext implements RequestContext {
  readonly requestId: string;
  readonly viewer: Viewer | null;
  readonly authFailure: UnauthorizedReason | null;
  readonly address: string;
  readonly certificateSerial: string | undefined;
  readonly credentials: PresentedCredentials;
  readonly response: ResponseEffects;
  private built: Loaders | undefined;

  constructor(edge: EdgeContext, readonly services: Services, readonly sessionCookie: SessionCookie) {
    this.requestId = edge.requestId;
    this.viewer = edge.viewer;
    this.authFailure = edge.authFailure;
    this.address = edge.address;
    this.certificateSerial = edge.certificateSerial;
    this.credentials = edge.credentials;
    this.response = edge.response;
  }

  /** Built on first use: most requests never touch a loader. */
  get loaders(): Loaders {
    return (this.built ??= createLoaders(this.services, this.viewer));
  }
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function presentedCredentials(headers: IncomingHttpHeaders, deps: Omit<EdgeDeps, 'auth'>, viaProxy: boolean): PresentedCredentials {
  const credentials: PresentedCredentials = { certificateSerial: viaProxy ? single(headers[deps.clientCertSerialHeader]) : undefined };
  const authorization = headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(authorization);
    if (match) credentials.bearer = match[1];
    else credentials.malformedAuthorization = true;
  }
  // Like the certificate serial, an assertion from anyone but our proxies (the front) is not even read.
  const assertion = deps.edgeAssertions && viaProxy ? single(headers[EDGE_ASSERTION_HEADER]) : undefined;
  if (assertion !== undefined) credentials.edgeAssertion = assertion;
  const cookie = deps.sessionCookie.read(headers.cookie);
  if (cookie !== undefined) credentials.sessionCookie = cookie;
  return credentials;
}
