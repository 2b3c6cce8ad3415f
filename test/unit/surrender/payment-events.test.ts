import { AppError } from '../../../errors/app-error';
import { parseSurrenderPaymentEvent, SURRENDER_PAYMENT_EVENTS } from '../../../domain/surrender/payment-events';
import { testId } from '../../support/ids';

function thrown(work: () => unknown): AppError {
  try {
    work();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an error, none was thrown');
}

describe('surrender payment events (payments webhook)', () => {
  it('handles surrender.processing, surrender.paid and surrender.rejected', () => {
    expect(SURRENDER_PAYMENT_EVENTS).toEqual([
      ['surrender.processing', 'processing'],
      ['surrender.paid', 'paid'],
      ['surrender.rejected', 'rejected'],
    ]);
  });

  it('reads the declaration id', () => {
    expect(parseSurrenderPaymentEvent({ declaration_id: testId('sur_1'), amount: 5 }, 'paid')).toEqual({ declarationId: testId('sur_1'), reason: null });
  });

  it('reads the reason of a rejection', () => {
    expect(parseSurrenderPaymentEvent({ declaration_id: testId('sur_1'), reason: ' account closed ' }, 'rejected')).toEqual({ declarationId: testId('sur_1'), reason: 'account closed' });
  });

  it.each([[null], [{}], [{ declaration_id: 5 }], [{ declaration_id: '' }], [testId('sur_1')]])('a missing declaration id (%j) is a 400', (data) => {
    const error = thrown(() => parseSurrenderPaymentEvent(data, 'paid'));
    expect({ code: error.code, reason: error.reason, field: error.extra.field }).toEqual({ code: 'parameter_invalid', reason: 'DECLARATION_ID_MISSING', field: 'data.declaration_id' });
  });

  it.each([[{ declaration_id: testId('sur_1') }], [{ declaration_id: testId('sur_1'), reason: '  ' }], [{ declaration_id: testId('sur_1'), reason: 42 }]])('a rejection without a reason (%j) is a 400', (data) => {
    const error = thrown(() => parseSurrenderPaymentEvent(data, 'rejected'));
    expect({ code: error.code, reason: error.reason, field: error.extra.field }).toEqual({ code: 'parameter_invalid', reason: 'REJECTION_REASON_MISSING', field: 'data.reason' });
  });
});
