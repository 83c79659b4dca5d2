// The safety net under Agenda (job `publication.sweep`, every few seconds): publications that
// are due but have no live job (a lost enqueue, a worker killed between locking the job and
// claiming the publication, downtime), publications whose lease ran out (a killed worker: they
// are reconciled, never blindly re-sent), and Zalo broadcasts waiting for their window.
import type { Database } from '../db/database.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { deleteFinishedJobs } from '../jobs/job-table.ts';
import type { Logger } from '../logger.ts';
import { createPublicationRepo } from './publication.repo.ts';
import { PUBLISHING_JOBS } from './publishing.jobs.ts';
import type { PublishingSettings } from './publishing.settings.ts';

const BATCH = 1000;

export function createSweeper(deps: { db: Database; queue: JobQueue; settings: PublishingSettings }) {
  const { db, settings } = deps;
  const repo = createPublicationRepo(db);

  return async function sweep(log: Logger): Promise<{ due: number; expired: number; broadcasts: number }> {
    const { due, expired, broadcasts } = await repo.orphaned({
      graceMs: settings.sweepGraceMs,
      staleJobLockMs: settings.staleJobLockMs,
      publishJob: PUBLISHING_JOBS.publish,
      broadcastJob: PUBLISHING_JOBS.broadcast,
      limit: BATCH,
    });
    for (const id of [...due, ...expired])
      await deps.queue.enqueue(PUBLISHING_JOBS.publish, { publicationId: id });
    for (const id of broadcasts) await deps.queue.enqueue(PUBLISHING_JOBS.broadcast, { publicationId: id });
    await deleteFinishedJobs(db, [PUBLISHING_JOBS.publish, PUBLISHING_JOBS.broadcast], BATCH);
    if (due.length + expired.length + broadcasts.length > 0) {
      log.info(
        { due: due.length, expired: expired.length, broadcasts: broadcasts.length },
        'sweeper re-enqueued publications',
      );
    }
    return { due: due.length, expired: expired.length, broadcasts: broadcasts.length };
  };
}
