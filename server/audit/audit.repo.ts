// SQL on audit_log: the one-statement insert of entries and the sealer's reads and update.
import { asc, desc, gt, isNotNull, isNull, sql } from 'drizzle-orm';
import type { Database, Executor } from '../db/database.ts';
import { auditLog } from '../db/schema.ts';

export type AuditRow = typeof auditLog.$inferSelect;

export interface AuditInsert {
  actorId: string | null;
  actorLabel: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  /** Already JSON, so the hash later sees exactly what jsonb stored. */
  detailsJson: string;
  ip: string | null;
}

export interface AuditSealing {
  ids: number[];
  seqs: number[];
  prevs: string[];
  hashes: string[];
}

export function createAuditRepo(db: Database) {
  return {
    /** One statement with one array per column, however many entries. */
    async insertMany(at: Date, list: readonly AuditInsert[], executor: Executor = db): Promise<void> {
      const column = <T>(pick: (entry: AuditInsert) => T) => sql.param(list.map(pick));
      await executor.execute(sql`
      INSERT INTO audit_log (at, actor_id, actor_label, action, target_type, target_id, details, ip)
      SELECT ${at.toISOString()}::timestamptz, * FROM unnest(
        ${column((e) => e.actorId)}::uuid[], ${column((e) => e.actorLabel)}::text[],
        ${column((e) => e.action)}::text[], ${column((e) => e.targetType)}::text[],
        ${column((e) => e.targetId)}::text[], ${column((e) => e.detailsJson)}::jsonb[],
        ${column((e) => e.ip)}::text[])`);
    },
    /** Holds the sealers' lock until the transaction ends. */
    async lockSealing(tx: Executor, lockId: number): Promise<void> {
      await tx.execute(sql`SELECT pg_advisory_xact_lock(${lockId})`);
    },
    async lastSealed(tx: Executor): Promise<{ seq: number | null; hash: string | null } | undefined> {
      const [last] = await tx
        .select({ seq: auditLog.seq, hash: auditLog.hash })
        .from(auditLog)
        .where(isNotNull(auditLog.seq))
        .orderBy(desc(auditLog.seq))
        .limit(1);
      return last;
    },
    unsealed: (tx: Executor, limit: number): Promise<AuditRow[]> =>
      tx.select().from(auditLog).where(isNull(auditLog.seq)).orderBy(asc(auditLog.id)).limit(limit),
    /** One statement for the whole batch (the trigger still checks each row's one-time sealing). */
    async seal(tx: Executor, sealing: AuditSealing): Promise<void> {
      await tx.execute(sql`
            UPDATE audit_log a SET seq = v.seq, prev_hash = v.prev_hash, hash = v.hash
            FROM unnest(${sql.param(sealing.ids)}::bigint[], ${sql.param(sealing.seqs)}::bigint[],
                        ${sql.param(sealing.prevs)}::text[], ${sql.param(sealing.hashes)}::text[])
              AS v(id, seq, prev_hash, hash)
            WHERE a.id = v.id`);
    },
    sealedAfter: (seq: number, limit: number): Promise<AuditRow[]> =>
      db.select().from(auditLog).where(gt(auditLog.seq, seq)).orderBy(asc(auditLog.seq)).limit(limit),
  };
}
