// Audit entries of a settling transaction, appended in one insert. (A post's status follows its
// publications by the posts module's rule: posts/publication-status.ts.)
import type { AuditEntry, AuditRecorder } from '../audit/audit.service.ts';
import type { Executor } from '../db/database.ts';

/** Appends entries in order, in one insert inside the caller's transaction (audit writes take no lock). */
export async function appendAudit(
  audit: AuditRecorder,
  entries: readonly (AuditEntry | undefined)[],
  tx: Executor,
): Promise<void> {
  await audit(
    entries.filter((e): e is AuditEntry => e !== undefined),
    tx,
  );
}
