/**
 * When to try again after `attempts` failed attempts: exponential backoff with full jitter (a delay
 * drawn uniformly between 0 and base * 2^(attempts-1), capped), so that after an outage the retries of
 * many deliveries spread out instead of arriving together. `random` is injectable for tests.
 */
export interface RetryPolicy {
  baseMs: number;
  maxAttempts: number;
  /** No single wait is longer than this, whatever the attempt number. */
  capMs: number;
}

export function nextAttemptAt(policy: RetryPolicy, attempts: number, now: Date, random: () => number = Math.random): Date | null {
  if (attempts >= policy.maxAttempts) return null;
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempts - 1));
  // One millisecond at least: a retry is never due at the very instant of the failure it follows.
  return new Date(now.getTime() + 1 + Math.floor(random() * ceiling));
}
