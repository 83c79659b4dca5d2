// Liveness of the parts: the database answers, and some worker ran the heartbeat job recently.
import os from 'node:os';
import { gt, sql } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { workerHeartbeats } from '../db/schema.ts';

export const WORKER_ABSENT_AFTER_MS = 60_000;

export function createHealthService(deps: {
  db: Database;
  version: string;
  mockPlatforms: () => { facebook: string; zalo: string } | null;
  now?: () => Date;
}) {
  const now = deps.now ?? (() => new Date());
  return {
    async check() {
      let db: 'ok' | 'error' = 'ok';
      let worker: 'ok' | 'absent' = 'absent';
      try {
        const since = new Date(now().getTime() - WORKER_ABSENT_AFTER_MS);
        const [row] = await deps.db
          .select({ n: sql<number>`count(*)::int` })
          .from(workerHeartbeats)
          .where(gt(workerHeartbeats.lastSeenAt, since));
        worker = (row?.n ?? 0) > 0 ? 'ok' : 'absent';
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
      const at = now();
      await deps.db
        .insert(workerHeartbeats)
        .values({ workerId, hostname: os.hostname(), pid: process.pid, startedAt, lastSeenAt: at })
        .onConflictDoUpdate({ target: workerHeartbeats.workerId, set: { lastSeenAt: at } });
    },
  };
}

export type HealthService = ReturnType<typeof createHealthService>;
