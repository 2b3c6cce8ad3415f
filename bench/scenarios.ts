/**
 * What the benchmark measures, as data. Add a row to add a scenario; run.ts needs no change.
 *
 * A write scenario needing a unique Idempotency-Key per request would look like:
 *
 *   {
 *     name: 'rest_create_payment', server: 'service', method: 'POST', path: '/v1/...',
 *     auth: true, headers: { 'content-type': 'application/json' }, body: '{...}',
 *     expectStatus: 201, target: 0.2,
 *     perRequestHeaders: () => ({ 'idempotency-key': randomUUID() }),
 *   }
 */

import { randomUUID } from 'node:crypto';
import { DEMO_IDS } from '../domain/demo/demo-ids';
import { parisDate } from '../domain/shared/paris-calendar';
import type { Db } from '../store/db';
import { largePolicy } from './fixtures';
import { seedSwitchPolicies, SWITCH_FUND, type SeededCompartment } from './seed';
import { seedSurrenderPolicies, surrenderBody, surrenderRequests, type SurrenderServer } from './surrender-write';

const ALICE_AV_DECLARATIONS = `/v1/partial-surrender/policies/${DEMO_IDS.policies.aliceAv}/compartments/${DEMO_IDS.compartments.aliceAvMain}/declarations`;

/** The documented partial-surrender body: `cents` EUR (value with scale 2), asked today in Paris. */
function partialSurrender(cents: number): string {
  return JSON.stringify({ amount: { value: cents, scale: 2, currency: 'EUR' }, requestedAt: parisDate(new Date()) });
}

/** `front`: the GraphQL front (`npm run gateway`) with our service behind it as its subgraph. */
export type Server = 'raw' | 'service' | 'front' | PeerServer;

/** The peers of bench/peers.ts (issue 15 item 1), all in one process. */
export type PeerServer = 'apollo' | 'mercurius' | 'bare' | 'bare_front';
export const PEER_SERVERS: readonly PeerServer[] = ['apollo', 'mercurius', 'bare', 'bare_front'];

export interface Scenario {
  /** Key in the JSON report. */
  readonly name: string;
  /** Which child process receives the load. */
  readonly server: Server;
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: string;
  /** Send `Authorization: Bearer <token>` from the demo user's login. */
  readonly auth: boolean;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Every response must have this status; anything else (and any socket error) is an error. */
  readonly expectStatus: number;
  /**
   * Optional check of each response body; a `false` counts as an error. Needed where the status
   * alone proves nothing, e.g. GraphQL answers 200 even when the query failed.
   */
  readonly verifyBody?: (body: string) => boolean;
  /** Required req/s as a fraction of the baseline's (or of `versus`'s); omitted for the baseline itself. */
  readonly target?: number;
  /** Another scenario this one is compared with (`ratio_to_<name>`); `target` then applies to that ratio. */
  readonly versus?: string;
  /**
   * Peer scenarios (the same work on another stack) this one is compared with: `ratio_to_<peer>` each,
   * and the required ratio when there is one (reported as target `<name>_vs_<peer>`).
   */
  readonly peers?: Readonly<Record<string, number | undefined>>;
  /** Required p99 latency in milliseconds (reported as target `<name>_p99_ms`; a report, not a gate). */
  readonly p99TargetMs?: number;
  /**
   * Its writes queue e-mail and webhook events, which our service's outbox sends whoever wrote them: a
   * peer's CPU then counts the service's too (on PostgreSQL; on PGlite the peers' process runs its own).
   */
  readonly queuesOutbox?: true;
  /**
   * Headers computed afresh for every single request (e.g. Idempotency-Key on writes, where a
   * repeated key would be answered from the idempotency cache and measure the wrong thing).
   */
  readonly perRequestHeaders?: () => Record<string, string>;
  /**
   * Path and body computed afresh for every single request (e.g. a write spread over many resources);
   * they replace `path` and `body`.
   */
  readonly perRequest?: () => { path: string; body?: string };
  /**
   * Writes what the scenario needs straight into the service's database, once, before any scenario
   * runs (bench/seed.ts says when and why); may set the scenario's per-request path and body.
   */
  readonly seed?: (db: Db) => Promise<Partial<Pick<Scenario, 'path' | 'perRequest'>>>;
  /** Runs once before the scenario (creating what it reads, say) and may set its path or body. */
  readonly prepare?: (baseUrl: string, token: string | undefined) => Promise<Partial<Pick<Scenario, 'path' | 'body'>>>;
}

