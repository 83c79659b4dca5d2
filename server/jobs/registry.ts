// THE list of jobs Loa runs. Every job is defined here, by name, and nowhere else.
import { z } from 'zod';
import type { AuditLog } from '../audit/audit.service.ts';
import type { HealthService } from '../system/health.service.ts';
import type { PostSeries } from '../posts/post-series.ts';
import { defineJob, type JobDefinition } from './define-job.ts';
import {
  PUBLISHING_JOB_PAYLOADS,
  PUBLISHING_JOBS,
  publishingJobs,
  type PublishingWorkerSide,
} from '../publishing/publishing.jobs.ts';
import {
  ENGAGEMENT_JOB_PAYLOADS,
  ENGAGEMENT_JOBS,
  engagementJobs,
  type EngagementWorkerSide,
} from '../engagement/engagement.jobs.ts';
import {
  RETRACTION_JOB_PAYLOADS,
  RETRACTION_JOBS,
  retractionJobs,
  type RetractionWorkerSide,
} from '../retraction/retraction.jobs.ts';
import {
  AMPLIFICATION_JOB_PAYLOADS,
  AMPLIFICATION_JOBS,
  amplificationJobs,
  type AmplificationWorkerSide,
} from '../amplification/amplification.jobs.ts';

export interface JobDeps {
  health: HealthService;
  workerId: string;
  workerStartedAt: Date;
  /** The publishing jobs' handlers (c.publishing.workerSide) and how many publish jobs run at once. */
  publishing: PublishingWorkerSide;
  publishConcurrency: number;
  /** Publications one worker keeps claimed and in flight at once (see publish-dispatcher.ts). */
  publishCapacity: number;
  /** Chains new audit entries into the hash chain (see audit.service.ts). */
  auditLog: Pick<AuditLog, 'seal'>;
  /** Recurring posts: continues each series whose latest occurrence's time has come. */
  postSeries: Pick<PostSeries, 'continueDueSeries'>;
  /** Removing retracted posts from the platforms (c.retraction.workerSide). */
  retraction: RetractionWorkerSide;
  /** Telling members about published posts (c.amplification.notices). */
  memberNotices: AmplificationWorkerSide;
  /** The engagement collector and its upkeep (c.engagement). */
  engagement: EngagementWorkerSide;
}

export const JOB_NAMES = {
  heartbeat: 'system.heartbeat',
  sealAudit: 'audit.seal',
  continueSeries: 'posts.continue-series',
  ...PUBLISHING_JOBS,
  ...RETRACTION_JOBS,
  ...AMPLIFICATION_JOBS,
  ...ENGAGEMENT_JOBS,
} as const;

/** Payload schemas by job name: the job queue checks every enqueued payload against them. */
export const JOB_PAYLOADS: Record<string, z.ZodType> = {
  [JOB_NAMES.heartbeat]: z.object({}).passthrough(),
  [JOB_NAMES.sealAudit]: z.object({}).passthrough(),
  [JOB_NAMES.continueSeries]: z.object({}).passthrough(),
  ...PUBLISHING_JOB_PAYLOADS,
  ...RETRACTION_JOB_PAYLOADS,
  ...AMPLIFICATION_JOB_PAYLOADS,
  ...ENGAGEMENT_JOB_PAYLOADS,
};

/** The job dependencies a process's container provides: every worker builds them the same way. */
export function jobDepsFrom(
  c: {
    health: HealthService;
    auditLog: Pick<AuditLog, 'seal'>;
    publishing: { workerSide: PublishingWorkerSide };
    postSeries: JobDeps['postSeries'];
    retraction: { workerSide: RetractionWorkerSide };
    amplification: { notices: AmplificationWorkerSide };
    engagement: EngagementWorkerSide;
  },
  worker: { workerId: string; publishConcurrency: number; publishCapacity?: number; startedAt?: Date },
): JobDeps {
  return {
    health: c.health,
    auditLog: c.auditLog,
    workerId: worker.workerId,
    workerStartedAt: worker.startedAt ?? new Date(),
    publishing: c.publishing.workerSide,
    publishConcurrency: worker.publishConcurrency,
    publishCapacity: worker.publishCapacity ?? worker.publishConcurrency,
    postSeries: c.postSeries,
    retraction: c.retraction.workerSide,
    memberNotices: c.amplification.notices,
    engagement: c.engagement,
  };
}

export function jobRegistry(deps: JobDeps): JobDefinition[] {
  return [
    defineJob({
      name: JOB_NAMES.heartbeat,
      payload: z.object({}).passthrough(),
      handler: async () => deps.health.beat(deps.workerId, deps.workerStartedAt),
    }),
    defineJob({
      name: JOB_NAMES.sealAudit,
      payload: z.object({}).passthrough(),
      handler: async () => {
        await deps.auditLog.seal();
      },
    }),
    defineJob({
      name: JOB_NAMES.continueSeries,
      payload: z.object({}).passthrough(),
      handler: async (_payload, ctx) => {
        const created = await deps.postSeries.continueDueSeries();
        if (created > 0) ctx.log.info({ created }, 'recurring posts continued');
      },
    }),
    ...publishingJobs(deps.publishing, deps.workerId, {
      concurrency: deps.publishConcurrency,
      capacity: deps.publishCapacity,
    }),
    ...retractionJobs(deps.retraction, deps.workerId),
    ...amplificationJobs(deps.memberNotices),
    ...engagementJobs(deps.engagement),
  ];
}
