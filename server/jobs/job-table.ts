// The only SQL on Agenda's own table (agenda_jobs) outside Agenda: the sweepers ask which
// publications still have a job that will run, and drop finished one-off jobs. Repositories
// splice these fragments into their own statements, so each sweep stays one query.
import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/database.ts';

/** How a job counts as alive: any lock younger than `staleLockMs`, or unlocked and due within 10 s. */
export type LiveJobRule = { lockedMeansLive: true; staleLockMs: number } | { lockedMeansLive: false };

/**
 * `SELECT data->>'publicationId'` of the jobs named `name` that will still run. Read once per
 * sweep and anti-joined (hashed), not probed per publication.
 */
export function liveJobPublicationIds(name: string, rule: LiveJobRule): SQL {
  return sql`
    SELECT j.data->>'publicationId' FROM agenda_jobs j
    WHERE j.name = ${name} AND j.next_run_at IS NOT NULL AND j.data ? 'publicationId'
      AND ${rule.lockedMeansLive ? sql`(j.locked_at IS NULL OR j.locked_at > now() - ${rule.staleLockMs}::int * interval '1 millisecond')` : sql`j.locked_at IS NULL AND j.next_run_at <= now() + interval '10 seconds'`}`;
}

/**
 * `EXISTS` a job named `name` for the publication `publicationId` (a correlated expression of the
 * outer query) that will still run: unlocked or freshly locked, and `alsoWhen` holding.
 */
export function liveJobExists(input: {
  name: string;
  publicationId: SQL;
  staleLockMs: number;
  alsoWhen: SQL;
}): SQL {
  return sql`EXISTS (SELECT 1 FROM agenda_jobs j
            WHERE j.name = ${input.name} AND j.next_run_at IS NOT NULL AND j.data->>'publicationId' = ${input.publicationId}
              AND (j.locked_at IS NULL OR j.locked_at > now() - ${input.staleLockMs}::int * interval '1 millisecond')
              AND ${input.alsoWhen})`;
}

/** Finished one-off jobs of these names are only history; Agenda keeps them, Loa does not need to. */
export async function deleteFinishedJobs(
  db: Executor,
  names: readonly string[],
  limit: number,
): Promise<void> {
  await db.execute(sql`
      DELETE FROM agenda_jobs WHERE id IN (
        SELECT id FROM agenda_jobs
        WHERE name IN (${sql.join(
          names.map((name) => sql`${name}`),
          sql`, `,
        )}) AND next_run_at IS NULL
          AND locked_at IS NULL AND last_finished_at < now() - interval '1 hour'
        LIMIT ${limit})`);
}
