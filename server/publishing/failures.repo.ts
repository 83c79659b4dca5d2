// Publications that failed lately, one row per post, for the start page. Read only.
import { and, asc, desc, eq, gte, notInArray, or, sql } from 'drizzle-orm';
import type { UnitScope } from '../auth/actor.ts';
import type { Executor } from '../db/database.ts';
import { channels, posts, publications } from '../db/schema.ts';
import { withinScope } from '../db/unit-scope.ts';
import { HOME_LIST_LIMIT } from '../posts/attention.repo.ts';

export function createFailuresRepo(db: Executor) {
  return {
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
  };
}
