import { randomBytes } from 'node:crypto';
import { parisDate } from '../../domain/shared/paris-calendar';
import { signStandardWebhook } from '../../domain/webhooks/standard-webhooks';
import { DemoPortfolioStore } from '../../store/demo-store';
import { call, type Answer } from './http';
import type { TestServer } from './server';
import { DEMO_IDS, testId } from './ids';

/** The demo `payments` webhook secret (README); tests pass it to `startTestServer`. */
export const PAYMENTS_SECRET = 'whsec_ZGVtby1wYXltZW50cy13ZWJob29rLXNlY3JldC0yMDI2';
/** The debit IBAN of every demo subscription, and how a declaration shows it. */
export const DEMO_IBAN = 'FR7630006000011234567890189';
export const DEMO_IBAN_MASKED = 'FR76 **** **** **** **** ***0 189';

let counter = 0;
const unique = () => `${Date.now().toString(36)}${++counter}${randomBytes(3).toString('hex')}`;

export interface FreshPolicy {
  policyId: string;
  /** Compartment ids by code (MAIN, C1, C2, C3). */
  compartments: Record<string, string>;
}

/**
 * Issues a new policy to alice or bob, straight through the demo store, so each test starts from a
 * policy of its own: an assurance-vie with MAIN, or a PER with the given compartments.
 */
export async function freshPolicy(server: TestServer, who: 'alice' | 'bob', kind: 'av' | 'per', values: Record<string, number> = kind === 'av' ? { MAIN: 1_287_450 } : { C1: 842_300, C2: 356_120, C3: 421_900 }): Promise<FreshPolicy> {
  const id = unique();
  const policyId = testId(`pol_${who}_${kind}_${id}`);
  const compartments = Object.fromEntries(Object.keys(values).map((code) => [code, testId(`cmp_${id}_${code.toLowerCase()}`)]));
  const signedAt = new Date('2025-01-15T10:00:00Z');
  await server.db.transaction((tx) =>
    new DemoPortfolioStore().insertPolicy(
      tx,
      {
        subscriberId: testId(`sbr_${who}`), subscriptionId: testId(`sbs_${who}_${id}`), policyId, productId: kind === 'av' ? DEMO_IDS.products.av : DEMO_IDS.products.per, signedAt, initialPayment: 1_000_000,
        compartments: Object.entries(values).map(([code, value]) => ({ id: compartments[code], code, value })),
      },
      DEMO_IBAN,
      who,
      new Date('2025-02-14T23:00:00Z'),
    ),
  );
  return { policyId, compartments };
}

/** Sends a signed `payments` webhook event; a fresh webhook-id unless one is given. */
export function paymentsEvent(server: TestServer, type: string, data: Record<string, unknown>, webhookId = `msg_${unique()}`): Promise<Answer> {
  const body = JSON.stringify({ type, data });
  const timestamp = Math.floor(server.clock.now().getTime() / 1000);
  return call(`${server.url}/v1/webhooks/payments`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': webhookId,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signStandardWebhook({ id: webhookId, timestamp, rawBody: body, secret: PAYMENTS_SECRET }),
    },
    body,
  });
}

/** A compartment's status and value as stored. */
export async function compartmentRow(server: TestServer, id: string): Promise<{ status: string; value: number }> {
  const [row] = await server.db.query<{ status: string; value: number }>('select status, value from compartments where id = $1', [id]);
  return { status: row.status, value: Number(row.value) };
}

export async function policyStatus(server: TestServer, id: string): Promise<string> {
  return (await server.db.query<{ status: string }>('select status from policies where id = $1', [id]))[0].status;
}

/** Audit entries of one declaration: action, actor and details. */
export function auditOf(server: TestServer, declarationId: string): Promise<Array<{ action: string; actor_kind: string; actor_id: string | null; request_id: string | null; details: Record<string, unknown> }>> {
  return server.db.query(`select action, actor_kind, actor_id, request_id, details from audit_log where target_type = 'surrender_declaration' and target_id = $1 order by id`, [declarationId]);
}

/** Notifications queued about one declaration: recipient and template. */
export function notificationsOf(server: TestServer, declarationId: string): Promise<Array<{ recipient_user_id: string | null; template: string; payload: Record<string, unknown> }>> {
  return server.db.query(`select recipient_user_id, template, payload from notification_outbox where payload->>'declarationId' = $1 order by id`, [declarationId]);
}

/** An amount of cents as the REST contract writes it (`{value, scale, currency}`, scale 2). */
export const scaledEur = (cents: number) => ({ value: cents, scale: 2, currency: 'EUR' });

/** Today on the Paris calendar (a surrender's `requestedAt`), by the given clock or the real one. */
export const parisToday = (clock: { now(): Date } = { now: () => new Date() }): string => parisDate(clock.now());
