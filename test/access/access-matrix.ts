import { parisToday, scaledEur } from '../support/surrender-fixtures';
import { DEMO_IDS, testId } from '../support/ids';
import { DEMO_FUNDS, DEMO_VALUATION_RANGE, demoValuations } from '../../domain/demo/demo-investments';
import { formatDecimal } from '../../domain/investments/decimal';
/**
 * Function-level access matrix (docs/SECURITY.md 16) and committed inventory (docs/SECURITY.md 18).
 *
 * ONE table: every REST route of `rest-bridge/routes.ts` (`METHOD /path`), every GraphQL root field
 * (`Query.x`, `Mutation.x`) and the few HTTP endpoints outside the bridge (webhooks, OpenAPI, JWKS),
 * each classified for every actor:
 *
 *   anonymous        no credentials at all
 *   subscriber       alice@demo.test (subscriber `sbr_alice`, policies `pol_alice_av`, `pol_alice_per`)
 *   other_subscriber bob@demo.test acting on ALICE's objects
 *   broker           broker@demo.test (`usr_broker`, distributor `dst_demo`, which distributes alice)
 *   other_broker     a broker of another distributor, inserted by the test
 *   backoffice       backoffice@demo.test
 *   machine          partner platform `demo-partner` (distributor `dst_demo`), client-credentials token,
 *                    sent with `x-client-certificate-serial: 01:23:45:67:89:AB:CD:EF` on every call
 *
 * Every request targets ALICE's objects, so only the caller varies across a row.
 *
 * Outcomes:
 *   ok           REST 2xx / GraphQL no error. CONVENTION FOR WRITES (any non-GET route, any Mutation):
 *                `ok` means "passes access control": the answer is neither 401, 403 nor 404 (nor a
 *                5xx), so a business refusal (409 already registered, 412 stale If-Match, 422 deadline
 *                passed...) still counts. The targets are chosen so these writes stay harmless:
 *                re-registering alice's existing IBAN, a stale `If-Match`, a total surrender on a policy
 *                whose total surrender is already open, a wrong OTP, a withdrawal long after its
 *                deadline... Reads (GET, Query) must answer 2xx / no error.
 *   unauthorized 401 / extensions.code `unauthorized`
 *   forbidden    403 / `forbidden`
 *   not_found    404 / `not_found` (someone else's object answers like a missing one)
 *   public       anybody may call it, and it succeeds (2xx) for every actor
 *   signature    webhook: not a GraphQL operation, authenticated by its signature only; an unsigned
 *                delivery answers 401 `INVALID_SIGNATURE` whoever sends it
 *
 * `freshSession`: the request ends the caller's session (logout), so each cell gets its own login.
 * Values in `Fixtures` are alice's objects created by the test's setup (as alice or back-office).
 */

export const ACTORS = ['anonymous', 'subscriber', 'other_subscriber', 'broker', 'other_broker', 'backoffice', 'machine'] as const;
export type Actor = (typeof ACTORS)[number];
export type Outcome = 'ok' | 'unauthorized' | 'forbidden' | 'not_found' | 'public' | 'signature';
export type Expectation = Record<Actor, Outcome>;

/** Alice's objects the setup creates; the demo seed provides the rest (`pol_alice_av`...). */
export interface Fixtures {
  /** A commission statement of broker@demo.test. */
  commissionId: string;
  /** A draft of alice's whose documents are generated and whose OTP signature is pending. */
  draftSubscriptionId: string;
  /** A generated contract document of that draft. */
  documentId: string;
  /** An open total surrender of `pol_alice_av`. */
  totalDeclarationId: string;
  /** An open partial surrender of `pol_alice_per`, compartment `cmp_alice_per_c1`. */
  partialDeclarationId: string;
  /** A support request alice opened. */
  supportRequestId: string;
  /** Alice's registered pay-out IBAN (its id). */
  payoutIbanId: string;
  /** A 1x1 PNG, base64 (a valid supporting document). */
  pngBase64: string;
  /** A proof alice uploaded about `pol_alice_av` (a beneficiary's consent), not reviewed. */
  evidenceId: string;
  /** A webhook endpoint of the demo distributor (made by demo-partner before the other fixtures, so it has deliveries). */
  webhookEndpointId: string;
  /** One of its deliveries. */
  webhookDeliveryId: string;
  /** Endpoints of the demo distributor for the delete rows: each call takes the next one. */
  disposableEndpointIds: string[];
  /** A message the partner platform queued on the e-mailing route (back-office reads any, a platform its own). */
  emailMessageId: string;
  /** A payer of alice's (her mother), whose only IBAN, ALICE_PAYER_IBAN, is its default. */
  payerId: string;
  /** A single-premium request alice's payer makes into `pol_alice_av`, pending collection. */
  singlePremiumRequestId: string;
  /** A closed SEPA collection batch holding a premium of alice's payer (the setup runs and closes it). */
  sepaBatchId: string;
  /** A switch alice asked on `pol_alice_av`'s compartment MAIN. */
  switchRequestId: string;
  /** A mandate without a target allocation: delegating to it is refused (422) once past access control. */
  mandateId: string;
  /** A death claim on a policy of alice's made for it alone (her demo policies stay unfrozen). */
  deathClaimId: string;
  /** A named beneficiary of that claim (1st rank), whose file holds one document. */
  deathClaimBeneficiaryId: string;
  /** That document (an identity document uploaded by back-office, not reviewed). */
  deathClaimDocumentId: string;
  /** A payment of that claim, to a beneficiary line made for it. */
  deathClaimPaymentId: string;
}

