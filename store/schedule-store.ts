import type { PremiumAllocationLine } from '../domain/premiums/single-premium';
import type { PremiumSchedule, ScheduledCollection, ScheduleFrequency, ScheduleStatus } from '../domain/premiums/premium-schedule';
import type { Queryable } from './db';
import { conflictOnUnique } from './errors';

interface ScheduleRow {
  id: string;
  policy_id: string;
  payer_id: string;
  frequency: ScheduleFrequency;
  amount: number | string;
  currency: string;
  day_of_month: number;
  iban: string;
  holder_name: string;
  allocation: PremiumAllocationLine[];
  status: ScheduleStatus;
  next_due_date: string;
  created_by_kind: string;
  created_by_id: string | null;
  created_at: Date;
  updated_at: Date;
}

interface CollectionRow {
  id: string;
  schedule_id: string;
  policy_id: string;
  due_date: string;
  amount: number | string;
  currency: string;
  iban: string;
  allocation: PremiumAllocationLine[];
  status: ScheduledCollection['status'];
  created_at: Date;
  collected_at: Date | null;
  rejected_at: Date | null;
  rejection_code: string | null;
  rejection_reason: string | null;
  retry_of: string | null;
  attempt: number;
}

// Dates as text: a date read as a JavaScript Date would shift with the server's zone.
const COLUMNS = `id, policy_id, payer_id, frequency, amount, currency, day_of_month, iban, holder_name, allocation, status, next_due_date::text as next_due_date,
  created_by_kind, created_by_id, created_at, updated_at`;
const COLLECTION_COLUMNS = `id, schedule_id, policy_id, due_date::text as due_date, amount, currency, iban, allocation, status, created_at,
  collected_at, rejected_at, rejection_code, rejection_reason, retry_of, attempt`;

const toSchedule = (r: ScheduleRow): PremiumSchedule => ({
  id: r.id, policyId: r.policy_id, payerId: r.payer_id, frequency: r.frequency, amount: Number(r.amount), currency: r.currency, dayOfMonth: r.day_of_month,
  iban: r.iban, holderName: r.holder_name, allocation: r.allocation, status: r.status, nextDueDate: r.next_due_date, createdByKind: r.created_by_kind,
  createdById: r.created_by_id, createdAt: r.created_at, updatedAt: r.updated_at,
});

const toCollection = (r: CollectionRow): ScheduledCollection => ({
  id: r.id, scheduleId: r.schedule_id, policyId: r.policy_id, dueDate: r.due_date, amount: Number(r.amount), currency: r.currency, iban: r.iban,
  allocation: r.allocation, status: r.status, createdAt: r.created_at, collectedAt: r.collected_at, rejectedAt: r.rejected_at, rejectionCode: r.rejection_code,
  rejectionReason: r.rejection_reason, retryOf: r.retry_of, attempt: r.attempt,
});

/** What a change to a schedule writes: every field it may change, as it now is. */
export type ScheduleChange = Pick<PremiumSchedule, 'payerId' | 'frequency' | 'amount' | 'dayOfMonth' | 'iban' | 'holderName' | 'allocation' | 'status' | 'nextDueDate' | 'updatedAt'>;

/** Premium schedules and the collections their due dates produce. */
export class ScheduleStore {
  constructor(private readonly db: Queryable) {}

  async ofPolicy(policyId: string, tx: Queryable = this.db, options: { forUpdate?: boolean } = {}): Promise<PremiumSchedule | undefined> {
    const [row] = await tx.query<ScheduleRow>(`select ${COLUMNS} from premium_schedules where policy_id = $1${options.forUpdate ? ' for update' : ''}`, [policyId]);
    return row && toSchedule(row);
  }

