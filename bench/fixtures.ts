/**
 * What some scenarios need before they run, created through the public API only (the benchmark knows
 * nothing of the database): a policy with room for many surrender declarations.
 */

import { DEMO_IDS } from '../domain/demo/demo-ids';
import { MAX_AMOUNT_MINOR_UNITS } from '../domain/shared/money-limits';

const json = { 'content-type': 'application/json' } as const;

async function send(baseUrl: string, token: string, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${baseUrl}${path}`, { method, headers: { ...json, authorization: `Bearer ${token}` }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`bench fixture: ${method} ${path} answered ${response.status} ${text.slice(0, 200)}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

/**
 * Subscribes alice (insuring herself, DEMO_IDS.insurees.alice) to the assurance-vie with a very large payment and signs it
 * through the built-in e-signature page: the returned compartment can take millions of declarations.
 */
export async function largePolicy(baseUrl: string, token: string): Promise<{ policyId: string; compartmentId: string }> {
  const draft = await send(baseUrl, token, 'POST', `/v1/subscription/subscribers/${DEMO_IDS.subscribers.alice}/subscriptions`, {
    insureeId: DEMO_IDS.insurees.alice,
    productId: DEMO_IDS.products.av,
    // The largest payment a client may send (100,000,000.00 EUR).
    initialPayment: { amount: MAX_AMOUNT_MINOR_UNITS, currency: 'EUR' },
    allocation: [{ isin: 'FR0000000001', basisPoints: 10_000 }],
    beneficiaryClause: { standardClauseId: DEMO_IDS.standardClauses.spouseChildren },
    debitIban: 'FR7630006000011234567890189',
    debitHolder: 'Alice Martin',
  });
  const subscription = `/v1/subscription/subscriptions/${String(draft.id)}`;
  await send(baseUrl, token, 'POST', `${subscription}/documents`);
  const signature = await send(baseUrl, token, 'POST', `${subscription}/signing`, { method: 'esign' });
  const signPage = String(signature.signingUrl).replace('?t=', '/sign?t=');
  await fetch(signPage, { method: 'POST' }).then((r) => r.text());
  const signed = await send(baseUrl, token, 'GET', subscription);
  const policy = signed.policy as { id: string; compartments: Array<{ id: string }> } | null;
  if (!policy) throw new Error('bench fixture: the subscription was not signed');
  return { policyId: policy.id, compartmentId: policy.compartments[0].id };
}
