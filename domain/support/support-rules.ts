import { AppError } from '../../errors/app-error';

/** The fixed list of request categories (a client picks one; back-office routes on it). */
export const SUPPORT_CATEGORIES = ['contract', 'payment', 'surrender', 'beneficiary', 'technical', 'other'] as const;
export type SupportCategory = (typeof SUPPORT_CATEGORIES)[number];

export type SupportStatus = 'open' | 'in_progress' | 'closed';

export const SUBJECT_MAX_LENGTH = 200;
export const MESSAGE_MAX_LENGTH = 5000;

export interface SupportRequestInput {
  category: string;
  subject: string;
  message: string;
}

type Problem = { field: string; reason: string };

/** Every problem of a new request at once. Lengths count characters (code points), not bytes. */
export function requestProblems(input: SupportRequestInput): Problem[] {
  const problems: Problem[] = [];
  if (!(SUPPORT_CATEGORIES as readonly string[]).includes(input.category)) problems.push({ field: 'category', reason: 'UNKNOWN_CATEGORY' });
  const subject = input.subject.trim();
  if (subject === '') problems.push({ field: 'subject', reason: 'SUBJECT_REQUIRED' });
  else if ([...subject].length > SUBJECT_MAX_LENGTH) problems.push({ field: 'subject', reason: 'SUBJECT_TOO_LONG' });
  // A subject is one line (it becomes an e-mail subject): no line breaks or other control characters.
  else if (/[\u0000-\u001f\u007f]/.test(subject)) problems.push({ field: 'subject', reason: 'SUBJECT_NOT_ONE_LINE' });
  const message = input.message.trim();
  if (message === '') problems.push({ field: 'message', reason: 'MESSAGE_REQUIRED' });
  else if ([...message].length > MESSAGE_MAX_LENGTH) problems.push({ field: 'message', reason: 'MESSAGE_TOO_LONG' });
  else if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(message)) problems.push({ field: 'message', reason: 'MESSAGE_INVALID_CHARACTERS' });
  return problems;
}

const NEXT: Readonly<Record<SupportStatus, readonly SupportStatus[]>> = { open: ['in_progress'], in_progress: ['closed'], closed: [] };

/** open -> in_progress -> closed, one step at a time; anything else is 409 naming both states. */
export function supportTransition(from: SupportStatus, to: SupportStatus): SupportStatus {
  if (!NEXT[from].includes(to)) throw new AppError('conflict', `CANNOT_MOVE_TO_${to.toUpperCase()}_IN_STATE_${from.toUpperCase()}`);
  return to;
}

/** SR-<year>-<number, six digits at least>: short enough to read over the phone, unique by its number. */
export function supportReference(at: Date, number: number): string {
  return `SR-${at.getUTCFullYear()}-${String(number).padStart(6, '0')}`;
}
