// Putting jobs on Agenda's queue from anywhere in Loa: the payload is checked against the
// registry's schema before it is stored (a bad payload fails here, not in a worker hours later).
// Web processes enqueue through an Agenda that only connects its NOTIFY channel; workers through
// their own. The container's queue is attached to one of those once the process has made it.
import type { AgendaHandle } from './agenda.ts';
import { JOB_PAYLOADS } from './registry.ts';

export interface JobQueue {
  /** Runs `name` at `when` (now when absent). */
  enqueue(name: string, payload: unknown, when?: Date): Promise<void>;
}

export class JobQueueNotConnectedError extends Error {
  constructor() {
    super('the job queue is not connected to Agenda in this process');
    this.name = 'JobQueueNotConnectedError';
  }
}

function checkedPayload(name: string, payload: unknown): Record<string, unknown> {
  const schema = JOB_PAYLOADS[name];
  if (!schema) throw new Error(`unknown job ${name}`);
  const parsed = schema.safeParse(payload);
  if (!parsed.success) throw new Error(`invalid payload for ${name}: ${parsed.error.message}`);
  return parsed.data as Record<string, unknown>;
}

export function createJobQueue(handle: AgendaHandle): JobQueue {
  return {
    async enqueue(name, payload, when) {
      const data = checkedPayload(name, payload);
      if (when && when.getTime() > Date.now()) await handle.agenda.schedule(when, name, data);
      else await handle.agenda.now(name, data);
    },
  };
}

/** The container's queue: built before the process knows which Agenda it will use. */
export interface AttachableJobQueue extends JobQueue {
  attach(handle: AgendaHandle): void;
  detach(): void;
  readonly connected: boolean;
}

export function createAttachableJobQueue(): AttachableJobQueue {
  let inner: JobQueue | undefined;
  return {
    attach(handle) {
      inner = createJobQueue(handle);
    },
    detach() {
      inner = undefined;
    },
    get connected() {
      return inner !== undefined;
    },
    async enqueue(name, payload, when) {
      if (!inner) {
        checkedPayload(name, payload);
        throw new JobQueueNotConnectedError();
      }
      await inner.enqueue(name, payload, when);
    },
  };
}
