// The start page's read model: what needs someone's attention, read across posts,
// publications, channels and users in a few bounded queries. Read only: every change to
// these tables goes through their own modules' services.
import { and, asc, desc, eq, gte, inArray, isNull, lt, ne, notInArray, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Executor } from '../db/database.ts';
import { channels, posts, publications, users } from '../db/schema.ts';
import { withinScope } from '../db/unit-scope.ts';
import type { UnitScope } from '../auth/actor.ts';

/** At most this many rows per list; the count says how many there are in all. */
export const HOME_LIST_LIMIT = 8;

const author = alias(users, 'author');

export function createHomeRepo(db: Executor) {
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

    /**
     * Posts with a publication that failed since `since`, one row per post with the channels
     * that failed, on posts still standing (not cancelled or retracted); `involving` narrows
     * them to posts a person wrote or approved.
     */
    async recentFailures(since: Date, scope: UnitScope, involving?: string) {
      const where = and(
        withinScope(posts.unitId, scope),
        eq(publications.status, 'failed'),
        gte(publications.updatedAt, since),
        notInArray(posts.status, ['cancelled', 'retracted']),
        involving ? or(eq(posts.authorId, involving), eq(posts.approvedBy, involving)) : undefined,
      );
      const failedAt = sql<Date>`max(${publications.updatedAt})`.mapWith(publications.updatedAt);
      const [rows, [count]] = await Promise.all([
        db
          .select({
            postId: posts.id,
            title: posts.title,
            postStatus: posts.status,
            channelNames: sql<string[]>`array_agg(${channels.name} order by ${channels.name})`,
            // The latest failure's reason stands for the post's.
            errorKind: sql<
              string | null
            >`(array_agg(${publications.lastErrorKind} order by ${publications.updatedAt} desc))[1]`,
            error: sql<
              string | null
            >`(array_agg(${publications.lastError} order by ${publications.updatedAt} desc))[1]`,
            failedAt,
          })
          .from(publications)
          .innerJoin(posts, eq(posts.id, publications.postId))
          .innerJoin(channels, eq(channels.id, publications.channelId))
          .where(where)
          .groupBy(posts.id)
          .orderBy(desc(failedAt), asc(posts.id))
          .limit(HOME_LIST_LIMIT),
        db
          .select({ n: sql<number>`count(distinct ${posts.id})::int` })
          .from(publications)
          .innerJoin(posts, eq(posts.id, publications.postId))
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

    /** Channels whose token the platform no longer accepts. */
    async channelsNeedingReconnect() {
      return db
        .select({
          id: channels.id,
          name: channels.name,
          platform: channels.platform,
          reason: channels.statusReason,
          since: channels.updatedAt,
        })
        .from(channels)
        .where(and(eq(channels.status, 'needs_reconnect'), isNull(channels.deletedAt)))
        .orderBy(asc(channels.name), asc(channels.id));
    },

    /** Approved posts due in [from, to), soonest first, with the names of their channels. */
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
      const ids = [...new Set(rows.flatMap((r) => r.channelIds))];
      const names = ids.length
        ? await db
            .select({ id: channels.id, name: channels.name })
            .from(channels)
            .where(inArray(channels.id, ids))
        : [];
      return { rows, total: count?.n ?? 0, channelNames: new Map(names.map((n) => [n.id, n.name])) };
    },
  };
}

export type HomeRepo = ReturnType<typeof createHomeRepo>;
