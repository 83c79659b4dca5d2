// Monthly partitions of the raw snapshot tables (engagement_snapshots, share_snapshots): made
// ahead by the collector, dropped whole once past retention.
import { sql } from 'drizzle-orm';
import type { Database, Executor } from '../db/database.ts';

export type SnapshotTable = 'engagement_snapshots' | 'share_snapshots';

function monthStart(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1));
}

export function partitionName(parent: SnapshotTable, month: Date): string {
  return `${parent}_${month.getUTCFullYear()}${String(month.getUTCMonth() + 1).padStart(2, '0')}`;
}

export function createPartitions(db: Database, parent: SnapshotTable) {
  const known = new Set<string>();
  const pattern = new RegExp(`^${parent}_(\\d{4})(\\d{2})$`);
  return {
    /** Creates the monthly partitions that hold [from, to] (idempotent; remembered per process). */
    async ensure(from: Date, to: Date, tx: Executor = db): Promise<void> {
      for (let month = monthStart(from); month <= to;) {
        const next = new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + 1, 1));
        const name = partitionName(parent, month);
        if (!known.has(name)) {
          await tx.execute(
            sql.raw(
              `CREATE TABLE IF NOT EXISTS "${name}" PARTITION OF ${parent} FOR VALUES FROM ('${month.toISOString()}') TO ('${next.toISOString()}')`,
            ),
          );
          known.add(name);
        }
        month = next;
      }
    },

    /** Drops the partitions whose whole month ends before `cutoff`; returns their names. */
    async dropBefore(cutoff: Date): Promise<string[]> {
      const result = await db.execute<{ name: string }>(sql`
        SELECT c.relname AS name FROM pg_inherits i
        JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
        WHERE p.relname = ${parent}`);
      const dropped: string[] = [];
      for (const { name } of result.rows) {
        const match = pattern.exec(name);
        if (!match) continue;
        const end = new Date(Date.UTC(Number(match[1]), Number(match[2]), 1));
        if (end > cutoff) continue;
        await db.execute(sql.raw(`DROP TABLE IF EXISTS "${name}"`));
        known.delete(name);
        dropped.push(name);
      }
      return dropped;
    },
  };
}
