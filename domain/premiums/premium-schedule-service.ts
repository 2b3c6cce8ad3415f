import { AppError, invalidFields } from '../../errors/app-error';
import type { Db, Queryable } from '../../store/db';
import type { ScheduleChange, ScheduleStore } from '../../store/schedule-store';
import type { Viewer } from '../auth/viewer';
import type { PolicyService } from '../policy/policy-service';
import type { AuditTrail } from '../shared/audit-trail';
import type { Clock } from '../shared/clock';
import { notFound } from '../shared/access';
import type { Acting } from '../shared/acting';
import { maskIban } from '../shared/iban';
import { newUuid } from '../shared/ids';
import { addDays, parisDate } from '../shared/paris-calendar';
import { premiumAmount, type PremiumAmount } from './premium-amount';
import type { PremiumFunding } from './premium-funding';
import { firstDueDate, MAX_DAY_OF_MONTH, MIN_DAY_OF_MONTH, nextDueDate, presentSchedule, type PremiumSchedule, type ScheduledCollection, type ScheduleFrequency } from './premium-schedule';
import { unsettledAttempt, type PremiumAllocationLine } from './single-premium';

/** What a client sends to set up a policy's schedule. */
export interface ScheduleInput {
  payerId: string;
  frequency: ScheduleFrequency;
  amount: PremiumAmount;
  dayOfMonth: number;
  iban?: string | null;
  allocation?: PremiumAllocationLine[] | null;
  /** YYYY-MM-DD, not before tomorrow; absent: tomorrow. The first due date is the first `dayOfMonth` from it. */
  startDate?: string | null;
}

/** A change: only what is sent changes. */
export type ScheduleChangeInput = Partial<Omit<ScheduleInput, 'startDate'>>;

/** Due schedules one transaction of the run takes at most: a short transaction, then the next batch. */
const RUN_BATCH = 50;

const scheduleNotFound = () => notFound('premium_schedule');

/**
 * Scheduled premiums (README, "Premiums and payers"): a policy has at most one schedule (an amount every
 * month, quarter or year on a day of month, from a payer's IBAN, into an allocation), which whoever
 * reaches the policy sets up, changes, suspends and resumes. The due-date run turns each due date into
 * exactly one collection, also with several replicas running it (a unique key on schedule and date).
 */
export class PremiumScheduleService {
  constructor(
    private readonly db: Db,
    private readonly store: ScheduleStore,
    private readonly policies: PolicyService,
    private readonly funding: PremiumFunding,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
  ) {}

  /** The schedule of a policy the viewer reaches; 404 when it has none. */
  async get(viewer: Viewer, policyId: string): Promise<PremiumSchedule> {
    const policy = await this.policies.policy(viewer, policyId);
    const schedule = await this.store.ofPolicy(policy.id);
    if (!schedule) throw scheduleNotFound();
    return presentSchedule(schedule, viewer);
  }

  /** Collections produced so far, for schedules the viewer reached through their policy. */
  collectionsOfReached(scheduleIds: readonly string[]): Promise<ScheduledCollection[]> {
    return this.store.collections(scheduleIds);
  }

  async create({ viewer, requestId }: Acting, policyId: string, input: ScheduleInput): Promise<PremiumSchedule> {
    const { amount, currency } = premiumAmount(input.amount);
    const tomorrow = addDays(parisDate(this.clock.now()), 1);
    const problems = dayProblems(input.dayOfMonth);
    if (input.startDate && input.startDate < tomorrow) problems.push({ field: 'startDate', reason: 'START_DATE_BEFORE_TOMORROW' });
    if (problems.length) throw invalidFields(problems);
    return this.db.transaction(async (tx) => {
      const { policy, product, payer, iban, allocation } = await this.funding.resolve(tx, viewer, { policyId, payerId: input.payerId, iban: input.iban, allocation: input.allocation });
      checkAmount(amount, currency, product);
      if (await this.store.ofPolicy(policy.id, tx)) throw new AppError('conflict', 'PREMIUM_SCHEDULE_ALREADY_EXISTS');
      const now = this.clock.now();
      const schedule: PremiumSchedule = {
        id: newUuid(), policyId: policy.id, payerId: payer.id, frequency: input.frequency, amount, currency, dayOfMonth: input.dayOfMonth, iban: iban.iban,
        holderName: iban.holderName, allocation, status: 'active', nextDueDate: firstDueDate(input.startDate ?? tomorrow, input.dayOfMonth),
        createdByKind: viewer.kind, createdById: viewer.id, createdAt: now, updatedAt: now,
      };
      await this.store.insert(tx, schedule);
      await this.record(tx, { viewer, requestId }, 'premium_schedule.created', schedule, {});
      return presentSchedule(schedule, viewer);
    });
  }

