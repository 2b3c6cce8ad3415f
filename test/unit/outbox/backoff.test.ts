import { nextAttemptAt } from '../../../outbox/backoff';

const ALMOST_ONE = 1 - Number.EPSILON;
const policy = { baseMs: 5_000, maxAttempts: 12, capMs: 6 * 3600_000 };
const now = new Date('2026-11-30T12:00:00Z');
const delay = (attempts: number, random: number) => nextAttemptAt(policy, attempts, now, () => random)!.getTime() - now.getTime();

describe('retry backoff with full jitter', () => {
  it('draws each delay between just after the failure and base * 2^(n-1)', () => {
    expect(delay(1, 0)).toBe(1);
    expect(delay(1, ALMOST_ONE)).toBe(5_000);
    expect(delay(2, ALMOST_ONE)).toBe(10_000);
    expect(delay(5, 0.5)).toBe(1 + 40_000);
  });

  it('never waits longer than the cap', () => {
    expect(delay(11, ALMOST_ONE)).toBeLessThanOrEqual(policy.capMs + 1);
    expect(nextAttemptAt({ ...policy, maxAttempts: 50 }, 40, now, () => ALMOST_ONE)!.getTime() - now.getTime()).toBe(policy.capMs);
  });

  it('gives up after the last attempt', () => {
    expect(nextAttemptAt(policy, 12, now)).toBeNull();
    expect(nextAttemptAt(policy, 11, now)).not.toBeNull();
  });
});
