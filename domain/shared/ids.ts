import { randomBytes } from 'node:crypto';

/** Opaque identifiers: a type prefix (`usr_`, `ses_`...) and 128 random bits, URL-safe. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(16).toString('base64url')}`;
}

/** A secret for a cookie or a client: 256 random bits. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}
