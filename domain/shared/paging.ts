import { AppError } from '../../errors/app-error';

/** Largest page a client may ask for (docs/SECURITY.md 15), for every list. */
export const MAX_PAGE_SIZE = 100;

/** 400 PAGE_SIZE_OUT_OF_RANGE unless 1 <= first <= MAX_PAGE_SIZE. */
export function checkPageSize(first: number): void {
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) throw new AppError('parameter_invalid', 'PAGE_SIZE_OUT_OF_RANGE', { field: 'first' });
}

// Cursors are opaque to clients (base64url of the sort key), so the sort key can change without
// breaking a contract; clients only ever pass back what `endCursor` gave them.
const SEPARATOR = '\u001f';

/** An opaque cursor for a position in a sort order made of these key parts. */
export function encodeCursor(parts: readonly string[]): string {
  return Buffer.from(parts.join(SEPARATOR), 'utf8').toString('base64url');
}

// Key parts are printable text: a control character (NUL included) or a replacement character (bytes
// that were not UTF-8) means the cursor was not ours, and NUL would even fail in SQL.
const NOT_KEY_TEXT = /[\u0000-\u001f\u007f-\u009f\ufffd]/;

/** The key parts of a cursor that `encodeCursor` could have made, or undefined. */
function cursorParts(cursor: string): string[] | undefined {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(cursor)) return undefined;
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split(SEPARATOR);
  if (parts.some((p) => p === '' || NOT_KEY_TEXT.test(p)) || encodeCursor(parts) !== cursor) return undefined;
  return parts;
}

/** Whether a client-sent cursor decodes as one of ours (any list): checked before it reaches a resolver. */
export function isCursorShaped(cursor: string): boolean {
  return cursorParts(cursor) !== undefined;
}

/** The key parts of a cursor made by `encodeCursor`; 400 INVALID_CURSOR (field `after`) for anything else. */
export function decodeCursor(cursor: string, arity: number): string[] {
  const parts = cursorParts(cursor);
  if (parts === undefined || parts.length !== arity) throw new AppError('parameter_invalid', 'INVALID_CURSOR', { field: 'after' });
  return parts;
}
