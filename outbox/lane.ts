/**
 * One kind of work the dispatcher sends out of the database after the change that caused it has
 * committed: webhook deliveries, e-mail messages. A lane owns its table and its transport; the
 * dispatcher (outbox/dispatcher.ts) owns when, how many at once, and which replica.
 */
export interface Lane<Job> {
  /** Short name for logs and for the NOTIFY payload that wakes this lane (`pg_notify('outbox', name)`). */
  readonly name: string;
  /**
   * How long a claimed job stays leased to its replica: longer than one attempt can take (the
   * transport's timeout and the recording of the outcome), so a live replica never loses a job to
   * another; a killed one's jobs come back once it expires.
   */
  readonly leaseMs: number;
  /**
   * Leases up to `limit` due jobs to `owner` until `leaseUntil`, in one short transaction (one statement
   * where it can: each round trip is paid on every wake-up) that skips rows another replica is claiming
   * (`for update skip locked`) and rows under a live lease. Jobs of the targets in `busyTargets`
   * (already in flight on this replica) are left for later, so one slow target never holds every slot;
   * at most one job per target is returned.
   */
  claim(request: ClaimRequest): Promise<Job[]>;
  /**
   * Whether a claim that returned fewer than `limit` jobs found all that was claimable: then the
   * dispatcher does not ask again until something wakes it. False when the claim reads a window of rows
   * that one target's backlog can fill (the webhook lane's), so the next claim may find other targets.
   */
  readonly shortClaimFindsAll: boolean;
  /** The target a job goes to (an endpoint, a mail domain): the unit of isolation between slow targets. */
  targetOf(job: Job): string;
  /**
   * Makes one attempt and records its outcome (success, a retry at the backoff's next time, or final
   * failure), guarded by the lease so a replica whose lease expired cannot overwrite a newer attempt.
   * Resolves for the target's failures: it rejects only when the outcome could not be recorded, and
   * then the lease expiring makes the job due again.
   */
  attempt(job: Job, owner: string): Promise<void>;
}

export interface ClaimRequest {
  owner: string;
  limit: number;
  now: Date;
  leaseUntil: Date;
  busyTargets: readonly string[];
}
