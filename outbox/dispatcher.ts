import { randomUUID } from 'node:crypto';
import type { Clock } from '../domain/shared/clock';
import type { Logger } from '../http/logger';
import type { Db } from '../store/db';
import type { Lane } from './lane';

/** The NOTIFY channel a committed change signals on, with the lane's name as payload. */
export const OUTBOX_CHANNEL = 'outbox';

export interface DispatcherOptions {
  db: Db;
  clock: Clock;
  logger: Logger;
  /** Jobs in flight at once on this replica, per lane. */
  concurrency: number;
  /** Look for due work this often even without a notification: retries fall due with no NOTIFY. */
  pollMs: number;
  /** Names this replica in leases; random by default, so two processes never share one. */
  owner?: string;
}

interface LaneState {
  lane: Lane<unknown>;
  /** Targets with a job in flight here, with how many. */
  inFlight: Map<string, number>;
  running: Set<Promise<void>>;
  /** The pass running, if any; another request for one sets `again` instead of overlapping. */
  filling: Promise<void> | undefined;
  again: boolean;
}

/**
 * Sends the outbox's work: each lane's due jobs are claimed under a lease and attempted outside any
 * transaction, up to `concurrency` at once per lane and one at a time per target. It wakes on a NOTIFY
 * from the change that made work (any replica's), on its poll timer, and when a slot frees up.
 * Several replicas may run one each on the same database: the lease makes each attempt one replica's.
 */
export class Dispatcher {
  readonly owner: string;
  private readonly lanes = new Map<string, LaneState>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;

  constructor(lanes: ReadonlyArray<Lane<unknown>>, private readonly options: DispatcherOptions) {
    this.owner = options.owner ?? `replica-${randomUUID()}`;
    for (const lane of lanes) this.lanes.set(lane.name, { lane, inFlight: new Map(), running: new Set(), filling: undefined, again: false });
  }

  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    // A notification names its lane; a gap (the listening connection came back) may have lost some: wake all.
    await this.options.db.listen(OUTBOX_CHANNEL, (payload) => this.wake(payload), () => this.wake());
    this.timer = setInterval(() => this.wake(), this.options.pollMs);
    this.timer.unref();
    this.wake();
  }

  /** Looks for due work now: in one lane, or in all. */
  wake(laneName?: string): void {
    if (this.stopped) return;
    const states = laneName && this.lanes.has(laneName) ? [this.lanes.get(laneName)!] : [...this.lanes.values()];
    for (const state of states) void this.fill(state);
  }

  /**
   * Stops claiming, and waits for the attempts in flight (their leases would make them run again
   * otherwise), including those of a claim that was under way: its jobs are leased to us already.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    const states = [...this.lanes.values()];
    await Promise.all(states.map((state) => state.filling));
    await Promise.all(states.flatMap((state) => [...state.running]));
  }

  /**
   * Runs every lane until nothing is due at `clock.now()` and nothing is in flight. For tests and tools
   * that want the outbox sent now, deterministically, without a timer.
   */
  async drain(): Promise<void> {
    for (;;) {
      let claimed = 0;
      for (const state of this.lanes.values()) claimed += (await this.claimInto(state)).claimed;
      const running = [...this.lanes.values()].flatMap((state) => [...state.running]);
      if (claimed === 0 && running.length === 0) return;
      // Attempts claimed just now may all have finished already: racing no promise would wait forever.
      if (running.length > 0) await Promise.race(running);
    }
  }

  private fill(state: LaneState): Promise<void> {
    if (state.filling) {
      state.again = true;
      return state.filling;
    }
    state.filling = this.pass(state).finally(() => {
      state.filling = undefined;
    });
    return state.filling;
  }

  private async pass(state: LaneState): Promise<void> {
    try {
      do {
        state.again = false;
        while (!this.stopped && (await this.claimInto(state)).more);
      } while (state.again && !this.stopped);
    } catch (error) {
      this.options.logger.error('outbox claim failed', { lane: state.lane.name, error });
    }
  }

  /**
   * Claims what free slots allow and starts each attempt; resolves with how many were claimed, and
   * whether more may be claimable now. A short claim of a lane whose claims find all that is due says
   * no: asking again would cost a round trip for nothing, and work committed meanwhile wakes the lane
   * (`again`), as a freed slot does.
   */
  private async claimInto(state: LaneState): Promise<{ claimed: number; more: boolean }> {
    const free = this.options.concurrency - state.running.size;
    if (free <= 0) return { claimed: 0, more: false };
    const now = this.options.clock.now();
    const jobs = await state.lane.claim({
      owner: this.owner,
      limit: free,
      now,
      leaseUntil: new Date(now.getTime() + state.lane.leaseMs),
      busyTargets: [...state.inFlight.keys()],
    });
    for (const job of jobs) this.run(state, job);
    return { claimed: jobs.length, more: jobs.length > 0 && (jobs.length >= free || !state.lane.shortClaimFindsAll) };
  }

  private run(state: LaneState, job: unknown): void {
    const target = state.lane.targetOf(job);
    state.inFlight.set(target, (state.inFlight.get(target) ?? 0) + 1);
    const attempt = state.lane
      .attempt(job, this.owner)
      .catch((error: unknown) => this.options.logger.error('outbox attempt not recorded', { lane: state.lane.name, error }))
      .finally(() => {
        const left = (state.inFlight.get(target) ?? 1) - 1;
        if (left === 0) state.inFlight.delete(target);
        else state.inFlight.set(target, left);
        state.running.delete(attempt);
        // A freed slot (or a freed target) may let waiting work through.
        this.wake(state.lane.name);
      });
    state.running.add(attempt);
  }
}
