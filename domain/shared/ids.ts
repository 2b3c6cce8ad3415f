import { randomBytes } from 'node:crypto';

/** Opaque identifiers: a type prefix (`usr_`, `ses_`...) and 128 random bits, URL-safe. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(16).toString('base64url')}`;
}

// Every id we hand out: a lower-case type prefix, `_`, then base64url (`sbr_Xy3k...`, or a readable demo
// or reference-data id such as `pol_alice_av` or `clause_children`). Anything else names nothing of ours.
const ID_SHAPE = /^[a-z]{2,12}_[A-Za-z0-9_-]{1,100}$/;

/** Whether a client-sent id has the shape of one of ours (checked before it reaches SQL). */
export function isIdShaped(value: string): boolean {
  return ID_SHAPE.test(value);
}

/** A secret for a cookie or a client: 256 random bits. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

// Request ids only need to be unique, not secret: a random per-process prefix and a counter are
// unique across replicas and far cheaper than random bytes on every request.
const processPrefix = randomBytes(6).toString('base64url');
let requestCounter = 0;

/** A request id such as `req_Xy3kQ9aB-1a2b`. */
export function newRequestId(): string {
  requestCounter = (requestCounter + 1) % Number.MAX_SAFE_INTEGER;
  return `req_${processPrefix}-${requestCounter.toString(36)}`;
}
