import { AppError } from '../../../errors/app-error';
import { requestProblems, supportReference, supportTransition } from '../../../domain/support/support-rules';

describe('support request rules', () => {
  it('accepts a request at the limits, counting characters rather than bytes', () => {
    expect(requestProblems({ category: 'other', subject: '€'.repeat(200), message: '😀'.repeat(5000) })).toEqual([]);
  });

  it('names every problem', () => {
    expect(requestProblems({ category: 'complaint', subject: 'x'.repeat(201), message: ' ' })).toEqual([
      { field: 'category', reason: 'UNKNOWN_CATEGORY' },
      { field: 'subject', reason: 'SUBJECT_TOO_LONG' },
      { field: 'message', reason: 'MESSAGE_REQUIRED' },
    ]);
    expect(requestProblems({ category: 'payment', subject: 'a\tb', message: 'x'.repeat(5001) })).toEqual([
      { field: 'subject', reason: 'SUBJECT_NOT_ONE_LINE' },
      { field: 'message', reason: 'MESSAGE_TOO_LONG' },
    ]);
  });

  it('moves open -> in_progress -> closed only', () => {
    expect(supportTransition('open', 'in_progress')).toBe('in_progress');
    expect(supportTransition('in_progress', 'closed')).toBe('closed');
    for (const [from, to] of [['open', 'closed'], ['open', 'open'], ['in_progress', 'open'], ['in_progress', 'in_progress'], ['closed', 'open'], ['closed', 'in_progress'], ['closed', 'closed']] as const) {
      let error: unknown;
      try {
        supportTransition(from, to);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ code: 'conflict', reason: `CANNOT_MOVE_TO_${to.toUpperCase()}_IN_STATE_${from.toUpperCase()}` });
    }
  });

  it('references read SR-<year>-<six digits at least>', () => {
    expect(supportReference(new Date('2026-05-01T00:00:00Z'), 123)).toBe('SR-2026-000123');
    expect(supportReference(new Date('2027-01-01T00:00:00Z'), 1_234_567)).toBe('SR-2027-1234567');
  });
});
