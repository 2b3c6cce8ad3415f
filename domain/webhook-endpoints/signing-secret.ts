import { randomBytes } from 'node:crypto';

/**
 * A signing secret in the Standard Webhooks form: `whsec_` and the base64 of 32 random bytes (the key
 * of the HMAC-SHA256), so any Standard Webhooks library takes it as it is.
 */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** How long the previous secret keeps signing beside the new one after a rotation. */
export const PREVIOUS_SECRET_OVERLAP_MS = 24 * 60 * 60 * 1000;
