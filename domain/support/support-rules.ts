import { AppError } from '../../errors/app-error';

/** The fixed list of request categories (a client picks one; back-office routes on it). */
export const SUPPORT_CATEGORIES = ['contract', 'payment', 'surrender', 'beneficiary', 'technical', 'other'] as const;
export type SupportCategory = (typeof SUPPORT_CATEGORIES)[number];

export type SupportStatus = 'open' | 'in_progress' | 'closed';

export const SUBJECT_MAX_LENGTH = 200;
export const MESSAGE_MAX_LENGTH = 5000;

/**
 * A new request as a client sends it. Only the message is required (the public docs' contract): a
 * missing category is `other`, a missing subject is derived from the message (`subjectOf`).
 */
export interface SupportRequestInput {
  category?: string | null;
  subject?: string | null;
  message: string;
}

/** A new request with its defaults applied, trimmed, ready to store once `requestProblems` is empty. */
export interface CompleteSupportRequest {
  category: string;
  subject: string;
  message: string;
  /** The subject came from the message: its problems are the message's, reported once, on `message`. */
  subjectDerived?: boolean;
}

type Problem = { field: string; reason: string };

/** The input with a missing category and subject filled in, and every text trimmed. */
export function completeRequest(input: SupportRequestInput): CompleteSupportRequest {
  const message = input.message.trim();
  // A subject sent blank stays blank (and is refused): only an absent one is derived.
  if (input.subject == null) return { category: input.category ?? 'other', subject: subjectOf(message), message, subjectDerived: true };
  return { category: input.category ?? 'other', subject: input.subject.trim(), message };
}

/**
 * A subject from a message: its first line, tabs as spaces, trimmed; if longer than 200 characters,
 * cut at the last space that leaves room for an ellipsis, or mid-word when the line has none early
 * enough, then the ellipsis ('…', one character), so the subject is at most 200 characters.
 */
export function subjectOf(message: string): string {
  const line = message.trim().split(/\r\n|\r|\n/)[0].replace(/\t/g, ' ').trim();
  const chars = [...line];
  if (chars.length <= SUBJECT_MAX_LENGTH) return line;
  const head = chars.slice(0, SUBJECT_MAX_LENGTH - 1).join('');
  // The word boundary: a space right after the kept part counts too (the word ends exactly there).
  const space = chars[SUBJECT_MAX_LENGTH - 1] === ' ' ? head.length : head.lastIndexOf(' ');
  // No space in the second half of the line: a cut mid-word keeps more of it than a short stub would.
  const cut = space >= head.length / 2 ? head.slice(0, space) : head;
  return `${cut.trimEnd()}…`;
}

/** Every problem of a new request (defaults applied) at once. Lengths count characters (code points), not bytes. */
export function requestProblems(input: CompleteSupportRequest): Problem[] {
  const problems: Problem[] = [];
  if (!(SUPPORT_CATEGORIES as readonly string[]).includes(input.category)) problems.push({ field: 'category', reason: 'UNKNOWN_CATEGORY' });
  // A derived subject is one line and short by construction, and blank only when the message is (reported there).
  const subjectProblem = input.subjectDerived ? undefined : subjectProblemOf(input.subject.trim());
  if (subjectProblem) problems.push({ field: 'subject', reason: subjectProblem });
  const message = input.message.trim();
  if (message === '') problems.push({ field: 'message', reason: 'MESSAGE_REQUIRED' });
  else if ([...message].length > MESSAGE_MAX_LENGTH) problems.push({ field: 'message', reason: 'MESSAGE_TOO_LONG' });
  else if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(message)) problems.push({ field: 'message', reason: 'MESSAGE_INVALID_CHARACTERS' });
  return problems;
}

function subjectProblemOf(subject: string): string | undefined {
  if (subject === '') return 'SUBJECT_REQUIRED';
  if ([...subject].length > SUBJECT_MAX_LENGTH) return 'SUBJECT_TOO_LONG';
  // A subject is one line (it becomes an e-mail subject): no line breaks or other control characters.
  if (/[\u0000-\u001f\u007f]/.test(subject)) return 'SUBJECT_NOT_ONE_LINE';
  return undefined;
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
