// The audit log: append-only, every entry chained to the previous one by a SHA-256 hash, so
// that editing, inserting or deleting history is detectable (`npm run audit:verify`).
//
// Writers only INSERT, inside their own transaction and without any lock, so the log never
// serialises the work it records. A sealer (the recurring job `audit.seal`, and every
// verification) then gives the committed, unsealed rows the next positions in the chain (`seq`,
// in id order) and their hashes. A row that commits late is sealed in a later batch; the chain's
// order is the sealing order. Between insert and sealing (seconds) a row is not yet protected.
import { createHash } from 'node:crypto';
import type { Database, Executor } from '../db/database.ts';
import { createAuditRepo, type AuditRow, type AuditSealing } from './audit.repo.ts';

export const GENESIS_HASH = '0'.repeat(64);
// Only sealers take it: two sealers must not give out the same chain positions.
const SEAL_LOCK_ID = 748_210_002;
const SEAL_BATCH = 1000;

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

/** The hash of one entry, chained to the one before it. */
export function entryHash(prevHash: string, fields: HashedFields): string {
  return createHash('sha256')
    .update(prevHash)
    .update('\n')
    .update(canonicalJson({ ...fields, at: fields.at.toISOString() }))
    .digest('hex');
}

const hashedFields = (row: AuditRow): HashedFields => ({
  at: row.at,
  actorId: row.actorId,
  actorLabel: row.actorLabel,
  action: row.action,
  targetType: row.targetType,
  targetId: row.targetId,
  details: row.details,
  ip: row.ip,
});

/** One entry, or several in one statement (in order). */
export type AuditRecorder = (entry: AuditEntry | readonly AuditEntry[], executor?: Executor) => Promise<void>;

export type VerifyResult =
  { ok: true; entries: number } | { ok: false; entries: number; brokenId: number; reason: string };

export function createAuditLog(db: Database) {
  const repo = createAuditRepo(db);
  /** Appends an entry, inside the caller's transaction when given one so it commits with the change. */
  const record: AuditRecorder = async (entries, executor = db) => {
    const list: readonly AuditEntry[] = Array.isArray(entries) ? entries : [entries as AuditEntry];
    if (list.length === 0) return;
    // One statement however many entries: a batch of publications records hundreds at once.
    // Details go through JSON once, so the hash later sees exactly what jsonb stored.
    await repo.insertMany(
      new Date(),
      list.map((e) => ({
        actorId: e.actorId ?? null,
        actorLabel: e.actorLabel ?? null,
        action: e.action,
        targetType: e.targetType ?? null,
        targetId: e.targetId ?? null,
        detailsJson: JSON.stringify(e.details ?? {}),
        ip: e.ip ?? null,
      })),
      executor,
    );
  };

  /** Chains every committed, unsealed entry onto the end of the log; returns how many it sealed. */
  async function seal(): Promise<number> {
    let sealed = 0;
    for (;;) {
      const batch = await db.transaction(async (tx) => {
        await repo.lockSealing(tx, SEAL_LOCK_ID);
        const last = await repo.lastSealed(tx);
        const rows = await repo.unsealed(tx, SEAL_BATCH);
        let seq = last?.seq ?? 0;
        let prevHash = last?.hash ?? GENESIS_HASH;
        const sealing: AuditSealing = { ids: [], seqs: [], prevs: [], hashes: [] };
        for (const row of rows) {
          seq += 1;
          const hash = entryHash(prevHash, hashedFields(row));
          sealing.ids.push(row.id);
          sealing.seqs.push(seq);
          sealing.prevs.push(prevHash);
          sealing.hashes.push(hash);
          prevHash = hash;
        }
        if (rows.length > 0) await repo.seal(tx, sealing);
        return rows.length;
      });
      sealed += batch;
      if (batch < SEAL_BATCH) return sealed;
    }
  }

  /** Seals what is pending, then walks the whole chain; names the first entry that does not match. */
  async function verify(): Promise<VerifyResult> {
    await seal();
    let prevHash = GENESIS_HASH;
    let lastSeq = 0;
    let checked = 0;
    for (;;) {
      const rows = await repo.sealedAfter(lastSeq, 1000);
      if (rows.length === 0) return { ok: true, entries: checked };
      for (const row of rows) {
        if (row.seq !== lastSeq + 1 || row.prevHash !== prevHash) {
          return {
            ok: false,
            entries: checked,
            brokenId: row.id,
            reason: 'previous entry missing or changed',
          };
        }
        if (entryHash(prevHash, hashedFields(row)) !== row.hash) {
          return { ok: false, entries: checked, brokenId: row.id, reason: 'entry content was changed' };
        }
        prevHash = row.hash;
        lastSeq = row.seq;
        checked += 1;
      }
    }
  }

  return { record, seal, verify };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
