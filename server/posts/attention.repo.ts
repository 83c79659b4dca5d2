// Posts that need someone's attention, for the start page (server/system/home.service.ts):
// bounded lists with their totals. Read only.
import { and, asc, desc, eq, gte, inArray, lt, ne, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { UnitScope } from '../auth/actor.ts';
import type { Executor } from '../db/database.ts';
import { posts, users } from '../db/schema.ts';
import { withinScope } from '../db/unit-scope.ts';

/** At most this many rows per list; the count says how many there are in all. */
export const HOME_LIST_LIMIT = 8;

const author = alias(users, 'author');

export function createPostsAttentionRepo(db: Executor) {
  return {
    /** Posts in review that someone other than their author may decide on, oldest first. */
    async awaitingReview(reviewerId: string, scope: UnitScope) {
      const where = and(
        eq(posts.status, 'in_review'),
        ne(posts.authorId, reviewerId),
        withinScope(posts.unitId, scope),
      );
      const [rows, [count]] = await Promise.all([
        db
          .select({
            id: posts.id,
            title: posts.title,
            urgent: posts.urgent,
            scheduledAt: posts.scheduledAt,
            submittedAt: posts.updatedAt,
            authorName: author.name,
          })
          .from(posts)
          .innerJoin(author, eq(author.id, posts.authorId))
          .where(where)
          .orderBy(desc(posts.urgent), asc(posts.scheduledAt), asc(posts.id))
          .limit(HOME_LIST_LIMIT),
        db
          .select({ n: sql<number>`count(*)::int` })
          .from(posts)
          .where(where),
      ]);
      return { rows, total: count?.n ?? 0 };
    },

    /** A writer's posts that a reviewer sent back, most recently first. */
    async returnedTo(authorId: string) {
      const where = and(eq(posts.status, 'rejected'), eq(posts.authorId, authorId));
      const [rows, [count]] = await Promise.all([
        db
          .select({ id: posts.id, title: posts.title, returnedAt: posts.updatedAt })
          .from(posts)
          .where(where)
          .orderBy(desc(posts.updatedAt), asc(posts.id))
          .limit(HOME_LIST_LIMIT),
        db
          .select({ n: sql<number>`count(*)::int` })
          .from(posts)
          .where(where),
      ]);
      return { rows, total: count?.n ?? 0 };
    },

    /** Approved posts due in [from, to), soonest first, with their channels' ids. */
    async dueBetween(from: Date, to: Date, scope: UnitScope) {
      const where = and(
        withinScope(posts.unitId, scope),
        inArray(posts.status, ['scheduled', 'publishing']),
        gte(posts.scheduledAt, from),
        lt(posts.scheduledAt, to),
      );
      const [rows, [count]] = await Promise.all([
        db
          .select({
            id: posts.id,
            title: posts.title,
            urgent: posts.urgent,
            scheduledAt: posts.scheduledAt,
            channelIds: posts.channelIds,
          })
          .from(posts)
          .where(where)
          .orderBy(asc(posts.scheduledAt), asc(posts.id))
          .limit(HOME_LIST_LIMIT),
        db
          .select({ n: sql<number>`count(*)::int` })
          .from(posts)
          .where(where),
      ]);
      return { rows, total: count?.n ?? 0 };
    },
  };
}
