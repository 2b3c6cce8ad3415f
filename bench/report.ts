/**
 * The bench's JSON report: each scenario's figures over its rounds, its ratios to raw, to its peers and
 * to the scenario it is compared with, and which targets are met.
 *
 * With BENCH_ROUNDS above 1 every scenario runs once per round, the rounds one after the other, so a
 * scenario and the raw server (or its peer) are measured minutes apart at most. A ratio is then the
 * median of the per-round ratios: this host's speed moves by a third between runs, and a ratio taken
 * within one round is steadier than one of two medians taken at different times. The speed also drifts
 * within a round: with BENCH_RAW_EACH=1 raw is measured again just before each scenario, and the
 * scenario's `ratio_to_raw` is taken against that measurement.
 */
import type { DeliveryResult } from './deliveries';
import { round, type LoadSettings, type ScenarioResult } from './load';
import { BASELINE, type Scenario } from './scenarios';
import type { SoakResult } from './soak';

/** Above this share of unexpected answers a scenario's figures measure the wrong thing. */
export const MAX_ERROR_RATE = 0.01;

/** A scenario over its rounds: the median round's figures, summed counts, and every round's req/s. */
export type RoundsResult = ScenarioResult & { rounds?: number[] };

export interface Report {
  connections: number;
  duration_s: number;
  warmup_s: number;
  rounds: number;
  /** Whether raw was measured again before each scenario (BENCH_RAW_EACH=1). */
  raw_each: boolean;
  node: string;
  cold_start_ms: number;
  /**
   * Each scenario's figures, `ratio_to_raw`, `ratio_to_<peer>` and `ratio_to_<versus>`. Each ratio has a
   * `cpu_ratio_to_…`: the other's CPU per request over this one's (higher is better, as for throughput).
   * Targets stay on throughput, as the issue states them.
   */
  scenarios: Record<string, RoundsResult & { [ratio: `${string}ratio_to_${string}`]: number | null }>;
  targets: Record<string, number>;
  met: Record<string, boolean>;
  webhook_deliveries?: DeliveryResult;
  soak?: SoakResult;
}

/**
 * `runs[name]`: the scenario's result in each round it ran, in round order. `rawBefore[name]`, with
 * BENCH_RAW_EACH: raw measured just before the scenario in each round, which its `ratio_to_raw` then uses.
 */
export function buildReport(
  settings: LoadSettings & { rounds: number },
  coldStartMs: number,
  runs: Record<string, ScenarioResult[]>,
  scenarios: readonly Scenario[],
  rawBefore: Record<string, ScenarioResult[]> = {},
): Report {
  const report: Report = {
    connections: settings.connections,
    duration_s: settings.durationS,
    warmup_s: settings.warmupS,
    rounds: settings.rounds,
    raw_each: Object.keys(rawBefore).length > 0,
    node: process.version,
    cold_start_ms: Math.round(coldStartMs),
    scenarios: {},
    targets: {},
    met: {},
  };
  for (const scenario of scenarios) {
    const own = runs[scenario.name];
    if (own === undefined || own.length === 0) continue;
    const result = overRounds(own);
    const figures: Report['scenarios'][string] = { ...result };
    report.scenarios[scenario.name] = figures;
    if (scenario.name === BASELINE) continue;
    const compare = (other: string, usable = true) => {
      const theirs = other === BASELINE ? (rawBefore[scenario.name] ?? runs[BASELINE]) : runs[other];
      const ratio = usable && theirs ? medianRatio(own, theirs, (mine, their) => (their.req_per_s > 0 ? mine.req_per_s / their.req_per_s : 0)) ?? 0 : 0;
      const cpu = usable && theirs ? medianRatio(own, theirs, (mine, their) => (mine.cpu_us_per_req && their.cpu_us_per_req ? their.cpu_us_per_req / mine.cpu_us_per_req : null)) : null;
      figures[`ratio_to_${other}`] = ratio;
      figures[`cpu_ratio_to_${other}`] = cpu;
      return ratio;
    };
    let ratio = compare(BASELINE);
    // The front beside the single process it fronts: its target is that ratio.
    if (scenario.versus !== undefined) ratio = compare(scenario.versus);
    const clean = result.error_rate <= MAX_ERROR_RATE;
    if (scenario.target !== undefined) {
      report.targets[scenario.name] = scenario.target;
      // Fast wrong answers must not count as a met target.
      report.met[scenario.name] = ratio >= scenario.target && clean;
    }
    if (scenario.p99TargetMs !== undefined) {
      report.targets[`${scenario.name}_p99_ms`] = scenario.p99TargetMs;
      report.met[`${scenario.name}_p99_ms`] = result.p99_ms <= scenario.p99TargetMs && clean;
    }
    for (const [peer, target] of Object.entries(scenario.peers ?? {})) {
      const theirs = runs[peer];
      // A peer that did not run or failed is reported as such (ratio 0, target not met), never left out.
      const peerRatio = compare(peer, theirs !== undefined && overRounds(theirs).error_rate <= MAX_ERROR_RATE);
      if (target !== undefined) {
        report.targets[`${scenario.name}_vs_${peer}`] = target;
        report.met[`${scenario.name}_vs_${peer}`] = peerRatio >= target && clean;
      }
    }
  }
  return report;
}

/** The soak's verdicts joined to the scenarios'. */
export function merged(report: Report, add: Pick<Report, 'targets' | 'met'>): Pick<Report, 'targets' | 'met'> {
  return { targets: { ...report.targets, ...add.targets }, met: { ...report.met, ...add.met } };
}

/** One result for a scenario's rounds: medians of the rates, sums of the counts. */
export function overRounds(results: readonly ScenarioResult[]): RoundsResult {
  if (results.length === 1) return results[0];
  const statuses: Record<string, number> = {};
  for (const r of results) for (const [code, count] of Object.entries(r.statuses)) statuses[code] = (statuses[code] ?? 0) + count;
  const requests = sum(results.map((r) => r.requests));
  const errors = sum(results.map((r) => r.errors));
  const attempts = sum(results.map((r) => r.attempts));
  const cpu = results.map((r) => r.cpu_us_per_req).filter((c): c is number => c !== null);
  return {
    req_per_s: round(median(results.map((r) => r.req_per_s))!, 1),
    p99_ms: round(median(results.map((r) => r.p99_ms))!, 2),
    requests,
    errors,
    attempts,
    error_rate: attempts === 0 ? 1 : round(errors / attempts, 6),
    statuses,
    cpu_us_per_req: cpu.length === results.length ? round(median(cpu)!, 1) : null,
    rounds: results.map((r) => r.req_per_s),
  };
}

/** The median over the rounds both ran of `ratio(mine, theirs)`, to two decimals; null when none is known. */
function medianRatio(mine: readonly ScenarioResult[], theirs: readonly ScenarioResult[], ratio: (mine: ScenarioResult, theirs: ScenarioResult) => number | null): number | null {
  const ratios: number[] = [];
  for (let i = 0; i < Math.min(mine.length, theirs.length); i += 1) {
    const r = ratio(mine[i], theirs[i]);
    if (r !== null) ratios.push(r);
  }
  const m = median(ratios);
  return m === undefined ? null : round(m, 2);
}

function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function sum(values: readonly number[]): number {
  return values.reduce((total, v) => total + v, 0);
}
