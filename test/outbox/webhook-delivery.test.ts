import { Webhook } from 'standardwebhooks';
import { EACH_DATABASE, type TestDatabase } from '../support/databases';
import { DEMO_IDS } from '../support/ids';
import { startTestServer, type TestServer } from '../support/server';
import { insertEndpoint, publishEvent, Receiver, rotateSecret } from '../support/webhook-fixtures';

/** Small settings so that retries and timeouts play out in a test: 300 ms to answer, 3 attempts. */
// The timeout leaves a loaded CI machine time to answer a receiver that does answer; the hanging one still times out.
const FAST = { WEBHOOK_TIMEOUT_MS: '2000', WEBHOOK_RETRY_BASE_MS: '1', WEBHOOK_MAX_ATTEMPTS: '3', OUTBOX_POLL_MS: '50' };

interface AttemptRow {
  attempt: number;
  status_code: number | null;
  duration_ms: number;
  error: string | null;
}

const attemptsOf = (server: TestServer, deliveryId: string) =>
  server.db.query<AttemptRow>('select attempt, status_code, duration_ms, error from webhook_delivery_attempts where delivery_id = $1 order by attempt', [deliveryId]);

const deliveryOf = async (server: TestServer, deliveryId: string) =>
  (await server.db.query<{ status: string; attempts: number; lease_owner: string | null }>('select status, attempts, lease_owner from webhook_deliveries where id = $1', [deliveryId]))[0];

/** Sends what is due now, then moves the clock past any backoff (base 1 ms: at most a few ms per attempt) and sends again. */
async function drainWithRetries(server: TestServer, rounds: number): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await server.app.outbox.drain();
    server.clock.advance(1_000);
  }
}

