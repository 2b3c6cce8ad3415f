/**
 * The benchmark's GraphQL front on the embedded database: our service and the front over it in one
 * process, sharing the PGlite database (PGlite serves one process; the front checks tokens and sessions
 * in the service's database). On PostgreSQL (BENCH_DATABASE_URL) the bench runs the real deployment
 * instead, `dist/gateway/main.js` as a process of its own beside the service (bench/run.ts).
 *
 *   PORT        the service        FRONT_PORT   the front (SUBGRAPHS: the service's /graphql)
 *   HOST, DATA_DIR, DEMO_DATA as for the service
 */
import { createApp } from '../app';
import { loadConfig } from '../config';
import { loadGatewayConfig } from '../config/gateway';
import { seedDemoData, seedDemoPortfolio } from '../domain/demo/demo-data';
import { systemClock } from '../domain/shared/clock';
import { createFront } from '../gateway/front';
import { stopOnSignals } from '../http/lifecycle';
import { DemoStore } from '../store/demo-store';
import { openDatabase } from '../store/open';

async function main(): Promise<void> {
  const config = loadConfig();
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  await seedDemoData(db, new DemoStore(db), systemClock);
  await seedDemoPortfolio(db, systemClock);
  const app = await createApp({ config, db });
  const serviceUrl = await app.listen();
  const frontConfig = loadGatewayConfig({ ...process.env, PORT: process.env.FRONT_PORT, SUBGRAPHS: `insurance=${serviceUrl}/graphql` });
  const front = await createFront({ config: frontConfig, db });
  const frontUrl = await front.listen();
  process.stdout.write(`bench front stack: service ${serviceUrl}, front ${frontUrl}\n`);
  stopOnSignals(async () => {
    await front.close();
    await app.close();
    await db.close();
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`bench front stack failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
