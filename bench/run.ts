/**
 * Throughput benchmark of the gateway against a bare node:http baseline, in one run.
 *
 *   npm run bench                          # build, then run with the defaults
 *   node dist/bench/run.js                 # run an existing build
 *
 * Starts child processes (a raw node:http hello server, the real service with a fresh embedded
 * database and demo data, and, when a selected scenario needs them, the GraphQL front over a service
 * and the peers of bench/peers.ts: stock Apollo Server, Mercurius with graphql-jit, and bare node:http
 * doing our round trips), logs in as the demo user, then loads
 * each scenario of bench/scenarios.ts in turn with autocannon (same settings for all, warm-up first).
 * The front: on PostgreSQL, `dist/gateway/main.js` beside the service, on the same database (the
 * deployment); on PGlite, which serves one process, bench/front-stack.ts (a service and the front in
 * one process, on a database of their own).
 * stdout gets exactly one JSON object (the report); progress and diagnostics go to stderr.
 *
 * Environment:
 *   BENCH_CONNECTIONS   concurrent connections per scenario (default 10)
 *   BENCH_DURATION      measured seconds per scenario (default 10)
 *   BENCH_WARMUP        discarded warm-up seconds before each scenario (default 2, 0 = none)
 *   BENCH_ROUNDS        times every selected scenario runs, the rounds one after the other (default 1);
 *                       each ratio is then the median of the rounds' ratios (bench/report.ts says why)
 *   BENCH_RAW_EACH=1    measure raw again just before each scenario (same settings) and take that
 *                       scenario's ratio_to_raw against it: the host's speed drifts within a run
 *   BENCH_DATABASE_URL  run the service on this PostgreSQL (passed as DATABASE_URL) instead of PGlite
 *   BENCH_SERVER_CMD    replace `node dist/main.js` by another command, split on whitespace (no
 *                       shell quoting), run from the repository root with the same environment
 *                       (PORT, HOST, DATA_DIR, DEMO_DATA…); meant for testing the harness itself
 *   BENCH_VERBOSE=1     echo the children's output to stderr (otherwise shown only on failure)
 *   BENCH_SCENARIOS     comma-separated names to run (default: all, webhook_deliveries included)
 *   BENCH_WEBHOOK_ENDPOINTS  endpoints each event fans out to in webhook_deliveries (default 10)
 *   BENCH_READY_TIMEOUT seconds a server may take to answer /readyz (default 60; more on a loaded machine)
 *   BENCH_SOAK          seconds of soak on the service after the scenarios (bench/soak.ts; default 0 = none;
 *                       alone unless BENCH_SCENARIOS is set)
 *
 * After the HTTP scenarios, `webhook_deliveries` (bench/deliveries.ts) measures sustained webhook
 * deliveries per second to a local receiver and the delay from the business write to the arrival.
 *
 * Exit status: 0 report printed (targets met or not: this is a report, not a gate);
 * 1 report printed but a scenario had more than 1 % unexpected answers;
 * 2 no report: bad settings, a server failed to start or died, or login failed;
 * 130 / 143 interrupted. Both children are stopped and the temp directory removed in every case.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { measureDeliveries, type DeliveryResult } from './deliveries';
import { measure, type LoadSettings, type ScenarioResult } from './load';
import { Child, freePort } from './processes';
import { soak, soakVerdict, type SoakResult } from './soak';
import { buildReport, MAX_ERROR_RATE, merged, overRounds } from './report';
import { BASELINE, PEER_SERVERS, SCENARIOS, type PeerServer, type Scenario, type Server } from './scenarios';
import { TokenSource } from './session';
import { openDatabase } from '../store/open';

/** dist/bench/run.js -> repository root, where `dist/main.js` lives. */
const ROOT = resolve(__dirname, '..', '..');
const HOST = '127.0.0.1';
/** How long a server may take to be ready (BENCH_READY_TIMEOUT, seconds): a loaded machine starts slowly. */
let READY_TIMEOUT_MS = 60_000;

