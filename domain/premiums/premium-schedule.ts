import type { Viewer } from '../auth/viewer';
import { seesFullIban } from '../shared/access';
import { maskIban } from '../shared/iban';
import type { CollectionOutcome, PremiumAllocationLine } from './single-premium';

export type ScheduleFrequency = 'monthly' | 'quarterly' | 'annual';
export type ScheduleStatus = 'active' | 'suspended' | 'ended';

const MONTHS: Record<ScheduleFrequency, number> = { monthly: 1, quarterly: 3, annual: 12 };

/** A policy's scheduled premium: `amount` (minor units) every period, on `dayOfMonth`, from the payer's IBAN. */
export interface PremiumSchedule {
  id: string;
  policyId: string;
  payerId: string;
  frequency: ScheduleFrequency;
  amount: number;
  currency: string;
  /** 1 to 28, so that every month has it. */
  dayOfMonth: number;
  iban: string;
  holderName: string;
  allocation: PremiumAllocationLine[];
  status: ScheduleStatus;
  /** YYYY-MM-DD: the next date a collection is due. */
  nextDueDate: string;
  createdByKind: string;
  createdById: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** One due date's collection, produced once per schedule and date (a rejection the product retries makes another). */
export interface ScheduledCollection extends CollectionOutcome {
  id: string;
  scheduleId: string;
  policyId: string;
  dueDate: string;
  amount: number;
  currency: string;
  iban: string;
  allocation: PremiumAllocationLine[];
  /** pending_collection -> submitted (in a SEPA batch) -> collected or rejected. */
  status: 'pending_collection' | 'submitted' | 'collected' | 'rejected';
  createdAt: Date;
}

export const MIN_DAY_OF_MONTH = 1;
export const MAX_DAY_OF_MONTH = 28;

const pad = (n: number) => String(n).padStart(2, '0');

/** The first date on `dayOfMonth` that is on or after `from` (YYYY-MM-DD, dayOfMonth 1-28). */
export function firstDueDate(from: string, dayOfMonth: number): string {
  const [year, month, day] = from.split('-').map(Number);
  if (day <= dayOfMonth) return `${year}-${pad(month)}-${pad(dayOfMonth)}`;
  return month === 12 ? `${year + 1}-01-${pad(dayOfMonth)}` : `${year}-${pad(month + 1)}-${pad(dayOfMonth)}`;
}

/** The due date one period after `due` (its day is 1-28, so no month lacks it). */
export function nextDueDate(due: string, frequency: ScheduleFrequency): string {
  const [year, month, day] = due.split('-').map(Number);
  const index = year * 12 + (month - 1) + MONTHS[frequency];
  return `${Math.floor(index / 12)}-${pad((index % 12) + 1)}-${pad(day)}`;
}

/** Full IBANs for the subscriber and back-office only. */
export function presentSchedule(schedule: PremiumSchedule, viewer: Viewer): PremiumSchedule {
  return seesFullIban(viewer) ? schedule : { ...schedule, iban: maskIban(schedule.iban) };
}
