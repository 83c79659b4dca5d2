// The engagement collector's lag for /metrics: how far behind its oldest due snapshot is.
import { sql } from 'drizzle-orm';
import type { Executor } from '../db/database.ts';

export function createCollectorMetricsRepo(db: Executor) {
  return {
    /** Seconds since the oldest snapshot fell due (0 when nothing is waiting). */
    async lagSeconds(): Promise<number> {
      const result = await db.execute<{ lag: number }>(sql`
        SELECT coalesce(extract(epoch FROM now() - min(next_due_at)), 0)::float8 AS lag
          FROM engagement_tracking WHERE next_due_at < now()`);
      return Math.max(0, Number(result.rows[0]?.lag ?? 0));
    },
  };
}
