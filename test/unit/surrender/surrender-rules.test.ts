import { AppError } from '../../../errors/app-error';
import {
  checkCompartmentSurrenderable,
  checkNoOpenPartialSurrender,
  checkNoOpenTotalSurrender,
  checkPartialAmount,
  checkPolicySurrenderable,
  checkSurrenderAmount,
  NO_TERMS,
  paymentTransition,
  requestInstant,
  reservedOn,
  totalSurrenderValue,
  type OpenDeclaration,
  type PaymentOutcome,
  type SurrenderStatus,
} from '../../../domain/surrender/surrender-rules';
import { testId } from '../../support/ids';

// ---- helper builders -------------------------------------------------------------------------------

function thrown(work: () => unknown): AppError {
  try {
    work();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an error, none was thrown');
}

const refusal = (work: () => unknown) => {
  const error = thrown(work);
  return { code: error.code, reason: error.reason };
};

/** Demo assurance-vie terms: at least 500.00 EUR a partial surrender, at least 1,000.00 EUR left. */
const TERMS = { minPartialAmount: 50_000, minRemainingBalance: 100_000 };
const compartment = (value: number, reserved = 0) => ({ value, currency: 'EUR', reserved });
const eur = (amount: number) => ({ amount, currency: 'EUR' });

describe('surrender rules', () => {
  describe('amounts are positive safe integers of minor units', () => {
    it.each([[1], [125_000], [Number.MAX_SAFE_INTEGER]])('%p passes', (amount) => {
      expect(() => checkSurrenderAmount(amount)).not.toThrow();
    });

    it.each([[0], [-1], [12.5], [Number.MAX_SAFE_INTEGER + 1], [Number.NaN], [Number.POSITIVE_INFINITY]])('%p is a 400 AMOUNT_NOT_POSITIVE_MINOR_UNITS on amount.value', (amount) => {
      const error = thrown(() => checkSurrenderAmount(amount));
      expect({ code: error.code, reason: error.reason, field: error.extra.field }).toEqual({ code: 'parameter_invalid', reason: 'AMOUNT_NOT_POSITIVE_MINOR_UNITS', field: 'amount.value' });
    });
  });

  describe('a partial surrender', () => {
    it('may take any amount between the product minimum and what keeps the minimum remaining balance', () => {
      expect(() => checkPartialAmount(eur(50_000), compartment(1_287_450), TERMS)).not.toThrow();
      expect(() => checkPartialAmount(eur(1_187_450), compartment(1_287_450), TERMS)).not.toThrow();
    });

    it('must be at least the product’s minimum amount', () => {
      expect(refusal(() => checkPartialAmount(eur(49_999), compartment(1_287_450), TERMS))).toEqual({ code: 'unprocessable_content', reason: 'PARTIAL_SURRENDER_BELOW_PRODUCT_MINIMUM' });
    });

    it('may not exceed the compartment’s value', () => {
      expect(refusal(() => checkPartialAmount(eur(1_287_451), compartment(1_287_450), TERMS))).toEqual({ code: 'unprocessable_content', reason: 'PARTIAL_SURRENDER_EXCEEDS_COMPARTMENT_VALUE' });
    });

    it('must leave the product’s minimum remaining balance (emptying the compartment is not a partial surrender)', () => {
      expect(refusal(() => checkPartialAmount(eur(1_187_451), compartment(1_287_450), TERMS))).toEqual({ code: 'unprocessable_content', reason: 'PARTIAL_SURRENDER_BELOW_MINIMUM_REMAINING_BALANCE' });
      expect(refusal(() => checkPartialAmount(eur(1_287_450), compartment(1_287_450), TERMS))).toEqual({ code: 'unprocessable_content', reason: 'PARTIAL_SURRENDER_BELOW_MINIMUM_REMAINING_BALANCE' });
    });

    it('counts what open partial surrenders of the compartment already reserve', () => {
      expect(() => checkPartialAmount(eur(500_000), compartment(1_287_450, 600_000), TERMS)).not.toThrow();
      expect(refusal(() => checkPartialAmount(eur(700_000), compartment(1_287_450, 600_000), TERMS))).toEqual({ code: 'unprocessable_content', reason: 'PARTIAL_SURRENDER_EXCEEDS_COMPARTMENT_VALUE' });
      expect(refusal(() => checkPartialAmount(eur(600_000), compartment(1_287_450, 600_000), TERMS))).toEqual({ code: 'unprocessable_content', reason: 'PARTIAL_SURRENDER_BELOW_MINIMUM_REMAINING_BALANCE' });
    });

    it('without contractual terms, only the value caps it (and it may empty the compartment)', () => {
      expect(() => checkPartialAmount(eur(1), compartment(10), NO_TERMS)).not.toThrow();
      expect(() => checkPartialAmount(eur(10), compartment(10), NO_TERMS)).not.toThrow();
      expect(refusal(() => checkPartialAmount(eur(11), compartment(10), NO_TERMS))).toEqual({ code: 'unprocessable_content', reason: 'PARTIAL_SURRENDER_EXCEEDS_COMPARTMENT_VALUE' });
    });

    it('is in the compartment’s currency', () => {
      const error = thrown(() => checkPartialAmount({ amount: 50_000, currency: 'USD' }, compartment(1_287_450), TERMS));
      expect({ code: error.code, reason: error.reason, field: error.extra.field }).toEqual({ code: 'unprocessable_content', reason: 'SURRENDER_CURRENCY_MISMATCH', field: 'amount.currency' });
    });

    it('checks the amount’s shape first', () => {
      expect(refusal(() => checkPartialAmount(eur(0), compartment(1_287_450), TERMS))).toEqual({ code: 'parameter_invalid', reason: 'AMOUNT_NOT_POSITIVE_MINOR_UNITS' });
    });
  });

  describe('open declarations', () => {
    const partial = (compartmentId: string, amount: number): OpenDeclaration => ({ kind: 'partial', compartmentId, amount });
    const total: OpenDeclaration = { kind: 'total', compartmentId: null, amount: 2_000_000 };

    it('one open total surrender per policy, and no partial one while it is open: 409 TOTAL_SURRENDER_ALREADY_OPEN', () => {
      expect(refusal(() => checkNoOpenTotalSurrender([partial(testId('cmp_1'), 10), total]))).toEqual({ code: 'conflict', reason: 'TOTAL_SURRENDER_ALREADY_OPEN' });
    });

    it('open partial surrenders do not block another declaration', () => {
      expect(() => checkNoOpenTotalSurrender([partial(testId('cmp_1'), 10), partial(testId('cmp_2'), 20)])).not.toThrow();
      expect(() => checkNoOpenTotalSurrender([])).not.toThrow();
    });

    it('no total surrender while a partial one is open: 409 PARTIAL_SURRENDER_OPEN', () => {
      expect(refusal(() => checkNoOpenPartialSurrender([partial(testId('cmp_1'), 10)]))).toEqual({ code: 'conflict', reason: 'PARTIAL_SURRENDER_OPEN' });
      expect(() => checkNoOpenPartialSurrender([])).not.toThrow();
    });

    it('reserve their amounts on their own compartment only', () => {
      expect(reservedOn(testId('cmp_1'), [partial(testId('cmp_1'), 10), partial(testId('cmp_2'), 20), partial(testId('cmp_1'), 5), total])).toBe(15);
      expect(reservedOn(testId('cmp_3'), [partial(testId('cmp_1'), 10)])).toBe(0);
    });
  });

  describe('states', () => {
    it('only a policy in force can be surrendered: 409 naming its status', () => {
      expect(() => checkPolicySurrenderable('active')).not.toThrow();
      expect(refusal(() => checkPolicySurrenderable('closed'))).toEqual({ code: 'conflict', reason: 'CANNOT_SURRENDER_POLICY_IN_STATE_CLOSED' });
      expect(refusal(() => checkPolicySurrenderable('withdrawn'))).toEqual({ code: 'conflict', reason: 'CANNOT_SURRENDER_POLICY_IN_STATE_WITHDRAWN' });
    });

    it.each([['suspended'], ['liquidating'], ['closed'], ['open']])('a partial surrender from a %s compartment is a 409 naming the state', (status) => {
      expect(refusal(() => checkCompartmentSurrenderable('partial', status))).toEqual({ code: 'conflict', reason: `CANNOT_SURRENDER_FROM_COMPARTMENT_IN_STATE_${status.toUpperCase()}` });
    });

    it('a partial surrender from an active compartment passes', () => {
      expect(() => checkCompartmentSurrenderable('partial', 'active')).not.toThrow();
    });

    it.each([['suspended'], ['liquidating']])('a %s compartment blocks a total surrender (409 naming the state)', (status) => {
      expect(refusal(() => checkCompartmentSurrenderable('total', status))).toEqual({ code: 'conflict', reason: `CANNOT_SURRENDER_FROM_COMPARTMENT_IN_STATE_${status.toUpperCase()}` });
    });

    it.each([['active'], ['open'], ['closed']])('a %s compartment does not block a total surrender', (status) => {
      expect(() => checkCompartmentSurrenderable('total', status)).not.toThrow();
    });
  });

  describe('the total surrender value', () => {
    it('is what the compartments that are not closed hold', () => {
      expect(totalSurrenderValue([{ status: 'active', value: 842_300 }, { status: 'active', value: 356_120 }, { status: 'closed', value: 7 }, { status: 'open', value: 0 }])).toBe(1_198_420);
    });

    it('with nothing in the policy there is nothing to surrender (422)', () => {
      expect(refusal(() => totalSurrenderValue([{ status: 'closed', value: 0 }]))).toEqual({ code: 'unprocessable_content', reason: 'NOTHING_TO_SURRENDER' });
    });
  });

  describe('payment outcomes', () => {
    it.each<[SurrenderStatus, PaymentOutcome, SurrenderStatus | undefined]>([
      ['received', 'processing', 'processing'],
      ['received', 'paid', 'paid'],
      ['received', 'rejected', 'rejected'],
      ['processing', 'paid', 'paid'],
      ['processing', 'rejected', 'rejected'],
      ['processing', 'processing', undefined],
      ['paid', 'paid', undefined],
      ['paid', 'rejected', undefined],
      ['paid', 'processing', undefined],
      ['rejected', 'paid', undefined],
      ['rejected', 'rejected', undefined],
      // Never sent for payment: a PER early release whose documents are not all accepted.
      ['awaiting_documents', 'processing', undefined],
      ['awaiting_documents', 'paid', undefined],
      ['awaiting_documents', 'rejected', undefined],
    ])('%s + %s -> %s', (current, outcome, expected) => {
      expect(paymentTransition(current, outcome)).toBe(expected);
    });
  });
});

describe('requestInstant: the Paris date a surrender was asked', () => {
  const now = new Date('2026-03-29T10:00:00Z'); // 12:00 in Paris, the day summer time starts
  const issued = new Date('2025-02-14T23:00:00Z'); // 2025-02-15 in Paris

  it('today, or no date, is now', () => {
    expect(requestInstant(null, issued, now)).toEqual(now);
    expect(requestInstant('2026-03-29', issued, now)).toEqual(now);
  });

  it('an earlier day is its first instant in Paris', () => {
    expect(requestInstant('2026-03-28', issued, now).toISOString()).toBe('2026-03-27T23:00:00.000Z');
    expect(requestInstant('2025-02-15', issued, now).toISOString()).toBe('2025-02-14T23:00:00.000Z');
  });

  it('refuses a later day and a day before the policy was issued (422 naming requestedAt)', () => {
    for (const [day, reason] of [['2026-03-30', 'REQUESTED_AT_IN_THE_FUTURE'], ['2025-02-14', 'REQUESTED_AT_BEFORE_POLICY_ISSUE']]) {
      const error = thrown(() => requestInstant(day, issued, now));
      expect({ code: error.code, reason: error.reason, field: error.extra.field }).toEqual({ code: 'unprocessable_content', reason, field: 'requestedAt' });
    }
  });
});
