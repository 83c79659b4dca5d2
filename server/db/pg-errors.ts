// The one place PostgreSQL error codes become domain errors.
import { ConflictError } from '../errors.ts';

interface PgErrorLike {
  code?: string;
  constraint?: string;
}

function pgError(error: unknown): PgErrorLike | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const cause = (error as { cause?: unknown }).cause;
  const candidate = (typeof cause === 'object' && cause !== null ? cause : error) as PgErrorLike;
  return typeof candidate.code === 'string' ? candidate : undefined;
}

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = pgError(error);
  return e?.code === '23505' && (constraint === undefined || e.constraint === constraint);
}

export function isForeignKeyViolation(error: unknown): boolean {
  return pgError(error)?.code === '23503';
}

/** Runs a write; a unique violation on `constraint` becomes a 409 with the given message. */
export async function uniqueOrConflict<T>(
  write: () => Promise<T>,
  constraint: string,
  message: string,
  code = 'duplicate',
): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error, constraint)) throw new ConflictError(message, code);
    throw error;
  }
}