const children: Child[] = [];
const tempDirs: string[] = [];

function progress(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}

class SettingsError extends Error {}

function intSetting(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min) {
    throw new SettingsError(`${name} must be a whole number >= ${min}, got "${raw}"`);
  }
  return Number(raw);
}

function readSettings(): LoadSettings & { rounds: number } {
  READY_TIMEOUT_MS = intSetting('BENCH_READY_TIMEOUT', 60, 1) * 1000;
  return {
    connections: intSetting('BENCH_CONNECTIONS', 10, 1),
    durationS: intSetting('BENCH_DURATION', 10, 1),
    warmupS: intSetting('BENCH_WARMUP', 2, 0),
    rounds: intSetting('BENCH_ROUNDS', 1, 1),
  };
}

/** The delivery benchmark's name in BENCH_SCENARIOS and in the report. */
const DELIVERIES = 'webhook_deliveries';

/** Names from BENCH_SCENARIOS; undefined runs everything. */
function selectedNames(): Set<string> | undefined {
  const raw = process.env.BENCH_SCENARIOS?.trim();
  if (!raw) return undefined;
  const names = new Set(raw.split(/[\s,]+/).filter(Boolean));
  const known = new Set([...SCENARIOS.map((s) => s.name), DELIVERIES]);
  for (const name of names) if (!known.has(name)) throw new SettingsError(`BENCH_SCENARIOS names an unknown scenario "${name}" (known: ${[...known].join(', ')})`);
  return names;
}

function serviceCommand(): string[] {
  const override = process.env.BENCH_SERVER_CMD?.trim();
  if (override) return override.split(/\s+/);
  if (!existsSync(join(ROOT, 'dist', 'main.js'))) {
    throw new SettingsError('dist/main.js not found: build first (npm run build), or use npm run bench');
  }
  return [process.execPath, 'dist/main.js'];
}

function serviceEnv(port: number, dataDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST, DATA_DIR: dataDir, DEMO_DATA: '1' };
  // NODE_ENV=production would switch off demo data; an inherited DATABASE_URL would silently
  // bench some other database instead of the fresh one.
  delete env.NODE_ENV;
  delete env.DATABASE_URL;
  const databaseUrl = process.env.BENCH_DATABASE_URL;
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  return env;
}

/** The front stack on PGlite: its own fresh data directory, the service on `port`, the front on `frontPort`. */
function frontStackEnv(port: number, frontPort: number): NodeJS.ProcessEnv {
  const dataDir = mkdtempSync(join(tmpdir(), 'insurance-gateway-bench-front-'));
  tempDirs.push(dataDir);
  return { ...serviceEnv(port, dataDir), FRONT_PORT: String(frontPort) };
}

function start(name: string, command: string[], env: NodeJS.ProcessEnv): Child {
  const child = new Child(name, command, env, ROOT);
  children.push(child);
  return child;
}


let soakResult: SoakResult | undefined;

