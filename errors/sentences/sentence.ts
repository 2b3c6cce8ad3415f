/**
 * A sentence is text, or a function of the parameter at fault (already quoted, e.g. "`requestedAt`")
 * and, for a value of the wrong form, of the type it should have had.
 */
export type Sentence = string | ((field: string, expected?: string) => string);
