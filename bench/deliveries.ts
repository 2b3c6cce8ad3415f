/**
 * Webhook delivery benchmark: sustained deliveries per second to a local receiver, and the delay from
 * the business write (`outbound_events.created_at`) to the delivery's arrival.
 *
 * The dispatcher runs here with the real webhook lane, transport and database (a fresh PGlite in
 * memory, or a schema of its own on BENCH_DATABASE_URL); the receiver is a child process. Business
 * writes are made as the events' publisher makes them: one transaction per event writing the event and
 * one pending delivery per endpoint, then the NOTIFY. Two phases: the throughput with a bounded backlog
 * (the dispatcher never waits for work, and the queue does not grow without end), then the delay at
 * half that rate, where a saturated queue's waiting time does not swamp what the delivery path costs.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { loadConfig } from '../config';
import { systemClock } from '../domain/shared/clock';
import { newUuid } from '../domain/shared/ids';
import { silentLogger } from '../http/logger';
import { addressPolicy } from '../outbox/address-policy';
import { Dispatcher } from '../outbox/dispatcher';
import type { Lane } from '../outbox/lane';
import { RETRY_CAP_MS, WebhookLane } from '../outbox/webhook-lane';
import { HttpWebhookTransport, type WebhookTransport } from '../outbox/webhook-transport';
import type { Db } from '../store/db';
import { migrate } from '../store/migrate';
import { openPgDb } from '../store/pg-db';
import { openPgliteDb } from '../store/pglite-db';
import { OutboxStore } from '../store/outbox-store';
import { WebhookDeliveryStore } from '../store/webhook-delivery-store';
import { Child, freePort } from './processes';

export interface DeliverySettings {
  /** Endpoints (paths on the one receiver) each event fans out to. */
  endpoints: number;
  durationS: number;
  warmupS: number;
}

export interface DeliveryResult {
  /** Sustained rate with the dispatcher never short of work. */
  deliveries_per_s: number;
  /** The rate at which the delay is measured: half the sustained one, written at even intervals. */
  load_per_s: number;
  /** Delay from the business write to the arrival at the receiver, at `load_per_s`. */
  p50_delay_ms: number;
  p99_delay_ms: number;
  max_delay_ms: number;
  deliveries: number;
  endpoints: number;
  concurrency: number;
  /** Attempts not acknowledged (the receiver always answers 204: any is a fault). */
  failed_attempts: number;
  database: 'pglite' | 'postgres';
}

const HOST = '127.0.0.1';

