// The retraction jobs: names (persisted: never rename), payloads (ids only) and definitions.
// registry.ts lists them with the others.
import { z } from 'zod';
import { defineJob, type JobDefinition } from '../jobs/define-job.ts';
import type { Logger } from '../logger.ts';

export const RETRACTION_JOBS = {
  retract: 'publication.retract',
  sweep: 'publication.retract_sweep',
} as const;

const publicationPayload = z.object({ publicationId: z.uuid() });
const noPayload = z.object({}).passthrough();

export const RETRACTION_JOB_PAYLOADS: Record<string, z.ZodType> = {
  [RETRACTION_JOBS.retract]: publicationPayload,
  [RETRACTION_JOBS.sweep]: noPayload,
};

/** What the worker process hands the retraction jobs (built in the container: `c.retraction.workerSide`). */
export interface RetractionWorkerSide {
  retract(publicationId: string, run: { workerId: string; log: Logger }): Promise<void>;
  sweep(log: Logger): Promise<void>;
  lockLifetimeMs: number;
}

export function retractionJobs(side: RetractionWorkerSide, workerId: string): JobDefinition[] {
  return [
    defineJob({
      name: RETRACTION_JOBS.retract,
      payload: publicationPayload,
      concurrency: 5,
      lockLifetimeMs: side.lockLifetimeMs,
      handler: (payload, ctx) =>
        logged(ctx.log, side.retract(payload.publicationId, { workerId, log: ctx.log })),
    }),
    defineJob({
      name: RETRACTION_JOBS.sweep,
      payload: noPayload,
      handler: (_p, ctx) => logged(ctx.log, side.sweep(ctx.log)),
    }),
  ];
}

async function logged(log: Logger, work: Promise<void>): Promise<void> {
  try {
    await work;
  } catch (error) {
    log.error({ err: error }, 'job failed');
    throw error;
  }
}

/** Retractions whose job was lost are put back on the queue within this many seconds. */
export function retractionSchedules(settings: { sweepSeconds: number }) {
  return [{ job: RETRACTION_JOBS.sweep, every: `${settings.sweepSeconds} seconds` }];
}
