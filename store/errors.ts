import { AppError, type AppErrorExtra } from '../errors/app-error';

// PostgreSQL error codes (SQLSTATE), as both pg and PGlite report them. They stay in the store: the
// domain sees the conflicts they mean, never the codes.
const UNIQUE_VIOLATION = '23505';
const SERIALIZATION_FAILURE = '40001';
const DEADLOCK_DETECTED = '40P01';

function sqlState(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
}

export function isUniqueViolation(error: unknown): boolean {
  return sqlState(error) === UNIQUE_VIOLATION;
}

/** Two transactions that could not both go through: PostgreSQL gave up on this one. */
export function isSerializationFailure(error: unknown): boolean {
  const code = sqlState(error);
  return code === SERIALIZATION_FAILURE || code === DEADLOCK_DETECTED;
}

/**
 * Runs a write whose unique index is a business rule (one profile per login, one open total surrender):
 * a violation becomes the domain conflict `reason` (409), anything else is rethrown as it is.
 */
export async function conflictOnUnique<T>(write: Promise<T>, reason: string, extra?: AppErrorExtra): Promise<T> {
  try {
    return await write;
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('conflict', reason, extra);
    throw error;
  }
}

/** A transaction that lost to a concurrent one is a conflict the client may retry, not a server fault. */
export function concurrencyConflict(error: unknown): unknown {
  return isSerializationFailure(error) ? new AppError('conflict', 'CHANGED_CONCURRENTLY') : error;
}
