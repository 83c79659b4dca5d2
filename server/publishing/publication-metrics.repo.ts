// The publications' figures for /metrics, read from the database at scrape time: the worker may
// run in another process than the web server that answers the scrape, and the table is the
// truth both share.
import { sql } from 'drizzle-orm';
import type { Executor } from '../db/database.ts';

/** Upper bounds (seconds) of the publish-lateness histogram's buckets. */
export const LATENESS_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 900, 3600] as const;

export function createPublicationMetricsRepo(db: Executor) {
  return {
    async byStatus(): Promise<Array<{ status: string; n: number }>> {
      const result = await db.execute<{ status: string; n: number }>(
        sql`SELECT status, count(*)::int AS n FROM publications GROUP BY status`,
      );
      return result.rows;
    },
    /** Cumulative counts of published publications by lateness (published − scheduled), plus sum and count. */
    async lateness(): Promise<{ buckets: number[]; sum: number; count: number }> {
      const filters = LATENESS_BUCKETS.map(
        (le) => sql`count(*) FILTER (WHERE lateness <= ${le})::int AS ${sql.identifier(`le_${le}`)}`,
      );
      const result = await db.execute<Record<string, number>>(sql`
        SELECT ${sql.join(filters, sql`, `)},
               coalesce(sum(lateness), 0)::float8 AS sum, count(*)::int AS count
          FROM (SELECT greatest(0, extract(epoch FROM published_at - scheduled_at)) AS lateness
                  FROM publications WHERE status = 'published' AND published_at IS NOT NULL) p`);
      const row = result.rows[0] ?? {};
      return {
        buckets: LATENESS_BUCKETS.map((le) => Number(row[`le_${le}`] ?? 0)),
        sum: Number(row.sum ?? 0),
        count: Number(row.count ?? 0),
      };
    },
    /** Scheduled publications whose time has passed by more than `graceSeconds` and that nobody is publishing. */
    async overdue(graceSeconds: number): Promise<number> {
      const result = await db.execute<{ n: number }>(sql`
        SELECT count(*)::int AS n FROM publications
         WHERE status = 'scheduled' AND scheduled_at < now() - make_interval(secs => ${graceSeconds})
           AND (next_attempt_at IS NULL OR next_attempt_at < now() - make_interval(secs => ${graceSeconds}))`);
      return result.rows[0]?.n ?? 0;
    },
    /** Attempts beyond the first, over every publication: how often publishing had to retry. */
    async retries(): Promise<number> {
      const result = await db.execute<{ n: number }>(
        sql`SELECT coalesce(sum(greatest(attempts - 1, 0)), 0)::int AS n FROM publications`,
      );
      return result.rows[0]?.n ?? 0;
    },
  };
}

export type PublicationMetricsRepo = ReturnType<typeof createPublicationMetricsRepo>;