/** Policies the switch scenario spreads its requests over (issue 12: at least 100). */
const SWITCH_POLICIES = 120;
const EURO_FUND = 'FR0000000001';

/**
 * Switch requests over the seeded policies, round robin: on each policy, half the euro fund into
 * SWITCH_FUND, then half of SWITCH_FUND back, and so on, so both positions stay well above one share.
 * Each is priced at once (the seed loads today's NAV), so the next one on the compartment is not refused.
 */
function switchRequests(compartments: readonly SeededCompartment[]): () => { path: string; body: string } {
  const leg = (sell: string, buy: string) =>
    JSON.stringify({
      legs: [
        { isin: sell, direction: 'SELL', unit: 'BASIS_POINT_OF_CURRENT_POSITION', basisPoints: 5_000 },
        { isin: buy, direction: 'BUY', unit: 'BASIS_POINT_OF_SELL_PROCEED', basisPoints: 10_000 },
      ],
    });
  const bodies = [leg(EURO_FUND, SWITCH_FUND), leg(SWITCH_FUND, EURO_FUND)];
  let sent = 0;
  return () => {
    const c = compartments[sent % compartments.length];
    const body = bodies[Math.floor(sent / compartments.length) % 2];
    sent += 1;
    return { path: `/v1/switches/policies/${c.policyId}/compartments/${c.compartmentId}/requests`, body };
  };
}

/** Partial surrender declarations over the server's own SURRENDER_POLICIES policies (bench/surrender-write.ts). */
function surrenderWrite(name: string, server: SurrenderServer): Scenario {
  return {
    name,
    server: server === 'service' ? 'service' : 'bare',
    method: 'POST',
    path: '/v1/partial-surrender/policies/{policy}/compartments/{compartment}/declarations',
    auth: true,
    headers: json,
    body: surrenderBody(),
    expectStatus: 201,
    perRequestHeaders: () => ({ 'idempotency-key': randomUUID() }),
    perRequest: surrenderRequests(server),
    queuesOutbox: true,
    // On PostgreSQL the peers share the service's database; on PGlite the peers' process seeds its own.
    seed: async (db) => (await seedSurrenderPolicies(db, server), {}),
  };
}

const POLICY_WITH_POSITIONS = `{ policy(id: "${DEMO_IDS.policies.aliceAv}") { id status value { amount currency } product { id kind name }
  compartments { code status management valuedOn value { amount currency }
    positions { isin fund { name } shares { value scale } nav { value scale currency } valuedOn value { amount currency } } } } }`;
/** The same read over REST (GetPolicyPositions), and what the bare peer answers it with. */
const ALICE_AV_POSITIONS = `/v1/investments/policies/${DEMO_IDS.policies.aliceAv}/positions`;

/** The scenario every other one is compared with (`ratio_to_raw`); must come first in the table. */
export const BASELINE = 'raw';

const json = { 'content-type': 'application/json' } as const;
const ME = JSON.stringify({ query: '{ me { id } }' });
const meAnswered = (body: string) => body.includes('"me"') && !body.includes('"errors"');

