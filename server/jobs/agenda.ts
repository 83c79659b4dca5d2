// The one home of Agenda: building an instance on Loa's PostgreSQL, for workers (which run
// jobs) and for web processes (which only enqueue them).
import { PostgresBackend } from '@agendajs/postgres-backend';
import { Agenda } from 'agenda';
import type pg from 'pg';
import type { Logger } from '../logger.ts';

export interface AgendaSettings {
  pool: pg.Pool;
  name: string;
  pollMs: number;
  concurrency: number;
  logger: Logger;
}

export interface AgendaHandle {
  agenda: Agenda;
  backend: PostgresBackend;
}

export function createAgenda(settings: AgendaSettings): AgendaHandle {
  // The table comes from a migration: two workers creating it at once would crash one.
  const backend = new PostgresBackend({ pool: settings.pool, ensureSchema: false });
  const agenda = new Agenda({
    backend,
    name: settings.name,
    processEvery: settings.pollMs,
    defaultConcurrency: settings.concurrency,
    // Raised together: jobs over the global cap are put back and re-fetched (~5x slower).
    maxConcurrency: Math.max(settings.concurrency, 20) * 2,
    defaultLockLifetime: 60_000,
  });
  agenda.on('error', (error: Error) => settings.logger.error({ err: error }, 'agenda error'));
  // The LISTEN connection re-emits its client's errors; with no listener a database restart
  // (or PostgreSQL stopping before Loa on shutdown) would crash the process. Polling carries on
  // while the channel reconnects (RELIABILITY F9, F10).
  backend.notificationChannel?.on('error', (error: Error) =>
    settings.logger.warn({ err: error }, 'job notification channel lost its connection'),
  );
  withoutJobStateEvents(backend);
  return { agenda, backend };
}

/**
 * Loa never listens to other processes' job events (start, success, complete). Published, each
 * job would cost three more NOTIFY queries, and every other process would parse all of them:
 * about a third of a worker's time in a burst. Agenda skips a channel without `publishState`.
 */
function withoutJobStateEvents(backend: PostgresBackend): void {
  const channel = backend.notificationChannel;
  if (channel) Object.defineProperty(channel, 'publishState', { value: undefined });
}

/**
 * A process that only schedules must still connect the notification channel: without it no
 * NOTIFY is sent and workers only see new jobs on their next poll.
 */
export async function connectEnqueueOnly({ agenda, backend }: AgendaHandle): Promise<void> {
  await agenda.ready;
  await backend.notificationChannel?.connect();
}

/** The counterpart of connectEnqueueOnly: Agenda#stop() does nothing for an instance never started. */
export async function disconnectEnqueueOnly({ backend }: AgendaHandle): Promise<void> {
  await backend.notificationChannel?.disconnect();
}
