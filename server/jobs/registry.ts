// THE list of jobs Loa runs. Every job is defined here, by name, and nowhere else.
import { z } from 'zod';
import type { HealthService } from '../system/health.service.ts';
import { defineJob, type JobDefinition } from './define-job.ts';
import { PUBLISHING_JOB_PAYLOADS, PUBLISHING_JOBS, publishingJobs, type PublishingWorkerSide } from '../publishing/publishing.jobs.ts';
import { RETRACTION_JOB_PAYLOADS, RETRACTION_JOBS, retractionJobs, type RetractionWorkerSide } from '../retraction/retraction.jobs.ts';

export interface JobDeps {
  health: HealthService;
  workerId: string;
  workerStartedAt: Date;
  /** The publishing jobs' handlers (c.publishing.workerSide) and how many publishes run at once. */
  publishing: PublishingWorkerSide;
  publishConcurrency: number;
  /** Removing retracted posts from the platforms (c.retraction.workerSide); optional until every caller passes it. */
  retraction?: RetractionWorkerSide;
}

export const JOB_NAMES = {
  heartbeat: 'system.heartbeat',
  ...PUBLISHING_JOBS,
  ...RETRACTION_JOBS,
} as const;

/** Payload schemas by job name: the job queue checks every enqueued payload against them. */
export const JOB_PAYLOADS: Record<string, z.ZodType> = {
  [JOB_NAMES.heartbeat]: z.object({}).passthrough(),
  ...PUBLISHING_JOB_PAYLOADS,
  ...RETRACTION_JOB_PAYLOADS,
};

export function jobRegistry(deps: JobDeps): JobDefinition[] {
  return [
    defineJob({
      name: JOB_NAMES.heartbeat,
      payload: z.object({}).passthrough(),
      handler: async () => deps.health.beat(deps.workerId, deps.workerStartedAt),
    }),
    ...publishingJobs(deps.publishing, deps.workerId, deps.publishConcurrency),
    ...(deps.retraction ? retractionJobs(deps.retraction, deps.workerId) : []),
  ];
}