  /**
   * Changes what is sent. A new payer without an IBAN takes the new payer's default IBAN; a new day or
   * frequency starts again from the first such day after today.
   */
  async change(acting: Acting, policyId: string, input: ScheduleChangeInput): Promise<PremiumSchedule> {
    const amount = input.amount ? premiumAmount(input.amount) : undefined;
    if (input.dayOfMonth !== undefined && input.dayOfMonth !== null) {
      const problems = dayProblems(input.dayOfMonth);
      if (problems.length) throw invalidFields(problems);
    }
    return this.db.transaction(async (tx) => {
      const current = await this.locked(tx, acting.viewer, policyId);
      const payerId = input.payerId ?? current.payerId;
      const funding = await this.funding.resolve(tx, acting.viewer, {
        policyId: current.policyId,
        payerId,
        iban: input.iban ?? (payerId === current.payerId ? current.iban : null),
        allocation: input.allocation ?? current.allocation,
      });
      if (amount) checkAmount(amount.amount, amount.currency, funding.product);
      const dayOfMonth = input.dayOfMonth ?? current.dayOfMonth;
      const frequency = input.frequency ?? current.frequency;
      const restart = dayOfMonth !== current.dayOfMonth || frequency !== current.frequency;
      const change: ScheduleChange = {
        payerId, frequency, amount: amount?.amount ?? current.amount, dayOfMonth, iban: funding.iban.iban, holderName: funding.iban.holderName,
        allocation: funding.allocation, status: current.status,
        nextDueDate: restart ? firstDueDate(addDays(parisDate(this.clock.now()), 1), dayOfMonth) : current.nextDueDate, updatedAt: this.clock.now(),
      };
      await this.store.update(tx, current.id, change);
      const next = { ...current, ...change };
      await this.record(tx, acting, 'premium_schedule.changed', next, { previous: { amount: current.amount, frequency: current.frequency, dayOfMonth: current.dayOfMonth, payerId: current.payerId } });
      return presentSchedule(next, acting.viewer);
    });
  }

  /** Stops the due dates until resumed (409 when already suspended). */
  suspend(acting: Acting, policyId: string): Promise<PremiumSchedule> {
    return this.move(acting, policyId, 'suspend');
  }

  /** Starts again from the first due day after today: due dates passed while suspended are not collected. */
  resume(acting: Acting, policyId: string): Promise<PremiumSchedule> {
    return this.move(acting, policyId, 'resume');
  }

