import { AppError } from '../../errors/app-error';
import { parisDate } from '../shared/paris-calendar';
import { benefitShares } from './benefit-shares';
import { sharesOfClaim } from './beneficiary-shares';
import type { BeneficiaryClock, ClaimClocks, DeathClaimPayment } from './claim-payment';
import type { ClaimBeneficiary } from './death-claim';
import { daysBetween, lateInterest, paymentDueDate, type LegalInterestRate } from './legal-interest';

/**
 * Who takes the capital and in which share is the beneficiaries' rule (beneficiary-shares.ts: the first
 * rank still holding a beneficiary, renouncers' shares passing to the others of the rank). The persons
 * with a share are paid value x share of the claim, in cents (benefit-shares.ts); a person still being
 * searched for keeps a share but cannot be paid yet.
 */
export function capitalParts(value: number, lines: readonly ClaimBeneficiary[]): Map<string, number> {
  const shares = sharesOfClaim(lines);
  const takers = lines.filter((l) => l.kind === 'named' && shares.get(l.id) != null);
  return benefitShares(value, takers.map((l) => ({ id: l.id, shareBasisPoints: shares.get(l.id)! })));
}

/**
 * Every part of the claim is paid: some beneficiary takes the capital (a clause of the taking rank is
 * resolved) and each one who does, found or still searched for, has a paid payment. A part of 0 cents
 * (a share too small for the value) has nothing to pay and waits for nobody.
 */
export function everyPartPaid(value: number, lines: readonly ClaimBeneficiary[], payments: readonly DeathClaimPayment[]): boolean {
  const parts = capitalParts(value, lines);
  const paid = new Set(payments.filter((p) => p.status === 'paid').map((p) => p.beneficiaryId));
  return paid.size > 0 && [...parts].every(([id, amount]) => amount === 0 || paid.has(id));
}

/** The line to pay, refused with the reason when it cannot be paid yet. */
export function checkPayable(lines: readonly ClaimBeneficiary[], beneficiaryId: string): ClaimBeneficiary {
  const line = lines.find((l) => l.id === beneficiaryId);
  if (!line) throw new AppError('resource_not_found', 'DEATH_CLAIM_BENEFICIARY_NOT_FOUND', { field: 'beneficiaryId' });
  if (line.kind !== 'named' || line.status === 'renounced' || line.status === 'searching') throw new AppError('conflict', 'BENEFICIARY_NOT_PAYABLE', { field: 'beneficiaryId' });
  const shares = sharesOfClaim(lines);
  if (shares.get(line.id) == null) {
    const unresolved = [...shares.values()].every((s) => s === null) && lines.some((l) => l.kind === 'class_clause' && l.status === 'to_identify');
    if (unresolved) throw new AppError('conflict', 'BENEFICIARIES_NOT_ESTABLISHED');
    throw new AppError('conflict', 'BENEFICIARY_NOT_IN_PAYING_RANK', { field: 'beneficiaryId' });
  }
  if (line.fileCompletedAt === null) throw new AppError('conflict', 'BENEFICIARY_FILE_INCOMPLETE', { field: 'beneficiaryId' });
  return line;
}

/** The clocks of a claim's beneficiaries with a share, as of `now`, with the payments already made or sent. */
export function claimClocks(value: number, lines: readonly ClaimBeneficiary[], payments: readonly DeathClaimPayment[], rates: readonly LegalInterestRate[], now: Date): ClaimClocks {
  const today = parisDate(now);
  const parts = capitalParts(value, lines);
  const beneficiaries: BeneficiaryClock[] = lines.filter((l) => parts.has(l.id)).map((l) => {
    const payment = payments.find((p) => p.beneficiaryId === l.id && p.status !== 'rejected') ?? null;
    const capital = parts.get(l.id)!;
    const completedOn = l.fileCompletedAt ? parisDate(l.fileCompletedAt) : null;
    const dueDate = completedOn ? paymentDueDate(completedOn) : null;
    const open = payment === null;
    let interest: number | null = 0;
    if (open && dueDate !== null) {
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
