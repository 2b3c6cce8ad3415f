/**
 * `npm run gateway`: the GraphQL front over a supergraph (gateway/front.ts). `npm start` stays the
 * single process with no gateway in its path.
 */
import { ConfigError } from '../config';
import { loadGatewayConfig, type GatewayConfig } from '../config/gateway';
import { describeStartupFailure } from '../config/startup-errors';
import { stopOnSignals } from '../http/lifecycle';
import { consoleLogger } from '../http/logger';
import { openDatabase } from '../store/open';
import { createFront } from './front';

let loaded: GatewayConfig | undefined;

async function main(): Promise<void> {
  const config = loadGatewayConfig();
  loaded = config;
  // The edge checks tokens, cookies and sessions in the service's database (PostgreSQL when several processes share it).
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const front = await createFront({ config, db });
  const base = await front.listen();
  const source = config.supergraphPath ? `supergraph ${config.supergraphPath}` : `subgraphs ${config.subgraphs!.map((s) => `${s.name}=${s.url}`).join(' ')}`;
  process.stdout.write(`insurance-gateway front listening on ${base} (${source})\n  GraphQL ${base}/graphql   REST ${base}/v1/...\n`);
  stopOnSignals(async () => {
    await front.close();
    await db.close();
  });
}

main().catch((error: unknown) => {
  const line = error instanceof ConfigError ? error.message : describeStartupFailure(error, loaded);
  if (line) process.stderr.write(`configuration error: ${line}\n`);
  else consoleLogger.error('front start-up failed', { error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
