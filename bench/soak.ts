/**
 * The soak (issue 15 item 5): a mix of authenticated reads held at full load on the service for
 * BENCH_SOAK seconds, measured window by window (a minute each from 3 minutes up), with the service
 * process's resident memory read from /proc/<pid>/status every few seconds. Reported: each window's
 * rate, the last window's rate over the first's (steady: at least 0.9), and the RSS growth from the end
 * of the first window to the end of the run (flat: under 10 %; the first window is warm-up for caches,
 * JIT and the heap).
 *
 * The mix, one request of each in turn on every connection: `rest_me` (token and session, no query once
 * warm), `graphql_me` (the GraphQL pipeline) and `graphql_policy` (a policy and its compartments: the
 * database). Caches without bounds, listeners left behind or a per-request object kept alive show as a
 * climbing RSS; a queue or pool that degrades shows as a falling rate.
 */
import autocannon = require('autocannon');
import { fire, round } from './load';
import { cpuSeconds, residentMiB } from './proc-stats';
import { SCENARIOS, type Scenario } from './scenarios';

export const SOAK_MIX = ['rest_me', 'graphql_me', 'graphql_policy'] as const;
/** Last window's rate over the first's, at least. */
export const SOAK_THROUGHPUT_TARGET = 0.9;
/** RSS growth after the first window, below. */
export const SOAK_RSS_GROWTH_TARGET = 0.1;
/** Seconds between two readings of the service's RSS. */
const RSS_EVERY_S = 5;

export interface SoakWindow {
  req_per_s: number;
  p99_ms: number;
  errors: number;
  /** The service's RSS at the end of the window, MiB. */
  rss_mib: number | null;
  /**
   * CPU time the service spent per answer in the window, ms: flat while the rate falls means the machine
   * (other processes) took the CPU, not that the service slowed down.
   */
  cpu_ms_per_req: number | null;
}

export interface SoakResult {
  duration_s: number;
  window_s: number;
  mix: readonly string[];
  windows: SoakWindow[];
  /** Last window's req/s over the first's. */
  throughput_ratio: number;
  /** (RSS at the end − RSS at the end of the first window) / the latter; null when /proc cannot be read. */
  rss_growth: number | null;
  /** Highest RSS read after the first window, MiB. */
  rss_peak_mib: number | null;
  /** Every RSS reading, MiB, RSS_EVERY_S apart. */
  rss_samples_mib: number[];
  errors: number;
  error_rate: number;
}

export interface SoakSettings {
  durationS: number;
  connections: number;
  warmupS: number;
}

/** Windows of a minute from 3 minutes up; a shorter soak (a trial run) is cut in three. */
export function soakWindows(durationS: number): { windowS: number; count: number } {
  const windowS = durationS >= 180 ? 60 : Math.max(1, Math.floor(durationS / 3));
  return { windowS, count: Math.max(2, Math.floor(durationS / windowS)) };
}

function mixRequests(bad: { count: number }): autocannon.Request[] {
  return SOAK_MIX.map((name) => {
    const scenario = SCENARIOS.find((s) => s.name === name) as Scenario;
    const verify = scenario.verifyBody;
    return {
      method: scenario.method,
      path: scenario.path,
      headers: { ...scenario.headers },
      ...(scenario.body !== undefined ? { body: scenario.body } : {}),
      onResponse: (status: number, body: string) => {
        if (status !== scenario.expectStatus || (verify !== undefined && !verify(body))) bad.count += 1;
      },
    };
  });
}

/** Runs the soak on the service at `baseUrl` (process `pid`); `token` gives one valid for the next `ms`. */
export async function soak(
  baseUrl: string,
  pid: number | undefined,
  token: (ms: number) => Promise<string>,
  settings: SoakSettings,
  progress: (line: string) => void,
): Promise<SoakResult> {
  const { windowS, count } = soakWindows(settings.durationS);
  const run = async (durationS: number, bad: { count: number }) =>
    fire({
      url: baseUrl,
      headers: { authorization: `Bearer ${await token(durationS * 1000)}` },
      connections: settings.connections,
      duration: durationS,
      pipelining: 1,
      timeout: 10,
      requests: mixRequests(bad),
    });
  if (settings.warmupS > 0) await run(settings.warmupS, { count: 0 });

  const samples: number[] = [];
  const sampler = setInterval(() => {
    const rss = residentMiB(pid);
    if (rss !== null) samples.push(rss);
  }, RSS_EVERY_S * 1000);
  const windows: SoakWindow[] = [];
  let attempts = 0;
  let errors = 0;
  try {
    for (let i = 0; i < count; i += 1) {
      const bad = { count: 0 };
      const cpuBefore = cpuSeconds(pid);
      const result = await run(windowS, bad);
      const cpuAfter = cpuSeconds(pid);
      let responses = 0;
      for (const { count: n } of Object.values(result.statusCodeStats)) responses += n;
      const windowErrors = bad.count + result.errors;
      attempts += responses + result.errors;
      errors += windowErrors;
      const rss = residentMiB(pid);
      const cpu = cpuBefore !== null && cpuAfter !== null && responses > 0 ? round(((cpuAfter - cpuBefore) * 1000) / responses, 3) : null;
      windows.push({ req_per_s: round(result.requests.average, 1), p99_ms: round(result.latency.p99, 2), errors: windowErrors, rss_mib: rss, cpu_ms_per_req: cpu });
      progress(`soak ${i + 1}/${count}: ${windows[i].req_per_s} req/s, p99 ${windows[i].p99_ms} ms, ${windowErrors} errors, RSS ${rss ?? '?'} MiB, CPU ${cpu ?? '?'} ms/request`);
    }
  } finally {
    clearInterval(sampler);
  }

  const first = windows[0];
  const last = windows[windows.length - 1];
  const afterFirst = windows.slice(1).map((w) => w.rss_mib).filter((r): r is number => r !== null);
  const growth = first.rss_mib !== null && last.rss_mib !== null && first.rss_mib > 0 ? round((last.rss_mib - first.rss_mib) / first.rss_mib, 4) : null;
  return {
    duration_s: windowS * count,
    window_s: windowS,
    mix: SOAK_MIX,
    windows,
    throughput_ratio: first.req_per_s > 0 ? round(last.req_per_s / first.req_per_s, 3) : 0,
    rss_growth: growth,
    rss_peak_mib: afterFirst.length > 0 ? Math.max(...afterFirst) : null,
    rss_samples_mib: samples,
    errors,
    error_rate: attempts === 0 ? 1 : round(errors / attempts, 6),
  };
}

/** The soak's targets and whether they are met; a failing mix (over 1 % errors) meets neither. */
export function soakVerdict(result: SoakResult, maxErrorRate: number): { targets: Record<string, number>; met: Record<string, boolean> } {
  const clean = result.error_rate <= maxErrorRate;
  return {
    targets: { soak_throughput_ratio: SOAK_THROUGHPUT_TARGET, soak_rss_growth_below: SOAK_RSS_GROWTH_TARGET },
    met: {
      soak_throughput_ratio: clean && result.throughput_ratio >= SOAK_THROUGHPUT_TARGET,
      soak_rss_growth_below: clean && result.rss_growth !== null && result.rss_growth < SOAK_RSS_GROWTH_TARGET,
    },
  };
}
