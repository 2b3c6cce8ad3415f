import { randomBytes } from 'node:crypto';
import type { WebhookEvent } from '../../domain/webhooks/registry';
import { signStandardWebhook } from '../../domain/webhooks/standard-webhooks';
import { messageIsReason, restReason } from './errors';
import { call, unauthorizedBody, type Answer } from './http';
import type { TestServer } from './server';
import { newSecret } from './webhook-fixtures';

// Deliveries a provider sends to POST /v1/webhooks/<source>, and what the test handler they reach leaves behind.

/** The `esign` secret a delivery is signed with unless it names another. */
export const ESIGN = newSecret();

let counter = 0;
export const newWebhookId = () => `msg_${Date.now().toString(36)}_${++counter}_${randomBytes(4).toString('hex')}`;
export const newEnvelopeId = () => `env_${++counter}_${randomBytes(4).toString('hex')}`;

export interface Delivery {
  id: string;
  timestamp: number;
  body: string;
  /** The `webhook-signature` header; defaults to a v1 signature with `secret`. */
  signature?: string;
  secret?: string;
}

export const nowSeconds = (server: TestServer) => Math.floor(server.clock.now().getTime() / 1000);

export function headersFor(delivery: Delivery): Record<string, string> {
  const signature =
    delivery.signature ?? signStandardWebhook({ id: delivery.id, timestamp: delivery.timestamp, rawBody: delivery.body, secret: delivery.secret ?? ESIGN });
  return {
    'content-type': 'application/json',
    'webhook-id': delivery.id,
    'webhook-timestamp': String(delivery.timestamp),
    'webhook-signature': signature,
  };
}

export function post(server: TestServer, source: string, delivery: Delivery, drop: string[] = []): Promise<Answer> {
  const headers = headersFor(delivery);
  for (const name of drop) delete headers[name];
  return call(`${server.url}/v1/webhooks/${source}`, { method: 'POST', headers, body: delivery.body });
}

export function completed(envelopeId: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ type: 'test.delivery_recorded', data: { envelope_id: envelopeId, ...extra } });
}

/** Effects of the test handler: audit entries it wrote for one envelope. */
export async function effects(server: TestServer, envelopeId: string): Promise<number> {
  const rows = await server.db.query<{ n: number }>(`select count(*)::int as n from audit_log where target_type = 'envelope' and target_id = $1`, [envelopeId]);
  return Number(rows[0].n);
}

export async function recorded(server: TestServer, source: string, webhookId: string): Promise<Array<{ event_type: string; handled: boolean }>> {
  return server.db.query<{ event_type: string; handled: boolean }>('select event_type, handled from webhook_events where source = $1 and webhook_id = $2', [source, webhookId]);
}

export function expectEnvelope(answer: Answer, status: number, code: string, message: string): void {
  expect(answer.status).toBe(status);
  expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
  expect(answer.json.errors).toHaveLength(1);
  expect(Object.keys(answer.json.errors[0]).sort()).toEqual(messageIsReason(code, message) ? ['code', 'doc_url', 'message'] : ['code', 'doc_url', 'message', 'reason']);
  expect(answer.json.errors[0]).toMatchObject({ code, ...restReason(code, message) });
  expect(answer.json.errors[0].doc_url).toMatch(new RegExp(`/docs/errors/${code}$`));
}

/** The exact 401 a provider gets for any delivery that does not verify. */
export function expectInvalidSignature(server: TestServer, answer: Answer): void {
  expect(answer.status).toBe(401);
  expect(answer.text).toBe(JSON.stringify(unauthorizedBody(server.url, 'INVALID_SIGNATURE')));
  expect(answer.headers.get('www-authenticate')).toBe('Bearer');
}

/** Registers the test handler: one audit entry per applied event, failing on demand. */
export function registerHandlers(server: TestServer, seen: WebhookEvent[], failOnce: Set<string>): void {
  server.app.webhooks.register('esign', 'test.delivery_recorded', async (event, tx) => {
    seen.push(event);
    const data = event.data as { envelope_id: string };
    await server.app.services.audit.record(tx, {
      actor: { kind: 'system', id: `webhook:${event.source}` },
      action: 'envelope.signed',
      target: { type: 'envelope', id: data.envelope_id },
      requestId: null,
      details: { webhookId: event.id },
    });
    // Written first, then thrown: the audit entry must be rolled back together with the webhook record.
    if (failOnce.delete(data.envelope_id)) throw new Error('downstream exploded: secret-ish detail');
  });
}
