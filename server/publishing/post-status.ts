// A post's status follows its publications: publishing once one has started, published when all
// are out, partially_failed / failed when some / all could not go out. Every change is a post
// event (actor null = Loa itself) and an audit entry, in the caller's transaction.

/** Appends entries in order, inside the caller's transaction (audit writes take no lock). */
export async function appendAudit(
  audit: AuditRecorder,
  entries: (AuditEntry | undefined)[],
  tx: Executor,
): Promise<void> {
  for (const entry of entries) if (entry) await audit(entry, tx);
}

/**
 * For writes whose loss in a database crash is recovered by reconciliation (an attempt's outcome):
 * no wait for the WAL flush.
 */
export async function asyncCommit(tx: Executor): Promise<void> {
  await tx.execute(sql`SET LOCAL synchronous_commit = off`);
}
import { eq, sql } from 'drizzle-orm';
import type { AuditEntry, AuditRecorder } from '../audit/audit.service.ts';
import type { Executor } from '../db/database.ts';
import { postEvents, posts, type PostStatus } from '../db/schema.ts';
import type { PublicationRow } from './publication.repo.ts';

/** The statuses this module may move a post between; others (cancelled, retracted …) are left alone. */
const FOLLOWS_PUBLICATIONS: readonly PostStatus[] = [
  'scheduled',
  'publishing',
  'published',
  'partially_failed',
  'failed',
];

export function aggregateStatus(rows: Pick<PublicationRow, 'status' | 'attempts'>[]): PostStatus | undefined {
  const live = rows.filter((r) => r.status !== 'cancelled');
  if (live.length === 0) return undefined;
  const published = live.filter((r) => r.status === 'published').length;
  const failed = live.filter((r) => r.status === 'failed').length;
  if (published === live.length) return 'published';
  if (published + failed === live.length) return published > 0 ? 'partially_failed' : 'failed';
  const started = live.some((r) => r.status !== 'scheduled' || r.attempts > 0);
  return started ? 'publishing' : 'scheduled';
}

/**
 * Returns the audit entry for the change (if any) instead of appending it: callers append their
 * entries last, so the audit chain's lock is held for as short a time as possible.
 */
export async function syncPostStatus(
  postId: string,
  publicationsOfPost: (tx: Executor) => Promise<PublicationRow[]>,
  tx: Executor,
): Promise<AuditEntry | undefined> {
  // The post row is locked first: two channels finishing at once aggregate one after the other.
  const [post] = await tx
    .select({ status: posts.status, version: posts.version, publishedAt: posts.publishedAt })
    .from(posts)
    .where(eq(posts.id, postId))
    .for('update');
  if (!post || !FOLLOWS_PUBLICATIONS.includes(post.status)) return undefined;
  const rows = await publicationsOfPost(tx);
  const next = aggregateStatus(rows);
  if (!next || next === post.status) return undefined;
  const firstOut = rows
    .map((r) => r.publishedAt)
    .filter((d): d is Date => d !== null)
    .sort((a, b) => a.getTime() - b.getTime())[0];
  await tx
    .update(posts)
    .set({ status: next, publishedAt: post.publishedAt ?? firstOut ?? null, updatedAt: new Date() })
    .where(eq(posts.id, postId));
  const counts = {
    published: rows.filter((r) => r.status === 'published').length,
    failed: rows.filter((r) => r.status === 'failed').length,
    total: rows.filter((r) => r.status !== 'cancelled').length,
  };
  await tx.insert(postEvents).values({
    postId,
    actorId: null,
    action: next,
    version: post.version,
    details: { from: post.status, ...counts },
  });
  return {
    actorId: null,
    actorLabel: 'system',
    action: `post.${next}`,
    targetType: 'post',
    targetId: postId,
    details: { from: post.status, ...counts },
  };
}
