/**
 * The bare peer of the policy reads (issue 15 items 1 and 2): what our service sends to the database for
 * GET /v1/investments/policies/{id}/positions or the same GraphQL `policy`, round trip for round trip and
 * statement for statement (the store's own SQL text), with nothing between the rows and the answer: the
 * policy with its compartments (one statement, the owner checked on its row), then their holdings
 * (movements, funds, latest NAVs, pending orders), answered as the rows themselves in JSON.
 * bench/peers.ts routes to it after its token check.
 */
import type { Queryable } from '../store/db';
import { POLICY_READ_SQL } from '../store/policy-store';
import { HOLDINGS_SQL } from '../store/position-store';

const POLICY_PATH = /^\/v1\/investments\/policies\/([^/?]+)\/positions(?:\?|$)/;

/** The policy id of a policy read's path; undefined for any other path. */
export function policyReadId(url: string | undefined): string | undefined {
  return url ? POLICY_PATH.exec(url)?.[1] : undefined;
}

interface PolicyRow {
  user_id: string | null;
  compartments: Array<{ id: string }>;
}

/** The JSON answer of a policy the viewer reaches (a subscriber's own, any for back-office); undefined as a 404. */
export async function barePolicyRead(db: Queryable, viewer: { id: string; kind: string | null }, policyId: string): Promise<string | undefined> {
  const [policy] = await db.query<PolicyRow>(POLICY_READ_SQL, [policyId]);
  if (!policy || (viewer.kind !== 'backoffice' && policy.user_id !== viewer.id)) return undefined;
  const holdings = await db.query(HOLDINGS_SQL, [policy.compartments.map((c) => c.id)]);
  return JSON.stringify({ policy, holdings });
}
