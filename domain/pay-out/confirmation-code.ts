import { createHash, randomInt, timingSafeEqual } from 'node:crypto';

/** A code is valid ten minutes, like the signing code (domain/subscription/signing-service.ts). */
export const CONFIRMATION_CODE_TTL_SECONDS = 600;
/** Wrong codes allowed per code; the next wrong one ends the code. */
export const CONFIRMATION_CODE_MAX_ATTEMPTS = 5;
/** Codes sent per IBAN: with the attempts cap, at most 25 guesses of a million, each send an SMS to the subscriber. */
export const CONFIRMATION_CODE_MAX_SENDS = 5;

// Bound to the IBAN's id, so a code (or its hash) is worth nothing for another IBAN.
const hash = (payoutIbanId: string, code: string) => createHash('sha256').update(`${payoutIbanId}:${code}`).digest();

/** A fresh six-digit code and the hash that is stored in its place. */
export function newConfirmationCode(payoutIbanId: string): { code: string; hash: string } {
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  return { code, hash: hash(payoutIbanId, code).toString('hex') };
}

/** Constant-time comparison of a given code with the stored hash. */
export function codeMatches(payoutIbanId: string, code: string, storedHash: string): boolean {
  return timingSafeEqual(hash(payoutIbanId, code), Buffer.from(storedHash, 'hex'));
}
