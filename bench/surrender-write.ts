/**
 * The surrender write scenario (issue 15 item 3): partial surrender declarations, each with its own
 * Idempotency-Key, spread round robin over SURRENDER_POLICIES policies of alice's (the bench's login),
 * against our service and against the bare peer of bench/bare-surrender.ts.
 *
 * The policies are written straight into the database (bench/seed.ts says why): each compartment holds
 * 100,000,000.00 EUR not in funds (as a policy issued through the API does today), so a declaration of
 * SURRENDER_CENTS leaves room for 200,000 more on it and every request of a run stays a 201. Their ids are
 * fixed (one set per server), so that on PGlite the peers' process seeds the same ones in its own database.
 */
import { DEMO_IDS } from '../domain/demo/demo-ids';
import { parisDate } from '../domain/shared/paris-calendar';
import type { Db } from '../store/db';
import { DemoPortfolioStore } from '../store/demo-store';

/** Policies a surrender scenario spreads its requests over (issue 15 item 3: at least 100). */
export const SURRENDER_POLICIES = 120;
/** What each declaration asks: 500.00 EUR. */
export const SURRENDER_CENTS = 50_000;
const COMPARTMENT_CENTS = 10_000_000_000;

/** Whose policies: our service's, or the bare peer's (apart, so neither run sees the other's declarations). */
export type SurrenderServer = 'service' | 'bare';
const TAG: Record<SurrenderServer, string> = { service: '5e', bare: 'ba' };

/** The i-th fixed id of a kind (`1` policy, `2` compartment, `3` subscription) for a server. */
const fixedId = (server: SurrenderServer, kind: number, i: number) => `0000${TAG[server]}0${kind}-0000-7000-8000-${String(i).padStart(12, '0')}`;

export interface SurrenderTarget {
  policyId: string;
  compartmentId: string;
}

export function surrenderTargets(server: SurrenderServer): SurrenderTarget[] {
  return Array.from({ length: SURRENDER_POLICIES }, (_, i) => ({ policyId: fixedId(server, 1, i), compartmentId: fixedId(server, 2, i) }));
}

/** Writes the server's policies once (a second call finds them and does nothing). */
export async function seedSurrenderPolicies(db: Db, server: SurrenderServer): Promise<SurrenderTarget[]> {
  const targets = surrenderTargets(server);
  const [seeded] = await db.query('select 1 from policies where id = $1', [targets[0].policyId]);
  if (seeded) return targets;
  await db.transaction(async (tx) => {
    const portfolio = new DemoPortfolioStore();
    for (const [i, { policyId, compartmentId }] of targets.entries()) {
      await portfolio.insertPolicy(
        tx,
        { subscriberId: DEMO_IDS.subscribers.alice, subscriptionId: fixedId(server, 3, i), policyId, productId: DEMO_IDS.products.av, signedAt: new Date('2025-12-01T10:00:00Z'), initialPayment: COMPARTMENT_CENTS, compartments: [{ id: compartmentId, code: 'MAIN', value: COMPARTMENT_CENTS }] },
        'FR7630006000011234567890189',
        'Alice Martin',
        new Date('2025-12-31T23:00:00Z'),
      );
    }
  });
  return targets;
}

/** The documented partial-surrender body: SURRENDER_CENTS EUR, asked today in Paris. */
export function surrenderBody(): string {
  return JSON.stringify({ amount: { value: SURRENDER_CENTS, scale: 2, currency: 'EUR' }, requestedAt: parisDate(new Date()) });
}

/** One declaration per request on each of the server's policies in turn. */
export function surrenderRequests(server: SurrenderServer): () => { path: string; body: string } {
  const targets = surrenderTargets(server);
  const body = surrenderBody();
  let sent = 0;
  return () => {
    const { policyId, compartmentId } = targets[sent++ % targets.length];
    return { path: `/v1/partial-surrender/policies/${policyId}/compartments/${compartmentId}/declarations`, body };
  };
}
