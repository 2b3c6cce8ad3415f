import { request as httpRequest } from 'node:http';
import type { WebhookEvent } from '../../domain/webhooks/registry';
import { signStandardWebhook } from '../../domain/webhooks/standard-webhooks';
import { EACH_DATABASE } from '../support/databases';
import { call } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';
import { testId } from '../support/ids';
import { completed, effects, ESIGN, expectEnvelope, expectInvalidSignature, headersFor, newEnvelopeId, newWebhookId, nowSeconds, post, recorded, registerHandlers } from '../support/webhook-deliveries';
import { newSecret } from '../support/webhook-fixtures';

const ESIGN_NEXT = newSecret();
const PAYMENTS = newSecret();

describe.each(EACH_DATABASE)('%s', (_name, database) => {
  describe('POST /v1/webhooks/<source> with configured secrets', () => {
    let server: TestServer;
    const seen: WebhookEvent[] = [];
    const failOnce = new Set<string>();

    beforeAll(async () => {
      server = await startTestServer(database, { webhookSecrets: { esign: [ESIGN, ESIGN_NEXT], payments: [PAYMENTS] } });
      registerHandlers(server, seen, failOnce);
    });
    afterAll(async () => {
      await server?.close();
    });

    it('accepts a valid signed delivery and runs the handler once', async () => {
      const envelope = newEnvelopeId();
      const delivery = { id: newWebhookId(), timestamp: nowSeconds(server), body: completed(envelope, { signer: 'alice' }) };
      const before = seen.length;
      const answer = await post(server, 'esign', delivery);
      expect(answer.status).toBe(200);
      expect(answer.text).toBe('{"received":true,"duplicate":false}');
      expect(await effects(server, envelope)).toBe(1);
      expect(await recorded(server, 'esign', delivery.id)).toEqual([{ event_type: 'test.delivery_recorded', handled: true }]);
      expect(seen.length).toBe(before + 1);
      const event = seen[seen.length - 1];
      expect(event).toMatchObject({ source: 'esign', id: delivery.id, type: 'test.delivery_recorded', data: { envelope_id: envelope, signer: 'alice' } });
      expect(event.timestamp.getTime()).toBe(delivery.timestamp * 1000);
    });

    it('answers a replayed delivery as a duplicate without a second effect', async () => {
      const envelope = newEnvelopeId();
      const delivery = { id: newWebhookId(), timestamp: nowSeconds(server), body: completed(envelope) };
      expect((await post(server, 'esign', delivery)).json).toEqual({ received: true, duplicate: false });
      const replay = await post(server, 'esign', delivery);
      expect(replay.status).toBe(200);
      expect(replay.text).toBe('{"received":true,"duplicate":true}');
      expect(await effects(server, envelope)).toBe(1);
    });

    it('processes a webhook-id once even when re-signed with a new timestamp and another body', async () => {
      const first = newEnvelopeId();
      const second = newEnvelopeId();
      const id = newWebhookId();
      const now = nowSeconds(server);
      expect((await post(server, 'esign', { id, timestamp: now, body: completed(first) })).json).toEqual({ received: true, duplicate: false });
      const resent = await post(server, 'esign', { id, timestamp: now + 5, body: completed(second) });
      expect(resent.status).toBe(200);
      expect(resent.json).toEqual({ received: true, duplicate: true });
      expect(await effects(server, first)).toBe(1);
      expect(await effects(server, second)).toBe(0);
    });

    it('handles concurrent deliveries of one webhook-id exactly once', async () => {
      const envelope = newEnvelopeId();
      const delivery = { id: newWebhookId(), timestamp: nowSeconds(server), body: completed(envelope) };
      const answers = await Promise.all([0, 1, 2, 3].map(() => post(server, 'esign', delivery)));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
      expect(answers.filter((a) => a.json.duplicate === false)).toHaveLength(1);
      expect(await effects(server, envelope)).toBe(1);
    });

    it('keeps webhook ids of different sources apart', async () => {
      const id = newWebhookId();
      const now = nowSeconds(server);
      expect((await post(server, 'esign', { id, timestamp: now, body: completed(newEnvelopeId()) })).json.duplicate).toBe(false);
      const body = JSON.stringify({ type: 'payment.succeeded', data: {} });
      expect((await post(server, 'payments', { id, timestamp: now, body, secret: PAYMENTS })).json).toEqual({ received: true, duplicate: false });
    });

    it('answers 400 INVALID_CHARACTERS, not 500, for a signed event carrying NUL or a lone surrogate', async () => {
      const cases: Array<[string, string]> = [
        ['{"type":"surrender.paid","data":{"declaration_id":"sur_\\u0000x"}}', 'data.declaration_id'],
        [`{"type":"surrender.rejected","data":{"declaration_id":"${testId('sur_x')}","reason":"\\ud800"}}`, 'data.reason'],
        ['{"type":"surrender.paid\\u0000","data":{}}', 'type'],
      ];
      for (const [body, field] of cases) {
        const id = newWebhookId();
        const answer = await post(server, 'payments', { id, timestamp: nowSeconds(server), body, secret: PAYMENTS });
        expect(answer.status).toBe(400);
        expect(answer.json.errors[0]).toMatchObject({ code: 'parameter_invalid', reason: 'INVALID_CHARACTERS', field });
        // Refused before it is recorded: the provider's corrected retry under the same id is processed.
        expect(await server.db.query('select 1 from webhook_events where webhook_id = $1', [id])).toHaveLength(0);
      }
    });

    describe('rejects with 401 INVALID_SIGNATURE, and no effect', () => {
      it('a tampered body', async () => {
        const envelope = newEnvelopeId();
        const delivery = { id: newWebhookId(), timestamp: nowSeconds(server), body: completed(envelope) };
        const signature = headersFor(delivery)['webhook-signature'];
        const answer = await post(server, 'esign', { ...delivery, body: completed(envelope, { amount: 1 }), signature });
        expectInvalidSignature(server, answer);
        expect(await effects(server, envelope)).toBe(0);
        expect(await recorded(server, 'esign', delivery.id)).toEqual([]);
      });

      it('a signature made with an unknown secret or with another source’s secret', async () => {
        for (const secret of [newSecret(), PAYMENTS]) {
          const envelope = newEnvelopeId();
          const answer = await post(server, 'esign', { id: newWebhookId(), timestamp: nowSeconds(server), body: completed(envelope), secret });
          expectInvalidSignature(server, answer);
          expect(await effects(server, envelope)).toBe(0);
        }
      });

      it('a garbage signature header', async () => {
        const envelope = newEnvelopeId();
        const answer = await post(server, 'esign', { id: newWebhookId(), timestamp: nowSeconds(server), body: completed(envelope), signature: 'v1,bm90LWEtc2lnbmF0dXJl' });
        expectInvalidSignature(server, answer);
        expect(await effects(server, envelope)).toBe(0);
      });

      it.each([['webhook-id'], ['webhook-timestamp'], ['webhook-signature']])('a delivery without %s', async (header) => {
        const envelope = newEnvelopeId();
        const answer = await post(server, 'esign', { id: newWebhookId(), timestamp: nowSeconds(server), body: completed(envelope) }, [header]);
        expectInvalidSignature(server, answer);
        expect(await effects(server, envelope)).toBe(0);
      });

      it('a delivery without any webhook header', async () => {
        const answer = await call(`${server.url}/v1/webhooks/esign`, { method: 'POST', json: { type: 'test.delivery_recorded', data: { envelope_id: 'env_x' } } });
        expectInvalidSignature(server, answer);
      });

      it.each([
        ['301 s old', -301],
        ['301 s in the future', 301],
      ])('a correctly signed delivery whose timestamp is %s', async (_label, shift) => {
        const envelope = newEnvelopeId();
        const answer = await post(server, 'esign', { id: newWebhookId(), timestamp: nowSeconds(server) + shift, body: completed(envelope) });
        expectInvalidSignature(server, answer);
        expect(await effects(server, envelope)).toBe(0);
      });

      it('a delivery that arrives 301 s after it was signed (server clock moved)', async () => {
        const envelope = newEnvelopeId();
        const start = server.clock.now();
        // Whole seconds, so "300 s" below is exactly 300 s.
        server.clock.set(new Date(Math.floor(start.getTime() / 1000) * 1000));
        try {
          const signedAt = nowSeconds(server);
          const late = { id: newWebhookId(), timestamp: signedAt, body: completed(envelope) };
          const inTime = { id: newWebhookId(), timestamp: signedAt, body: completed(newEnvelopeId()) };
          server.clock.advance(300_000);
          expect((await post(server, 'esign', inTime)).status).toBe(200);
          server.clock.advance(1_000);
          expectInvalidSignature(server, await post(server, 'esign', late));
          expect(await effects(server, envelope)).toBe(0);
          expect(await recorded(server, 'esign', late.id)).toEqual([]);
        } finally {
          server.clock.set(start);
        }
      });
    });

    it('accepts a delivery signed with the second secret during rotation', async () => {
      const envelope = newEnvelopeId();
      const answer = await post(server, 'esign', { id: newWebhookId(), timestamp: nowSeconds(server), body: completed(envelope), secret: ESIGN_NEXT });
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({ received: true, duplicate: false });
      expect(await effects(server, envelope)).toBe(1);
    });

    it('accepts a header carrying a stale signature next to a valid one', async () => {
      const envelope = newEnvelopeId();
      const delivery = { id: newWebhookId(), timestamp: nowSeconds(server), body: completed(envelope) };
      const stale = signStandardWebhook({ id: delivery.id, timestamp: delivery.timestamp, rawBody: delivery.body, secret: newSecret() });
      const good = signStandardWebhook({ id: delivery.id, timestamp: delivery.timestamp, rawBody: delivery.body, secret: ESIGN_NEXT });
      const answer = await post(server, 'esign', { ...delivery, signature: `${stale} ${good}` });
      expect(answer.status).toBe(200);
      expect(await effects(server, envelope)).toBe(1);
    });

    it('answers 404 UNKNOWN_WEBHOOK_SOURCE for a source without secrets', async () => {
      const answer = await post(server, 'docusign', { id: newWebhookId(), timestamp: nowSeconds(server), body: completed(newEnvelopeId()) });
      expectEnvelope(answer, 404, 'resource_not_found', 'UNKNOWN_WEBHOOK_SOURCE');
    });

    it.each([['constructor'], ['hasOwnProperty'], ['__proto__'], ['toString']])('answers 404 for the source name %j (no secrets come from Object.prototype)', async (source) => {
      const delivery = { id: newWebhookId(), timestamp: nowSeconds(server), body: completed(newEnvelopeId()) };
      expectEnvelope(await post(server, source, delivery, ['webhook-signature']), 404, 'resource_not_found', 'UNKNOWN_WEBHOOK_SOURCE');
      expectEnvelope(await post(server, source, delivery), 404, 'resource_not_found', 'UNKNOWN_WEBHOOK_SOURCE');
    });

    it('answers 404, not 500, for a source that is not valid percent-encoding', async () => {
      const answer = await post(server, '%E0%A4%A', { id: newWebhookId(), timestamp: nowSeconds(server), body: completed(newEnvelopeId()) });
      expect(answer.status).toBe(404);
      expect(answer.json.errors[0]).toMatchObject({ code: 'resource_not_found' });
    });

    it('answers 405 with Allow: POST for other methods', async () => {
      const answer = await call(`${server.url}/v1/webhooks/esign`);
      expectEnvelope(answer, 405, 'method_not_allowed', 'METHOD_NOT_ALLOWED');
      expect(answer.headers.get('allow')).toBe('POST');
    });

    it('acknowledges and records an event type nobody handles', async () => {
      const delivery = { id: newWebhookId(), timestamp: nowSeconds(server), body: JSON.stringify({ type: 'envelope.viewed', data: { envelope_id: 'env_viewed' } }) };
      const before = seen.length;
      const answer = await post(server, 'esign', delivery);
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({ received: true, duplicate: false });
      expect(await recorded(server, 'esign', delivery.id)).toEqual([{ event_type: 'envelope.viewed', handled: false }]);
      expect(seen.length).toBe(before);
      expect((await post(server, 'esign', delivery)).json).toEqual({ received: true, duplicate: true });
    });

    it('does not record a delivery whose handler throws, so the provider’s retry is processed', async () => {
      const envelope = newEnvelopeId();
      failOnce.add(envelope);
      const delivery = { id: newWebhookId(), timestamp: nowSeconds(server), body: completed(envelope) };
      const failed = await post(server, 'esign', delivery);
      expect(failed.status).toBe(500);
      expect(failed.json.errors[0].code).toBe('internal_server_error');
      expect(failed.text).not.toContain('exploded');
      expect(failed.text).not.toMatch(/at .*\.ts:\d+/);
      // The handler's own write is rolled back with the webhook record.
      expect(await effects(server, envelope)).toBe(0);
      expect(await recorded(server, 'esign', delivery.id)).toEqual([]);

      const retry = await post(server, 'esign', delivery);
      expect(retry.status).toBe(200);
      expect(retry.json).toEqual({ received: true, duplicate: false });
      expect(await effects(server, envelope)).toBe(1);
      expect(await recorded(server, 'esign', delivery.id)).toEqual([{ event_type: 'test.delivery_recorded', handled: true }]);
    });

    it('answers 400 for a signed body that is not JSON or has no type, and records nothing', async () => {
      const notJson = { id: newWebhookId(), timestamp: nowSeconds(server), body: 'not json' };
      const malformed = await post(server, 'esign', notJson);
      expect(malformed.status).toBe(400);
      expect(malformed.json.errors[0]).toMatchObject({ code: 'parameter_invalid', reason: 'MALFORMED_JSON' });
      const untyped = { id: newWebhookId(), timestamp: nowSeconds(server), body: JSON.stringify({ data: {} }) };
      const missing = await post(server, 'esign', untyped);
      expect(missing.status).toBe(400);
      expect(missing.json.errors[0]).toMatchObject({ code: 'parameter_invalid', reason: 'WEBHOOK_TYPE_MISSING', field: 'type' });
      expect(await recorded(server, 'esign', notJson.id)).toEqual([]);
      expect(await recorded(server, 'esign', untyped.id)).toEqual([]);
    });

    it('checks the signature before looking at the body', async () => {
      const answer = await post(server, 'esign', { id: newWebhookId(), timestamp: nowSeconds(server), body: 'not json', signature: 'v1,AAAA' });
      expectInvalidSignature(server, answer);
    });

    it('refuses a body over the size limit with 413, declared or streamed', async () => {
      const big = completed(newEnvelopeId(), { padding: 'x'.repeat(server.config.maxBodyBytes) });
      const declared = await post(server, 'esign', { id: newWebhookId(), timestamp: nowSeconds(server), body: big });
      expectEnvelope(declared, 413, 'payload_too_large', 'BODY_TOO_LARGE');
      const streamed = await chunked(server, '/v1/webhooks/esign', headersFor({ id: newWebhookId(), timestamp: nowSeconds(server), body: big }), big);
      expect(streamed.status).toBe(413);
    });
  });
});

/** POSTs `body` with chunked transfer encoding (no Content-Length), so the limit must apply while streaming. */
function chunked(server: TestServer, path: string, headers: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${server.url}${path}`, { method: 'POST', headers: { ...headers, 'transfer-encoding': 'chunked' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    // The server may answer and stop reading before the whole body is sent.
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
    const chunk = 1024;
    for (let i = 0; i < body.length; i += chunk) req.write(body.slice(i, i + chunk));
    req.end();
  });
}
