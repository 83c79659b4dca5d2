// SQL for members' reach: shares and their tracked links' people clicks, rolled up the unit tree.
import { sql } from 'drizzle-orm';
import type { Executor } from '../db/database.ts';

export interface UnitStatsRow {
  unitId: string;
  name: string;
  members: number;
  activeMembers: number;
  shares: number;
  clicks: number;
  firstShareMinutesP50: number | null;
}

export interface MemberStatsRow {
  userId: string;
  name: string;
  unitId: string | null;
  unitName: string | null;
  listed: boolean;
  shares: number;
  clicks: number;
  reach: number;
}

/** Each unit below `root` (or every unit, without a root) with the child of root it falls under. */
const subtreeUnder = (root: string | null) => sql`
  tree AS (
    SELECT id, id AS top FROM units WHERE ${root === null ? sql`parent_id IS NULL` : sql`parent_id = ${root}`}
    UNION ALL SELECT u.id, t.top FROM units u JOIN tree t ON u.parent_id = t.id
  )`;

export function createStatsRepo(db: Executor) {
  return {
    /** Per child unit of `root` (top-level units without one), over shares completed in [from, to). */
    async unitStats(
      root: string | null,
      range: { from: Date; to: Date },
      tx: Executor = db,
    ): Promise<UnitStatsRow[]> {
      const result = await tx.execute<{
        id: string;
        name: string;
        members: number;
        active_members: number;
        shares: number;
        clicks: number;
        p50: number | null;
      }>(sql`
        WITH RECURSIVE ${subtreeUnder(root)},
        m AS (
          SELECT t.top, count(*)::int AS n FROM users u JOIN tree t ON t.id = u.unit_id
           WHERE u.role = 'member' AND u.active GROUP BY t.top
        ),
        s AS (
          SELECT t.top, ms.user_id, ms.post_id, ms.completed_at, coalesce(l.clicks, 0) AS clicks
            FROM member_shares ms JOIN tree t ON t.id = ms.unit_id
            LEFT JOIN links l ON l.code = ms.link_code
           WHERE ms.status = 'shared' AND ms.completed_at >= ${range.from.toISOString()}::timestamptz
             AND ms.completed_at < ${range.to.toISOString()}::timestamptz
        ),
        agg AS (
          SELECT top, count(DISTINCT user_id)::int AS active_members, count(*)::int AS shares, sum(clicks)::int AS clicks
            FROM s GROUP BY top
        ),
        firsts AS (
          SELECT s.top, extract(epoch FROM (min(s.completed_at) - p.published_at)) / 60 AS minutes
            FROM s JOIN posts p ON p.id = s.post_id WHERE p.published_at IS NOT NULL
           GROUP BY s.top, s.post_id, p.published_at
        ),
        p50 AS (
          SELECT top, percentile_cont(0.5) WITHIN GROUP (ORDER BY minutes) AS p50 FROM firsts GROUP BY top
        )
        SELECT un.id, un.name, coalesce(m.n, 0) AS members, coalesce(agg.active_members, 0) AS active_members,
               coalesce(agg.shares, 0) AS shares, coalesce(agg.clicks, 0) AS clicks, p50.p50
          FROM units un
          LEFT JOIN m ON m.top = un.id
          LEFT JOIN agg ON agg.top = un.id
          LEFT JOIN p50 ON p50.top = un.id
         WHERE un.id IN (SELECT top FROM tree)
         ORDER BY un.name`);
      return result.rows.map((r) => ({
        unitId: r.id,
        name: r.name,
        members: Number(r.members),
        activeMembers: Number(r.active_members),
        shares: Number(r.shares),
        clicks: Number(r.clicks),
        firstShareMinutesP50: r.p50 === null ? null : Math.round(Number(r.p50) * 10) / 10,
      }));
    },
    /** Every member in `root`'s subtree (everyone without a root) with their shares in [from, to). */
    async memberStats(
      root: string | null,
      range: { from: Date; to: Date },
      tx: Executor = db,
    ): Promise<MemberStatsRow[]> {
      const inTree =
        root === null
          ? sql`TRUE`
          : sql`u.unit_id IN (
              WITH RECURSIVE sub AS (SELECT id FROM units WHERE id = ${root}
                UNION ALL SELECT c.id FROM units c JOIN sub ON c.parent_id = sub.id)
              SELECT id FROM sub)`;
      const result = await tx.execute<{
        id: string;
        name: string;
        unit_id: string | null;
        unit_name: string | null;
        listed: boolean;
        shares: number;
        clicks: number;
        reach: number;
      }>(sql`
        SELECT u.id, u.name, u.unit_id, un.name AS unit_name, coalesce(mp.listed_in_stats, false) AS listed,
               count(ms.id)::int AS shares, coalesce(sum(l.clicks), 0)::int AS clicks,
               coalesce(sum(l.unique_visitors), 0)::int AS reach
          FROM users u
          LEFT JOIN units un ON un.id = u.unit_id
          LEFT JOIN member_profiles mp ON mp.user_id = u.id
          LEFT JOIN member_shares ms ON ms.user_id = u.id AND ms.status = 'shared'
               AND ms.completed_at >= ${range.from.toISOString()}::timestamptz
               AND ms.completed_at < ${range.to.toISOString()}::timestamptz
          LEFT JOIN links l ON l.code = ms.link_code
         WHERE u.role = 'member' AND u.active AND ${inTree}
         GROUP BY u.id, u.name, u.unit_id, un.name, mp.listed_in_stats
         ORDER BY u.name, u.id`);
      return result.rows.map((r) => ({
        userId: r.id,
        name: r.name,
        unitId: r.unit_id,
        unitName: r.unit_name,
        listed: r.listed,
        shares: Number(r.shares),
        clicks: Number(r.clicks),
        reach: Number(r.reach),
      }));
    },
  };
}

export type StatsRepo = ReturnType<typeof createStatsRepo>;
