import { AppError } from '../../../errors/app-error';
import { completeRequest, requestProblems, subjectOf, supportReference, supportTransition } from '../../../domain/support/support-rules';

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

  it('derives a missing subject from the message: first line, trimmed, cut on a word boundary with an ellipsis', () => {
    expect(subjectOf('  Bonjour  \r\nsuite')).toBe('Bonjour');
    expect(subjectOf('a\tb')).toBe('a b');
    expect(subjectOf('é'.repeat(200))).toBe('é'.repeat(200));
    // 195 characters, a space, then a long word: cut before the word.
    expect(subjectOf(`${'a'.repeat(195)} ${'b'.repeat(20)}`)).toBe(`${'a'.repeat(195)}…`);
    // A space right where the cut falls: the whole first 199 characters are a word boundary.
    expect(subjectOf(`${'a'.repeat(199)} bbb`)).toBe(`${'a'.repeat(199)}…`);
    // No space late enough: cut mid-word rather than keep a stub.
    expect(subjectOf(`ab ${'c'.repeat(300)}`)).toBe(`ab ${'c'.repeat(196)}…`);
    expect([...subjectOf('😀'.repeat(300))]).toHaveLength(200);
    expect(completeRequest({ message: ' Hello\nworld ' })).toEqual({ category: 'other', subject: 'Hello', message: 'Hello\nworld', subjectDerived: true });
    expect(requestProblems(completeRequest({ message: '  ' }))).toEqual([{ field: 'message', reason: 'MESSAGE_REQUIRED' }]);
    expect(completeRequest({ category: null, subject: ' ', message: 'Hello' })).toEqual({ category: 'other', subject: '', message: 'Hello' });
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
