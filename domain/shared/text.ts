// C0 and C1 controls, DEL, and the Unicode line and paragraph separators. Multi-line text also takes
// tab, line feed and carriage return.
const SINGLE_LINE_FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const MULTI_LINE_FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Whether text from outside holds what we never store or print: a lone UTF-16 surrogate (PostgreSQL's
 * text and jsonb refuse it) or a control character (NUL among them; line breaks only in multi-line text).
 */
export function hasForbiddenCharacters(value: string, multiline: boolean): boolean {
  return LONE_SURROGATE.test(value) || (multiline ? MULTI_LINE_FORBIDDEN : SINGLE_LINE_FORBIDDEN).test(value);
}
