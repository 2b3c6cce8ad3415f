import { createHash, randomInt, timingSafeEqual } from 'node:crypto';

// Bound to what it confirms (a signature, an IBAN), so a code or its hash is worth nothing elsewhere.
const hash = (boundTo: string, code: string) => createHash('sha256').update(`${boundTo}:${code}`).digest();

/** A fresh six-digit code for an SMS, and the hash stored in its place. */
export function newOneTimeCode(boundTo: string): { code: string; hash: string } {
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  return { code, hash: hash(boundTo, code).toString('hex') };
}

/** Constant-time comparison of a given code with the stored hash. */
export function oneTimeCodeMatches(boundTo: string, code: string, storedHash: string): boolean {
  return timingSafeEqual(hash(boundTo, code), Buffer.from(storedHash, 'hex'));
}
