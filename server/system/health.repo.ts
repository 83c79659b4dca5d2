// SQL on worker_heartbeats: which workers ran the heartbeat job lately.
import os from 'node:os';
import { gt, sql } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { workerHeartbeats } from '../db/schema.ts';

export function createHealthRepo(db: Database) {
  return {
    async countSeenSince(since: Date): Promise<number> {
      const [row] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(workerHeartbeats)
        .where(gt(workerHeartbeats.lastSeenAt, since));
      return row?.n ?? 0;
    },
    async beat(workerId: string, startedAt: Date, at: Date): Promise<void> {
      await db
        .insert(workerHeartbeats)
        .values({ workerId, hostname: os.hostname(), pid: process.pid, startedAt, lastSeenAt: at })
        .onConflictDoUpdate({ target: workerHeartbeats.workerId, set: { lastSeenAt: at } });
    },
  };
}
