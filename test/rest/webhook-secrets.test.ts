import type { WebhookEvent } from '../../domain/webhooks/registry';
import { EACH_DATABASE } from '../support/databases';
import { startTestServer, type TestServer } from '../support/server';
import { completed, effects, expectEnvelope, expectInvalidSignature, newEnvelopeId, newWebhookId, nowSeconds, post, registerHandlers } from '../support/webhook-deliveries';
import { newSecret } from '../support/webhook-fixtures';

describe.each(EACH_DATABASE)('%s', (_name, database) => {
  describe('secrets from the environment (WEBHOOK_SECRET_ESIGN, rotation)', () => {
    let server: TestServer;
    const seen: WebhookEvent[] = [];
    const OLD = newSecret();
    const NEW = newSecret();
    const DEFAULT = newSecret();

    beforeAll(async () => {
      server = await startTestServer(database, { env: { WEBHOOK_SECRET_ESIGN: `${OLD} ${NEW}` }, webhookSecrets: { esign: [DEFAULT] } });
      registerHandlers(server, seen, new Set());
    });
    afterAll(async () => {
      await server?.close();
    });

    it.each([
      ['first', () => OLD],
      ['second', () => NEW],
    ])('accepts a delivery signed with the %s secret of the variable', async (_label, secret) => {
      const envelope = newEnvelopeId();
      const answer = await post(server, 'esign', { id: newWebhookId(), timestamp: nowSeconds(server), body: completed(envelope), secret: secret() });
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({ received: true, duplicate: false });
      expect(await effects(server, envelope)).toBe(1);
    });

    it('rejects the default (demo) secret once the environment sets the source’s secrets', async () => {
      const envelope = newEnvelopeId();
      const answer = await post(server, 'esign', { id: newWebhookId(), timestamp: nowSeconds(server), body: completed(envelope), secret: DEFAULT });
      expectInvalidSignature(server, answer);
      expect(await effects(server, envelope)).toBe(0);
    });

    it('still knows only the configured sources', async () => {
      const answer = await post(server, 'payments', { id: newWebhookId(), timestamp: nowSeconds(server), body: '{"type":"x"}', secret: OLD });
      expectEnvelope(answer, 404, 'resource_not_found', 'UNKNOWN_WEBHOOK_SOURCE');
    });
  });
});
