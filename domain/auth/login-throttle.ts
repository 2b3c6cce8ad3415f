import { AppError } from '../../errors/app-error';
import type { RateLimitStore } from '../../store/rate-limit-store';
import type { Clock } from '../shared/clock';

/** How many attempts a window allows. Failures count per account; every attempt counts per address. */
export interface ThrottlePolicy {
  windowSeconds: number;
  failuresPerAccount: number;
  attemptsPerAddress: number;
}

export const DEFAULT_THROTTLE: ThrottlePolicy = { windowSeconds: 900, failuresPerAccount: 5, attemptsPerAddress: 50 };

/**
 * Throttles credential checks (logins and client-credential grants). Counters live in the database so
 * every replica sees the same ones, and aliases packing many logins in one GraphQL document each count.
 */
export class LoginThrottle {
  constructor(
    private readonly store: RateLimitStore,
    private readonly clock: Clock,
    private readonly policy: ThrottlePolicy = DEFAULT_THROTTLE,
  ) {}

  /**
   * Counts this attempt for the address and for the account before any password is checked, in one
   * atomic upsert each, so parallel attempts cannot slip past the limit; a success clears the account's
   * count, so what remains counted are failures.
   */
  async admit(account: string, address: string): Promise<void> {
    const now = this.clock.now();
    const byAddress = await this.store.hit(`login:address:${address}`, now, this.policy.windowSeconds);
    if (byAddress.hits > this.policy.attemptsPerAddress) throw this.limited(byAddress.windowEndsAt);
    const byAccount = await this.store.hit(`login:account:${account.toLowerCase()}`, now, this.policy.windowSeconds);
    if (byAccount.hits > this.policy.failuresPerAccount) throw this.limited(byAccount.windowEndsAt);
  }

  async succeeded(account: string): Promise<void> {
    await this.store.clear(`login:account:${account.toLowerCase()}`);
  }

  private limited(until: Date): AppError {
    const seconds = Math.max(1, Math.ceil((until.getTime() - this.clock.now().getTime()) / 1000));
    return new AppError('rate_limited', 'TOO_MANY_LOGIN_ATTEMPTS', { headers: { 'Retry-After': String(seconds) } });
  }
}