async function main(): Promise<number> {
  const settings = readSettings();
  const soakS = intSetting('BENCH_SOAK', 0, 0);
  const selected = selectedNames() ?? (soakS > 0 ? new Set<string>() : undefined);
  const scenarios = SCENARIOS.filter((s) => !selected || selected.has(s.name));
  const runs: Record<string, ScenarioResult[]> = {};
  const rawBefore: Record<string, ScenarioResult[]> = {};
  let coldStartMs = 0;
  if (scenarios.length > 0 || soakS > 0) coldStartMs = await runScenarios(scenarios, settings, runs, rawBefore, soakS);

  let deliveries: DeliveryResult | undefined;
  if (!selected || selected.has(DELIVERIES)) {
    const endpoints = intSetting('BENCH_WEBHOOK_ENDPOINTS', 10, 1);
    deliveries = await measureDeliveries({ endpoints, durationS: settings.durationS, warmupS: settings.warmupS }, progress, children);
    progress(`${DELIVERIES}: ${deliveries.deliveries_per_s} deliveries/s sustained; at ${deliveries.load_per_s}/s, delay from the write p50 ${deliveries.p50_delay_ms} ms, p99 ${deliveries.p99_delay_ms} ms; ${deliveries.failed_attempts} failed attempts`);
  }

  const report = buildReport(settings, coldStartMs, runs, scenarios, rawBefore);
  if (deliveries) report.webhook_deliveries = deliveries;
  if (soakResult) Object.assign(report, { soak: soakResult }, merged(report, soakVerdict(soakResult, MAX_ERROR_RATE)));
  await new Promise<void>((done) => process.stdout.write(`${JSON.stringify(report)}\n`, () => done()));

  const failing = scenarios.filter((s) => (runs[s.name] ? overRounds(runs[s.name]).error_rate : 1) > MAX_ERROR_RATE);
  for (const s of failing) {
    const r = runs[s.name] && overRounds(runs[s.name]);
    progress(
      `${s.name}: ${r?.errors} errors (expected status ${s.expectStatus}${s.verifyBody ? ' and a valid body' : ''}), ` +
        `got statuses ${JSON.stringify(r?.statuses)}`,
    );
  }
  const deliveryFaults = deliveries !== undefined && deliveries.failed_attempts > MAX_ERROR_RATE * Math.max(1, deliveries.deliveries);
  if (deliveryFaults) progress(`${DELIVERIES}: ${deliveries?.failed_attempts} attempts not acknowledged by a receiver that always answers 204`);
  return failing.length > 0 || deliveryFaults || (soakResult?.error_rate ?? 0) > MAX_ERROR_RATE ? 1 : 0;
}

