import type { Services } from '../context/context';
import type { KeyRing } from '../domain/auth/key-ring';
import type { Clock } from '../domain/shared/clock';
import type { Logger } from '../http/logger';
import type { Db } from '../store/db';
import { HousekeepingStore } from '../store/housekeeping-store';

/** Starts the work the service does now and then by itself; returns what stops it. */
export function startBackgroundRuns(db: Db, services: Services, keys: KeyRing, clock: Clock, logger: Logger): () => void {
  const housekeepingStore = new HousekeepingStore(db);
  // Expired idempotency records, rate-limit windows, sessions and signing keys are deleted now and then.
  const housekeeping = setInterval(() => {
    housekeepingStore.purge(clock.now(), keys.verifyingSince()).catch((error: unknown) => logger.error('housekeeping failed', { error }));
  }, 10 * 60_000);
  housekeeping.unref();

  // Each due date of a premium schedule becomes one collection; every replica may run this (the unique
  // key on schedule and date keeps it to one), so no leader is needed.
  const premiumRun = setInterval(() => {
    services.premiumSchedules.runDue().catch((error: unknown) => logger.error('premium schedule run failed', { error }));
  }, 15 * 60_000);
  premiumRun.unref();

  // Orders and switches whose NAVs arrived without a load through us (or while a run failed) are priced here too;
  // every replica may run it: the compartment lock and each order's status make each execute once.
  const pricingRun = setInterval(() => {
    (async () => {
      await services.switches.executeDue();
      await services.orders.executeDue();
    })().catch((error: unknown) => logger.error('forward pricing run failed', { error }));
  }, 15 * 60_000);
  pricingRun.unref();

  return () => {
    clearInterval(housekeeping);
    clearInterval(premiumRun);
    clearInterval(pricingRun);
  };
}
