import { AppError } from '../../errors/app-error';
import { parisDate } from '../shared/paris-calendar';
import { benefitShares } from './benefit-shares';
import type { BeneficiaryClock, ClaimClocks, DeathClaimPayment, PayeeLine } from './claim-payment';
import { daysBetween, lateInterest, paymentDueDate, type LegalInterestRate } from './legal-interest';

/** Lines that are persons entitled to be paid once their file is complete (not renounced, not a bare clause). */
const PAYABLE_STATUSES = new Set(['found', 'identified']);

/**
 * Who takes the capital: the first rank that still has a beneficiary who has not renounced (a rank takes
 * it only when every beneficiary of the ranks before is missing). Its persons are paid value x their
 * share. A class clause of that rank still to identify, or a person without a share, means the
 * beneficiaries are not established yet: nobody of that rank can be paid (409).
 */
export function payingRank(lines: readonly PayeeLine[]): PayeeLine[] {
  // A class clause whose persons were identified is replaced by them; one still to identify holds its rank.
  const resolved = new Set(lines.map((l) => l.clauseLineId).filter((id) => id !== null));
  const live = lines.filter((l) => l.status !== 'renounced' && !(l.kind === 'class_clause' && (l.status === 'identified' || resolved.has(l.id))));
  if (live.length === 0) return [];
  const rank = Math.min(...live.map((l) => l.rank));
  return live.filter((l) => l.rank === rank);
}

/** Each payable person's part of `value`, by line id (docs/DEATH-CLAIMS.md: rounding and the leftover cent). */
export function capitalParts(value: number, lines: readonly PayeeLine[]): Map<string, number> {
  const rank = payingRank(lines);
  const persons = rank.filter((l) => l.kind === 'named' && l.shareBasisPoints !== null);
  return benefitShares(value, persons.map((l) => ({ id: l.id, shareBasisPoints: l.shareBasisPoints! })));
}

/** The line to pay, refused with the reason when it cannot be paid yet. */
export function checkPayable(lines: readonly PayeeLine[], beneficiaryId: string): PayeeLine {
  const line = lines.find((l) => l.id === beneficiaryId);
  if (!line) throw new AppError('resource_not_found', 'DEATH_CLAIM_BENEFICIARY_NOT_FOUND', { field: 'beneficiaryId' });
  const rank = payingRank(lines);
  if (!rank.includes(line)) throw new AppError('conflict', 'BENEFICIARY_NOT_IN_PAYING_RANK', { field: 'beneficiaryId' });
  if (rank.some((l) => l.kind === 'class_clause' || l.shareBasisPoints === null)) {
    throw new AppError('conflict', 'BENEFICIARIES_NOT_ESTABLISHED');
  }
  if (!PAYABLE_STATUSES.has(line.status)) throw new AppError('conflict', 'BENEFICIARY_NOT_PAYABLE', { field: 'beneficiaryId' });
  if (line.fileCompletedAt === null) throw new AppError('conflict', 'BENEFICIARY_FILE_INCOMPLETE', { field: 'beneficiaryId' });
  return line;
}

/** The clocks of a claim's payable beneficiaries as of `today`, with the payments already made or sent. */
export function claimClocks(value: number, lines: readonly PayeeLine[], payments: readonly DeathClaimPayment[], rates: readonly LegalInterestRate[], now: Date): ClaimClocks {
  const today = parisDate(now);
  const rank = payingRank(lines).filter((l) => l.kind === 'named');
  const parts = capitalParts(value, lines);
  const beneficiaries: BeneficiaryClock[] = rank.map((l) => {
    const payment = payments.find((p) => p.beneficiaryId === l.id && p.status !== 'rejected') ?? null;
    const capital = parts.get(l.id) ?? null;
    const completedOn = l.fileCompletedAt ? parisDate(l.fileCompletedAt) : null;
    const dueDate = completedOn ? paymentDueDate(completedOn) : null;
    const open = payment === null;
    let interest: number | null = 0;
    if (open && dueDate !== null && capital !== null) {
      try {
        interest = lateInterest(capital, dueDate, today, rates).amount;
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        interest = null;
      }
    }
    return {
      beneficiaryId: l.id, firstName: l.firstName, lastName: l.lastName, rank: l.rank, capitalAmount: capital, fileCompletedAt: l.fileCompletedAt,
      daysSinceFileComplete: completedOn ? daysBetween(completedOn, today) : null, dueDate,
      overdue: open && dueDate !== null && today > dueDate,
      interestAccrued: open ? interest : 0,
      paymentId: payment?.id ?? null, paymentStatus: payment?.status ?? null,
    };
  });
  const owed = beneficiaries.map((b) => b.interestAccrued);
  return {
    today,
    settled: beneficiaries.length > 0 && beneficiaries.every((b) => b.paymentStatus === 'paid'),
    overdue: beneficiaries.some((b) => b.overdue),
    interestAccrued: owed.some((x) => x === null) ? null : owed.reduce<number>((a, b) => a + (b ?? 0), 0),
    beneficiaries,
  };
}