/** The HTTP scenarios, against the service and the baseline (both started here); returns the service's cold start. */
async function runScenarios(
  selected: readonly Scenario[],
  settings: LoadSettings & { rounds: number },
  runs: Record<string, ScenarioResult[]>,
  rawBefore: Record<string, ScenarioResult[]>,
  soakS: number,
): Promise<number> {
  const command = serviceCommand();
  let scenarios = selected;

  const dataDir = mkdtempSync(join(tmpdir(), 'insurance-gateway-bench-'));
  tempDirs.push(dataDir);

  const servicePort = await freePort(HOST);
  const serviceUrl = `http://${HOST}:${servicePort}`;
  progress(`starting service: ${command.join(' ')} on ${serviceUrl} (data in ${dataDir})`);
  let service = start('service', command, serviceEnv(servicePort, dataDir));
  // Measured before the baseline server exists, so nothing else competes for the CPU.
  const coldStartMs = await service.waitForStatus(`${serviceUrl}/readyz`, 200, READY_TIMEOUT_MS);
  progress(`service ready in ${Math.round(coldStartMs)} ms`);

  // Scenarios needing data the API cannot make (bench/seed.ts): written once the service has seeded the
  // demo. PGlite serves one process: the service stops meanwhile and starts again on the same data.
  const seeding = scenarios.filter((s) => s.seed !== undefined);
  if (seeding.length > 0) {
    const databaseUrl = process.env.BENCH_DATABASE_URL;
    if (!databaseUrl) await service.stop();
    const db = await openDatabase(databaseUrl ? { databaseUrl } : { dataDir });
    try {
      for (const s of seeding) {
        const seeded = await s.seed!(db);
        scenarios = scenarios.map((listed) => (listed === s ? { ...listed, ...seeded } : listed));
      }
    } finally {
      await db.close();
    }
    progress(`seeded ${seeding.map((s) => s.name).join(', ')}`);
    if (!databaseUrl) {
      service = start('service', command, serviceEnv(servicePort, dataDir));
      await service.waitForStatus(`${serviceUrl}/readyz`, 200, READY_TIMEOUT_MS);
    }
  }

  const rawPort = await freePort(HOST);
  const rawUrl = `http://${HOST}:${rawPort}`;
  const raw = start('raw server', [process.execPath, join(__dirname, 'raw-server.js')], {
    ...process.env,
    PORT: String(rawPort),
    HOST,
  });
  await raw.waitForStatus(`${rawUrl}/`, 200, 10_000);

  // `pids`: every process whose CPU a scenario on that server costs (the front's includes its service's).
  const servers: Partial<Record<Server, { child: Child; url: string; pids: (number | undefined)[] }>> = {
    raw: { child: raw, url: rawUrl, pids: [raw.pid] },
    service: { child: service, url: serviceUrl, pids: [service.pid] },
  };
  // The front (and the peers below) only when a selected scenario loads it: each costs a cold start.
  if (scenarios.some((s) => s.server === 'front')) {
    const frontPort = await freePort(HOST);
    const frontUrl = `http://${HOST}:${frontPort}`;
    const front = process.env.BENCH_DATABASE_URL
      ? start('front', [process.execPath, 'dist/gateway/main.js'], { ...serviceEnv(frontPort, dataDir), SUBGRAPHS: `insurance=${serviceUrl}/graphql` })
      : start('front stack', [process.execPath, join(__dirname, 'front-stack.js')], frontStackEnv(await freePort(HOST), frontPort));
    await front.waitForStatus(`${frontUrl}/readyz`, 200, READY_TIMEOUT_MS);
    progress(`front ready on ${frontUrl}`);
    servers.front = { child: front, url: frontUrl, pids: process.env.BENCH_DATABASE_URL ? [front.pid, service.pid] : [front.pid] };
  }
  // Each server's own login: on PGlite the front stack has a database of its own, and so do the peers.
  const tokens: Partial<Record<Server, TokenSource>> = Object.fromEntries(Object.entries(servers).map(([name, s]) => [name, new TokenSource(s!.url)]));
  if (scenarios.some((s) => (PEER_SERVERS as readonly Server[]).includes(s.server))) {
    const peers = await startPeers(serviceUrl);
    for (const name of PEER_SERVERS) {
      servers[name] = { child: peers.child, url: peers.urls[name], pids: [peers.child.pid] };
      tokens[name] = new TokenSource(peers.loginUrl);
    }
    // The bare front passes requests on to our service: its callers hold the service's tokens, and its
    // CPU is the peers' process's and the service's, as the front's is its own and the service's.
    servers.bare_front!.pids.push(service.pid);
    tokens.bare_front = tokens.service;
  }

  // Scenarios reading a resource create it first (through the API) and aim at its id: once, for every round.
  const prepared: Scenario[] = [];
  for (const listed of scenarios) {
    const token = listed.auth ? await tokens[listed.server]!.validFor(60_000) : undefined;
    prepared.push(listed.prepare ? { ...listed, ...(await listed.prepare(servers[listed.server]!.url, token)) } : listed);
  }
  const rawEach = process.env.BENCH_RAW_EACH === '1';
  const rawScenario = SCENARIOS.find((s) => s.name === BASELINE)!;
  for (let round = 1; round <= settings.rounds; round += 1) {
    const of = settings.rounds > 1 ? ` (round ${round}/${settings.rounds})` : '';
    for (const scenario of prepared) {
      if (rawEach && scenario.server !== 'raw') {
        const before = await measure(rawUrl, rawScenario, undefined, settings, [raw.pid]);
        (rawBefore[scenario.name] ??= []).push(before);
        progress(`raw before ${scenario.name}${of}: ${before.req_per_s} req/s, CPU ${before.cpu_us_per_req ?? '?'} µs/request`);
      }
      const { child, url, pids: serving } = servers[scenario.server]!;
      const pids = scenario.queuesOutbox && process.env.BENCH_DATABASE_URL && !serving.includes(service.pid) ? [...serving, service.pid] : serving;
      const token = scenario.auth ? await tokens[scenario.server]!.validFor((settings.warmupS + settings.durationS) * 1000) : undefined;
      progress(`${scenario.name}${of}: ${scenario.method} ${scenario.path}, warm-up ${settings.warmupS} s, measuring ${settings.durationS} s`);
      const result = await measure(url, scenario, token, settings, pids);
      // A server that died under load makes every figure meaningless: no report.
      if (child.hasExited) throw new Error(`${child.describeExit()} during ${scenario.name}`);
      (runs[scenario.name] ??= []).push(result);
      progress(`${scenario.name}${of}: ${result.req_per_s} req/s, p99 ${result.p99_ms} ms, ${result.errors} errors, CPU ${result.cpu_us_per_req ?? '?'} µs/request`);
    }
  }
  if (soakS > 0) soakResult = await soak(serviceUrl, service.pid, (ms) => tokens.service!.validFor(ms), { ...settings, durationS: soakS }, progress);
  if (service.hasExited) throw new Error(`${service.describeExit()} during the soak`);
  // The HTTP servers are done: they must not take CPU from the delivery benchmark.
  await Promise.all([service.stop(), raw.stop(), ...(servers.bare ? [servers.bare.child.stop()] : [])]);
  return coldStartMs;
}

