import { createHmac, timingSafeEqual } from 'node:crypto';

/** Outcome of checking one delivery; on success it carries the id and timestamp the signature covers. */
export type WebhookVerification =
  | { ok: true; id: string; timestamp: number }
  | { ok: false; reason: 'MISSING_HEADERS' | 'TIMESTAMP_OUT_OF_TOLERANCE' | 'NO_MATCHING_SIGNATURE' | 'MALFORMED_HEADERS' };

/** Replay window the spec recommends: five minutes either side of our clock. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

const SECRET_PREFIX = 'whsec_';
const SIGNATURE_VERSION = 'v1';

// Bounds far above anything a real sender emits, so a hostile request cannot make us split or hash megabytes of header.
const MAX_ID_LENGTH = 256;
const MAX_SIGNATURE_HEADER_LENGTH = 8192;
// Fifteen digits stay below Number.MAX_SAFE_INTEGER, so the parsed value is exact.
const TIMESTAMP_PATTERN = /^[0-9]{1,15}$/;
// Node's base64 decoder silently skips invalid characters; checking first keeps a typo in a secret from becoming a different key.
const BASE64_PATTERN = /^[A-Za-z0-9+/]+={0,2}$/;

/** Checks the `webhook-id`, `webhook-timestamp` and `webhook-signature` headers of a delivery against its raw body. Never throws. */
export function verifyStandardWebhook(input: {
  headers: { id?: string; timestamp?: string; signature?: string };
  rawBody: Buffer;
  secrets: string[];
  now: Date;
  toleranceSeconds?: number;
}): WebhookVerification {
  const { id, timestamp, signature } = input.headers;
  if (isAbsent(id) || isAbsent(timestamp) || isAbsent(signature)) return { ok: false, reason: 'MISSING_HEADERS' };
  // Callers hand us framework header values; an array (repeated header) or other non-string must not reach string methods.
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signature !== 'string') return { ok: false, reason: 'MALFORMED_HEADERS' };
  if (id.length > MAX_ID_LENGTH || signature.length > MAX_SIGNATURE_HEADER_LENGTH) return { ok: false, reason: 'MALFORMED_HEADERS' };
  if (!TIMESTAMP_PATTERN.test(timestamp)) return { ok: false, reason: 'MALFORMED_HEADERS' };

  const candidates = parseSignatureHeader(signature);
  if (candidates === undefined) return { ok: false, reason: 'MALFORMED_HEADERS' };

  const seconds = Number(timestamp);
  const tolerance = input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const driftMs = Math.abs(input.now.getTime() - seconds * 1000);
  // Written as "not within" so an invalid Date or a NaN tolerance rejects instead of slipping through a false comparison.
  if (!(driftMs <= tolerance * 1000)) return { ok: false, reason: 'TIMESTAMP_OUT_OF_TOLERANCE' };

  const provided = candidates.filter((c) => c.version === SIGNATURE_VERSION).map((c) => Buffer.from(c.value, 'utf8'));
  let matched = false;
  for (const secret of input.secrets) {
    const key = decodeSecret(secret);
    if (key === undefined) continue;
    // Hash the header's timestamp text, not a re-formatted number: that text is exactly what the sender signed.
    const expected = Buffer.from(computeSignature(key, id, timestamp, input.rawBody), 'utf8');
    for (const candidate of provided) {
      // timingSafeEqual throws on unequal lengths; the expected length is public (44 chars), so skipping leaks nothing.
      if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) matched = true;
    }
  }
  return matched ? { ok: true, id, timestamp: seconds } : { ok: false, reason: 'NO_MATCHING_SIGNATURE' };
}

/** Produces the `webhook-signature` entry (`v1,<base64>`) for a delivery; throws on an unusable secret or timestamp. */
export function signStandardWebhook(input: { id: string; timestamp: number; rawBody: Buffer | string; secret: string }): string {
  const key = decodeSecret(input.secret);
  if (key === undefined) throw new Error('Webhook secret must be base64, optionally prefixed with "whsec_"');
  if (!Number.isSafeInteger(input.timestamp) || input.timestamp < 0) throw new Error('Webhook timestamp must be a non-negative integer of seconds');
  const body = typeof input.rawBody === 'string' ? Buffer.from(input.rawBody, 'utf8') : input.rawBody;
  return `${SIGNATURE_VERSION},${computeSignature(key, input.id, String(input.timestamp), body)}`;
}

function computeSignature(key: Buffer, id: string, timestamp: string, rawBody: Buffer): string {
  // Hash the body bytes as received: re-serialising JSON would change whitespace or key order and break the signature.
  return createHmac('sha256', key).update(`${id}.${timestamp}.`, 'utf8').update(rawBody).digest('base64');
}

function decodeSecret(secret: string): Buffer | undefined {
  if (typeof secret !== 'string') return undefined;
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  // A length of 4n+1 cannot be base64 at all, padded or not.
  if (!BASE64_PATTERN.test(encoded) || encoded.length % 4 === 1) return undefined;
  const key = Buffer.from(encoded, 'base64');
  return key.length > 0 ? key : undefined;
}

/** Splits `v1,abc v1a,def` into entries; undefined when nothing in the header has the `<version>,<value>` shape. */
function parseSignatureHeader(header: string): { version: string; value: string }[] | undefined {
  const entries: { version: string; value: string }[] = [];
  for (const part of header.split(' ')) {
    const comma = part.indexOf(',');
    if (comma <= 0 || comma === part.length - 1) continue;
    entries.push({ version: part.slice(0, comma), value: part.slice(comma + 1) });
  }
  return entries.length > 0 ? entries : undefined;
}

function isAbsent(value: string | undefined): boolean {
  return value === undefined || value === '';
}
