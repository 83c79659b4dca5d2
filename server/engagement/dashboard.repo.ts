// The dashboard's reads beyond the overview rollup: a post's member shares, a campaign's posts
// and days, and the month's top warnings. Figures per post come from the collector's latest
// values (engagement_tracking), never from raw snapshots.
import { sql, type SQL } from 'drizzle-orm';
import type { UnitScope } from '../auth/actor.ts';
import type { Database } from '../db/database.ts';

const pgArray = (values: readonly unknown[]) => sql.param(values);

function scopeCondition(column: SQL, scope: UnitScope): SQL {
  if (scope === null) return sql`true`;
  if (scope.length === 0) return sql`false`;
  return sql`${column} = ANY(${pgArray([...scope])}::uuid[])`;
}

const num = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));
const dateOrNull = (value: unknown): Date | null => (value ? new Date(String(value)) : null);

export interface PostFiguresRow {
  postId: string;
  title: string;
  status: string;
  publishedAt: Date | null;
  /** Sums over the post's Facebook publications; null when none of them has the figure. */
  impressions: number | null;
  reactions: number | null;
  comments: number | null;
  shares: number | null;
  linkClicks: number;
  facebookPublications: number;
  zaloPublications: number;
  memberShares: number;
  fetchedAt: Date | null;
}

/** One row per post: its publications' latest figures summed, and its members' shares. */
function postFigures(where: SQL, order: SQL, limit: number): SQL {
  return sql`
    SELECT po.id, po.title, po.status, po.published_at,
      sum(t.impressions) FILTER (WHERE c.platform = 'facebook') AS impressions,
      sum(t.reactions) FILTER (WHERE c.platform = 'facebook') AS reactions,
      sum(t.comments) FILTER (WHERE c.platform = 'facebook') AS comments,
      sum(t.shares) FILTER (WHERE c.platform = 'facebook') AS shares,
      coalesce(sum(coalesce(t.link_clicks, l.clicks, 0)), 0) AS link_clicks,
      count(p.id) FILTER (WHERE c.platform = 'facebook') AS facebook_publications,
      count(p.id) FILTER (WHERE c.platform = 'zalo') AS zalo_publications,
      (SELECT count(*) FROM member_shares ms WHERE ms.post_id = po.id AND ms.status = 'shared') AS member_shares,
      max(t.fetched_at) AS fetched_at
    FROM posts po
    LEFT JOIN publications p ON p.post_id = po.id AND p.status = 'published'
    LEFT JOIN channels c ON c.id = p.channel_id
    LEFT JOIN engagement_tracking t ON t.publication_id = p.id
    LEFT JOIN links l ON l.code = p.link_code
    WHERE ${where}
    GROUP BY po.id
    ORDER BY ${order}
    LIMIT ${limit}`;
}

function toPostFigures(row: Record<string, unknown>): PostFiguresRow {
  return {
    postId: String(row.id),
    title: String(row.title),
    status: String(row.status),
    publishedAt: dateOrNull(row.published_at),
    impressions: num(row.impressions),
    reactions: num(row.reactions),
    comments: num(row.comments),
    shares: num(row.shares),
    linkClicks: Number(row.link_clicks),
    facebookPublications: Number(row.facebook_publications),
    zaloPublications: Number(row.zalo_publications),
    memberShares: Number(row.member_shares),
    fetchedAt: dateOrNull(row.fetched_at),
  };
}

export function createDashboardRepo(db: Database) {
  return {
    /** Members' completed shares of posts in scope, in [from, to). */
    async memberShares(input: { from: Date; to: Date; scope: UnitScope }): Promise<number> {
      const result = await db.execute<{ n: number }>(sql`
        SELECT count(*)::int AS n FROM member_shares ms JOIN posts po ON po.id = ms.post_id
        WHERE ms.status = 'shared' AND ms.completed_at >= ${input.from.toISOString()}
          AND ms.completed_at < ${input.to.toISOString()} AND ${scopeCondition(sql`po.unit_id`, input.scope)}`);
      return Number(result.rows[0]?.n ?? 0);
    },

    /** A post's member shares: how many, per platform, and the first one. */
    async postShares(postId: string) {
      const result = await db.execute<{ platform: string; n: number; first_at: string | null }>(sql`
        SELECT platform, count(*)::int AS n, min(completed_at) AS first_at FROM member_shares
        WHERE post_id = ${postId} AND status = 'shared' GROUP BY platform ORDER BY platform`);
      return result.rows.map((row) => ({
        platform: row.platform,
        shares: Number(row.n),
        firstAt: dateOrNull(row.first_at),
      }));
    },

    async postPublishedAt(postId: string): Promise<Date | null> {
      const result = await db.execute<{ published_at: string | null }>(
        sql`SELECT published_at FROM posts WHERE id = ${postId}`,
      );
      return dateOrNull(result.rows[0]?.published_at);
    },

    /** The campaign's posts in scope with their figures, newest first. */
    async campaignPosts(campaignId: string, scope: UnitScope): Promise<PostFiguresRow[]> {
      const result = await db.execute<Record<string, unknown>>(
        postFigures(
          sql`po.campaign_id = ${campaignId} AND ${scopeCondition(sql`po.unit_id`, scope)}`,
          sql`po.published_at DESC NULLS LAST, po.id`,
          500,
        ),
      );
      return result.rows.map(toPostFigures);
    },

    /** What the campaign's posts gained per day (the overview's rollup, one campaign). */
    async campaignDays(campaignId: string, scope: UnitScope) {
      const result = await db.execute<Record<string, unknown>>(sql`
        SELECT to_char(t.day, 'YYYY-MM-DD') AS day, sum(t.impressions)::bigint AS impressions,
          sum(t.reactions)::bigint AS reactions, sum(t.comments)::bigint AS comments,
          sum(t.shares)::bigint AS shares, sum(t.link_clicks)::bigint AS link_clicks,
          bool_or(t.platform = 'facebook') AS facebook, max(t.fetched_at) AS fetched_at
        FROM engagement_totals t
        WHERE t.campaign_id = ${campaignId} AND ${scopeCondition(sql`t.unit_id`, scope)}
        GROUP BY t.day ORDER BY t.day`);
      return result.rows.map((row) => ({
        day: String(row.day),
        impressions: Number(row.impressions),
        reactions: Number(row.reactions),
        comments: Number(row.comments),
        shares: Number(row.shares),
        linkClicks: Number(row.link_clicks),
        facebook: row.facebook === true,
        fetchedAt: dateOrNull(row.fetched_at),
      }));
    },

    /** Posts published in [from, to) in scope, the most interacted with first. */
    async topPosts(input: {
      from: Date;
      to: Date;
      scope: UnitScope;
      limit: number;
    }): Promise<PostFiguresRow[]> {
      const result = await db.execute<Record<string, unknown>>(
        postFigures(
          sql`po.published_at >= ${input.from.toISOString()} AND po.published_at < ${input.to.toISOString()}
            AND ${scopeCondition(sql`po.unit_id`, input.scope)}`,
          sql`coalesce(sum(t.reactions), 0) + coalesce(sum(t.comments), 0) + coalesce(sum(t.shares), 0)
            + coalesce(sum(coalesce(t.link_clicks, l.clicks, 0)), 0) DESC, po.published_at DESC, po.id`,
          input.limit,
        ),
      );
      return result.rows.map(toPostFigures);
    },
  };
}

export type DashboardRepo = ReturnType<typeof createDashboardRepo>;
