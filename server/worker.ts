// createWorker: Agenda with every job from the registry, the recurring schedules, and a
// drain on stop so in-flight jobs finish before the process exits.
import type { Job } from 'agenda';
import type pg from 'pg';
import { createAgenda, type AgendaHandle } from './jobs/agenda.ts';
import type { JobDefinition, RecurringSchedule } from './jobs/define-job.ts';
import type { Logger } from './logger.ts';

export interface WorkerOptions {
  pool: pg.Pool;
  workerId: string;
  jobs: JobDefinition[];
  schedules: RecurringSchedule[];
  pollMs: number;
  concurrency: number;
  logger: Logger;
}

export interface Worker {
  handle: AgendaHandle;
  start(): Promise<void>;
  /** Waits up to `drainMs` for running jobs, then stops. */
  stop(drainMs?: number): Promise<void>;
}

export function createWorker(options: WorkerOptions): Worker {
  const log = options.logger.child({ workerId: options.workerId });
  const handle = createAgenda({
    pool: options.pool,
    name: options.workerId,
    pollMs: options.pollMs,
    concurrency: options.concurrency,
    logger: log,
  });
  const { agenda } = handle;

  for (const job of options.jobs) {
    agenda.define(
      job.name,
      async (agendaJob: Job<unknown>) => {
        const jobLog = log.child({ job: job.name, jobId: String(agendaJob.attrs._id ?? '') });
        const payload = job.payload.safeParse(agendaJob.attrs.data ?? {});
        if (!payload.success) {
          // A malformed payload will never succeed; fail it once, loudly, without retries.
          jobLog.error({ issues: payload.error.issues }, 'job payload invalid');
          throw new Error(`invalid payload for ${job.name}`);
        }
        await job.handler(payload.data, {
          log: jobLog,
          touch: () => agendaJob.touch(),
          attempt: (agendaJob.attrs.failCount ?? 0) + 1,
        });
      },
      {
        ...(job.concurrency !== undefined && { concurrency: job.concurrency }),
        ...(job.lockLifetimeMs !== undefined && { lockLifetime: job.lockLifetimeMs }),
      },
    );
  }

  const background = options.jobs.flatMap((job) => (job.background ? [job.background] : []));
  let started = false;
  return {
    handle,
    async start() {
      await agenda.ready;
      for (const work of background) work.resume();
      await agenda.start();
      started = true;
      for (const schedule of options.schedules) await agenda.every(schedule.every, schedule.job);
      log.info({ jobs: options.jobs.map((j) => j.name) }, 'worker started');
    },
    async stop(drainMs = 30_000) {
      if (!started) return;
      started = false;
      const deadline = Date.now() + drainMs;
      for (const work of background) work.quiesce();
      const result = await agenda.drain(drainMs);
      // What the jobs handed over (publications claimed in a batch) finishes too, within the same time.
      const settled = await Promise.race([
        Promise.all(background.map((work) => work.idle())).then(() => true),
        new Promise<false>((resolve) =>
          setTimeout(resolve, Math.max(0, deadline - Date.now()), false).unref(),
        ),
      ]);
      log.info({ result, backgroundSettled: settled }, 'worker drained');
      await agenda.stop(false);
    },
  };
}
