import { createApp } from './app';
import { ConfigError, DEMO_WEBHOOK_SECRETS, loadConfig, type Config } from './config';
import { describeStartupFailure } from './config/startup-errors';
import { DEMO, demoDataPredatesUuids, seedDemoData, seedDemoPortfolio } from './domain/demo/demo-data';
import { DEMO_IDS } from './domain/demo/demo-ids';
import { seedDemoBilling } from './domain/demo/demo-billing';
import { systemClock } from './domain/shared/clock';
import { stopOnSignals } from './http/lifecycle';
import { consoleLogger } from './http/logger';
import { loadPlayground, PLAYGROUND_CSP } from './playground/playground';
import { DemoStore } from './store/demo-store';
import { openDatabase } from './store/open';

async function main(): Promise<void> {
  const startedAt = Date.now();
  const config = loadConfig();
  loaded = config;
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  // Demo mode: outside production unless DEMO_DATA=0; the data is loaded only into an empty database.
  const demoMode = !config.production && config.demoData !== false;
  const seeded = demoMode ? await seedDemoData(db, new DemoStore(db), systemClock) : false;
  if (demoMode) await seedDemoPortfolio(db, systemClock);
  if (demoMode) await seedDemoBilling(db, systemClock);
  const staleDemo = demoMode && (await demoDataPredatesUuids(db));
  const defaultWebhookSecrets = demoMode ? Object.fromEntries(Object.entries(DEMO_WEBHOOK_SECRETS).map(([k, v]) => [k, [v]])) : {};
  const playground = config.production ? undefined : { ...loadPlayground({ graphqlPath: '/graphql', assetBase: '/playground/assets' }), csp: PLAYGROUND_CSP };
  const app = await createApp({ config, db, defaultWebhookSecrets, playground });
  const base = await app.listen();

  const lines = [
    `insurance-gateway listening on ${base} (${config.databaseUrl ? 'PostgreSQL' : `embedded PGlite in ${config.dataDir}`}, ready in ${Date.now() - startedAt} ms)`,
    `  GraphQL     ${base}/graphql${playground ? '   (open it in a browser for the playground)' : ''}`,
    `  REST        ${base}/v1/...    OpenAPI ${base}/v1/openapi.json`,
    `  Error docs  ${config.docsBaseUrl ?? `${base}/docs`}`,
    `  JWKS        ${base}/.well-known/jwks.json   health ${base}/healthz   ready ${base}/readyz`,
    `  E-mail      ${app.mailDestination}${config.outbox.smtpUrl ? '' : '   (set SMTP_URL to send them)'}`,
  ];
  if (demoMode) {
    lines.push(`  Demo data ${seeded ? 'loaded' : 'kept from an earlier start'}; password for every login: ${DEMO.password}`);
    for (const user of DEMO.users) lines.push(`    ${user.kind.padEnd(11)} ${user.email}`);
    lines.push(`    machine     client ${DEMO.machineClient.id} / ${DEMO.machineClient.secret}, certificate serial ${DEMO.machineClient.serial}`);
    lines.push('                signed requests: demo/partner-certificate.pem and demo/partner-private-key.pem (README)');
    lines.push(`    alice holds policies ${DEMO_IDS.policies.aliceAv} (assurance-vie) and ${DEMO_IDS.policies.alicePer} (PER: C1, C2, C3); README lists every demo id`);
    if (staleDemo) lines.push(`    this database was seeded before ids were UUIDs: delete ${config.databaseUrl ? 'and recreate the database' : config.dataDir} to load the demo data again`);
  }
  process.stdout.write(lines.join('\n') + '\n');

  stopOnSignals(async () => {
    await app.close();
    await db.close();
  });
}

let loaded: Config | undefined;

main().catch((error: unknown) => {
  const line = error instanceof ConfigError ? error.message : describeStartupFailure(error, loaded);
  if (line) process.stderr.write(`configuration error: ${line}\n`);
  else consoleLogger.error('start-up failed', { error });
  process.exit(1);
});
