/**
 * Where an error carries its stable machine reason. A 401's `message` is its reason (NO_SESSION...), as
 * is a 403's INSUFFICIENT_ROLES, exactly as the public docs show them; every other error has a sentence
 * for people in `message` and the reason beside it (`reason` in REST, `extensions.reason` in GraphQL).
 */
export const messageIsReason = (code: string, reason: string): boolean => code === 'unauthorized' || reason === 'INSUFFICIENT_ROLES';

/** The REST envelope entry's message and reason for this code and reason, to spread into a matcher. */
export function restReason(code: string, reason: string): Record<string, unknown> {
  return messageIsReason(code, reason) ? { message: reason } : { message: expect.any(String), reason };
}

/** The machine reason of a REST envelope entry or a GraphQL error, wherever the shape puts it. */
export function reasonOf(error: { message?: string; reason?: string; extensions?: { reason?: string } } | undefined): string | undefined {
  return error?.reason ?? error?.extensions?.reason ?? error?.message;
}

/** A GraphQL error's message for this code and reason, to use in a matcher. */
export function graphqlMessage(code: string, reason: string): unknown {
  return messageIsReason(code, reason) ? reason : expect.any(String);
}

/** A GraphQL error's reason in `extensions`, to spread into a matcher (none where the message is the reason). */
export function graphqlReason(code: string, reason: string): Record<string, string> {
  return messageIsReason(code, reason) ? {} : { reason };
}
