import { EACH_DATABASE } from '../support/databases';
import { startTestServer, type TestServer } from '../support/server';
import { insertEndpoint, publishEvent, Receiver } from '../support/webhook-fixtures';

/** Two slots, so a claim reads 24 candidate deliveries (store/webhook-delivery-store.ts); no poll in the way. */
const SETTINGS = { OUTBOX_CONCURRENCY: '2', OUTBOX_POLL_MS: '600000', WEBHOOK_TIMEOUT_MS: '5000' };

/**
 * The dispatcher asks the webhook lane again after a short claim (outbox/dispatcher.ts): one endpoint's
 * backlog can fill the claim's window of oldest deliveries, and the next claim, with that endpoint busy,
 * finds the others. Without it, a quiet endpoint waits behind a busy one's backlog until the next poll.
 */
describe.each(EACH_DATABASE)('webhook claims on %s', (_name, database) => {
  let server: TestServer;
  let busy: Receiver;
  let quiet: Receiver;

  beforeAll(async () => {
    // Started by the test once the backlog is written, so that its first pass sees all of it.
    server = await startTestServer(database, { env: SETTINGS, outbox: 'manual' });
    busy = await Receiver.start();
    quiet = await Receiver.start();
  });
  afterAll(async () => {
    await server.app.outbox.stop();
    await server.close();
    await busy.close();
    await quiet.close();
  });

  it('an endpoint behind another’s backlog of 40 is sent at once, not after it', async () => {
    busy.delayMs = 40;
    const a = await insertEndpoint(server.db, { url: busy.url, at: server.clock.now() });
    const b = await insertEndpoint(server.db, { url: quiet.url, at: server.clock.now() });
    for (let i = 0; i < 40; i++) {
      await publishEvent(server.db, { at: server.clock.now(), endpoints: [a.id] });
      server.clock.advance(1);
    }
    await publishEvent(server.db, { at: server.clock.now(), endpoints: [b.id] });
    server.clock.advance(1_000);

    await server.app.outbox.start();
    await quiet.waitFor(1, 10_000);

    // One claim's batch is 8 deliveries: the quiet endpoint went out with the first one.
    expect(busy.received.length).toBeLessThanOrEqual(8);
    await busy.waitFor(40, 20_000);
  });
});