  /**
   * The due-date run: every active schedule whose next due date is on or before today (Paris) gets one
   * collection per due date passed, and moves on. Replicas may run it at once: each takes schedules the
   * others do not hold (SKIP LOCKED), and the unique key on (schedule, due date) refuses a second
   * collection for a date whatever happens. Returns how many collections this call produced.
   */
  async runDue(): Promise<number> {
    const today = parisDate(this.clock.now());
    let produced = 0;
    for (;;) {
      const batch = await this.db.transaction(async (tx) => {
        const due = await this.store.claimDue(tx, today, RUN_BATCH);
        for (const schedule of due) {
          let date = schedule.nextDueDate;
          while (date <= today) {
            const collection: ScheduledCollection = {
              id: newUuid(), scheduleId: schedule.id, policyId: schedule.policyId, dueDate: date, amount: schedule.amount, currency: schedule.currency, iban: schedule.iban,
              allocation: schedule.allocation, status: 'pending_collection', createdAt: this.clock.now(), ...unsettledAttempt(),
            };
            if (await this.store.insertCollection(tx, collection)) {
              produced += 1;
              await this.audit.record(tx, { actor: { kind: 'system', id: 'premium-schedule-run' }, action: 'scheduled_premium.due', target: { type: 'scheduled_premium_collection', id: collection.id }, requestId: null, details: { scheduleId: schedule.id, policyId: schedule.policyId, dueDate: date, amount: schedule.amount, currency: schedule.currency } });
            }
            date = nextDueDate(date, schedule.frequency);
          }
          await this.store.setNextDueDate(tx, schedule.id, date, this.clock.now());
        }
        return due.length;
      });
      if (batch < RUN_BATCH) return produced;
    }
  }

  private async move({ viewer, requestId }: Acting, policyId: string, action: 'suspend' | 'resume'): Promise<PremiumSchedule> {
    return this.db.transaction(async (tx) => {
      const current = await this.locked(tx, viewer, policyId);
      await this.funding.notFrozen(tx, current.policyId);
      const from = action === 'suspend' ? 'active' : 'suspended';
      if (current.status !== from) throw new AppError('conflict', `CANNOT_${action.toUpperCase()}_IN_STATE_${current.status.toUpperCase()}`);
      if (action === 'resume') await this.funding.activePolicy(tx, viewer, policyId);
      const now = this.clock.now();
      const next: PremiumSchedule = {
        ...current, status: action === 'suspend' ? 'suspended' : 'active', updatedAt: now,
        nextDueDate: action === 'resume' ? firstDueDate(addDays(parisDate(now), 1), current.dayOfMonth) : current.nextDueDate,
      };
      await this.store.update(tx, current.id, next);
      await this.record(tx, { viewer, requestId }, `premium_schedule.${action === 'suspend' ? 'suspended' : 'resumed'}`, next, {});
      return presentSchedule(next, viewer);
    });
  }

  /** The policy's schedule, if the viewer reaches the policy, held for this transaction. */
  private async locked(tx: Queryable, viewer: Viewer, policyId: string): Promise<PremiumSchedule> {
    const policy = await this.policies.policy(viewer, policyId, tx);
    // Policy row, then schedule row: the notice of death's order (it ends the schedule), so the two never deadlock.
    await this.funding.lockPolicy(tx, policy.id);
    const schedule = await this.store.ofPolicy(policy.id, tx, { forUpdate: true });
    if (!schedule) throw scheduleNotFound();
    return schedule;
  }

  private record(tx: Queryable, { viewer, requestId }: Acting, action: string, s: PremiumSchedule, details: Record<string, unknown>): Promise<void> {
    return this.audit.record(tx, {
      actor: viewer, action, target: { type: 'premium_schedule', id: s.id }, requestId,
      details: { policyId: s.policyId, payerId: s.payerId, frequency: s.frequency, amount: s.amount, dayOfMonth: s.dayOfMonth, iban: maskIban(s.iban), status: s.status, nextDueDate: s.nextDueDate, ...details },
    });
  }
}

function dayProblems(day: number): Array<{ field: string; reason: string }> {
  return Number.isSafeInteger(day) && day >= MIN_DAY_OF_MONTH && day <= MAX_DAY_OF_MONTH ? [] : [{ field: 'dayOfMonth', reason: 'DAY_OF_MONTH_OUT_OF_RANGE' }];
}

function checkAmount(amount: number, currency: string, product: { currency: string; minimumScheduledPayment: number }): void {
  if (currency !== product.currency) throw invalidFields([{ field: 'amount.currency', reason: 'CURRENCY_NOT_ACCEPTED' }]);
  if (amount < product.minimumScheduledPayment) throw new AppError('unprocessable_content', 'SCHEDULED_PREMIUM_BELOW_PRODUCT_MINIMUM', { field: 'amount.value' });
}
