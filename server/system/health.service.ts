// Liveness of the parts: the database answers, and some worker ran the heartbeat job recently.
import type { Database } from '../db/database.ts';
import { createHealthRepo } from './health.repo.ts';

export const WORKER_ABSENT_AFTER_MS = 60_000;

export function createHealthService(deps: {
  db: Database;
  version: string;
  mockPlatforms: () => { facebook: string; zalo: string } | null;
  now?: () => Date;
}) {
  const now = deps.now ?? (() => new Date());
  const repo = createHealthRepo(deps.db);
  return {
    async check() {
      let db: 'ok' | 'error' = 'ok';
      let worker: 'ok' | 'absent' = 'absent';
      try {
        const since = new Date(now().getTime() - WORKER_ABSENT_AFTER_MS);
        worker = (await repo.countSeenSince(since)) > 0 ? 'ok' : 'absent';
      } catch {
        db = 'error';
      }
      return {
        status: db === 'ok' ? 'ok' : 'degraded',
        db,
        worker,
        mockPlatforms: deps.mockPlatforms(),
        version: deps.version,
      };
    },
    /** Called by the heartbeat job on whichever worker ran it. */
    async beat(workerId: string, startedAt: Date) {
      await repo.beat(workerId, startedAt, now());
    },
  };
}

export type HealthService = ReturnType<typeof createHealthService>;
