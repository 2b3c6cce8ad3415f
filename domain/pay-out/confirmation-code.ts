/** A code is valid ten minutes, like the signing code (domain/subscription/signing-service.ts). */
export const CONFIRMATION_CODE_TTL_SECONDS = 600;
/** Wrong codes allowed per code; the next wrong one ends the code. */
export const CONFIRMATION_CODE_MAX_ATTEMPTS = 5;
/** Codes sent per IBAN: with the attempts cap, at most 25 guesses of a million, each send an SMS to the subscriber. */
export const CONFIRMATION_CODE_MAX_SENDS = 5;
