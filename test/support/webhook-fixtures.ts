import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { newUuid } from '../../domain/shared/ids';
import type { Queryable } from '../../store/db';

/**
 * Rows of the webhook tables written with real SQL, as the endpoints' routes and the events' publisher
 * write them (an endpoint with its secret; an event with its `data` already rendered, fanned out to
 * pending deliveries due at once, then the NOTIFY that wakes the dispatcher).
 */
export function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

export interface FixtureEndpoint {
  id: string;
  url: string;
  secret: string;
}

export async function insertEndpoint(
  db: Queryable,
  options: { url: string; at: Date; distributorId?: string | null; createdBy?: string; secret?: string },
): Promise<FixtureEndpoint> {
  const id = newUuid();
  const secret = options.secret ?? newSecret();
  await db.query(
    `insert into webhook_endpoints (id, distributor_id, url, status, created_by, created_at, updated_at)
     values ($1, $2, $3, 'enabled', $4, $5, $5)`,
    [id, options.distributorId ?? null, options.url, options.createdBy ?? 'fixture', options.at],
  );
  await db.query('insert into webhook_endpoint_secrets (endpoint_id, secret, created_at) values ($1, $2, $3)', [id, secret, options.at]);
  return { id, url: options.url, secret };
}

/** A rotation as the endpoints' route makes it: the current secret expires at `oldExpiresAt`, a new one signs beside it. */
export async function rotateSecret(db: Queryable, endpointId: string, at: Date, oldExpiresAt: Date): Promise<string> {
  const secret = newSecret();
  await db.query('update webhook_endpoint_secrets set expires_at = $2 where endpoint_id = $1 and expires_at is null', [endpointId, oldExpiresAt]);
  await db.query('insert into webhook_endpoint_secrets (endpoint_id, secret, created_at) values ($1, $2, $3)', [endpointId, secret, at]);
  return secret;
}

export async function publishEvent(
  db: Queryable,
  options: { at: Date; endpoints: readonly string[]; type?: string; data?: unknown; distributorId?: string | null },
): Promise<{ eventId: string; deliveryIds: string[] }> {
  const eventId = `evt_${randomBytes(13).toString('hex').toUpperCase()}`;
  const data = options.data ?? { id: newUuid(), status: 'signed' };
  await db.query(
    `insert into outbound_events (id, type, created_at, distributor_id, resource, data, rendered_at) values ($1, $2, $3, $4, $5, $6, $3)`,
    [eventId, options.type ?? 'subscription.signed', options.at, options.distributorId ?? null, JSON.stringify({ fixture: true }), JSON.stringify(data)],
  );
  const deliveryIds: string[] = [];
  for (const endpointId of options.endpoints) {
    const id = newUuid();
    deliveryIds.push(id);
    await db.query(
      `insert into webhook_deliveries (id, event_id, endpoint_id, status, next_attempt_at, created_at, updated_at)
       values ($1, $2, $3, 'pending', $4, $4, $4)`,
      [id, eventId, endpointId, options.at],
    );
  }
  await db.query(`select pg_notify('outbox', 'webhook')`);
  return { eventId, deliveryIds };
}

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** What the receiver answers to its n-th request (0-based): a status, or `hang` (never answers). */
export type Behaviour = (n: number, received: Received) => number | 'hang';

/** A real HTTP receiver in-process, logging every request it gets. */
export class Receiver {
  readonly received: Received[] = [];
  behaviour: Behaviour = () => 200;
  /** How long each answer takes (a slow endpoint). */
  delayMs = 0;
  private readonly server: Server;
  private readonly waiters: Array<() => void> = [];

  private constructor(readonly url: string, server: Server) {
    this.server = server;
  }

  static async start(path = '/hooks'): Promise<Receiver> {
    let receiver!: Receiver;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const entry: Received = { path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
        const n = receiver.received.length;
        receiver.received.push(entry);
        for (const wake of receiver.waiters.splice(0)) wake();
        const answer = receiver.behaviour(n, entry);
        if (answer === 'hang') return;
        const send = () => res.writeHead(answer, { 'content-type': 'text/plain' }).end('ok');
        if (receiver.delayMs > 0) setTimeout(send, receiver.delayMs);
        else send();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    receiver = new Receiver(`http://127.0.0.1:${port}${path}`, server);
    return receiver;
  }

  /** Resolves once `count` requests have arrived (or rejects after `timeoutMs`). */
  async waitFor(count: number, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`receiver got ${this.received.length} of ${count} requests`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