/**
 * The peers (bench/peers.ts) in one process of their own. On PostgreSQL they share the service's
 * database and take its tokens; on PGlite they run our service on a database of their own, for logins.
 */
async function startPeers(serviceUrl: string): Promise<{ child: Child; urls: Record<PeerServer, string>; loginUrl: string }> {
  const ports = { apollo: await freePort(HOST), mercurius: await freePort(HOST), bare: await freePort(HOST), bareFront: await freePort(HOST), login: await freePort(HOST) };
  const dataDir = mkdtempSync(join(tmpdir(), 'insurance-gateway-bench-peers-'));
  tempDirs.push(dataDir);
  const env = {
    ...serviceEnv(ports.login, dataDir),
    APOLLO_PORT: String(ports.apollo),
    MERCURIUS_PORT: String(ports.mercurius),
    BARE_PORT: String(ports.bare),
    BARE_FRONT_PORT: String(ports.bareFront),
    SERVICE_URL: serviceUrl,
    LOGIN_PORT: String(ports.login),
    ISSUER_URL: serviceUrl,
  };
  const child = start('peers', [process.execPath, join(__dirname, 'peers.js')], env);
  const urls = { apollo: `http://${HOST}:${ports.apollo}`, mercurius: `http://${HOST}:${ports.mercurius}`, bare: `http://${HOST}:${ports.bare}`, bare_front: `http://${HOST}:${ports.bareFront}` };
  // The bare server answers 401 to a request without a token once everything is listening.
  await child.waitForStatus(`${urls.bare}/`, 401, READY_TIMEOUT_MS);
  progress(`peers ready: Apollo ${urls.apollo}, Mercurius ${urls.mercurius}, bare ${urls.bare}`);
  return { child, urls, loginUrl: process.env.BENCH_DATABASE_URL ? serviceUrl : `http://${HOST}:${ports.login}` };
}

/** Stops every child (they may hold files in the temp dir), then removes the temp dirs. */
async function shutdown(): Promise<void> {
  await Promise.all(children.map((c) => c.stop()));
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

function showChildOutput(): void {
  for (const child of children) {
    const lines = child.output().split('\n').slice(-40).join('\n');
    if (lines !== '') process.stderr.write(`--- last output of ${child.name} ---\n${lines}\n`);
  }
}

// Last resort when the process ends by any other path (uncaught error, process.exit elsewhere):
// only synchronous work is possible here.
process.on('exit', () => {
  for (const child of children) child.killNow();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

let interrupted = false;
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.on(signal, () => {
    // A second Ctrl-C means "now": the exit hook still kills the children.
    if (interrupted) process.exit(code);
    interrupted = true;
    progress(`${signal}: stopping servers`);
    void shutdown().finally(() => process.exit(code));
  });
}

main()
  .then(async (code) => {
    if (interrupted) return; // the signal handler owns the exit
    await shutdown();
    process.exit(code);
  })
  .catch(async (err: unknown) => {
    if (interrupted) return;
    progress(`failed: ${err instanceof Error ? err.message : String(err)}`);
    if (!(err instanceof SettingsError)) showChildOutput();
    await shutdown();
    process.exit(2);
  });
