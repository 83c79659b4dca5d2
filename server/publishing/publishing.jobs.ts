// The publishing jobs: names (persisted: never rename), payloads (ids only) and definitions.
// registry.ts lists them with the others.
import { z } from 'zod';
import { defineJob, type BackgroundWork, type JobDefinition } from '../jobs/define-job.ts';
import type { Logger } from '../logger.ts';

export const PUBLISHING_JOBS = {
  publish: 'publication.publish',
  broadcast: 'publication.broadcast',
  sweep: 'publication.sweep',
  refreshTokens: 'channels.refresh_tokens',
} as const;

const publicationPayload = z.object({ publicationId: z.uuid() });
const noPayload = z.object({}).passthrough();

export const PUBLISHING_JOB_PAYLOADS: Record<string, z.ZodType> = {
  [PUBLISHING_JOBS.publish]: publicationPayload,
  [PUBLISHING_JOBS.broadcast]: publicationPayload,
  [PUBLISHING_JOBS.sweep]: noPayload,
  [PUBLISHING_JOBS.refreshTokens]: noPayload,
};

/** What the worker process hands the publishing jobs (built in the container). */
export interface PublishingWorkerSide {
  publish(publicationId: string, run: { workerId: string; log: Logger; capacity: number }): Promise<void>;
  /** Attempts the publish jobs started and still running: a stopping worker waits for them. */
  background: Omit<BackgroundWork, 'resume'> & {
    resume(run: { workerId: string; log: Logger; capacity: number }): void;
  };
  broadcast(publicationId: string, log: Logger): Promise<void>;
  sweep(log: Logger): Promise<void>;
  refreshTokens(log: Logger): Promise<void>;
  /** Agenda's lock on a publish job: far above the lease, which is what really guards a publication. */
  lockLifetimeMs: number;
  logger: Logger;
}

export function publishingJobs(
  side: PublishingWorkerSide,
  workerId: string,
  limits: { concurrency: number; capacity: number },
): JobDefinition[] {
  return [
    defineJob({
      name: PUBLISHING_JOBS.publish,
      payload: publicationPayload,
      concurrency: limits.concurrency,
      lockLifetimeMs: side.lockLifetimeMs,
      background: {
        resume: () => side.background.resume({ workerId, log: side.logger, capacity: limits.capacity }),
        quiesce: () => side.background.quiesce(),
        idle: () => side.background.idle(),
      },
      handler: (payload, ctx) =>
        logged(
          ctx.log,
          side.publish(payload.publicationId, {
            workerId,
            log: ctx.log,
            capacity: limits.capacity,
          }),
        ),
    }),
    defineJob({
      name: PUBLISHING_JOBS.broadcast,
      payload: publicationPayload,
      lockLifetimeMs: side.lockLifetimeMs,
      handler: (payload, ctx) => logged(ctx.log, side.broadcast(payload.publicationId, ctx.log)),
    }),
    defineJob({
      name: PUBLISHING_JOBS.sweep,
      payload: noPayload,
      handler: (_p, ctx) => logged(ctx.log, side.sweep(ctx.log)),
    }),
    defineJob({
      name: PUBLISHING_JOBS.refreshTokens,
      payload: noPayload,
      lockLifetimeMs: 10 * 60_000,
      handler: (_p, ctx) => logged(ctx.log, side.refreshTokens(ctx.log)),
    }),
  ];
}

/** Agenda records a thrown error quietly; the log must show it (the sweeper retries the publication). */
async function logged(log: Logger, work: Promise<void>): Promise<void> {
  try {
    await work;
  } catch (error) {
    log.error({ err: error }, 'job failed');
    throw error;
  }
}

/** Every few seconds: orphaned and missed publications back on the queue. Hourly: Zalo tokens. */
export function publishingSchedules(settings: { sweepSeconds: number; tokenRefreshMinutes: number }) {
  return [
    { job: PUBLISHING_JOBS.sweep, every: `${settings.sweepSeconds} seconds` },
    { job: PUBLISHING_JOBS.refreshTokens, every: `${settings.tokenRefreshMinutes} minutes` },
  ];
}
