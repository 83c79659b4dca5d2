// The audit log: append-only, every entry chained to the previous one by a SHA-256 hash, so
// that editing, inserting or deleting history is detectable (`npm run audit:verify`).
import { createHash } from 'node:crypto';
import { asc, desc, gt, sql } from 'drizzle-orm';
import type { Database, Executor } from '../db/database.ts';
import { auditLog } from '../db/schema.ts';

export const GENESIS_HASH = '0'.repeat(64);
// Serialises appends so two concurrent writers cannot both chain onto the same entry.
const AUDIT_LOCK_ID = 748_210_002;

export interface AuditEntry {
  actorId?: string | null;
  actorLabel?: string | null;
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  details?: Record<string, unknown>;
  ip?: string | null;
}

interface HashedFields {
  at: Date;
  actorId: string | null;
  actorLabel: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  details: Record<string, unknown>;
  ip: string | null;
}

/** JSON with object keys sorted at every level: jsonb does not keep key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value instanceof Date ? value.toISOString() : value);
}

export function entryHash(prevHash: string, fields: HashedFields): string {
  return createHash('sha256')
    .update(prevHash)
    .update('\n')
    .update(canonicalJson({ ...fields, at: fields.at.toISOString() }))
    .digest('hex');
}

export type AuditRecorder = (entry: AuditEntry, executor?: Executor) => Promise<void>;

export function createAuditLog(db: Database) {
  async function append(entry: AuditEntry, tx: Executor): Promise<void> {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(${AUDIT_LOCK_ID})`);
    const [last] = await tx
      .select({ hash: auditLog.hash })
      .from(auditLog)
      .orderBy(desc(auditLog.id))
      .limit(1);
    const prevHash = last?.hash ?? GENESIS_HASH;
    // Millisecond precision: the column keeps milliseconds, so the hash must use the same value.
    const at = new Date();
    const fields: HashedFields = {
      at,
      actorId: entry.actorId ?? null,
      actorLabel: entry.actorLabel ?? null,
      action: entry.action,
      targetType: entry.targetType ?? null,
      targetId: entry.targetId ?? null,
      details: JSON.parse(JSON.stringify(entry.details ?? {})) as Record<string, unknown>,
      ip: entry.ip ?? null,
    };
    await tx.insert(auditLog).values({ ...fields, prevHash, hash: entryHash(prevHash, fields) });
  }

  const record: AuditRecorder = async (entry, executor) => {
    // Inside the caller's transaction when given one, so the entry commits with the change.
    if (executor && executor !== db) return append(entry, executor);
    await db.transaction((tx) => append(entry, tx));
  };

  /** Walks the whole chain; returns the first entry whose hash or link does not match. */
  async function verify(): Promise<
    { ok: true; entries: number } | { ok: false; entries: number; brokenId: number; reason: string }
  > {
    let prevHash = GENESIS_HASH;
    let lastId = 0;
    let checked = 0;
    for (;;) {
      const rows = await db
        .select()
        .from(auditLog)
        .where(gt(auditLog.id, lastId))
        .orderBy(asc(auditLog.id))
        .limit(1000);
      if (rows.length === 0) return { ok: true, entries: checked };
      for (const row of rows) {
        if (row.prevHash !== prevHash) {
          return {
            ok: false,
            entries: checked,
            brokenId: row.id,
            reason: 'previous entry missing or changed',
          };
        }
        const expected = entryHash(prevHash, {
          at: row.at,
          actorId: row.actorId,
          actorLabel: row.actorLabel,
          action: row.action,
          targetType: row.targetType,
          targetId: row.targetId,
          details: row.details,
          ip: row.ip,
        });
        if (expected !== row.hash) {
          return { ok: false, entries: checked, brokenId: row.id, reason: 'entry content was changed' };
        }
        prevHash = row.hash;
        lastId = row.id;
        checked += 1;
      }
    }
  }

  return { record, verify };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