export interface RestRequest {
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
}
export interface GraphqlRequest {
  variables?: Record<string, unknown>;
  headers?: Record<string, string>;
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type RestKey = `${Method} /${string}`;
export type FieldKey = `Query.${string}` | `Mutation.${string}`;

export type MatrixRow =
  | { kind: 'rest'; key: RestKey; expect: Expectation; request?: (f: Fixtures) => RestRequest; freshSession?: boolean }
  /** HTTP endpoints outside the REST bridge (not in ROUTES): webhooks, OpenAPI, JWKS. */
  | { kind: 'http'; key: RestKey; expect: Expectation; request?: (f: Fixtures) => RestRequest }
  | { kind: 'graphql'; key: FieldKey; expect: Expectation; request?: (f: Fixtures) => GraphqlRequest; freshSession?: boolean };

// ---- expectation profiles ------------------------------------------------------------------------

const row = (anonymous: Outcome, subscriber: Outcome, other_subscriber: Outcome, broker: Outcome, other_broker: Outcome, backoffice: Outcome, machine: Outcome): Expectation => ({
  anonymous,
  subscriber,
  other_subscriber,
  broker,
  other_broker,
  backoffice,
  machine,
});

/** Login, token, OpenAPI, JWKS. */
const PUBLIC = row('public', 'public', 'public', 'public', 'public', 'public', 'public');
/** Webhooks. */
const SIGNED = row('signature', 'signature', 'signature', 'signature', 'signature', 'signature', 'signature');
/** Any signed-in caller, nothing of alice's involved (me, catalogue, lists filtered to the caller). */
const SIGNED_IN = row('unauthorized', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok');
/** Alice's object: alice, her distributor's broker and partner, back-office. */
const ALICES = row('unauthorized', 'ok', 'not_found', 'ok', 'not_found', 'ok', 'ok');
/** Alice's object, partner platforms excluded (support requests). */
const ALICES_NO_MACHINE = row('unauthorized', 'ok', 'not_found', 'ok', 'not_found', 'ok', 'forbidden');
/** Commission lists: brokers (their own) and back-office; never subscribers nor partners (SECURITY 14). */
const BILLING_LIST = row('unauthorized', 'forbidden', 'forbidden', 'ok', 'ok', 'ok', 'forbidden');
/** A statement of broker@demo.test: another broker does not find it. */
const BILLING_ITEM = row('unauthorized', 'forbidden', 'forbidden', 'ok', 'not_found', 'ok', 'forbidden');
/** Death claims read: back-office, the insured's distributor's broker and partner; never a subscriber. */
const DEATH_CLAIM = row('unauthorized', 'forbidden', 'forbidden', 'ok', 'not_found', 'ok', 'ok');
/** Death claims listed: back-office all, brokers and partners their distributor's (another broker's list is empty). */
const DEATH_CLAIM_LIST = row('unauthorized', 'forbidden', 'forbidden', 'ok', 'ok', 'ok', 'ok');
/** A notice of death: back-office and partner platforms record it; the date in the future keeps alice alive (422). */
const ALIVE_NOTICE = { subscriberId: DEMO_IDS.subscribers.alice, dateOfDeath: '2199-01-01', source: 'backoffice', deathCertificateReference: 'ACCESS-MATRIX' };
/** A beneficiary line of the matrix's death claim, as its routes name it. */
const CLAIM_LINE = '/v1/death-claims/{claimId}/beneficiaries/{beneficiaryId}';
const claimLine = (f: Fixtures) => ({ claimId: f.deathClaimId, beneficiaryId: f.deathClaimBeneficiaryId });
const CLAUSE_PERSON = { firstName: 'Léon', lastName: 'Martin', birthDate: '2003-05-06', relationship: 'child' };
/** The 757 B certificate: alice's policy has no premium after 70, so the file does not need it (422). */
const claimDocument = (f: Fixtures) => ({ item: 'tax_757b_certificate', fileName: 'cert.png', contentType: 'image/png', contentBase64: f.pngBase64 });
/** A payment order refused once past access control (an IBAN with a wrong check digit: 400). */
const BAD_CLAIM_PAYMENT = { beneficiaryId: '00000000-0000-7000-8000-000000000999', iban: 'FR7630006000011234567890188', holderName: 'Access Matrix' };
/** A legal rate refused once past access control (not a half-year's first day: 400). */
const BAD_LEGAL_RATE = { category: 'consumer', validFrom: '2026-07-02', validTo: '2026-12-31', rateBasisPoints: 700, source: 'access matrix' };
/** Compartment lifecycle on alice's policy: back-office and the distributor's partner platform. */
const LIFECYCLE = row('unauthorized', 'forbidden', 'forbidden', 'forbidden', 'forbidden', 'ok', 'ok');
/** Webhook endpoints: brokers and partner platforms (their distributor's), back-office (all); never subscribers. */
const ENDPOINT_MANAGERS = row('unauthorized', 'forbidden', 'forbidden', 'ok', 'ok', 'ok', 'ok');
/** An endpoint of alice's distributor: another distributor's broker does not find it. */
const DISTRIBUTORS_ENDPOINT = row('unauthorized', 'forbidden', 'forbidden', 'ok', 'not_found', 'ok', 'ok');
/** The e-mailing route: back-office and partner platforms, refused to people before any lookup. */
const EMAILING = row('unauthorized', 'forbidden', 'forbidden', 'forbidden', 'forbidden', 'ok', 'ok');
/** Market data (fund valuations): back-office and partner platforms, for any fund. */
const MARKET_DATA = row('unauthorized', 'forbidden', 'forbidden', 'forbidden', 'forbidden', 'ok', 'ok');
/** Back-office only. */
const BACKOFFICE = row('unauthorized', 'forbidden', 'forbidden', 'forbidden', 'forbidden', 'ok', 'forbidden');
/** A subscriber login's own profile. */
const SUBSCRIBER_SELF = row('unauthorized', 'ok', 'ok', 'forbidden', 'forbidden', 'forbidden', 'forbidden');
/**
 * The subscriber's own act on alice's object (withdrawal, her pay-out default): alice, or back-office
 * recording her letter; never a broker or partner, refused before any lookup.
 */
const ALICES_OWN_ACT = row('unauthorized', 'ok', 'not_found', 'forbidden', 'forbidden', 'ok', 'forbidden');

// ---- request builders ------------------------------------------------------------------------------

const PNG = (f: Fixtures) => ({ kind: 'proof_of_address', fileName: 'bill.png', contentType: 'image/png', contentBase64: f.pngBase64 });
const ALICE_IBAN = 'FR7630004000030000000077706';
export const EMAIL_MESSAGE = { from: 'hello@quarzo-life.com', to: 'alice@demo.test', subject: 'Access matrix', content: { template_name: 'information', variables: { body: 'Checking who may queue a message.' } } };
const ALICE_PAYER_IBAN = 'FR7630006000011234567890189';
/** A single premium of alice's payer into `pol_alice_av`, from its default IBAN. */
export const singlePremiumBody = (f: Pick<Fixtures, 'payerId'>) => ({ policyId: DEMO_IDS.policies.aliceAv, payerId: f.payerId, method: 'sepa_direct_debit', amount: { value: 150_000, currency: 'EUR' } });
/** A monthly premium of alice's payer into `pol_alice_av`. */
export const scheduleBody = (f: Pick<Fixtures, 'payerId'>) => ({ payerId: f.payerId, frequency: 'monthly', amount: { value: 10_000, currency: 'EUR' }, dayOfMonth: 5 });
export const PAYER_BODY = { relationship: 'parent', firstName: 'Jeanne', lastName: 'Martin', birthDate: '1950-04-02' };
const SUBSCRIBER_BODY = {
  civility: 'MME',
  firstName: 'Claire',
  lastName: 'Access',
  birthDate: '1980-01-02',
  birthPlace: 'Lyon',
  nationality: 'FR',
  address: { line1: '1 rue du Test', postalCode: '75002', city: 'Paris', country: 'FR' },
  email: 'claire.access@example.com',
  phone: '06 11 22 33 44',
  taxResidence: 'FR',
};
export const SUBSCRIPTION_BODY = {
  insureeId: DEMO_IDS.insurees.alice,
  productId: DEMO_IDS.products.av,
  initialPayment: { amount: 150_000, currency: 'EUR' },
  scheduledPayment: { amount: 10_000, currency: 'EUR', frequency: 'monthly' },
  allocation: [
    { isin: 'FR0000000001', basisPoints: 6_000 },
    { isin: 'FR0010315770', basisPoints: 4_000 },
  ],
  beneficiaryClause: { standardClauseId: DEMO_IDS.standardClauses.spouseChildren },
  debitIban: 'FR7630006000011234567890189',
  debitHolder: 'Alice Martin',
};
/** A REST body as the GraphQL input (REST and GraphQL share their names; kept for bodies written by hand). */
const camel = (body: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(body).map(([k, v]) => [
      k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()),
      Array.isArray(v) ? v.map((x) => (x && typeof x === 'object' ? camel(x as Record<string, unknown>) : x)) : v && typeof v === 'object' ? camel(v as Record<string, unknown>) : v,
    ]),
  );

const LOGIN = { email: 'alice@demo.test', password: 'demo-password-2026' };
const CLIENT = { grant_type: 'client_credentials', client_id: 'demo-partner', client_secret: 'demo-partner-secret' };
const SERIAL_HEADER = { 'x-client-certificate-serial': '01:23:45:67:89:AB:CD:EF' };
const WEBHOOK_BODY = { type: 'signature.completed', timestamp: '2026-01-01T00:00:00Z', data: { signature_id: testId('sig_unknown') } };

const TOTAL = '/v1/total-surrender/policies/{policyId}/declarations';
const PARTIAL = '/v1/partial-surrender/policies/{policyId}/compartments/{compartmentId}/declarations';
const LIFE = '/v1/compartment-lifecycle/policies/{policyId}/compartments';
const lifecycleTransition = (action: string): MatrixRow => ({
  kind: 'rest',
  key: `POST ${LIFE}/{compartmentId}/${action}`,
  expect: LIFECYCLE,
  request: () => ({ params: { policyId: DEMO_IDS.policies.alicePer, compartmentId: DEMO_IDS.compartments.alicePerC3 }, body: { reason: `access matrix ${action}` } }),
});

const INVEST = '/v1/investments';
/** The demo's last NAV of a fund alice holds: loading it again changes nothing. */
const DEMO_LAST_NAV = demoValuations(new Date()).find((v) => v.isin === DEMO_FUNDS.europeEquity.isin && v.valuedOn === DEMO_VALUATION_RANGE.to)!.nav;
/** A fund already catalogued: registering it again is 409 once past access control. */
const CATALOGUED_FUND = { ...DEMO_FUNDS.worldEquity };
const ALICE_MAIN = { policyId: DEMO_IDS.policies.aliceAv, compartmentId: DEMO_IDS.compartments.aliceAvMain };
const TWICE_THE_SAME_FUND = [
  { isin: DEMO_FUNDS.europeEquity.isin, direction: 'SELL', unit: 'BASIS_POINT_OF_CURRENT_POSITION', basisPoints: 1_000 },
  { isin: DEMO_FUNDS.europeEquity.isin, direction: 'BUY', unit: 'BASIS_POINT_OF_SELL_PROCEED', basisPoints: 10_000 },
];

/** A fund twice: a target allocation refused by the rules (400) once past access control. */
const DUPLICATE_ALLOCATION = [
  { isin: DEMO_FUNDS.euro.isin, basisPoints: 5_000 },
  { isin: DEMO_FUNDS.euro.isin, basisPoints: 5_000 },
];

// ---- the table -------------------------------------------------------------------------------------

export const ACCESS_MATRIX: MatrixRow[] = [
  // auth
  { kind: 'rest', key: 'POST /v1/auth/login', expect: PUBLIC, request: () => ({ body: LOGIN }) },
  { kind: 'rest', key: 'POST /v1/auth/token', expect: PUBLIC, request: () => ({ body: CLIENT, headers: SERIAL_HEADER }) },
  { kind: 'rest', key: 'GET /v1/auth/me', expect: SIGNED_IN },
  { kind: 'rest', key: 'POST /v1/auth/logout', expect: SIGNED_IN, freshSession: true },
  { kind: 'graphql', key: 'Query.me', expect: SIGNED_IN },
  { kind: 'graphql', key: 'Mutation.login', expect: PUBLIC, request: () => ({ variables: LOGIN }) },
  { kind: 'graphql', key: 'Mutation.issueClientToken', expect: PUBLIC, request: () => ({ variables: { grantType: CLIENT.grant_type, clientId: CLIENT.client_id, clientSecret: CLIENT.client_secret }, headers: SERIAL_HEADER }) },
  { kind: 'graphql', key: 'Mutation.logout', expect: SIGNED_IN, freshSession: true },

  // subscription
  { kind: 'rest', key: 'GET /v1/subscription/products', expect: SIGNED_IN },
  { kind: 'rest', key: 'GET /v1/subscription/standard-clauses', expect: SIGNED_IN },
  // A subscription login already having a profile gets 409 PROFILE_EXISTS: passes access control.
  { kind: 'rest', key: 'POST /v1/subscription/subscribers', expect: SIGNED_IN, request: () => ({ body: SUBSCRIBER_BODY }) },
  { kind: 'rest', key: 'GET /v1/subscription/subscribers/{subscriberId}', expect: ALICES, request: () => ({ params: { subscriberId: DEMO_IDS.subscribers.alice } }) },
  { kind: 'rest', key: 'POST /v1/subscription/insurees', expect: ALICES, request: () => ({ body: { subscriberId: DEMO_IDS.subscribers.alice, sameAsSubscriber: true } }) },
  { kind: 'rest', key: 'POST /v1/subscription/subscribers/{subscriberId}/subscriptions', expect: ALICES, request: () => ({ params: { subscriberId: DEMO_IDS.subscribers.alice }, body: SUBSCRIPTION_BODY }) },
  { kind: 'rest', key: 'GET /v1/subscription/subscriptions/{subscriptionId}', expect: ALICES, request: () => ({ params: { subscriptionId: DEMO_IDS.subscriptions.aliceAv } }) },
  // The draft's signature is pending: generating again is refused by the journey (409).
  { kind: 'rest', key: 'POST /v1/subscription/subscriptions/{subscriptionId}/documents', expect: ALICES, request: (f) => ({ params: { subscriptionId: f.draftSubscriptionId } }) },
  { kind: 'rest', key: 'GET /v1/subscription/subscriptions/{subscriptionId}/documents', expect: ALICES, request: (f) => ({ params: { subscriptionId: f.draftSubscriptionId } }) },
  {
    kind: 'rest',
    key: 'GET /v1/subscription/subscriptions/{subscriptionId}/documents/{documentId}/download',
    expect: ALICES,
    request: (f) => ({ params: { subscriptionId: f.draftSubscriptionId, documentId: f.documentId } }),
  },
  { kind: 'rest', key: 'POST /v1/subscription/subscriptions/{subscriptionId}/supporting-documents', expect: ALICES, request: (f) => ({ params: { subscriptionId: f.draftSubscriptionId }, body: PNG(f) }) },
  { kind: 'rest', key: 'POST /v1/subscription/subscriptions/{subscriptionId}/signing', expect: ALICES, request: (f) => ({ params: { subscriptionId: f.draftSubscriptionId }, body: { method: 'otp' } }) },
  { kind: 'rest', key: 'GET /v1/subscription/subscriptions/{subscriptionId}/signing', expect: ALICES, request: (f) => ({ params: { subscriptionId: f.draftSubscriptionId } }) },
  // A wrong code: refused by the signing rules, never issues the policy.
  { kind: 'rest', key: 'POST /v1/subscription/subscriptions/{subscriptionId}/signing/otp', expect: ALICES, request: (f) => ({ params: { subscriptionId: f.draftSubscriptionId }, body: { code: '000000' } }) },
  // Signed in 2025-03: the 30-day withdrawal period is long over (refused by a business rule; back-office,
  // who must give the letter's date, is refused for its absence): passes access control either way.
  { kind: 'rest', key: 'POST /v1/subscription/subscriptions/{subscriptionId}/withdraw', expect: ALICES_OWN_ACT, request: () => ({ params: { subscriptionId: DEMO_IDS.subscriptions.aliceAv }, body: { reason: 'access matrix' } }) },
  { kind: 'graphql', key: 'Query.subscriber', expect: ALICES, request: () => ({ variables: { id: DEMO_IDS.subscribers.alice } }) },
  { kind: 'graphql', key: 'Query.mySubscriberProfile', expect: SUBSCRIBER_SELF },
  { kind: 'graphql', key: 'Query.subscription', expect: ALICES, request: () => ({ variables: { id: DEMO_IDS.subscriptions.aliceAv } }) },
  { kind: 'graphql', key: 'Query.products', expect: SIGNED_IN },
  { kind: 'graphql', key: 'Query.standardClauses', expect: SIGNED_IN },
  { kind: 'graphql', key: 'Query.subscriptionDocument', expect: ALICES, request: (f) => ({ variables: { subscriptionId: f.draftSubscriptionId, documentId: f.documentId } }) },
  { kind: 'graphql', key: 'Mutation.createSubscriber', expect: SIGNED_IN, request: () => ({ variables: { input: camel(SUBSCRIBER_BODY) } }) },
  { kind: 'graphql', key: 'Mutation.createInsuree', expect: ALICES, request: () => ({ variables: { input: { subscriberId: DEMO_IDS.subscribers.alice, sameAsSubscriber: true } } }) },
  { kind: 'graphql', key: 'Mutation.createSubscription', expect: ALICES, request: () => ({ variables: { subscriberId: DEMO_IDS.subscribers.alice, input: camel(SUBSCRIPTION_BODY) } }) },
  { kind: 'graphql', key: 'Mutation.generateContractDocuments', expect: ALICES, request: (f) => ({ variables: { subscriptionId: f.draftSubscriptionId } }) },
  { kind: 'graphql', key: 'Mutation.uploadSupportingDocument', expect: ALICES, request: (f) => ({ variables: { subscriptionId: f.draftSubscriptionId, input: camel(PNG(f)) } }) },
  { kind: 'graphql', key: 'Mutation.requestSignature', expect: ALICES, request: (f) => ({ variables: { subscriptionId: f.draftSubscriptionId, method: 'otp' } }) },
  { kind: 'graphql', key: 'Mutation.confirmSignatureOtp', expect: ALICES, request: (f) => ({ variables: { subscriptionId: f.draftSubscriptionId, code: '000000' } }) },
  { kind: 'graphql', key: 'Mutation.withdrawSubscription', expect: ALICES_OWN_ACT, request: () => ({ variables: { subscriptionId: DEMO_IDS.subscriptions.aliceAv, reason: 'access matrix' } }) },

  // policy and compartment lifecycle
  { kind: 'graphql', key: 'Query.policies', expect: SIGNED_IN },
  { kind: 'graphql', key: 'Query.policy', expect: ALICES, request: () => ({ variables: { id: DEMO_IDS.policies.aliceAv } }) },
  { kind: 'rest', key: 'GET /v1/policies/{policyId}', expect: ALICES, request: () => ({ params: { policyId: DEMO_IDS.policies.aliceAv } }) },
  { kind: 'rest', key: `GET ${LIFE}/{compartmentId}`, expect: LIFECYCLE, request: () => ({ params: { policyId: DEMO_IDS.policies.alicePer, compartmentId: DEMO_IDS.compartments.alicePerC2 } }) },
  { kind: 'graphql', key: 'Query.policyCompartment', expect: LIFECYCLE, request: () => ({ variables: { policyId: DEMO_IDS.policies.alicePer, id: DEMO_IDS.compartments.alicePerC2 } }) },
  { kind: 'rest', key: `GET ${LIFE}`, expect: LIFECYCLE, request: () => ({ params: { policyId: DEMO_IDS.policies.alicePer } }) },
  // C2 already exists on alice's PER: 409 once past access control.
  { kind: 'rest', key: `POST ${LIFE}`, expect: LIFECYCLE, request: () => ({ params: { policyId: DEMO_IDS.policies.alicePer }, body: { code: 'C2', reason: 'access matrix' } }) },
  lifecycleTransition('activate'),
  lifecycleTransition('suspend'),
  lifecycleTransition('resume'),
  lifecycleTransition('liquidate'),
  lifecycleTransition('close'),
  { kind: 'graphql', key: 'Query.policyCompartments', expect: LIFECYCLE, request: () => ({ variables: { policyId: DEMO_IDS.policies.alicePer } }) },
  { kind: 'graphql', key: 'Mutation.openCompartment', expect: LIFECYCLE, request: () => ({ variables: { policyId: DEMO_IDS.policies.alicePer, code: 'C2', reason: 'access matrix' } }) },
  {
    kind: 'graphql',
    key: 'Mutation.transitionCompartment',
    expect: LIFECYCLE,
    request: () => ({ variables: { policyId: DEMO_IDS.policies.alicePer, compartmentId: DEMO_IDS.compartments.alicePerC3, action: 'suspend', reason: 'access matrix' } }),
  },

  // billing (SECURITY 14: never subscribers, never partner platforms)
  { kind: 'rest', key: 'GET /v1/billing/commissions', expect: BILLING_LIST },
  { kind: 'rest', key: 'GET /v1/billing/commissions/{commissionId}/download', expect: BILLING_ITEM, request: (f) => ({ params: { commissionId: f.commissionId }, query: { format: 'csv' } }) },
  { kind: 'graphql', key: 'Query.commissionStatements', expect: BILLING_LIST },
  { kind: 'graphql', key: 'Query.commissionStatement', expect: BILLING_ITEM, request: (f) => ({ variables: { id: f.commissionId } }) },
  { kind: 'graphql', key: 'Query.commissionStatementFile', expect: BILLING_ITEM, request: (f) => ({ variables: { id: f.commissionId, format: 'csv' } }) },

  // e-mailing: no idempotency key, so each call that passes queues one more message
  {
    kind: 'rest',
    key: 'POST /v1/emailing/messages',
    expect: EMAILING,
    request: () => ({ body: EMAIL_MESSAGE }),
  },
  { kind: 'rest', key: 'GET /v1/emailing/messages/{messageId}', expect: EMAILING, request: (f) => ({ params: { messageId: f.emailMessageId } }) },
  { kind: 'graphql', key: 'Mutation.queueEmailMessage', expect: EMAILING, request: () => ({ variables: { input: EMAIL_MESSAGE } }) },
  { kind: 'graphql', key: 'Query.emailMessage', expect: EMAILING, request: (f) => ({ variables: { id: f.emailMessageId } }) },

  // support
  {
    kind: 'rest',
    key: 'POST /v1/support/subscribers/{subscriberId}/requests',
    expect: ALICES_NO_MACHINE,
    request: () => ({ params: { subscriberId: DEMO_IDS.subscribers.alice }, body: { category: 'other', subject: 'Access matrix', message: 'Checking who may open a request.' } }),
  },
  { kind: 'rest', key: 'GET /v1/support/requests', expect: BACKOFFICE },
  { kind: 'rest', key: 'GET /v1/support/requests/{requestId}', expect: ALICES_NO_MACHINE, request: (f) => ({ params: { requestId: f.supportRequestId } }) },
  { kind: 'graphql', key: 'Query.supportRequest', expect: ALICES_NO_MACHINE, request: (f) => ({ variables: { id: f.supportRequestId } }) },
  // open -> in_progress here, in_progress -> closed through GraphQL; a third move would be 409 (still ok).
  { kind: 'rest', key: 'PATCH /v1/support/requests/{requestId}', expect: BACKOFFICE, request: (f) => ({ params: { requestId: f.supportRequestId }, body: { status: 'in_progress' } }) },
  { kind: 'graphql', key: 'Query.supportRequests', expect: BACKOFFICE },
  {
    kind: 'graphql',
    key: 'Mutation.openSupportRequest',
    expect: ALICES_NO_MACHINE,
    request: () => ({ variables: { subscriberId: DEMO_IDS.subscribers.alice, input: { category: 'other', subject: 'Access matrix', message: 'Checking who may open a request.' } } }),
  },
  { kind: 'graphql', key: 'Mutation.changeSupportRequestStatus', expect: BACKOFFICE, request: (f) => ({ variables: { id: f.supportRequestId, status: 'closed' } }) },

  // death settlement: a stale If-Match (412) once past access control
  { kind: 'rest', key: 'GET /v1/death-settlement/policies/{policyId}/standard-beneficiary-designations', expect: ALICES, request: () => ({ params: { policyId: DEMO_IDS.policies.aliceAv } }) },
  { kind: 'rest', key: 'GET /v1/death-settlement/policies/{policyId}/beneficiary-designation', expect: ALICES, request: () => ({ params: { policyId: DEMO_IDS.policies.aliceAv } }) },
  {
    kind: 'rest',
    key: 'PUT /v1/death-settlement/policies/{policyId}/beneficiary-designation',
    expect: ALICES,
    request: () => ({ params: { policyId: DEMO_IDS.policies.aliceAv }, headers: { 'if-match': '"999"' }, body: { standardClauseId: DEMO_IDS.standardClauses.spouseChildren } }),
  },
  { kind: 'graphql', key: 'Query.standardBeneficiaryDesignations', expect: ALICES, request: () => ({ variables: { policyId: DEMO_IDS.policies.aliceAv } }) },
  { kind: 'graphql', key: 'Query.beneficiaryDesignation', expect: ALICES, request: () => ({ variables: { policyId: DEMO_IDS.policies.aliceAv } }) },
  {
    kind: 'graphql',
    key: 'Mutation.designateBeneficiaries',
    expect: ALICES,
    request: () => ({ variables: { policyId: DEMO_IDS.policies.aliceAv, expectedVersion: 999, input: { standardClauseId: DEMO_IDS.standardClauses.spouseChildren } } }),
  },
  // Recording an acceptance: back-office only; an unknown beneficiary (422) once past access control.
  {
    kind: 'rest',
    key: 'POST /v1/death-settlement/policies/{policyId}/beneficiary-acceptances',
    expect: BACKOFFICE,
    request: () => ({ params: { policyId: DEMO_IDS.policies.aliceAv }, body: { beneficiaryId: testId('bnf_nobody'), acceptedAt: '2025-06-01', endorsementId: testId('evd_nobody') } }),
  },
  {
    kind: 'graphql',
    key: 'Mutation.recordBeneficiaryAcceptance',
    expect: BACKOFFICE,
    request: () => ({ variables: { policyId: DEMO_IDS.policies.aliceAv, input: { beneficiaryId: testId('bnf_nobody'), acceptedAt: '2025-06-01', endorsementId: testId('evd_nobody') } } }),
  },

  // surrender: a total surrender of pol_alice_av is already open (409); partials add a small amount
  { kind: 'rest', key: `POST ${TOTAL}`, expect: ALICES, request: () => ({ params: { policyId: DEMO_IDS.policies.aliceAv }, body: { reason: 'client-request' } }) },
  { kind: 'rest', key: `GET ${TOTAL}/{declarationId}`, expect: ALICES, request: (f) => ({ params: { policyId: DEMO_IDS.policies.aliceAv, declarationId: f.totalDeclarationId } }) },
  {
    kind: 'rest',
    key: `POST ${PARTIAL}`,
    expect: ALICES,
    request: () => ({ params: { policyId: DEMO_IDS.policies.alicePer, compartmentId: DEMO_IDS.compartments.alicePerC1 }, body: { amount: scaledEur(50_000), requestedAt: parisToday(), earlyReleaseCase: 'disability_of_holder' } }),
  },
  {
    kind: 'rest',
    key: `GET ${PARTIAL}/{declarationId}`,
    expect: ALICES,
    request: (f) => ({ params: { policyId: DEMO_IDS.policies.alicePer, compartmentId: DEMO_IDS.compartments.alicePerC1, declarationId: f.partialDeclarationId } }),
  },
  { kind: 'graphql', key: 'Query.surrenderDeclaration', expect: ALICES, request: (f) => ({ variables: { policyId: DEMO_IDS.policies.aliceAv, id: f.totalDeclarationId } }) },
  { kind: 'graphql', key: 'Mutation.declareTotalSurrender', expect: ALICES, request: () => ({ variables: { policyId: DEMO_IDS.policies.aliceAv, input: { reason: 'client_request' } } }) },
  {
    kind: 'graphql',
    key: 'Mutation.declarePartialSurrender',
    expect: ALICES,
    request: () => ({ variables: { policyId: DEMO_IDS.policies.alicePer, compartmentId: DEMO_IDS.compartments.alicePerC1, input: { amount: scaledEur(50_000), requestedAt: parisToday(), earlyReleaseCase: 'disability_of_holder' } } }),
  },

  // pay-out IBANs: alice registered hers (409 again, awaiting its proof: not pending confirmation, not
  // confirmed, not awaiting review), so confirmation, code, default and review are refused on their rules
  { kind: 'rest', key: 'GET /v1/pay-out/subscribers/{subscriberId}/ibans', expect: ALICES, request: () => ({ params: { subscriberId: DEMO_IDS.subscribers.alice } }) },
  { kind: 'rest', key: 'GET /v1/pay-out/subscribers/{subscriberId}/ibans/{iban}', expect: ALICES, request: (f) => ({ params: { subscriberId: DEMO_IDS.subscribers.alice, iban: f.payoutIbanId } }) },
  { kind: 'graphql', key: 'Query.payoutIban', expect: ALICES, request: (f) => ({ variables: { subscriberId: DEMO_IDS.subscribers.alice, iban: f.payoutIbanId } }) },
  { kind: 'rest', key: 'POST /v1/pay-out/subscribers/{subscriberId}/ibans', expect: ALICES, request: () => ({ params: { subscriberId: DEMO_IDS.subscribers.alice }, body: { iban: ALICE_IBAN, holderName: 'Alice Martin' } }) },
  { kind: 'rest', key: 'PATCH /v1/pay-out/subscribers/{subscriberId}/ibans/{iban}/make-default', expect: ALICES_OWN_ACT, request: (f) => ({ params: { subscriberId: DEMO_IDS.subscribers.alice, iban: f.payoutIbanId } }) },
  { kind: 'rest', key: 'POST /v1/pay-out/subscribers/{subscriberId}/ibans/{iban}/confirmation-code', expect: ALICES, request: (f) => ({ params: { subscriberId: DEMO_IDS.subscribers.alice, iban: f.payoutIbanId } }) },
  { kind: 'rest', key: 'POST /v1/pay-out/subscribers/{subscriberId}/ibans/{iban}/confirm', expect: ALICES, request: (f) => ({ params: { subscriberId: DEMO_IDS.subscribers.alice, iban: f.payoutIbanId }, body: { code: '000000' } }) },
  { kind: 'rest', key: 'POST /v1/pay-out/subscribers/{subscriberId}/ibans/{iban}/review', expect: BACKOFFICE, request: (f) => ({ params: { subscriberId: DEMO_IDS.subscribers.alice, iban: f.payoutIbanId }, body: { decision: 'approve' } }) },
  { kind: 'graphql', key: 'Query.payoutIbans', expect: ALICES, request: () => ({ variables: { subscriberId: DEMO_IDS.subscribers.alice } }) },
  { kind: 'graphql', key: 'Mutation.registerPayoutIban', expect: ALICES, request: () => ({ variables: { subscriberId: DEMO_IDS.subscribers.alice, input: { iban: ALICE_IBAN, holderName: 'Alice Martin' } } }) },
  { kind: 'graphql', key: 'Mutation.makePayoutIbanDefault', expect: ALICES_OWN_ACT, request: (f) => ({ variables: { subscriberId: DEMO_IDS.subscribers.alice, iban: f.payoutIbanId } }) },
  { kind: 'graphql', key: 'Mutation.sendPayoutIbanConfirmationCode', expect: ALICES, request: (f) => ({ variables: { subscriberId: DEMO_IDS.subscribers.alice, iban: f.payoutIbanId } }) },
  { kind: 'graphql', key: 'Mutation.confirmPayoutIban', expect: ALICES, request: (f) => ({ variables: { subscriberId: DEMO_IDS.subscribers.alice, iban: f.payoutIbanId, code: '000000' } }) },
  { kind: 'graphql', key: 'Mutation.reviewPayoutIban', expect: BACKOFFICE, request: (f) => ({ variables: { subscriberId: DEMO_IDS.subscribers.alice, iban: f.payoutIbanId, input: { decision: 'approve' } } }) },

  // evidence: alice's proofs; only back-office reviews them
  {
    kind: 'rest',
    key: 'POST /v1/evidence/subscribers/{subscriberId}/documents',
    expect: ALICES,
    request: (f) => ({ params: { subscriberId: DEMO_IDS.subscribers.alice }, body: { kind: 'acceptance_endorsement', subjectId: DEMO_IDS.policies.aliceAv, fileName: 'consent.png', contentType: 'image/png', contentBase64: f.pngBase64 } }),
  },
  { kind: 'rest', key: 'GET /v1/evidence/subscribers/{subscriberId}/documents', expect: ALICES, request: () => ({ params: { subscriberId: DEMO_IDS.subscribers.alice } }) },
  { kind: 'rest', key: 'GET /v1/evidence/documents/{documentId}', expect: ALICES, request: (f) => ({ params: { documentId: f.evidenceId } }) },
  { kind: 'rest', key: 'GET /v1/evidence/documents/{documentId}/download', expect: ALICES, request: (f) => ({ params: { documentId: f.evidenceId } }) },
  { kind: 'rest', key: 'POST /v1/evidence/documents/{documentId}/review', expect: BACKOFFICE, request: (f) => ({ params: { documentId: f.evidenceId }, body: { decision: 'refuse', reason: 'access matrix' } }) },
  { kind: 'graphql', key: 'Query.evidence', expect: ALICES, request: (f) => ({ variables: { id: f.evidenceId } }) },
  { kind: 'graphql', key: 'Query.evidenceFile', expect: ALICES, request: (f) => ({ variables: { id: f.evidenceId } }) },
  {
    kind: 'graphql',
    key: 'Mutation.uploadEvidence',
    expect: ALICES,
    request: (f) => ({ variables: { subscriberId: DEMO_IDS.subscribers.alice, input: { kind: 'acceptance_endorsement', subjectId: DEMO_IDS.policies.aliceAv, fileName: 'consent.png', contentType: 'image/png', contentBase64: f.pngBase64 } } }),
  },
  { kind: 'graphql', key: 'Mutation.reviewEvidence', expect: BACKOFFICE, request: (f) => ({ variables: { id: f.evidenceId, input: { decision: 'refuse', reason: 'access matrix' } } }) },

  // payers: re-registering the payer's IBAN is 409 and deleting its default 409 (both pass access
  // control); making the default the default answers it as it is
  { kind: 'rest', key: 'GET /v1/premium-scheduling/subscribers/{subscriberId}/payers', expect: ALICES, request: () => ({ params: { subscriberId: DEMO_IDS.subscribers.alice } }) },
  { kind: 'rest', key: 'POST /v1/premium-scheduling/subscribers/{subscriberId}/payers', expect: ALICES, request: () => ({ params: { subscriberId: DEMO_IDS.subscribers.alice }, body: PAYER_BODY }) },
  { kind: 'rest', key: 'GET /v1/premium-scheduling/payers/{payerId}', expect: ALICES, request: (f) => ({ params: { payerId: f.payerId } }) },
  { kind: 'rest', key: 'POST /v1/premium-scheduling/payers/{payerId}/ibans', expect: ALICES, request: (f) => ({ params: { payerId: f.payerId }, body: { iban: ALICE_PAYER_IBAN, holderName: 'Jeanne Martin' } }) },
  { kind: 'rest', key: 'PATCH /v1/premium-scheduling/payers/{payerId}/ibans/{iban}/make-default', expect: ALICES, request: (f) => ({ params: { payerId: f.payerId, iban: ALICE_PAYER_IBAN } }) },
  { kind: 'rest', key: 'DELETE /v1/premium-scheduling/payers/{payerId}/ibans/{iban}', expect: ALICES, request: (f) => ({ params: { payerId: f.payerId, iban: ALICE_PAYER_IBAN } }) },
  { kind: 'graphql', key: 'Query.payers', expect: ALICES, request: () => ({ variables: { subscriberId: DEMO_IDS.subscribers.alice } }) },
  { kind: 'graphql', key: 'Query.payer', expect: ALICES, request: (f) => ({ variables: { id: f.payerId } }) },
  { kind: 'graphql', key: 'Mutation.createPayer', expect: ALICES, request: () => ({ variables: { subscriberId: DEMO_IDS.subscribers.alice, input: PAYER_BODY } }) },
  { kind: 'graphql', key: 'Mutation.addPayerIban', expect: ALICES, request: (f) => ({ variables: { payerId: f.payerId, input: { iban: ALICE_PAYER_IBAN, holderName: 'Jeanne Martin' } } }) },
  { kind: 'graphql', key: 'Mutation.makePayerIbanDefault', expect: ALICES, request: (f) => ({ variables: { payerId: f.payerId, iban: ALICE_PAYER_IBAN } }) },
  { kind: 'graphql', key: 'Mutation.deletePayerIban', expect: ALICES, request: (f) => ({ variables: { payerId: f.payerId, iban: ALICE_PAYER_IBAN } }) },

  // single premiums: each request is a new one (harmless); cancelling one already cancelled answers it as it is
  { kind: 'rest', key: 'POST /v1/premium-scheduling/single-premium-requests', expect: ALICES, request: (f) => ({ body: singlePremiumBody(f) }) },
  { kind: 'rest', key: 'GET /v1/premium-scheduling/single-premium-requests/{requestId}', expect: ALICES, request: (f) => ({ params: { requestId: f.singlePremiumRequestId } }) },
  { kind: 'rest', key: 'POST /v1/premium-scheduling/single-premium-requests/{requestId}/cancel', expect: ALICES, request: (f) => ({ params: { requestId: f.singlePremiumRequestId } }) },
  { kind: 'graphql', key: 'Query.singlePremiumRequest', expect: ALICES, request: (f) => ({ variables: { id: f.singlePremiumRequestId } }) },
  { kind: 'graphql', key: 'Query.singlePremiumRequests', expect: ALICES, request: () => ({ variables: { policyId: DEMO_IDS.policies.aliceAv } }) },
  { kind: 'graphql', key: 'Mutation.createSinglePremiumRequest', expect: ALICES, request: (f) => ({ variables: { input: singlePremiumBody(f) } }) },
  { kind: 'graphql', key: 'Mutation.cancelSinglePremiumRequest', expect: ALICES, request: (f) => ({ variables: { id: f.singlePremiumRequestId } }) },

  // SEPA: mandates follow the payer; batches are back-office's alone (a run adds what is due, closing a closed batch answers it)
  { kind: 'rest', key: 'GET /v1/premium-scheduling/payers/{payerId}/sepa-mandates', expect: ALICES, request: (f) => ({ params: { payerId: f.payerId } }) },
  { kind: 'graphql', key: 'Query.sepaMandates', expect: ALICES, request: (f) => ({ variables: { payerId: f.payerId } }) },
  { kind: 'rest', key: 'POST /v1/premium-scheduling/sepa-batches/runs', expect: BACKOFFICE },
  { kind: 'rest', key: 'GET /v1/premium-scheduling/sepa-batches', expect: BACKOFFICE },
  { kind: 'rest', key: 'GET /v1/premium-scheduling/sepa-batches/{batchId}', expect: BACKOFFICE, request: (f) => ({ params: { batchId: f.sepaBatchId } }) },
  { kind: 'rest', key: 'POST /v1/premium-scheduling/sepa-batches/{batchId}/close', expect: BACKOFFICE, request: (f) => ({ params: { batchId: f.sepaBatchId } }) },
  { kind: 'rest', key: 'GET /v1/premium-scheduling/sepa-batches/{batchId}/file', expect: BACKOFFICE, request: (f) => ({ params: { batchId: f.sepaBatchId } }) },
  { kind: 'graphql', key: 'Query.sepaBatches', expect: BACKOFFICE },
  { kind: 'graphql', key: 'Query.sepaBatch', expect: BACKOFFICE, request: (f) => ({ variables: { id: f.sepaBatchId } }) },
  { kind: 'graphql', key: 'Query.sepaBatchFile', expect: BACKOFFICE, request: (f) => ({ variables: { id: f.sepaBatchId } }) },
  { kind: 'graphql', key: 'Mutation.runSepaBatches', expect: BACKOFFICE },
  { kind: 'graphql', key: 'Mutation.closeSepaBatch', expect: BACKOFFICE, request: (f) => ({ variables: { id: f.sepaBatchId } }) },

  // premium schedule of `pol_alice_av` (set up by the setup): setting it up again is 409; suspend and
  // resume alternate between 200 and 409, both past access control
  { kind: 'rest', key: 'GET /v1/premium-scheduling/policies/{policyId}/schedule', expect: ALICES, request: () => ({ params: { policyId: DEMO_IDS.policies.aliceAv } }) },
  { kind: 'rest', key: 'POST /v1/premium-scheduling/policies/{policyId}/schedule', expect: ALICES, request: (f) => ({ params: { policyId: DEMO_IDS.policies.aliceAv }, body: scheduleBody(f) }) },
  { kind: 'rest', key: 'PATCH /v1/premium-scheduling/policies/{policyId}/schedule', expect: ALICES, request: () => ({ params: { policyId: DEMO_IDS.policies.aliceAv }, body: { dayOfMonth: 10 } }) },
  { kind: 'rest', key: 'POST /v1/premium-scheduling/policies/{policyId}/schedule/suspend', expect: ALICES, request: () => ({ params: { policyId: DEMO_IDS.policies.aliceAv } }) },
  { kind: 'rest', key: 'POST /v1/premium-scheduling/policies/{policyId}/schedule/resume', expect: ALICES, request: () => ({ params: { policyId: DEMO_IDS.policies.aliceAv } }) },
  { kind: 'graphql', key: 'Query.premiumSchedule', expect: ALICES, request: () => ({ variables: { policyId: DEMO_IDS.policies.aliceAv } }) },
  { kind: 'graphql', key: 'Mutation.createPremiumSchedule', expect: ALICES, request: (f) => ({ variables: { policyId: DEMO_IDS.policies.aliceAv, input: scheduleBody(f) } }) },
  { kind: 'graphql', key: 'Mutation.changePremiumSchedule', expect: ALICES, request: () => ({ variables: { policyId: DEMO_IDS.policies.aliceAv, input: { dayOfMonth: 10 } } }) },
  { kind: 'graphql', key: 'Mutation.suspendPremiumSchedule', expect: ALICES, request: () => ({ variables: { policyId: DEMO_IDS.policies.aliceAv } }) },
  { kind: 'graphql', key: 'Mutation.resumePremiumSchedule', expect: ALICES, request: () => ({ variables: { policyId: DEMO_IDS.policies.aliceAv } }) },

  // federation (schema/federation.graphql): the SDL is public outside production; each of alice's
  // entities resolves for exactly those who read it through its root field (every cell fails if one does not)
  { kind: 'graphql', key: 'Query._service', expect: PUBLIC },
  {
    kind: 'graphql',
    key: 'Query._entities',
    expect: ALICES,
    request: (f) => ({
      variables: {
        representations: [
          { __typename: 'Policy', id: DEMO_IDS.policies.aliceAv },
          { __typename: 'Subscriber', id: DEMO_IDS.subscribers.alice },
          { __typename: 'SubscriptionContract', id: DEMO_IDS.subscriptions.aliceAv },
          { __typename: 'Compartment', policyId: DEMO_IDS.policies.alicePer, id: DEMO_IDS.compartments.alicePerC1 },
          { __typename: 'SurrenderDeclaration', policyId: DEMO_IDS.policies.aliceAv, id: f.totalDeclarationId },
        ],
      },
    }),
  },

  // investments: the catalogue and its valuations are market data; positions are alice's
  { kind: 'rest', key: `GET ${INVEST}/funds`, expect: SIGNED_IN },
  { kind: 'rest', key: `POST ${INVEST}/funds`, expect: BACKOFFICE, request: () => ({ body: CATALOGUED_FUND }) },
  { kind: 'rest', key: `GET ${INVEST}/funds/{isin}`, expect: SIGNED_IN, request: () => ({ params: { isin: DEMO_FUNDS.europeEquity.isin } }) },
  { kind: 'rest', key: `GET ${INVEST}/funds/{isin}/valuations`, expect: SIGNED_IN, request: () => ({ params: { isin: DEMO_FUNDS.europeEquity.isin }, query: { from: '2026-11-01', to: DEMO_VALUATION_RANGE.to } }) },
  {
    kind: 'rest',
    key: `PUT ${INVEST}/funds/{isin}/valuations/{valuedOn}`,
    expect: MARKET_DATA,
    request: () => ({ params: { isin: DEMO_FUNDS.europeEquity.isin, valuedOn: DEMO_VALUATION_RANGE.to }, body: { nav: DEMO_LAST_NAV } }),
  },
  {
    kind: 'rest',
    key: `POST ${INVEST}/valuation-files`,
    expect: MARKET_DATA,
    request: () => ({ body: { csv: `isin,valuedOn,nav,currency\n${DEMO_FUNDS.europeEquity.isin},${DEMO_VALUATION_RANGE.to},${formatDecimal(DEMO_LAST_NAV)},EUR\n` } }),
  },
  { kind: 'rest', key: `GET ${INVEST}/policies/{policyId}/positions`, expect: ALICES, request: () => ({ params: { policyId: DEMO_IDS.policies.aliceAv } }) },
  { kind: 'rest', key: `GET ${INVEST}/policies/{policyId}/value-history`, expect: ALICES, request: () => ({ params: { policyId: DEMO_IDS.policies.aliceAv } }) },
  { kind: 'rest', key: `GET ${INVEST}/policies/{policyId}/compartments/{compartmentId}/positions`, expect: ALICES, request: () => ({ params: ALICE_MAIN }) },
  { kind: 'rest', key: `GET ${INVEST}/policies/{policyId}/compartments/{compartmentId}/value-history`, expect: ALICES, request: () => ({ params: ALICE_MAIN }) },
  { kind: 'graphql', key: 'Query.funds', expect: SIGNED_IN },
  { kind: 'graphql', key: 'Query.fund', expect: SIGNED_IN, request: () => ({ variables: { isin: DEMO_FUNDS.europeEquity.isin } }) },
  { kind: 'graphql', key: 'Query.compartment', expect: ALICES, request: () => ({ variables: { policyId: ALICE_MAIN.policyId, id: ALICE_MAIN.compartmentId } }) },
  { kind: 'graphql', key: 'Mutation.registerFund', expect: BACKOFFICE, request: () => ({ variables: { input: CATALOGUED_FUND } }) },
  {
    kind: 'graphql',
    key: 'Mutation.loadFundValuation',
    expect: MARKET_DATA,
    request: () => ({ variables: { isin: DEMO_FUNDS.europeEquity.isin, input: { valuedOn: DEMO_VALUATION_RANGE.to, nav: DEMO_LAST_NAV } } }),
  },
  {
    kind: 'graphql',
    key: 'Mutation.loadFundValuationFile',
    expect: MARKET_DATA,
    request: () => ({ variables: { csv: `isin,valuedOn,nav,currency\n${DEMO_FUNDS.europeEquity.isin},${DEMO_VALUATION_RANGE.to},${formatDecimal(DEMO_LAST_NAV)},EUR\n` } }),
  },

  // switches: a fund twice is refused by the rules (400) once past access control
  {
    kind: 'rest',
    key: 'POST /v1/switches/policies/{policyId}/compartments/{compartmentId}/requests',
    expect: ALICES,
    request: () => ({ params: ALICE_MAIN, body: { legs: TWICE_THE_SAME_FUND } }),
  },
  { kind: 'rest', key: 'GET /v1/switches/policies/{policyId}/compartments/{compartmentId}/requests/{requestId}', expect: ALICES, request: (f) => ({ params: { ...ALICE_MAIN, requestId: f.switchRequestId } }) },
  { kind: 'graphql', key: 'Query.switchRequest', expect: ALICES, request: (f) => ({ variables: { ...ALICE_MAIN, id: f.switchRequestId } }) },
  { kind: 'graphql', key: 'Mutation.requestSwitch', expect: ALICES, request: () => ({ variables: { ...ALICE_MAIN, input: { legs: TWICE_THE_SAME_FUND } } }) },

  // mandates: back-office manages them, anyone signed in reads them; delegation is refused by the rules (no target allocation) once past access control
  { kind: 'rest', key: `GET ${INVEST}/mandates`, expect: SIGNED_IN },
  { kind: 'rest', key: `POST ${INVEST}/mandates`, expect: BACKOFFICE, request: () => ({ body: { name: 'Access matrix', riskLevel: 3 } }) },
  { kind: 'rest', key: `GET ${INVEST}/mandates/{mandateId}`, expect: SIGNED_IN, request: (f) => ({ params: { mandateId: f.mandateId } }) },
  { kind: 'rest', key: `PATCH ${INVEST}/mandates/{mandateId}`, expect: BACKOFFICE, request: (f) => ({ params: { mandateId: f.mandateId }, body: { riskLevel: 9 } }) },
  { kind: 'rest', key: `PUT ${INVEST}/mandates/{mandateId}/target-allocation`, expect: BACKOFFICE, request: (f) => ({ params: { mandateId: f.mandateId }, body: { lines: DUPLICATE_ALLOCATION } }) },
  { kind: 'rest', key: `POST ${LIFE}/{compartmentId}/delegate`, expect: ALICES, request: (f) => ({ params: ALICE_MAIN, body: { mandateId: f.mandateId } }) },
  // Alice's MAIN is self-invested: revoking is refused by the rules (409) once past access control.
  { kind: 'rest', key: `POST ${LIFE}/{compartmentId}/revoke-delegation`, expect: ALICES, request: () => ({ params: ALICE_MAIN }) },
  { kind: 'graphql', key: 'Query.mandates', expect: SIGNED_IN },
  { kind: 'graphql', key: 'Query.mandate', expect: SIGNED_IN, request: (f) => ({ variables: { id: f.mandateId } }) },
  { kind: 'graphql', key: 'Mutation.createMandate', expect: BACKOFFICE, request: () => ({ variables: { input: { name: 'Access matrix', riskLevel: 3 } } }) },
  { kind: 'graphql', key: 'Mutation.updateMandate', expect: BACKOFFICE, request: (f) => ({ variables: { id: f.mandateId, input: { riskLevel: 9 } } }) },
  { kind: 'graphql', key: 'Mutation.setMandateTargetAllocation', expect: BACKOFFICE, request: (f) => ({ variables: { id: f.mandateId, lines: DUPLICATE_ALLOCATION } }) },
  { kind: 'graphql', key: 'Mutation.delegateCompartmentToMandate', expect: ALICES, request: (f) => ({ variables: { ...ALICE_MAIN, mandateId: f.mandateId } }) },
  { kind: 'graphql', key: 'Mutation.revokeCompartmentDelegation', expect: ALICES, request: () => ({ variables: ALICE_MAIN }) },

  // death claims (docs/DEATH-CLAIMS.md)
  { kind: 'rest', key: 'POST /v1/death-claims', expect: LIFECYCLE, request: () => ({ body: ALIVE_NOTICE }) },
  { kind: 'rest', key: 'GET /v1/death-claims', expect: DEATH_CLAIM_LIST },
  { kind: 'rest', key: 'GET /v1/death-claims/{claimId}', expect: DEATH_CLAIM, request: (f) => ({ params: { claimId: f.deathClaimId } }) },
  { kind: 'graphql', key: 'Mutation.notifyDeath', expect: LIFECYCLE, request: () => ({ variables: { input: ALIVE_NOTICE } }) },
  { kind: 'graphql', key: 'Query.deathClaims', expect: DEATH_CLAIM_LIST },
  { kind: 'graphql', key: 'Query.deathClaim', expect: DEATH_CLAIM, request: (f) => ({ variables: { id: f.deathClaimId } }) },
  // Beneficiaries found: back-office only, refused before any lookup; each write stops at a business refusal once past access control.
  { kind: 'rest', key: `POST ${CLAIM_LINE}/identification`, expect: BACKOFFICE, request: (f) => ({ params: claimLine(f), body: { persons: [CLAUSE_PERSON] } }) },
  { kind: 'rest', key: `POST ${CLAIM_LINE}/search-steps`, expect: BACKOFFICE, request: (f) => ({ params: claimLine(f), body: { kind: 'letter_sent', happenedOn: '2199-01-01' } }) },
  { kind: 'rest', key: `POST ${CLAIM_LINE}/renunciation`, expect: BACKOFFICE, request: (f) => ({ params: claimLine(f), body: { renouncedOn: '2025-01-01' } }) },
  { kind: 'graphql', key: 'Mutation.identifyClauseBeneficiaries', expect: BACKOFFICE, request: (f) => ({ variables: { ...claimLine(f), input: { persons: [CLAUSE_PERSON] } } }) },
  { kind: 'graphql', key: 'Mutation.recordDeathClaimSearchStep', expect: BACKOFFICE, request: (f) => ({ variables: { ...claimLine(f), input: { kind: 'letter_sent', happenedOn: '2199-01-01' } } }) },
  { kind: 'graphql', key: 'Mutation.recordDeathClaimRenunciation', expect: BACKOFFICE, request: (f) => ({ variables: { ...claimLine(f), input: { renouncedOn: '2025-01-01' } } }) },
  // A beneficiary's file: read and uploaded to by whoever reaches the claim (a document the file does not need: 422); reviewed by back-office (no reason to refuse: 400).
  { kind: 'rest', key: `GET ${CLAIM_LINE}/file`, expect: DEATH_CLAIM, request: (f) => ({ params: claimLine(f) }) },
  { kind: 'rest', key: `POST ${CLAIM_LINE}/documents`, expect: DEATH_CLAIM, request: (f) => ({ params: claimLine(f), body: claimDocument(f) }) },
  { kind: 'rest', key: `POST ${CLAIM_LINE}/documents/{documentId}/review`, expect: BACKOFFICE, request: (f) => ({ params: { ...claimLine(f), documentId: f.deathClaimDocumentId }, body: { decision: 'refuse' } }) },
  { kind: 'graphql', key: 'Query.deathClaimBeneficiaryFile', expect: DEATH_CLAIM, request: (f) => ({ variables: claimLine(f) }) },
  { kind: 'graphql', key: 'Mutation.uploadDeathClaimDocument', expect: DEATH_CLAIM, request: (f) => ({ variables: { ...claimLine(f), input: claimDocument(f) } }) },
  { kind: 'graphql', key: 'Mutation.reviewDeathClaimDocument', expect: BACKOFFICE, request: (f) => ({ variables: { ...claimLine(f), documentId: f.deathClaimDocumentId, input: { decision: 'refuse' } } }) },
  // death claim payments (docs/DEATH-CLAIMS.md): back-office sends them; reads as the claim's; an invalid IBAN keeps the matrix from paying (400)
  { kind: 'rest', key: 'GET /v1/death-claims/open', expect: DEATH_CLAIM_LIST, request: () => ({ query: { overdue: 'true' } }) },
  { kind: 'rest', key: 'POST /v1/death-claims/{claimId}/payments', expect: BACKOFFICE, request: (f) => ({ params: { claimId: f.deathClaimId }, body: BAD_CLAIM_PAYMENT }) },
  { kind: 'rest', key: 'GET /v1/death-claims/{claimId}/payments', expect: DEATH_CLAIM, request: (f) => ({ params: { claimId: f.deathClaimId } }) },
  { kind: 'rest', key: 'GET /v1/death-claims/{claimId}/payments/{paymentId}', expect: DEATH_CLAIM, request: (f) => ({ params: { claimId: f.deathClaimId, paymentId: f.deathClaimPaymentId } }) },
  { kind: 'rest', key: 'GET /v1/legal-interest-rates', expect: BACKOFFICE },
  { kind: 'rest', key: 'POST /v1/legal-interest-rates', expect: BACKOFFICE, request: () => ({ body: BAD_LEGAL_RATE }) },
  { kind: 'graphql', key: 'Query.openDeathClaims', expect: DEATH_CLAIM_LIST, request: () => ({ variables: { overdue: true } }) },
  { kind: 'graphql', key: 'Query.deathClaimPayments', expect: DEATH_CLAIM, request: (f) => ({ variables: { claimId: f.deathClaimId } }) },
  { kind: 'graphql', key: 'Query.deathClaimPayment', expect: DEATH_CLAIM, request: (f) => ({ variables: { claimId: f.deathClaimId, id: f.deathClaimPaymentId } }) },
  { kind: 'graphql', key: 'Query.legalInterestRates', expect: BACKOFFICE },
  { kind: 'graphql', key: 'Mutation.payDeathClaimBeneficiary', expect: BACKOFFICE, request: (f) => ({ variables: { claimId: f.deathClaimId, input: BAD_CLAIM_PAYMENT } }) },
  { kind: 'graphql', key: 'Mutation.loadLegalInterestRate', expect: BACKOFFICE, request: () => ({ variables: { input: BAD_LEGAL_RATE } }) },
  // outside the bridge
  { kind: 'http', key: 'GET /v1/openapi.json', expect: PUBLIC },
  { kind: 'http', key: 'GET /.well-known/jwks.json', expect: PUBLIC },
  { kind: 'http', key: 'POST /v1/webhooks/esign', expect: SIGNED, request: () => ({ body: WEBHOOK_BODY }) },
  { kind: 'http', key: 'POST /v1/webhooks/payments', expect: SIGNED, request: () => ({ body: WEBHOOK_BODY }) },
  // outbound webhook endpoints (docs/WEBHOOKS.md); writes keep the fixture endpoint enabled and its URL valid
  { kind: 'rest', key: 'POST /v1/webhook-endpoints', expect: ENDPOINT_MANAGERS, request: () => ({ body: { url: 'http://127.0.0.1:9/access-matrix', eventTypes: ['policy.issued'] } }) },
  { kind: 'rest', key: 'GET /v1/webhook-endpoints', expect: ENDPOINT_MANAGERS },
  { kind: 'rest', key: 'GET /v1/webhook-endpoints/event-types', expect: ENDPOINT_MANAGERS },
  { kind: 'rest', key: 'GET /v1/webhook-endpoints/{endpointId}', expect: DISTRIBUTORS_ENDPOINT, request: (f) => ({ params: { endpointId: f.webhookEndpointId } }) },
  { kind: 'rest', key: 'PATCH /v1/webhook-endpoints/{endpointId}', expect: DISTRIBUTORS_ENDPOINT, request: (f) => ({ params: { endpointId: f.webhookEndpointId }, body: { description: 'access matrix' } }) },
  { kind: 'rest', key: 'DELETE /v1/webhook-endpoints/{endpointId}', expect: DISTRIBUTORS_ENDPOINT, request: (f) => ({ params: { endpointId: f.disposableEndpointIds.shift()! } }) },
  { kind: 'rest', key: 'POST /v1/webhook-endpoints/{endpointId}/rotate-secret', expect: DISTRIBUTORS_ENDPOINT, request: (f) => ({ params: { endpointId: f.webhookEndpointId } }) },
  { kind: 'rest', key: 'GET /v1/webhook-endpoints/{endpointId}/deliveries', expect: DISTRIBUTORS_ENDPOINT, request: (f) => ({ params: { endpointId: f.webhookEndpointId } }) },
  { kind: 'rest', key: 'POST /v1/webhook-endpoints/{endpointId}/deliveries/{deliveryId}/replay', expect: DISTRIBUTORS_ENDPOINT, request: (f) => ({ params: { endpointId: f.webhookEndpointId, deliveryId: f.webhookDeliveryId } }) },
  { kind: 'graphql', key: 'Query.webhookEndpoints', expect: ENDPOINT_MANAGERS },
  { kind: 'graphql', key: 'Query.webhookEndpoint', expect: DISTRIBUTORS_ENDPOINT, request: (f) => ({ variables: { id: f.webhookEndpointId } }) },
  { kind: 'graphql', key: 'Query.webhookEventTypes', expect: ENDPOINT_MANAGERS },
  { kind: 'graphql', key: 'Query.webhookDeliveries', expect: DISTRIBUTORS_ENDPOINT, request: (f) => ({ variables: { endpointId: f.webhookEndpointId } }) },
  { kind: 'graphql', key: 'Mutation.createWebhookEndpoint', expect: ENDPOINT_MANAGERS, request: () => ({ variables: { input: { url: 'http://127.0.0.1:9/access-matrix', eventTypes: ['policy.issued'] } } }) },
  { kind: 'graphql', key: 'Mutation.updateWebhookEndpoint', expect: DISTRIBUTORS_ENDPOINT, request: (f) => ({ variables: { id: f.webhookEndpointId, input: { description: 'access matrix' } } }) },
  { kind: 'graphql', key: 'Mutation.deleteWebhookEndpoint', expect: DISTRIBUTORS_ENDPOINT, request: (f) => ({ variables: { id: f.disposableEndpointIds.shift()! } }) },
  { kind: 'graphql', key: 'Mutation.rotateWebhookEndpointSecret', expect: DISTRIBUTORS_ENDPOINT, request: (f) => ({ variables: { id: f.webhookEndpointId } }) },
  { kind: 'graphql', key: 'Mutation.replayWebhookDelivery', expect: DISTRIBUTORS_ENDPOINT, request: (f) => ({ variables: { endpointId: f.webhookEndpointId, deliveryId: f.webhookDeliveryId } }) },
];

/** The IBAN the setup registers for alice (the matrix re-registers it: 409 for her and back-office, a new request for brokers and partners). */
export const ALICE_PAYOUT_IBAN = ALICE_IBAN;
/** The IBAN the setup registers for alice's payer, its default. */
export { ALICE_PAYER_IBAN };
