// A post's status follows its publications: publishing once one has started, published when all
// are out, partially_failed / failed when some / all could not go out. Every change is a post
// event (actor null = Loa itself) and an audit entry, in the caller's transaction. This is the
// posts module's rule; the publisher calls it from inside its own settling transactions.
import type { AuditEntry } from '../audit/audit.service.ts';
import type { Executor } from '../db/database.ts';
import type { PostStatus } from '../db/schema.ts';
import { createPublicationRepo, type PublicationRow } from '../publishing/publication.repo.ts';
import { createPostsRepo } from './posts.repo.ts';

/** The statuses publishing may move a post between; others (cancelled, retracted …) are left alone. */
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
 * Locks the posts in id order. Settling transactions take these locks before touching any
 * publication, like the posts module's edits do, so the two never wait on each other in a circle.
 * A claim, which has already locked its publications, skips posts someone else holds: their
 * status then follows at settlement.
 */
export type LockedPost = Awaited<ReturnType<typeof lockPosts>>[number];

export async function lockPosts(
  postIds: readonly string[],
  tx: Executor,
  options: { skipLocked?: boolean } = {},
) {
  const ids = [...new Set(postIds)].sort();
  if (ids.length === 0) return [];
  return createPostsRepo(tx).lockStatuses(ids, tx, options);
}

/**
 * Moves each post to the status its publications add up to, in the caller's transaction, and
 * returns the audit entries for the changes (callers append them with their own, in one insert).
 * The posts are locked first, in id order: two workers settling channels of the same post
 * aggregate one after the other and never deadlock.
 */
export async function syncPostStatuses(
  postIds: readonly string[],
  tx: Executor,
  /** `locked`: the posts as this transaction already locked them (lockPosts), not read again. */
  options: { skipLocked?: boolean; locked?: readonly LockedPost[] } = {},
): Promise<AuditEntry[]> {
  const ids = [...new Set(postIds)].sort();
  if (ids.length === 0) return [];
  const locked = options.locked?.filter((p) => ids.includes(p.id)) ?? (await lockPosts(ids, tx, options));
  const following = locked.filter((p) => FOLLOWS_PUBLICATIONS.includes(p.status));
  if (following.length === 0) return [];
  const rows = await createPublicationRepo(tx).statusesByPost(
    following.map((p) => p.id),
    tx,
  );
  const changes: {
    id: string;
    from: PostStatus;
    to: PostStatus;
    version: number;
    publishedAt: Date | null;
    details: Record<string, unknown>;
  }[] = [];
  for (const post of following) {
    const own = rows.filter((r) => r.postId === post.id);
    const next = aggregateStatus(own);
    if (!next || next === post.status) continue;
    const firstOut = own
      .map((r) => r.publishedAt)
      .filter((d): d is Date => d !== null)
      .sort((a, b) => a.getTime() - b.getTime())[0];
    changes.push({
      id: post.id,
      from: post.status,
      to: next,
      version: post.version,
      publishedAt: post.publishedAt ?? firstOut ?? null,
      details: {
        from: post.status,
        published: own.filter((r) => r.status === 'published').length,
        failed: own.filter((r) => r.status === 'failed').length,
        total: own.filter((r) => r.status !== 'cancelled').length,
      },
    });
  }
  if (changes.length === 0) return [];
  await createPostsRepo(tx).applyStatusChanges(changes, tx);
  return changes.map((c) => ({
    actorId: null,
    actorLabel: 'system',
    action: `post.${c.to}`,
    targetType: 'post',
    targetId: c.id,
    details: c.details,
  }));
}
