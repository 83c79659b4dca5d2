// The safety net under Agenda (job `publication.sweep`, every few seconds): publications that
// are due but have no live job (a lost enqueue, a worker killed between locking the job and
// claiming the publication, downtime), publications whose lease ran out (a killed worker: they
// are reconciled, never blindly re-sent), and Zalo broadcasts waiting for their window.
import { sql } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import type { Logger } from '../logger.ts';
import { PUBLISHING_JOBS } from './publishing.jobs.ts';
import type { PublishingSettings } from './publishing.settings.ts';

const BATCH = 1000;

export function createSweeper(deps: { db: Database; queue: JobQueue; settings: PublishingSettings }) {
  const { db, settings } = deps;

  /**
   * Publications that have a job that will still run: not finished, and either unlocked or locked
   * by a live worker. Read once per sweep and anti-joined (hashed), not probed per publication.
   */
  const withLiveJob = (name: string, lockedMeansLive: boolean) => sql`
    SELECT j.data->>'publicationId' FROM agenda_jobs j
    WHERE j.name = ${name} AND j.next_run_at IS NOT NULL AND j.data ? 'publicationId'
      AND ${lockedMeansLive ? sql`(j.locked_at IS NULL OR j.locked_at > now() - ${settings.staleJobLockMs}::int * interval '1 millisecond')` : sql`j.locked_at IS NULL AND j.next_run_at <= now() + interval '10 seconds'`}`;

  async function ids(query: ReturnType<typeof sql>): Promise<string[]> {
    const result = await db.execute<{ id: string }>(query);
    return result.rows.map((r) => r.id);
  }

  return async function sweep(log: Logger): Promise<{ due: number; expired: number; broadcasts: number }> {
    const due = await ids(sql`
      SELECT p.id FROM publications p
      WHERE p.status = 'scheduled'
        AND greatest(p.scheduled_at, coalesce(p.next_attempt_at, p.scheduled_at)) <= now() - ${settings.sweepGraceMs}::int * interval '1 millisecond'
        AND p.id::text NOT IN (${withLiveJob(PUBLISHING_JOBS.publish, true)})
      ORDER BY p.scheduled_at LIMIT ${BATCH}`);
    // The lease is what guards a publication: once it ran out the owner is gone, whatever Agenda's lock says.
    const expired = await ids(sql`
      SELECT p.id FROM publications p
      WHERE p.status = 'publishing' AND p.lease_expires_at < now()
        AND p.id::text NOT IN (${withLiveJob(PUBLISHING_JOBS.publish, false)})
      ORDER BY p.lease_expires_at LIMIT ${BATCH}`);
    const broadcasts = await ids(sql`
      SELECT p.id FROM publications p
      WHERE p.status = 'published' AND p.broadcast->>'status' = 'waiting'
        AND (p.broadcast->>'retryAt')::timestamptz <= now() - ${settings.sweepGraceMs}::int * interval '1 millisecond'
        AND p.id::text NOT IN (${withLiveJob(PUBLISHING_JOBS.broadcast, true)})
      LIMIT ${BATCH}`);
    for (const id of [...due, ...expired])
      await deps.queue.enqueue(PUBLISHING_JOBS.publish, { publicationId: id });
    for (const id of broadcasts) await deps.queue.enqueue(PUBLISHING_JOBS.broadcast, { publicationId: id });
    // Finished one-off publish jobs are only history; Agenda keeps them, we do not need to.
    await db.execute(sql`
      DELETE FROM agenda_jobs WHERE id IN (
        SELECT id FROM agenda_jobs
        WHERE name IN (${PUBLISHING_JOBS.publish}, ${PUBLISHING_JOBS.broadcast}) AND next_run_at IS NULL
          AND locked_at IS NULL AND last_finished_at < now() - interval '1 hour'
        LIMIT ${BATCH})`);
    if (due.length + expired.length + broadcasts.length > 0) {
      log.info(
        { due: due.length, expired: expired.length, broadcasts: broadcasts.length },
        'sweeper re-enqueued publications',
      );
    }
    return { due: due.length, expired: expired.length, broadcasts: broadcasts.length };
  };
}
