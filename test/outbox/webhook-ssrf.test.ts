import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { LookupAddress } from 'node:dns';
import type { Resolver } from '../../outbox/webhook-transport';
import { EACH_DATABASE, type TestDatabase } from '../support/databases';
import { startTestServer, type TestServer } from '../support/server';
import { insertEndpoint, publishEvent, Receiver } from '../support/webhook-fixtures';

/**
 * A partner's name server, as the socket sees it: each name resolves to what the table says. The
 * addresses are what a rebinding attacker would answer at connection time.
 */
const ZONE: Record<string, LookupAddress[]> = {
  'loopback.test': [{ address: '127.0.0.1', family: 4 }],
  'private.test': [{ address: '10.1.2.3', family: 4 }],
  'metadata.test': [{ address: '169.254.169.254', family: 4 }],
  'mapped.test': [{ address: '::ffff:127.0.0.1', family: 6 }],
  'cgnat.test': [{ address: '100.64.0.1', family: 4 }],
  'ula.test': [{ address: 'fd00:ec2::254', family: 6 }],
  'mixed.test': [{ address: '10.0.0.7', family: 4 }, { address: '127.0.0.1', family: 4 }],
  'receiver.test': [{ address: '127.0.0.1', family: 4 }],
};

function zoneResolver(asked: string[]): Resolver {
  return (hostname, _options, callback) => {
    asked.push(hostname);
    const addresses = ZONE[hostname];
    if (!addresses) {
      const error: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
      error.code = 'ENOTFOUND';
      return callback(error, []);
    }
    callback(null, addresses);
  };
}

/** A TCP listener on loopback that counts connections: any connection at all means the check came too late. */
async function connectionCounter(): Promise<{ port: number; connections: () => number; close(): Promise<void> }> {
  let count = 0;
  const server: Server = createServer((socket) => {
    count++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => count,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const errorsOf = async (server: TestServer, deliveryIds: string[]) => {
  const rows = await server.db.query<{ id: string; error: string | null }>(
    'select d.id, a.error from webhook_deliveries d join webhook_delivery_attempts a on a.delivery_id = d.id where d.id = any($1::uuid[])',
    [`{${deliveryIds.join(',')}}`],
  );
  return deliveryIds.map((id) => rows.find((row) => row.id === id)?.error);
};

describe.each(EACH_DATABASE)('webhooks cannot reach our network (%s)', (_name, database: TestDatabase) => {
  it('in production, refuses at connect time every URL resolving to a loopback, private, link-local or metadata address', async () => {
    const asked: string[] = [];
    const server = await startTestServer(database, {
      env: { NODE_ENV: 'production', TRUSTED_PROXIES: '127.0.0.1', WEBHOOK_TIMEOUT_MS: '1000' },
      outbox: 'manual',
      webhookResolver: zoneResolver(asked),
    });
    const listener = await connectionCounter();
    try {
      const port = listener.port;
      const urls = [
        `https://loopback.test:${port}/hooks`,
        `https://private.test:${port}/hooks`,
        `https://metadata.test:${port}/latest/meta-data`,
        `https://mapped.test:${port}/hooks`,
        `https://cgnat.test:${port}/hooks`,
        `https://ula.test:${port}/hooks`,
        `https://mixed.test:${port}/hooks`,
        `https://127.0.0.1:${port}/hooks`,
        `https://[::ffff:127.0.0.1]:${port}/hooks`,
        `https://[::1]:${port}/hooks`,
        'https://169.254.169.254/latest/meta-data',
      ];
      const endpoints = [];
      for (const url of urls) endpoints.push((await insertEndpoint(server.db, { url, at: server.clock.now() })).id);
      const plainHttp = await insertEndpoint(server.db, { url: `http://receiver.test:${port}/hooks`, at: server.clock.now() });
      const { deliveryIds } = await publishEvent(server.db, { at: server.clock.now(), endpoints: [...endpoints, plainHttp.id] });

      await server.app.outbox.drain();

      expect(await errorsOf(server, deliveryIds)).toEqual([...urls.map(() => 'address not allowed'), 'https required']);
      // Names were judged on what they resolved to, in the socket's own lookup; nothing was connected.
      expect(new Set(asked)).toEqual(new Set(['loopback.test', 'private.test', 'metadata.test', 'mapped.test', 'cgnat.test', 'ula.test', 'mixed.test']));
      expect(listener.connections()).toBe(0);
    } finally {
      await listener.close();
      await server.close();
    }
  });

  it('outside production, delivers over http to a loopback name, through the same lookup, and still refuses private ones', async () => {
    const asked: string[] = [];
    // The receiver answers at once: the generous timeout only keeps a CPU-starved CI worker from failing the delivery.
    const server = await startTestServer(database, { env: { WEBHOOK_TIMEOUT_MS: '10000' }, outbox: 'manual', webhookResolver: zoneResolver(asked) });
    const receiver = await Receiver.start();
    try {
      const port = new URL(receiver.url).port;
      const reachable = await insertEndpoint(server.db, { url: `http://receiver.test:${port}/hooks`, at: server.clock.now() });
      const internal = await insertEndpoint(server.db, { url: `http://private.test:${port}/hooks`, at: server.clock.now() });
      const { deliveryIds } = await publishEvent(server.db, { at: server.clock.now(), endpoints: [reachable.id, internal.id] });

      await server.app.outbox.drain();

      expect(await errorsOf(server, deliveryIds)).toEqual([null, 'address not allowed']);
      expect(receiver.received).toHaveLength(1);
      expect(asked).toEqual(expect.arrayContaining(['receiver.test', 'private.test']));
    } finally {
      await receiver.close();
      await server.close();
    }
  });
});
