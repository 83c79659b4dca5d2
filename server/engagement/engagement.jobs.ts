// The engagement jobs: names (persisted: never rename), payloads (ids only) and definitions.
// registry.ts lists them with the others; schedules.ts runs the collector every minute.
import { z } from 'zod';
import { defineJob, type JobDefinition } from '../jobs/define-job.ts';

export const ENGAGEMENT_JOBS = {
  collect: 'engagement.collect',
  maintain: 'engagement.maintain',
} as const;

/** Empty: everything due. With ids: those publications' or members' shares' early snapshots, those Zalo OAs' followers. */
export const collectPayload = z
  .object({
    publicationIds: z.array(z.uuid()).max(1000).optional(),
    shareIds: z.array(z.uuid()).max(10_000).optional(),
    channelIds: z.array(z.uuid()).max(1000).optional(),
  })
  .passthrough();
const noPayload = z.object({}).passthrough();

export const ENGAGEMENT_JOB_PAYLOADS: Record<string, z.ZodType> = {
  [ENGAGEMENT_JOBS.collect]: collectPayload,
  [ENGAGEMENT_JOBS.maintain]: noPayload,
};

export interface EngagementWorkerSide {
  collectDue(options: { publicationIds?: string[]; shareIds?: string[]; channelIds?: string[] }): Promise<{
    collected: number;
    deferred: number;
    shares: number;
  }>;
  maintain(): Promise<string[]>;
}

export function engagementJobs(side: EngagementWorkerSide): JobDefinition[] {
  return [
    defineJob({
      name: ENGAGEMENT_JOBS.collect,
      payload: collectPayload,
      concurrency: 2,
      lockLifetimeMs: 10 * 60_000,
      handler: async (payload, ctx) => {
        const summary = await side.collectDue({
          ...(payload.publicationIds ? { publicationIds: payload.publicationIds } : {}),
          ...(payload.shareIds ? { shareIds: payload.shareIds } : {}),
          ...(payload.channelIds ? { channelIds: payload.channelIds } : {}),
        });
        if (summary.collected || summary.deferred || summary.shares)
          ctx.log.info(summary, 'engagement collected');
      },
    }),
    defineJob({
      name: ENGAGEMENT_JOBS.maintain,
      payload: noPayload,
      handler: async (_payload, ctx) => {
        const dropped = await side.maintain();
        if (dropped.length) ctx.log.info({ dropped }, 'engagement partitions past retention dropped');
      },
    }),
  ];
}

/** Agenda runs a recurring job once per interval from its stored next run: a restart neither repeats nor skips one. */
export function engagementSchedules(settings: { collectEvery: string }) {
  return [
    { job: ENGAGEMENT_JOBS.collect, every: settings.collectEvery },
    { job: ENGAGEMENT_JOBS.maintain, every: '6 hours' },
  ];
}
