// THE list of jobs Loa runs. Every job is defined here, by name, and nowhere else.
import { z } from 'zod';
import type { HealthService } from '../system/health.service.ts';
import { defineJob, type JobDefinition } from './define-job.ts';

export interface JobDeps {
  health: HealthService;
  workerId: string;
  workerStartedAt: Date;
}

export const JOB_NAMES = {
  heartbeat: 'system.heartbeat',
} as const;

export function jobRegistry(deps: JobDeps): JobDefinition[] {
  return [
    defineJob({
      name: JOB_NAMES.heartbeat,
      payload: z.object({}).passthrough(),
      handler: async () => deps.health.beat(deps.workerId, deps.workerStartedAt),
    }),
  ];
}