  /** A second schedule for the policy (the unique key) is the conflict `PREMIUM_SCHEDULE_ALREADY_EXISTS`. */
  async insert(tx: Queryable, s: PremiumSchedule): Promise<void> {
    await conflictOnUnique(
      tx.query(
        `insert into premium_schedules (id, policy_id, payer_id, frequency, amount, currency, day_of_month, iban, holder_name, allocation, status, next_due_date,
           created_by_kind, created_by_id, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
        [
          s.id, s.policyId, s.payerId, s.frequency, s.amount, s.currency, s.dayOfMonth, s.iban, s.holderName, JSON.stringify(s.allocation), s.status, s.nextDueDate,
          s.createdByKind, s.createdById, s.createdAt, s.updatedAt,
        ],
      ),
      'PREMIUM_SCHEDULE_ALREADY_EXISTS',
    );
  }

  async update(tx: Queryable, id: string, c: ScheduleChange): Promise<void> {
    await tx.query(
      `update premium_schedules set payer_id = $2, frequency = $3, amount = $4, day_of_month = $5, iban = $6, holder_name = $7, allocation = $8, status = $9,
         next_due_date = $10, updated_at = $11 where id = $1`,
      [id, c.payerId, c.frequency, c.amount, c.dayOfMonth, c.iban, c.holderName, JSON.stringify(c.allocation), c.status, c.nextDueDate, c.updatedAt],
    );
  }

  /**
   * Active schedules with a due date on or before `today`, locked for this transaction. SKIP LOCKED: a
   * schedule another replica is working on is left to it, not waited for.
   */
  async claimDue(tx: Queryable, today: string, limit: number): Promise<PremiumSchedule[]> {
    return (await tx.query<ScheduleRow>(
      `select ${COLUMNS} from premium_schedules where status = 'active' and next_due_date <= $1::date order by next_due_date, id limit $2 for update skip locked`,
      [today, limit],
    )).map(toSchedule);
  }

  /**
   * Writes the due date's collection unless it exists (the unique key (schedule, due date) of first
   * attempts; a retry's is the attempt it follows): true when this call wrote it.
   */
  async insertCollection(tx: Queryable, c: ScheduledCollection): Promise<boolean> {
    const rows = await tx.query<{ id: string }>(
      `insert into scheduled_premium_collections (id, schedule_id, policy_id, due_date, amount, currency, iban, allocation, status, created_at, retry_of, attempt)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) on conflict do nothing returning id`,
      [c.id, c.scheduleId, c.policyId, c.dueDate, c.amount, c.currency, c.iban, JSON.stringify(c.allocation), c.status, c.createdAt, c.retryOf, c.attempt],
    );
    return rows.length === 1;
  }

  async setNextDueDate(tx: Queryable, id: string, nextDueDate: string, at: Date): Promise<void> {
    await tx.query('update premium_schedules set next_due_date = $2, updated_at = $3 where id = $1', [id, nextDueDate, at]);
  }

  async collections(scheduleIds: readonly string[], tx: Queryable = this.db): Promise<ScheduledCollection[]> {
    return (await tx.query<CollectionRow>(`select ${COLLECTION_COLUMNS} from scheduled_premium_collections where schedule_id = any($1::text[]) order by schedule_id, due_date`, [scheduleIds])).map(toCollection);
  }

  /** One collection; `forUpdate` holds its row until the transaction ends, so settlements are serialised. */
  async collection(id: string, tx: Queryable = this.db, options: { forUpdate?: boolean } = {}): Promise<ScheduledCollection | undefined> {
    const [row] = await tx.query<CollectionRow>(`select ${COLLECTION_COLUMNS} from scheduled_premium_collections where id = $1${options.forUpdate ? ' for update' : ''}`, [id]);
    return row && toCollection(row);
  }

  /** One schedule by id; `forUpdate` as above. */
  async schedule(id: string, tx: Queryable = this.db, options: { forUpdate?: boolean } = {}): Promise<PremiumSchedule | undefined> {
    const [row] = await tx.query<ScheduleRow>(`select ${COLUMNS} from premium_schedules where id = $1${options.forUpdate ? ' for update' : ''}`, [id]);
    return row && toSchedule(row);
  }

  async settleCollection(tx: Queryable, id: string, s: { status: 'collected' | 'rejected'; at: Date; code?: string; reason?: string | null }): Promise<void> {
    await tx.query(
      `update scheduled_premium_collections set status = $2, collected_at = case when $2 = 'collected' then $3::timestamptz end,
         rejected_at = case when $2 = 'rejected' then $3::timestamptz end, rejection_code = $4, rejection_reason = $5 where id = $1`,
      [id, s.status, s.at, s.code ?? null, s.reason ?? null],
    );
  }

  async suspend(tx: Queryable, id: string, at: Date): Promise<void> {
    await tx.query(`update premium_schedules set status = 'suspended', updated_at = $2 where id = $1 and status = 'active'`, [id, at]);
  }
}
