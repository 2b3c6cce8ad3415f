/**
 * Drives one scenario with autocannon: a discarded warm-up (JIT, connection pools, caches),
 * then the measured run, then the error count against the scenario's expected status.
 */
import autocannon = require('autocannon');
import type { Scenario } from './scenarios';
import { cpuSeconds } from './proc-stats';

export interface LoadSettings {
  connections: number;
  durationS: number;
  warmupS: number;
}

export interface ScenarioResult {
  req_per_s: number;
  p99_ms: number;
  /** Responses received during the measured run. */
  requests: number;
  /** Responses with another status than expected, failed body checks, socket errors and timeouts. */
  errors: number;
  /** Responses plus socket errors and timeouts. */
  attempts: number;
  /** errors / attempts; 1 when nothing was answered at all. */
  error_rate: number;
  /** Status code -> count; lets a failing run say what the server answered instead. */
  statuses: Record<string, number>;
  /**
   * CPU microseconds (user + system) the serving processes spent per response during the measured run;
   * null off Linux. Steadier than req/s on a shared host, whose speed moves between runs.
   */
  cpu_us_per_req: number | null;
}

export async function measure(
  baseUrl: string,
  scenario: Scenario,
  token: string | undefined,
  settings: LoadSettings,
  /** The processes serving the scenario (the front and its service both count). */
  pids: readonly (number | undefined)[] = [],
): Promise<ScenarioResult> {
  if (settings.warmupS > 0) await fire(options(baseUrl, scenario, token, settings.connections, settings.warmupS).opts);
  const { opts, badBodies } = options(baseUrl, scenario, token, settings.connections, settings.durationS);
  const cpuBefore = totalCpuSeconds(pids);
  const result = await fire(opts);
  const cpuAfter = totalCpuSeconds(pids);

  const statuses: Record<string, number> = {};
  let responses = 0;
  let unexpected = 0;
  for (const [code, { count }] of Object.entries(result.statusCodeStats)) {
    statuses[code] = count;
    responses += count;
    if (Number(code) !== scenario.expectStatus) unexpected += count;
  }
  const errors = unexpected + badBodies() + result.errors;
  const attempts = responses + result.errors;
  return {
    req_per_s: round(result.requests.average, 1),
    p99_ms: round(result.latency.p99, 2),
    requests: responses,
    errors,
    attempts,
    error_rate: attempts === 0 ? 1 : round(errors / attempts, 6),
    statuses,
    cpu_us_per_req: cpuBefore !== null && cpuAfter !== null && responses > 0 ? round(((cpuAfter - cpuBefore) * 1e6) / responses, 1) : null,
  };
}

function totalCpuSeconds(pids: readonly (number | undefined)[]): number | null {
  let total = 0;
  for (const pid of pids) {
    const seconds = cpuSeconds(pid);
    if (seconds === null) return null;
    total += seconds;
  }
  return pids.length > 0 ? total : null;
}

function options(
  baseUrl: string,
  scenario: Scenario,
  token: string | undefined,
  connections: number,
  durationS: number,
): { opts: autocannon.Options; badBodies: () => number } {
  const headers: Record<string, string> = { ...scenario.headers };
  if (scenario.auth) {
    if (token === undefined) throw new Error(`${scenario.name}: needs a token`);
    headers.authorization = `Bearer ${token}`;
  }

  // A fresh request object per run: autocannon caches the built request buffer on it.
  const request: autocannon.Request = {};
  const perRequest = scenario.perRequestHeaders;
  const perTarget = scenario.perRequest;
  if (perRequest !== undefined || perTarget !== undefined) {
    request.setupRequest = (req) => ({ ...req, ...(perTarget?.() ?? {}), headers: { ...req.headers, ...(perRequest?.() ?? {}) } });
  }
  // Body checks only for responses with the expected status, so that one bad response is never
  // counted twice (wrong status and wrong body).
  let bad = 0;
  const verify = scenario.verifyBody;
  if (verify !== undefined) {
    request.onResponse = (status, body) => {
      if (status === scenario.expectStatus && !verify(body)) bad += 1;
    };
  }

  const opts: autocannon.Options = {
    url: baseUrl + scenario.path,
    method: scenario.method,
    headers,
    connections,
    duration: durationS,
    pipelining: 1,
    timeout: 10,
    requests: [request],
  };
  if (scenario.body !== undefined) opts.body = scenario.body;
  return { opts, badBodies: () => bad };
}

/** One autocannon run (also the soak's windows, bench/soak.ts). */
export function fire(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

export function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