describe.each(EACH_DATABASE)('webhook deliveries (%s)', (_name, database: TestDatabase) => {
  let server: TestServer;
  let receiver: Receiver;

  // One server for the group (seeding demo logins is slow); each test has its own endpoints and receiver.
  beforeAll(async () => {
    server = await startTestServer(database, { env: FAST, outbox: 'manual' });
  });
  afterAll(() => server.close());

  beforeEach(async () => {
    receiver = await Receiver.start();
  });
  afterEach(() => receiver.close());

  it('POSTs the signed envelope, which standardwebhooks verifies with the endpoint secret', async () => {
    const endpoint = await insertEndpoint(server.db, { url: receiver.url, at: server.clock.now(), distributorId: DEMO_IDS.distributor });
    const data = { id: 'f0e0d0c0-0000-7000-8000-000000000001', status: 'signed', amount: { value: 150000, scale: 2, currency: 'EUR' } };
    const createdAt = server.clock.now();
    const { eventId, deliveryIds } = await publishEvent(server.db, { at: createdAt, endpoints: [endpoint.id], type: 'subscription.signed', data });

    await server.app.outbox.drain();

    expect(receiver.received).toHaveLength(1);
    const [request] = receiver.received;
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['user-agent']).toMatch(/^insurance-gateway-webhooks\//);
    expect(request.headers['webhook-id']).toBe(eventId);
    expect(Number(request.headers['webhook-timestamp'])).toBe(Math.floor(server.clock.now().getTime() / 1000));
    const verified = new Webhook(endpoint.secret).verify(request.body, request.headers as Record<string, string>);
    expect(verified).toEqual({ id: eventId, type: 'subscription.signed', created_at: createdAt.toISOString(), data });
    expect(Object.keys(JSON.parse(request.body))).toEqual(['id', 'type', 'created_at', 'data']);

    expect(await deliveryOf(server, deliveryIds[0])).toEqual({ status: 'succeeded', attempts: 1, lease_owner: null });
    const attempts = await attemptsOf(server, deliveryIds[0]);
    expect(attempts).toEqual([{ attempt: 1, status_code: 200, duration_ms: expect.any(Number), error: null }]);
  });

  it('retries one that fails twice, then succeeds: three attempts, one event id, the same body', async () => {
    receiver.behaviour = (n) => (n < 2 ? 500 : 204);
    const endpoint = await insertEndpoint(server.db, { url: receiver.url, at: server.clock.now() });
    const { eventId, deliveryIds } = await publishEvent(server.db, { at: server.clock.now(), endpoints: [endpoint.id] });

    await server.app.outbox.drain();
    expect(receiver.received).toHaveLength(1);
    // The endpoint's run of failures has started.
    expect((await server.db.query<{ failing_since: Date | null }>('select failing_since from webhook_endpoints where id = $1', [endpoint.id]))[0].failing_since).not.toBeNull();
    await drainWithRetries(server, 3);

    expect(receiver.received).toHaveLength(3);
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id']))).toEqual(new Set([eventId]));
    expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);
    for (const request of receiver.received) new Webhook(endpoint.secret).verify(request.body, request.headers as Record<string, string>);
    expect((await attemptsOf(server, deliveryIds[0])).map((a) => [a.attempt, a.status_code, a.error])).toEqual([
      [1, 500, 'HTTP 500'],
      [2, 500, 'HTTP 500'],
      [3, 204, null],
    ]);
    expect(await deliveryOf(server, deliveryIds[0])).toEqual({ status: 'succeeded', attempts: 3, lease_owner: null });
    // A success ends the run of failures.
    expect((await server.db.query<{ failing_since: Date | null }>('select failing_since from webhook_endpoints where id = $1', [endpoint.id]))[0].failing_since).toBeNull();
  });

  it('sends one endpoint’s backlog in due order; after a failure the rest are given back untried, not counted', async () => {
    receiver.behaviour = (n) => (n === 1 ? 500 : 200);
    const endpoint = await insertEndpoint(server.db, { url: receiver.url, at: server.clock.now() });
    const published = [];
    for (let i = 0; i < 5; i++) {
      published.push(await publishEvent(server.db, { at: server.clock.now(), endpoints: [endpoint.id] }));
      server.clock.advance(1);
    }

    await drainWithRetries(server, 3);

    const attempts = await Promise.all(published.map(async ({ deliveryIds }) => (await attemptsOf(server, deliveryIds[0])).map((a) => a.status_code)));
    expect(attempts).toEqual([[200], [500, 200], [200], [200], [200]]);
    // The first two went in due order, before the failure; the retry came after the others.
    expect(receiver.received.slice(0, 2).map((r) => r.headers['webhook-id'])).toEqual([published[0].eventId, published[1].eventId]);
    expect(receiver.received).toHaveLength(6);
  });

  it('times out on one that never answers, is failed after the last attempt, and goes again when replayed', async () => {
    receiver.behaviour = () => 'hang';
    const endpoint = await insertEndpoint(server.db, { url: receiver.url, at: server.clock.now() });
    const { deliveryIds } = await publishEvent(server.db, { at: server.clock.now(), endpoints: [endpoint.id] });

    await drainWithRetries(server, 4);

    expect(receiver.received).toHaveLength(3);
    const attempts = await attemptsOf(server, deliveryIds[0]);
    expect(attempts.map((a) => [a.attempt, a.status_code, a.error])).toEqual([
      [1, null, 'timeout'],
      [2, null, 'timeout'],
      [3, null, 'timeout'],
    ]);
    for (const attempt of attempts) expect(attempt.duration_ms).toBeGreaterThanOrEqual(1_900);
    expect(await deliveryOf(server, deliveryIds[0])).toEqual({ status: 'failed', attempts: 3, lease_owner: null });

    // Replay (what the endpoints' replay route does): pending again, due now. The receiver has recovered.
    receiver.behaviour = () => 200;
    await server.db.query(`update webhook_deliveries set status = 'pending', next_attempt_at = $2 where id = $1`, [deliveryIds[0], server.clock.now()]);
    await server.app.outbox.drain();

    expect(receiver.received).toHaveLength(4);
    expect(await deliveryOf(server, deliveryIds[0])).toEqual({ status: 'succeeded', attempts: 4, lease_owner: null });
    expect((await attemptsOf(server, deliveryIds[0])).map((a) => [a.attempt, a.error])).toEqual([[1, 'timeout'], [2, 'timeout'], [3, 'timeout'], [4, null]]);
  });

  it('records a refused connection and a redirect as failures, never following the redirect', async () => {
    let redirectedTo = 0;
    receiver.behaviour = (_n, request) => {
      if (request.headers['x-redirected']) redirectedTo++;
      return 302;
    };
    const closed = await Receiver.start();
    const closedUrl = closed.url;
    await closed.close();
    const refused = await insertEndpoint(server.db, { url: closedUrl, at: server.clock.now() });
    const redirecting = await insertEndpoint(server.db, { url: receiver.url, at: server.clock.now() });
    const { deliveryIds } = await publishEvent(server.db, { at: server.clock.now(), endpoints: [refused.id, redirecting.id] });

    await server.app.outbox.drain();

    expect((await attemptsOf(server, deliveryIds[0])).map((a) => a.error)).toEqual(['connection refused']);
    expect((await attemptsOf(server, deliveryIds[1])).map((a) => [a.status_code, a.error])).toEqual([[302, 'redirect not followed']]);
    expect(receiver.received).toHaveLength(1);
    expect(redirectedTo).toBe(0);
  });

  it('signs with both secrets during a rotation, and with the new one alone once the old expires', async () => {
    const endpoint = await insertEndpoint(server.db, { url: receiver.url, at: server.clock.now() });
    server.clock.advance(1_000);
    const newSecret = await rotateSecret(server.db, endpoint.id, server.clock.now(), new Date(server.clock.now().getTime() + 24 * 3600_000));
    await publishEvent(server.db, { at: server.clock.now(), endpoints: [endpoint.id] });
    await server.app.outbox.drain();

    const [during] = receiver.received;
    expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
    for (const secret of [endpoint.secret, newSecret]) {
      expect(() => new Webhook(secret).verify(during.body, during.headers as Record<string, string>)).not.toThrow();
    }

    // The day after, the old secret has expired: one signature, which the old secret no longer verifies.
    await server.db.query('update webhook_endpoint_secrets set expires_at = $2 where endpoint_id = $1 and secret = $3', [endpoint.id, server.clock.now(), endpoint.secret]);
    await publishEvent(server.db, { at: server.clock.now(), endpoints: [endpoint.id] });
    await server.app.outbox.drain();
    const after = receiver.received[1];
    expect(String(after.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(() => new Webhook(newSecret).verify(after.body, after.headers as Record<string, string>)).not.toThrow();
    expect(() => new Webhook(endpoint.secret).verify(after.body, after.headers as Record<string, string>)).toThrow();
  });

  it('disables an endpoint failing for 5 days, tells its distributor by e-mail, and sends it nothing more', async () => {
    receiver.behaviour = () => 503;
    const eventsBefore = Number((await server.db.query<{ n: string }>('select count(*) as n from outbound_events'))[0].n);
    const endpoint = await insertEndpoint(server.db, { url: receiver.url, at: server.clock.now(), distributorId: DEMO_IDS.distributor, createdBy: 'mcl_partner' });
    const firstFailure = server.clock.now();
    await publishEvent(server.db, { at: server.clock.now(), endpoints: [endpoint.id] });
    await server.app.outbox.drain();

    // Four days and more later, still failing: still enabled.
    server.clock.advance(4 * 24 * 3600_000);
    await publishEvent(server.db, { at: server.clock.now(), endpoints: [endpoint.id] });
    await server.app.outbox.drain();
    expect((await server.db.query<{ status: string }>('select status from webhook_endpoints where id = $1', [endpoint.id]))[0].status).toBe('enabled');

    server.clock.advance(24 * 3600_000 + 60_000);
    await publishEvent(server.db, { at: server.clock.now(), endpoints: [endpoint.id] });
    await server.app.outbox.drain();

    const [row] = await server.db.query<{ status: string; disabled_reason: string; failing_since: Date }>('select status, disabled_reason, failing_since from webhook_endpoints where id = $1', [endpoint.id]);
    expect(row).toEqual({ status: 'disabled', disabled_reason: 'failing', failing_since: firstFailure });
    const mails = await server.db.query<{ recipient_user_id: string; channel: string; template: string; payload: Record<string, unknown>; status: string }>(
      `select recipient_user_id, channel, template, payload, status from notification_outbox where template = 'webhook_endpoint_disabled'`,
    );
    // The endpoint was made by a machine client: the distributor's broker hears of it (the drain sent the mail too).
    expect(mails).toEqual([
      {
        recipient_user_id: DEMO_IDS.users.broker,
        channel: 'email',
        template: 'webhook_endpoint_disabled',
        payload: expect.objectContaining({ endpointId: endpoint.id, url: receiver.url }),
        status: 'sent',
      },
    ]);
    // No other event was published about it.
    expect(Number((await server.db.query<{ n: string }>('select count(*) as n from outbound_events'))[0].n)).toBe(eventsBefore + 3);

    // Disabled: its due retries and new events wait (for a re-enable), and nothing more is sent.
    const sent = receiver.received.length;
    await publishEvent(server.db, { at: server.clock.now(), endpoints: [endpoint.id] });
    await drainWithRetries(server, 2);
    expect(receiver.received).toHaveLength(sent);
  });
});

describe.each(EACH_DATABASE)('a slow endpoint (%s)', (_name, database: TestDatabase) => {
  it('never delays another endpoint’s deliveries', async () => {
    const server = await startTestServer(database, { env: { WEBHOOK_TIMEOUT_MS: '5000', OUTBOX_POLL_MS: '50', OUTBOX_CONCURRENCY: '4' } });
    const slow = await Receiver.start();
    const fast = await Receiver.start();
    slow.behaviour = () => 'hang';
    try {
      const slowEndpoint = await insertEndpoint(server.db, { url: slow.url, at: server.clock.now() });
      const fastEndpoint = await insertEndpoint(server.db, { url: fast.url, at: server.clock.now() });
      const started = Date.now();
      for (let i = 0; i < 10; i++) await publishEvent(server.db, { at: server.clock.now(), endpoints: [slowEndpoint.id, fastEndpoint.id] });
      await fast.waitFor(10, 4_000);
      // All ten reached the fast endpoint while the slow one still held its first request.
      expect(Date.now() - started).toBeLessThan(4_000);
      expect(slow.received).toHaveLength(1);
    } finally {
      await slow.close();
      await server.close();
      await fast.close();
    }
  });
});
