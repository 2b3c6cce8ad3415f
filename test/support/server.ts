import { TEST_SEPA_ENV } from './sepa-env';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App } from '../../app';
import { loadConfig, type Config } from '../../config';
import { seedDemoData, seedDemoPortfolio } from '../../domain/demo/demo-data';
import { seedDemoBilling } from '../../domain/demo/demo-billing';
import { ManualClock } from '../../domain/shared/clock';
import type { ThrottlePolicy } from '../../domain/auth/login-throttle';
import { silentLogger } from '../../http/logger';
import type { Playground } from '../../http/server';
import type { Resolver } from '../../outbox/webhook-transport';
import type { Db } from '../../store/db';
import { DemoStore } from '../../store/demo-store';
import type { TestDatabase } from './databases';

export interface TestServer {
  url: string;
  app: App;
  db: Db;
  clock: ManualClock;
  config: Config;
  close(): Promise<void>;
}

export interface TestServerOptions {
  env?: Record<string, string>;
  throttle?: ThrottlePolicy;
  webhookSecrets?: Record<string, string[]>;
  playground?: Playground;
  demoData?: boolean;
  /** Also give alice and bob their profiles and issued policies (policy servicing tests). */
  demoPortfolio?: boolean;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Wraps the database the app uses (a query counter, for instance). */
  wrapDb?: (db: Db) => Db;
  /** `manual`: the outbox is sent only by `app.outbox.drain()`. */
  outbox?: 'auto' | 'manual';
  /** Resolves webhook host names instead of the system's DNS. */
  webhookResolver?: Resolver;
}

/** The real HTTP server on a random port, on a fresh database with the demo data, with a movable clock. */
export async function startTestServer(database: TestDatabase, options: TestServerOptions = {}): Promise<TestServer> {
  const { db, drop } = await database.open();
  const clock = new ManualClock(new Date());
  if (options.demoData !== false) await seedDemoData(db, new DemoStore(db), clock);
  if (options.demoPortfolio) await seedDemoPortfolio(db, clock);
  // A year of commission statements for the demo broker, on those policies.
  if (options.demoPortfolio) await seedDemoBilling(db, clock);
  // Without SMTP_URL the e-mail lane writes .eml files: into a folder of this server's own, not the checkout.
  const mailDir = options.env?.MAIL_DIR ?? (await mkdtemp(join(tmpdir(), 'ig-mail-')));
  // A production server refuses to start without a SEPA creditor: the tests' is a valid, made-up one.
  const config = loadConfig({ PORT: '0', TRUST_PROXY: '1', MAIL_DIR: mailDir, ...TEST_SEPA_ENV, ...options.env });
  const app = await createApp({
    config,
    db: options.wrapDb ? options.wrapDb(db) : db,
    clock,
    logger: silentLogger,
    throttle: options.throttle,
    defaultWebhookSecrets: options.webhookSecrets,
    playground: options.playground,
    outbox: options.outbox,
    webhookResolver: options.webhookResolver,
  });
  const url = await app.listen(0, options.host ?? '127.0.0.1');
  return {
    url,
    app,
    db,
    clock,
    config,
    async close() {
      await app.close();
      await drop();
      if (!options.env?.MAIL_DIR) await rm(mailDir, { recursive: true, force: true });
    },
  };
}
