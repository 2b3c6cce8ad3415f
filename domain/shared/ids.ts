import { randomBytes, randomFillSync } from 'node:crypto';
import { monotonicFactory } from 'ulid';

/**
 * Resource ids (policies, subscribers, declarations, products, clauses...) are UUIDs, as the public API
 * we replace documents them. New ones are UUIDv7 (RFC 9562 section 5.7): the first 48 bits are the Unix
 * time in milliseconds, so ids made close in time sit close together in every primary-key index, and
 * they sort by creation. Within one millisecond the 12 `rand_a` bits count up from a random start
 * (RFC 9562 section 6.2, method 1), so one process hands out increasing ids.
 *
 * A dozen lines over node:crypto rather than the `uuid` package: its current majors are ESM-only,
 * which our CommonJS build and Jest cannot load as they are, and v7 needs nothing else.
 */
let lastMs = -1;
let counter = 0;

// Random bytes drawn 4 KiB at a time, as node:crypto's randomUUID does: one draw per id cost a write
// about 1% of its time. Each byte is handed out once, then overwritten by the next draw.
const pool = Buffer.alloc(4096);
let used = pool.length;

/** Where the next `count` unused random bytes start in the pool. */
function reserve(count: number): number {
  if (used + count > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  used += count;
  return used - count;
}

function pooledRandomBytes(count: number): Buffer {
  const at = reserve(count);
  return pool.subarray(at, at + count);
}

/** A new resource id: a lowercase UUIDv7 such as `01937a4e-5f3c-7a21-9b0e-3c4d5e6f7a8b`. */
export function newUuid(): string {
  const bytes = pooledRandomBytes(16);
  let ms = Date.now();
  if (ms > lastMs) {
    lastMs = ms;
    counter = bytes.readUInt16BE(6) & 0x7ff; // leave room to count up within the millisecond
  } else {
    // Same millisecond (or the clock stepped back): keep the last time and count; on overflow borrow the next millisecond.
    counter += 1;
    if (counter > 0xfff) {
      lastMs += 1;
      counter = 0;
    }
    ms = lastMs;
  }
  bytes.writeUIntBE(ms, 0, 6);
  bytes[6] = 0x70 | (counter >> 8); // version 7
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | (bytes[8] & 0x3f); // variant 10
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// Any version (clients and older data may hold v4 ids), in the canonical form we hand out: 36
// characters, lowercase hex, hyphens at 8-4-4-4-12. Uppercase is refused rather than folded: ids
// are compared as text in the database, and we only ever hand out lowercase (docs/DOMAIN.md).
const UUID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Whether a client-sent id is a UUID in canonical lowercase form (checked before it reaches SQL). */
export function isUuid(value: string): boolean {
  return UUID_SHAPE.test(value);
}

/**
 * Ids that are not resources' (sessions, signing keys, token ids): a type prefix (`ses_`, `key_`...)
 * and 128 random bits, URL-safe. Clients never send these as resource ids.
 */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(16).toString('base64url')}`;
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

// The ulid package's own source of randomness asks webcrypto for one byte per character, sixteen draws
// an id; this one takes them from the pool. A byte over 256 picks each of the 32 symbols with the same
// chance (256 is a multiple of 32), as the package's does.
function randomFraction(): number {
  return pool[reserve(1)] / 256;
}

// ULIDs (ulid/spec) for event ids, as the webhook envelope we are compatible with shows them
// (`evt_01J3K9Z2XQ4R8T5V6W7Y0A1B2C`): they sort by time, and within one millisecond the monotonic
// factory counts up, so one process hands out increasing ids.
const nextUlid = monotonicFactory(randomFraction);

/** An event id, `evt_` and a ULID whose time part is `at`. */
export function newEventId(at: Date): string {
  return `evt_${nextUlid(at.getTime())}`;
}
