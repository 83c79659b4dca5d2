// Reads of members' shares for other modules (the engagement collector, post stats, the CSV):
// the shares recorded as `shared` and what Loa counted on each member's own tracked link.
// Read-only: the share feed's writes stay in shares.repo.ts.
import { sql, type SQL } from 'drizzle-orm';
import type { UnitScope } from '../auth/actor.ts';
import type { Executor } from '../db/database.ts';
import type { SharePlatform } from '../db/schema.ts';

export interface CompletedShare {
  id: string;
  postId: string;
  unitId: string | null;
  campaignId: string | null;
  platform: SharePlatform;
  sharedAt: Date;
}

export interface ShareReach {
  clicks: number;
  uniqueVisitors: number;
  botClicks: number;
}

export interface PostShareRow extends ShareReach {
  id: string;
  platform: SharePlatform;
  unitId: string | null;
  unitName: string | null;
  sharedAt: Date;
}

export interface ShareExportRow extends ShareReach {
  id: string;
  postId: string;
  title: string;
  platform: SharePlatform;
  unitName: string | null;
  sharedAt: Date;
}

function scopeCondition(column: SQL, scope: UnitScope): SQL {
  if (scope === null) return sql`true`;
  if (scope.length === 0) return sql`false`;
  return sql`${column} = ANY(${sql.param([...scope])}::uuid[])`;
}

const count = (value: unknown) => Number(value ?? 0);

export function createShareReachRepo(db: Executor) {
  return {
    /** Shares recorded as shared since `since`, in (sharedAt, id) order after the cursor. */
    async completedSince(
      since: Date,
      after: { at: Date; id: string } | null,
      limit: number,
    ): Promise<CompletedShare[]> {
      const cursor = after
        ? sql`AND (ms.completed_at, ms.id) > (${after.at.toISOString()}::timestamptz, ${after.id}::uuid)`
        : sql``;
      const result = await db.execute<{
        id: string;
        post_id: string;
        unit_id: string | null;
        campaign_id: string | null;
        platform: SharePlatform;
        completed_at: string;
      }>(sql`
        SELECT ms.id, ms.post_id, ms.unit_id, p.campaign_id, ms.platform, ms.completed_at
          FROM member_shares ms JOIN posts p ON p.id = ms.post_id
         WHERE ms.status = 'shared' AND ms.completed_at >= ${since.toISOString()}::timestamptz ${cursor}
         ORDER BY ms.completed_at, ms.id
         LIMIT ${limit}`);
      return result.rows.map((r) => ({
        id: r.id,
        postId: r.post_id,
        unitId: r.unit_id,
        campaignId: r.campaign_id,
        platform: r.platform,
        sharedAt: new Date(r.completed_at),
      }));
    },

    /** People's clicks, daily unique visitors and bot fetches of these shares' tracked links. */
    async reach(shareIds: readonly string[]): Promise<Map<string, ShareReach>> {
      if (shareIds.length === 0) return new Map();
      const result = await db.execute<{
        id: string;
        clicks: number | null;
        unique_visitors: number | null;
        bot_clicks: number | null;
      }>(sql`
        SELECT ms.id, l.clicks, l.unique_visitors, l.bot_clicks
          FROM member_shares ms LEFT JOIN links l ON l.code = ms.link_code
         WHERE ms.id = ANY(${sql.param([...shareIds])}::uuid[])`);
      return new Map(
        result.rows.map((r) => [
          r.id,
          {
            clicks: count(r.clicks),
            uniqueVisitors: count(r.unique_visitors),
            botClicks: count(r.bot_clicks),
          },
        ]),
      );
    },

    /** A post's shares recorded as shared, oldest first, with their unit and link counts. */
    async forPost(postId: string): Promise<PostShareRow[]> {
      const result = await db.execute<{
        id: string;
        platform: SharePlatform;
        unit_id: string | null;
        unit_name: string | null;
        completed_at: string;
        clicks: number | null;
        unique_visitors: number | null;
        bot_clicks: number | null;
      }>(sql`
        SELECT ms.id, ms.platform, ms.unit_id, u.name AS unit_name, ms.completed_at,
               l.clicks, l.unique_visitors, l.bot_clicks
          FROM member_shares ms
          LEFT JOIN units u ON u.id = ms.unit_id
          LEFT JOIN links l ON l.code = ms.link_code
         WHERE ms.post_id = ${postId} AND ms.status = 'shared'
         ORDER BY ms.completed_at, ms.id`);
      return result.rows.map((r) => ({
        id: r.id,
        platform: r.platform,
        unitId: r.unit_id,
        unitName: r.unit_name,
        sharedAt: new Date(r.completed_at),
        clicks: count(r.clicks),
        uniqueVisitors: count(r.unique_visitors),
        botClicks: count(r.bot_clicks),
      }));
    },

    /** One page of shares recorded in [from, to) by members of the scope's units (keyset on id). */
    async exportPage(input: {
      from: Date;
      to: Date;
      scope: UnitScope;
      after: string | null;
      limit: number;
    }): Promise<ShareExportRow[]> {
      const result = await db.execute<{
        id: string;
        post_id: string;
        title: string;
        platform: SharePlatform;
        unit_name: string | null;
        completed_at: string;
        clicks: number | null;
        unique_visitors: number | null;
        bot_clicks: number | null;
      }>(sql`
        SELECT ms.id, ms.post_id, p.title, ms.platform, u.name AS unit_name, ms.completed_at,
               l.clicks, l.unique_visitors, l.bot_clicks
          FROM member_shares ms
          JOIN posts p ON p.id = ms.post_id
          LEFT JOIN units u ON u.id = ms.unit_id
          LEFT JOIN links l ON l.code = ms.link_code
         WHERE ms.status = 'shared'
           AND ms.completed_at >= ${input.from.toISOString()}::timestamptz
           AND ms.completed_at < ${input.to.toISOString()}::timestamptz
           AND ${scopeCondition(sql`ms.unit_id`, input.scope)}
           ${input.after ? sql`AND ms.id > ${input.after}::uuid` : sql``}
         ORDER BY ms.id
         LIMIT ${input.limit}`);
      return result.rows.map((r) => ({
        id: r.id,
        postId: r.post_id,
        title: r.title,
        platform: r.platform,
        unitName: r.unit_name,
        sharedAt: new Date(r.completed_at),
        clicks: count(r.clicks),
        uniqueVisitors: count(r.unique_visitors),
        botClicks: count(r.bot_clicks),
      }));
    },
  };
}

export type ShareReachRepo = ReturnType<typeof createShareReachRepo>;
