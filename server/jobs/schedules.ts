// THE list of recurring schedules.
import type { RecurringSchedule } from './define-job.ts';
import { JOB_NAMES } from './registry.ts';
import { publishingSchedules } from '../publishing/publishing.jobs.ts';
import { retractionSchedules } from '../retraction/retraction.jobs.ts';
import { amplificationSchedules } from '../amplification/amplification.jobs.ts';
import { engagementSchedules } from '../engagement/engagement.jobs.ts';

export function recurringSchedules(settings: { heartbeatSeconds: number }): RecurringSchedule[] {
  return [
    { job: JOB_NAMES.heartbeat, every: `${settings.heartbeatSeconds} seconds` },
    { job: JOB_NAMES.continueSeries, every: '1 minute' },
    { job: JOB_NAMES.sealAudit, every: '5 seconds' },
    // Orphaned publications are reconciled within a minute (lease + one sweep), not Agenda's 10.
    ...publishingSchedules({ sweepSeconds: 5, tokenRefreshMinutes: 30 }),
    ...retractionSchedules({ sweepSeconds: 15 }),
    ...amplificationSchedules({ everySeconds: 15 }),
    ...engagementSchedules({ collectEvery: '1 minute' }),
  ];
}