export const SCENARIOS: readonly Scenario[] = [
  // Floor of what Node can do on this machine: everything else is reported relative to it.
  { name: 'raw', server: 'raw', method: 'GET', path: '/', auth: false, expectStatus: 200 },
  // Full middleware stack up to the auth check, no database: cost of the framework and error envelope.
  // Issue 15 item 1: at least 0.8 of raw; beside it, bare node:http answering the same 401 envelope.
  { name: 'rest_401', server: 'service', method: 'GET', path: '/v1/auth/me', auth: false, expectStatus: 401, target: 0.8, peers: { bare_rest_401: undefined } },
  { name: 'bare_rest_401', server: 'bare', method: 'GET', path: '/v1/auth/me', auth: false, expectStatus: 401 },
  // Token verification plus session lookup: the cost every authenticated REST call pays. Issue 15 item 1:
  // at least 0.6 of raw; its peer is bare node:http with the same database round trips (none once warm).
  { name: 'rest_me', server: 'service', method: 'GET', path: '/v1/auth/me', auth: true, expectStatus: 200, target: 0.6, peers: { bare_rest_me: undefined } },
  { name: 'bare_rest_me', server: 'bare', method: 'GET', path: '/v1/auth/me', auth: true, expectStatus: 200 },
  // Same identity through GraphQL: adds parsing, validation and execution.
  {
    name: 'graphql_me',
    server: 'service',
    method: 'POST',
    path: '/graphql',
    auth: true,
    headers: json,
    body: ME,
    expectStatus: 200,
    verifyBody: meAnswered,
    target: 0.35,
    // Issue 15 item 1: at least 3x stock Apollo Server and 2x Mercurius with graphql-jit.
    peers: { apollo_graphql_me: 3, mercurius_graphql_me: 2 },
  },
  // The peers, as their users write them (bench/peers.ts): token verified and session read on every request.
  { name: 'apollo_graphql_me', server: 'apollo', method: 'POST', path: '/', auth: true, headers: json, body: ME, expectStatus: 200, verifyBody: meAnswered },
  { name: 'mercurius_graphql_me', server: 'mercurius', method: 'POST', path: '/graphql', auth: true, headers: json, body: ME, expectStatus: 200, verifyBody: meAnswered },
  // The same query through the GraphQL front: the edge's authentication, the gateway's plan, one fetch to
  // our service, which authenticates again. Issue 15 item 6: at least half the single process's rate.
  { name: 'front_graphql_me', server: 'front', method: 'POST', path: '/graphql', auth: true, headers: json, body: ME, expectStatus: 200, verifyBody: meAnswered, versus: 'graphql_me', target: 0.5, peers: { bare_front_graphql_me: undefined } },
  // Its peer: the least any front costs here, a bare pass-through to the same service (bench/bare-front.ts).
  { name: 'bare_front_graphql_me', server: 'bare_front', method: 'POST', path: '/graphql', auth: true, headers: json, body: ME, expectStatus: 200, verifyBody: meAnswered, versus: 'graphql_me' },
  // REST through the front: the bridge's named operation, run by the gateway on our service.
  { name: 'front_rest_me', server: 'front', method: 'GET', path: '/v1/auth/me', auth: true, expectStatus: 200, versus: 'rest_me' },
  // A policy with its compartments (DataLoader-batched): a typical servicing read.
  {
    name: 'graphql_policy',
    server: 'service',
    method: 'POST',
    path: '/graphql',
    auth: true,
    headers: json,
    body: JSON.stringify({ query: `{ policy(id: "${DEMO_IDS.policies.alicePer}") { id status compartments { code status value { amount currency } } } }` }),
    expectStatus: 200,
    verifyBody: (body) => body.includes('"C3"') && !body.includes('"errors"'),
  },
  // A policy with its product, compartments, their positions (fund, shares, NAV) and values: the
  // investments read (issue 12). alice's assurance-vie holds three unit-linked funds and the euro fund.
  // Issue 15 item 2: two database round trips, at least 0.6 of bare node:http doing the same two.
  {
    name: 'graphql_policy_positions',
    server: 'service',
    method: 'POST',
    path: '/graphql',
    auth: true,
    headers: json,
    body: JSON.stringify({ query: POLICY_WITH_POSITIONS }),
    expectStatus: 200,
    verifyBody: (body) => body.includes('"positions":[{') && body.includes('"nav":{') && !body.includes('"errors"'),
    peers: { bare_policy_positions: 0.6 },
  },
  { name: 'rest_policy_positions', server: 'service', method: 'GET', path: ALICE_AV_POSITIONS, auth: true, expectStatus: 200, verifyBody: (body) => body.includes('"positions":[{'), peers: { bare_policy_positions: 0.6 } },
  // The bare peer (bench/bare-policy.ts): the same token check, the same two statements, the rows as JSON.
  { name: 'bare_policy_positions', server: 'bare', method: 'GET', path: ALICE_AV_POSITIONS, auth: true, expectStatus: 200, verifyBody: (body) => body.includes('"holdings":[{') },
  // Writes: switch requests spread over SWITCH_POLICIES policies (each its own Idempotency-Key), each
  // priced at once. Policies holding positions cannot be made through the API yet: bench/seed.ts.
  {
    name: 'rest_switch_write',
    server: 'service',
    method: 'POST',
    path: '/v1/switches/policies/{policy}/compartments/{compartment}/requests',
    auth: true,
    headers: json,
    expectStatus: 201,
    perRequestHeaders: () => ({ 'idempotency-key': randomUUID() }),
    seed: async (db) => ({ perRequest: switchRequests(await seedSwitchPolicies(db, SWITCH_POLICIES)) }),
  },
  // Writes: partial surrender declarations spread over 120 policies, each with its own Idempotency-Key
  // (issue 15 item 3): at least 0.5 of bare node:http + pg sending the same statements in one
  // transaction, and a p99 under 50 ms. Meant for PostgreSQL (BENCH_DATABASE_URL).
  // The peer first: the declarations leave e-mails and webhook events that our service's outbox sends
  // for a while after; whichever runs second shares the CPU with that, and it must not be the peer.
  surrenderWrite('bare_rest_surrender_write', 'bare'),
  { ...surrenderWrite('rest_surrender_write', 'service'), peers: { bare_rest_surrender_write: 0.5 }, p99TargetMs: 50 },
  // An authenticated read of a surrender declaration over REST (created once through the API).
  {
    name: 'rest_declaration',
    server: 'service',
    method: 'GET',
    path: `${ALICE_AV_DECLARATIONS}/{id}`,
    auth: true,
    expectStatus: 200,
    prepare: async (baseUrl, token) => {
      const created = await fetch(`${baseUrl}${ALICE_AV_DECLARATIONS}`, {
        method: 'POST',
        headers: { ...json, authorization: `Bearer ${token}` },
        body: partialSurrender(60_000),
      });
      const { id } = (await created.json()) as { id: string };
      return { path: `${ALICE_AV_DECLARATIONS}/${id}` };
    },
  },
  // Writes: a partial surrender declaration per request, each with its own Idempotency-Key, on a policy
  // subscribed and signed through the API beforehand with room for millions of them. Run it on
  // PostgreSQL with BENCH_DATABASE_URL (see README): that is the deployment that scales out.
  {
    name: 'rest_declare_write',
    server: 'service',
    method: 'POST',
    path: '/v1/partial-surrender/policies/{policy}/compartments/{compartment}/declarations',
    auth: true,
    headers: json,
    body: partialSurrender(50_000),
    expectStatus: 201,
    perRequestHeaders: () => ({ 'idempotency-key': randomUUID() }),
    prepare: async (baseUrl, token) => {
      const { policyId, compartmentId } = await largePolicy(baseUrl, token!);
      return { path: `/v1/partial-surrender/policies/${policyId}/compartments/${compartmentId}/declarations` };
    },
  },
];
