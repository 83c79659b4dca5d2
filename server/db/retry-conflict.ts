// A transaction PostgreSQL aborted because it collided with another (a deadlock it broke, or a
// serialization failure) did nothing and may simply run again; any other error is passed on.

const CONFLICT_CODES = new Set(['40P01', '40001']);

/** The SQLSTATE of an error from pg, also when a wrapper keeps it as `cause`. */
function sqlState(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export function isConflict(error: unknown): boolean {
  const code = sqlState(error);
  return code !== undefined && CONFLICT_CODES.has(code);
}

/** Runs `work` (a whole transaction) again when PostgreSQL aborted it for a conflict, up to `attempts` times in all. */
export async function retryOnConflict<T>(work: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts || !isConflict(error)) throw error;
    }
  }
}
