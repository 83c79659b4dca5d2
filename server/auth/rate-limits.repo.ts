// SQL on rate_limits: fixed-window counters in PostgreSQL, so the limits hold across every web process.
import { sql } from 'drizzle-orm';
import type { Database } from '../db/database.ts';

export interface RateLimitResult {
  allowed: boolean;
  count: number;
  retryAfterSeconds: number;
}

export function createRateLimiter(db: Database) {
  return {
    /** Counts one hit on `key`; allowed while the window holds at most `max` hits. */
    async hit(key: string, max: number, windowSeconds: number): Promise<RateLimitResult> {
      const result = await db.execute<{ count: number; retry_after: number }>(sql`
        INSERT INTO rate_limits (key, window_start, count) VALUES (${key}, now(), 1)
        ON CONFLICT (key) DO UPDATE SET
          count = CASE WHEN rate_limits.window_start <= now() - make_interval(secs => ${windowSeconds})
                       THEN 1 ELSE rate_limits.count + 1 END,
          window_start = CASE WHEN rate_limits.window_start <= now() - make_interval(secs => ${windowSeconds})
                       THEN now() ELSE rate_limits.window_start END
        RETURNING count,
          GREATEST(1, CEIL(EXTRACT(EPOCH FROM (window_start + make_interval(secs => ${windowSeconds}) - now()))))::int AS retry_after`);
      const row = result.rows[0];
      const count = Number(row?.count ?? 1);
      return { allowed: count <= max, count, retryAfterSeconds: Number(row?.retry_after ?? windowSeconds) };
    },
    async reset(key: string): Promise<void> {
      await db.execute(sql`DELETE FROM rate_limits WHERE key = ${key}`);
    },
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;
