// The members' notice job: names (persisted: never rename), payloads and definitions.
// registry.ts lists it with the others.
import { z } from 'zod';
import { defineJob, type JobDefinition } from '../jobs/define-job.ts';
import type { NoticesService } from './notices.service.ts';

export const AMPLIFICATION_JOBS = { notifyMembers: 'members.notify' } as const;

const noPayload = z.object({}).passthrough();

export const AMPLIFICATION_JOB_PAYLOADS: Record<string, z.ZodType> = {
  [AMPLIFICATION_JOBS.notifyMembers]: noPayload,
};

export type AmplificationWorkerSide = Pick<NoticesService, 'notifyPublished' | 'sendDigests'>;

export function amplificationJobs(side: AmplificationWorkerSide): JobDefinition[] {
  return [
    defineJob({
      name: AMPLIFICATION_JOBS.notifyMembers,
      payload: noPayload,
      handler: async (_payload, ctx) => {
        const told = await side.notifyPublished();
        const digests = await side.sendDigests();
        if (told.posts > 0 || digests > 0) ctx.log.info({ ...told, digests }, 'members told');
      },
    }),
  ];
}

/** New posts reach members within this many seconds of being published. */
export function amplificationSchedules(settings: { everySeconds: number }) {
  return [{ job: AMPLIFICATION_JOBS.notifyMembers, every: `${settings.everySeconds} seconds` }];
}
