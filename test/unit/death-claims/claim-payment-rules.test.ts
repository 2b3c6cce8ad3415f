import { AppError } from '../../../errors/app-error';
import { parseClaimPaymentEvent } from '../../../domain/death-claims/claim-payment-events';
import { capitalParts, checkPayable, claimClocks, everyPartPaid } from '../../../domain/death-claims/claim-payment-rules';
import type { ClaimBeneficiary } from '../../../domain/death-claims/death-claim';

const line = (id: string, rank: number, share: number | null, extra: Partial<ClaimBeneficiary> = {}): ClaimBeneficiary => ({
  id, rank, kind: 'named', beneficiaryId: null, clauseLineId: null, firstName: id, lastName: 'Durand', birthDate: null, relationship: null, shareBasisPoints: share,
  shareOfClaimBasisPoints: null, clause: null, status: 'found', acceptedAt: null, renouncedOn: null, fileCompletedAt: new Date('2026-04-01T08:00:00Z'), ...extra,
});

function reason(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    if (error instanceof AppError) return `${error.code} ${error.reason}`;
    throw error;
  }
  return 'none';
}

describe('who is paid what', () => {
  it("passes a renouncer's share to the others of the rank before splitting the value to the cent", () => {
    const lines = [line('hugo', 1, 5_000), line('ines', 1, 2_500), line('odile', 1, 2_500, { status: 'renounced', renouncedOn: '2026-03-20' }), line('paul', 2, 10_000)];
    // Hugo 2/3, Inès 1/3 of 100.00 EUR: 6667 and 3333 basis points.
    expect([...capitalParts(10_000, lines)]).toEqual([['hugo', 6_667], ['ines', 3_333]]);
  });

  it('refuses the payment with the reason that stands', () => {
    const lines = [line('hugo', 1, 5_000), line('ines', 1, 5_000, { fileCompletedAt: null }), line('odile', 1, 0, { status: 'searching' }), line('paul', 2, 10_000)];
    expect(reason(() => checkPayable(lines, 'nobody'))).toBe('resource_not_found DEATH_CLAIM_BENEFICIARY_NOT_FOUND');
    expect(reason(() => checkPayable(lines, 'paul'))).toBe('conflict BENEFICIARY_NOT_IN_PAYING_RANK');
    expect(reason(() => checkPayable(lines, 'ines'))).toBe('conflict BENEFICIARY_FILE_INCOMPLETE');
    expect(reason(() => checkPayable(lines, 'odile'))).toBe('conflict BENEFICIARY_NOT_PAYABLE');
    expect(checkPayable(lines, 'hugo').id).toBe('hugo');
    const clause: ClaimBeneficiary = { ...line('clause', 1, null), kind: 'class_clause', clause: 'mes enfants', status: 'to_identify', firstName: null, lastName: null };
    expect(reason(() => checkPayable([clause, line('paul', 2, 10_000)], 'paul'))).toBe('conflict BENEFICIARIES_NOT_ESTABLISHED');
  });
});

describe('the clocks', () => {
  it("shows each taker's due date, days since the complete file and the interest to today; a payment sent stops it", () => {
    const lines = [line('hugo', 1, 5_000), line('ines', 1, 5_000), line('paul', 2, 10_000)];
    const sent = { id: 'p1', beneficiaryId: 'hugo', status: 'sent' } as never;
    const rates = [{ category: 'consumer' as const, validFrom: '2026-01-01', validTo: '2026-06-30', rateBasisPoints: 667 }];
    const clocks = claimClocks(20_000_000, lines, [sent], rates, new Date('2026-05-02T08:00:00Z'));
    expect(clocks).toMatchObject({ today: '2026-05-02', overdue: true, settled: false, interestAccrued: 3655 });
    expect(clocks.beneficiaries.map((b) => [b.beneficiaryId, b.capitalAmount, b.dueDate, b.daysSinceFileComplete, b.overdue, b.interestAccrued, b.paymentStatus])).toEqual([
      ['hugo', 10_000_000, '2026-05-01', 31, false, 0, 'sent'],
      ['ines', 10_000_000, '2026-05-01', 31, true, 3655, null],
    ]);
  });
});

describe('when every part is paid', () => {
  const paid = (beneficiaryId: string, status = 'paid') => ({ id: `p-${beneficiaryId}-${status}`, beneficiaryId, status }) as never;

  it('needs a paid payment for each taker: a rejected one, a searched-for person or a clause to identify keeps the claim open', () => {
    const lines = [line('hugo', 1, 5_000), line('ines', 1, 5_000), line('paul', 2, 10_000)];
    expect(everyPartPaid(10_000, lines, [paid('hugo')])).toBe(false);
    expect(everyPartPaid(10_000, lines, [paid('hugo'), paid('ines', 'rejected')])).toBe(false);
    expect(everyPartPaid(10_000, lines, [paid('hugo'), paid('ines', 'sent')])).toBe(false);
    expect(everyPartPaid(10_000, lines, [paid('hugo'), paid('ines', 'rejected'), paid('ines')])).toBe(true);
    const searching = [line('hugo', 1, 5_000), line('odile', 1, 5_000, { status: 'searching', fileCompletedAt: null })];
    expect(everyPartPaid(10_000, searching, [paid('hugo')])).toBe(false);
    const clause: ClaimBeneficiary = { ...line('clause', 1, null), kind: 'class_clause', clause: 'mes enfants', status: 'to_identify', firstName: null, lastName: null };
    expect(everyPartPaid(10_000, [clause], [])).toBe(false);
  });

  it("counts a renouncer's share as passed on, and a part of zero cents as nothing to wait for", () => {
    const renounced = [line('hugo', 1, 5_000), line('ines', 1, 5_000, { status: 'renounced', renouncedOn: '2026-03-20' }), line('paul', 2, 10_000)];
    expect(everyPartPaid(10_000, renounced, [paid('hugo')])).toBe(true);
    // 1 cent shared 99.99 % / 0.01 %: the second part rounds to zero.
    expect(everyPartPaid(1, [line('hugo', 1, 9_999), line('ines', 1, 1)], [paid('hugo')])).toBe(true);
    expect(everyPartPaid(10_000, renounced, [])).toBe(false);
  });
});

describe('payments webhook events', () => {
  it('reads payment_id, and a reason for a rejection; a malformed event is a 400', () => {
    expect(parseClaimPaymentEvent({ payment_id: 'p1' }, 'paid')).toEqual({ paymentId: 'p1', reason: null });
    expect(parseClaimPaymentEvent({ payment_id: 'p1', reason: ' compte clos ' }, 'rejected')).toEqual({ paymentId: 'p1', reason: 'compte clos' });
    expect(reason(() => parseClaimPaymentEvent({}, 'paid'))).toBe('parameter_invalid PAYMENT_ID_MISSING');
    expect(reason(() => parseClaimPaymentEvent({ payment_id: 'p1' }, 'rejected'))).toBe('parameter_invalid REJECTION_REASON_MISSING');
  });
});
