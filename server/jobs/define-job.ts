// A job is data: a stable name (persisted in the database: never rename one), a zod payload
// of ids only, and a handler that re-reads state and is safe to run twice.
import type { z } from 'zod';
import type { Logger } from '../logger.ts';

export interface JobContext {
  log: Logger;
  /** Extends the job's lock while a long handler is still working. */
  touch: () => Promise<void>;
  attempt: number;
}

export interface JobDefinition<P = unknown> {
  name: string;
  payload: z.ZodType<P>;
  concurrency?: number;
  /** How long a lock holds before another worker may take the job (Agenda's default is 10 min). */
  lockLifetimeMs?: number;
  handler: (payload: P, ctx: JobContext) => Promise<void>;
  /** Work the handler hands over and that may outlive it (see BackgroundWork). */
  background?: BackgroundWork;
}

export function defineJob<P>(definition: JobDefinition<P>): JobDefinition {
  return definition as unknown as JobDefinition;
}

export interface RecurringSchedule {
  job: string;
  /** An Agenda interval ('15 seconds', never '15s': human-interval reads that as NaN) or a cron string. */
  every: string;
}

/**
 * Work that jobs hand over and that outlives them (publications claimed in a batch): a stopping
 * worker stops it taking more, waits for it after Agenda drains, and a starting worker resumes it.
 */
export interface BackgroundWork {
  resume(): void;
  quiesce(): void;
  idle(): Promise<void>;
}
