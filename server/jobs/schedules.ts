// THE list of recurring schedules.
import type { RecurringSchedule } from './define-job.ts';
import { JOB_NAMES } from './registry.ts';

export function recurringSchedules(settings: { heartbeatSeconds: number }): RecurringSchedule[] {
  return [{ job: JOB_NAMES.heartbeat, every: `${settings.heartbeatSeconds} seconds` }];
}