async function openBenchDb(): Promise<{ db: Db; drop(): Promise<void> }> {
  const url = process.env.BENCH_DATABASE_URL;
  if (!url) {
    const db = await openPgliteDb(undefined);
    await migrate(db);
    return { db, drop: () => db.close() };
  }
  // A schema of its own: the service under the other scenarios has the database's default one.
  const schema = `bench_webhooks_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const db = await openPgDb(url, { searchPath: schema, max: 20 });
  await migrate(db);
  return {
    db,
    async drop() {
      await db.close();
      const cleanup = new Client({ connectionString: url });
      await cleanup.connect();
      await cleanup.query(`drop schema ${schema} cascade`);
      await cleanup.end();
    },
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Counts what the transport answered, for the writer's backlog and the failure count. */
class CountingTransport implements WebhookTransport {
  acknowledged = 0;
  failed = 0;
  constructor(private readonly inner: WebhookTransport) {}
  async post(request: Parameters<WebhookTransport['post']>[0]) {
    const answer = await this.inner.post(request);
    if (answer.error === null) this.acknowledged++;
    else this.failed++;
    return answer;
  }
}

export async function measureDeliveries(settings: DeliverySettings, progress: (line: string) => void, children: Child[]): Promise<DeliveryResult> {
  const port = await freePort(HOST);
  const receiver = new Child('webhook receiver', [process.execPath, join(__dirname, 'webhook-receiver.js')], { ...process.env, PORT: String(port), HOST }, process.cwd());
  children.push(receiver);
  const receiverUrl = `http://${HOST}:${port}`;
  await receiver.waitForStatus(`${receiverUrl}/stats`, 200, 10_000);

  // The service's defaults (OUTBOX_CONCURRENCY and the webhook settings), as `npm start` would run.
  const config = loadConfig({ ...process.env, NODE_ENV: '' }).outbox;
  const { db, drop } = await openBenchDb();
  const transport = new HttpWebhookTransport(addressPolicy(false));
  const counting = new CountingTransport(transport);
  const lane = new WebhookLane({
    store: new WebhookDeliveryStore(db),
    outbox: new OutboxStore(),
    transport: counting,
    clock: systemClock,
    logger: silentLogger,
    timeoutMs: config.webhookTimeoutMs,
    retry: { baseMs: config.webhookRetryBaseMs, maxAttempts: config.webhookMaxAttempts, capMs: RETRY_CAP_MS },
  });
  const dispatcher = new Dispatcher([lane as Lane<unknown>], { db, clock: systemClock, logger: silentLogger, concurrency: config.concurrency, pollMs: config.pollMs });

  try {
    const now = new Date();
    const endpoints: string[] = [];
    for (let i = 0; i < settings.endpoints; i++) {
      const id = newUuid();
      endpoints.push(id);
      await db.query(`insert into webhook_endpoints (id, url, status, created_by, created_at, updated_at) values ($1, $2, 'enabled', 'bench', $3, $3)`, [id, `${receiverUrl}/hooks/${i}`, now]);
      await db.query('insert into webhook_endpoint_secrets (endpoint_id, secret, created_at) values ($1, $2, $3)', [id, `whsec_${randomBytes(32).toString('base64')}`, now]);
    }
    await dispatcher.start();

    const data = JSON.stringify({ id: newUuid(), status: 'signed', amount: { value: 1500000, scale: 2, currency: 'EUR' } });
    let produced = 0;
    // One business write: the event and its fan-out in one transaction, then the NOTIFY.
    const writeEvent = async () => {
      await db.transaction(async (tx) => {
        const at = new Date();
        const eventId = `evt_${randomBytes(13).toString('hex').toUpperCase()}`;
        await tx.query('insert into outbound_events (id, type, created_at, resource, data, rendered_at) values ($1, $2, $3, $4, $5, $3)', [eventId, 'subscription.signed', at, '{}', data]);
        const rows = endpoints.map((_, i) => `($${3 + 2 * i}::uuid, $1, $${4 + 2 * i}::uuid, 'pending', $2, $2, $2)`).join(', ');
        await tx.query(`insert into webhook_deliveries (id, event_id, endpoint_id, status, next_attempt_at, created_at, updated_at) values ${rows}`, [
          eventId, at, ...endpoints.flatMap((endpointId) => [newUuid(), endpointId]),
        ]);
        await tx.query(`select pg_notify('outbox', 'webhook')`);
      });
      produced += endpoints.length;
    };
    const outstanding = () => produced - counting.acknowledged - counting.failed;
    const stats = async () => ((await (await fetch(`${receiverUrl}/stats`)).json()) as { delays: number[] }).delays;
    const reset = () => fetch(`${receiverUrl}/reset`, { method: 'POST' });

    // Throughput: the writer keeps a backlog of a full claim per endpoint, so the dispatcher never waits for work.
    const backlog = settings.endpoints * 8;
    let saturating = true;
    const saturate = (async () => {
      while (saturating) {
        if (outstanding() >= backlog) await sleep(1);
        else await writeEvent();
      }
    })();
    progress(`webhook_deliveries: ${settings.endpoints} endpoints, concurrency ${config.concurrency}, saturated: warm-up ${settings.warmupS} s, measuring ${settings.durationS} s`);
    await sleep(settings.warmupS * 1000);
    await reset();
    const failedBefore = counting.failed;
    let started = performance.now();
    await sleep(settings.durationS * 1000);
    const delivered = (await stats()).length;
    const perSecond = delivered / ((performance.now() - started) / 1000);
    saturating = false;
    await saturate;
    // Let the backlog drain before the delay is measured on an idle queue.
    while (outstanding() > 0) await sleep(10);

    // Delay: business writes at half the measured throughput, at even intervals, for the same duration.
    const eventsPerSecond = Math.max(1, perSecond / 2 / settings.endpoints);
    progress(`webhook_deliveries: delay at ${Math.round(eventsPerSecond * settings.endpoints)} deliveries/s (half the sustained rate), measuring ${settings.durationS} s`);
    await reset();
    started = performance.now();
    let written = 0;
    while (performance.now() - started < settings.durationS * 1000) {
      const due = started + (written * 1000) / eventsPerSecond;
      if (performance.now() < due) await sleep(due - performance.now());
      await writeEvent();
      written++;
    }
    while (outstanding() > 0 && performance.now() - started < (settings.durationS + 30) * 1000) await sleep(10);
    const sorted = [...(await stats())].sort((a, b) => a - b);
    await dispatcher.stop();

    return {
      deliveries_per_s: Math.round(perSecond),
      load_per_s: Math.round(eventsPerSecond * settings.endpoints),
      p50_delay_ms: percentile(sorted, 50),
      p99_delay_ms: percentile(sorted, 99),
      max_delay_ms: sorted.at(-1) ?? 0,
      deliveries: delivered + sorted.length,
      endpoints: settings.endpoints,
      concurrency: config.concurrency,
      failed_attempts: counting.failed - failedBefore,
      database: db.dialect,
    };
  } finally {
    await dispatcher.stop();
    transport.close();
    await drop();
    await receiver.stop();
  }
}
