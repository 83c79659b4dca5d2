// Agenda's table seen from /metrics (the only place outside the queue that reads it, and under
// server/jobs/ like every query on it): jobs due but not picked up, and failures by job.
import { sql } from 'drizzle-orm';
import type { Executor } from '../db/database.ts';

export function createJobMetrics(db: Executor) {
  return {
    /** One-off and recurring jobs whose run time passed more than `graceSeconds` ago, unlocked. */
    async dueUnclaimed(graceSeconds: number): Promise<number> {
      const result = await db.execute<{ n: number }>(sql`
        SELECT count(*)::int AS n FROM agenda_jobs
         WHERE NOT disabled AND locked_at IS NULL
           AND next_run_at < now() - make_interval(secs => ${graceSeconds})`);
      return result.rows[0]?.n ?? 0;
    },
    async failuresByJob(): Promise<Array<{ name: string; n: number }>> {
      const result = await db.execute<{ name: string; n: number }>(sql`
        SELECT name, coalesce(sum(fail_count), 0)::int AS n FROM agenda_jobs
         WHERE fail_count IS NOT NULL GROUP BY name`);
      return result.rows;
    },
  };
}

export type JobMetrics = ReturnType<typeof createJobMetrics>;
