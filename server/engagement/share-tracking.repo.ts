// All SQL of members' shares on the engagement side: which shares are followed and when each is
// next due, their raw snapshots (monthly partitions) and the day × unit × campaign × platform
// rollup the overview reads. The shares themselves come from the amplification service.
import { sql, type SQL } from 'drizzle-orm';
import type { UnitScope } from '../auth/actor.ts';
import type { Database, Executor } from '../db/database.ts';
import type { SharePlatform } from '../db/schema.ts';
import { createPartitions } from './partitions.repo.ts';

export interface ShareToFollow {
  id: string;
  postId: string;
  unitId: string | null;
  campaignId: string | null;
  platform: SharePlatform;
  sharedAt: Date;
}

export interface ShareCounts {
  linkClicks: number;
  uniqueVisitors: number;
  botClicks: number;
}

export interface DueShare {
  shareId: string;
  sharedAt: Date;
  occurrence: number;
  nextDueAt: Date | null;
  earlyAt: Date | null;
  leaseUntil: Date;
  /** The counts stored by the previous snapshot: what this one's gains are measured from. */
  previous: ShareCounts;
}

export interface ShareSnapshotInput extends ShareCounts {
  shareId: string;
  fetchedAt: Date;
  occurrence: number | null;
}

export interface ShareAdvance {
  shareId: string;
  /** The occurrence the claim saw: the update is fenced on it and on the lease. */
  expectedOccurrence: number;
  leaseUntil: Date;
  occurrence: number;
  nextDueAt: Date | null;
}

export interface ShareSums {
  shares: number;
  linkClicks: number;
  uniqueVisitors: number;
  fetchedAt: Date | null;
}

const pgArray = (values: readonly unknown[]) => sql.param(values);

function scopeCondition(column: SQL, scope: UnitScope): SQL {
  if (scope === null) return sql`true`;
  if (scope.length === 0) return sql`false`;
  return sql`${column} = ANY(${pgArray([...scope])}::uuid[])`;
}

function sumsOf(row: Record<string, unknown> | undefined): ShareSums {
  return {
    shares: Number(row?.shares ?? 0),
    linkClicks: Number(row?.link_clicks ?? 0),
    uniqueVisitors: Number(row?.unique_visitors ?? 0),
    fetchedAt: row?.fetched_at ? new Date(String(row.fetched_at)) : null,
  };
}

export function createShareTrackingRepo(db: Database) {
  const partitions = createPartitions(db, 'share_snapshots');

  return {
    ensurePartitions: (from: Date, to: Date, tx: Executor = db) => partitions.ensure(from, to, tx),
    dropPartitionsBefore: (cutoff: Date) => partitions.dropBefore(cutoff),

    /** When the newest followed share was recorded (discovery goes on from a little before it). */
    async newestSharedAt(): Promise<Date | null> {
      const result = await db.execute<{ at: string | null }>(
        sql`SELECT max(shared_at) AS at FROM share_engagement_tracking`,
      );
      const at = result.rows[0]?.at;
      return at ? new Date(at) : null;
    },

    /**
     * Starts following these shares; a share already followed is left alone. The same statement
     * counts each newly followed share once in the rollup, on the day it was recorded: a second
     * discovery of the same share (a restart, an overlapping window) adds nothing.
     */
    async follow(shares: ShareToFollow[], firstOffsetSeconds: number, timeZone: string): Promise<number> {
      if (shares.length === 0) return 0;
      const result = await db.execute<{ followed: number }>(sql`
        WITH input AS (
          SELECT * FROM unnest(
            ${pgArray(shares.map((s) => s.id))}::uuid[], ${pgArray(shares.map((s) => s.postId))}::uuid[],
            ${pgArray(shares.map((s) => s.unitId))}::uuid[], ${pgArray(shares.map((s) => s.campaignId))}::uuid[],
            ${pgArray(shares.map((s) => s.platform))}::text[], ${pgArray(shares.map((s) => s.sharedAt.toISOString()))}::timestamptz[]
          ) AS i(share_id, post_id, unit_id, campaign_id, platform, shared_at)
        ),
        followed AS (
          INSERT INTO share_engagement_tracking (share_id, post_id, unit_id, campaign_id, platform, shared_at, occurrence, next_due_at)
          SELECT share_id, post_id, unit_id, campaign_id, platform, shared_at, 0,
                 shared_at + make_interval(secs => ${firstOffsetSeconds})
            FROM input
          ON CONFLICT DO NOTHING
          RETURNING unit_id, campaign_id, platform, shared_at
        ),
        counted AS (
          INSERT INTO share_totals AS t (day, unit_id, campaign_id, platform, shares, fetched_at)
          SELECT (shared_at AT TIME ZONE ${timeZone})::date, unit_id, campaign_id, platform, count(*), max(shared_at)
            FROM followed GROUP BY 1, unit_id, campaign_id, platform
          ON CONFLICT (day, unit_id, campaign_id, platform) DO UPDATE SET
            shares = t.shares + excluded.shares, fetched_at = greatest(t.fetched_at, excluded.fetched_at)
        )
        SELECT count(*)::int AS followed FROM followed`);
      return Number(result.rows[0]?.followed ?? 0);
    },

    /** Takes up to `limit` due shares under a lease (only `shareIds`, when given). */
    async claimDue(input: {
      now: Date;
      limit: number;
      leaseUntil: Date;
      shareIds?: string[];
    }): Promise<DueShare[]> {
      const now = input.now.toISOString();
      const only = input.shareIds ? sql`AND t.share_id = ANY(${pgArray(input.shareIds)}::uuid[])` : sql``;
      const result = await db.execute<Record<string, unknown>>(sql`
        UPDATE share_engagement_tracking t SET lease_until = ${input.leaseUntil.toISOString()}
        FROM (
          SELECT t.share_id FROM share_engagement_tracking t
          WHERE (t.next_due_at <= ${now} OR t.early_at <= ${now})
            AND (t.lease_until IS NULL OR t.lease_until < ${now})
            ${only}
          ORDER BY least(t.next_due_at, t.early_at)
          LIMIT ${input.limit}
          FOR UPDATE SKIP LOCKED
        ) d
        WHERE t.share_id = d.share_id
        RETURNING t.share_id, t.shared_at, t.occurrence, t.next_due_at, t.early_at, t.lease_until,
          t.link_clicks, t.unique_visitors, t.bot_clicks`);
      return result.rows.map((row) => ({
        shareId: String(row.share_id),
        sharedAt: new Date(String(row.shared_at)),
        occurrence: Number(row.occurrence),
        nextDueAt: row.next_due_at ? new Date(String(row.next_due_at)) : null,
        earlyAt: row.early_at ? new Date(String(row.early_at)) : null,
        leaseUntil: new Date(String(row.lease_until)),
        previous: {
          linkClicks: Number(row.link_clicks),
          uniqueVisitors: Number(row.unique_visitors),
          botClicks: Number(row.bot_clicks),
        },
      }));
    },

    async release(shareIds: string[]): Promise<void> {
      if (shareIds.length === 0) return;
      await db.execute(
        sql`UPDATE share_engagement_tracking SET lease_until = NULL WHERE share_id = ANY(${pgArray(shareIds)}::uuid[])`,
      );
    },

    /**
     * Moves each claimed share to its next occurrence with its new counts, fenced on the
     * occurrence and lease the claim saw; returns the ids that moved.
     */
    async advance(
      tx: Executor,
      items: ShareAdvance[],
      snapshots: ShareSnapshotInput[],
    ): Promise<Set<string>> {
      if (items.length === 0) return new Set();
      const byId = new Map(snapshots.map((s) => [s.shareId, s]));
      const counts = (key: keyof ShareCounts) => items.map((i) => byId.get(i.shareId)?.[key] ?? null);
      const result = await tx.execute<{ share_id: string }>(sql`
        UPDATE share_engagement_tracking t SET
          occurrence = v.occurrence, next_due_at = v.next_due_at, lease_until = NULL,
          early_at = CASE WHEN t.early_at <= v.fetched_at THEN NULL ELSE t.early_at END,
          fetched_at = coalesce(v.fetched_at, t.fetched_at),
          link_clicks = coalesce(v.link_clicks, t.link_clicks),
          unique_visitors = coalesce(v.unique_visitors, t.unique_visitors),
          bot_clicks = coalesce(v.bot_clicks, t.bot_clicks)
        FROM unnest(
          ${pgArray(items.map((i) => i.shareId))}::uuid[], ${pgArray(items.map((i) => i.expectedOccurrence))}::int[],
          ${pgArray(items.map((i) => i.leaseUntil.toISOString()))}::timestamptz[], ${pgArray(items.map((i) => i.occurrence))}::int[],
          ${pgArray(items.map((i) => i.nextDueAt?.toISOString() ?? null))}::timestamptz[],
          ${pgArray(items.map((i) => byId.get(i.shareId)?.fetchedAt.toISOString() ?? null))}::timestamptz[],
          ${pgArray(counts('linkClicks'))}::bigint[], ${pgArray(counts('uniqueVisitors'))}::bigint[],
          ${pgArray(counts('botClicks'))}::bigint[]
        ) AS v(id, expected, lease, occurrence, next_due_at, fetched_at, link_clicks, unique_visitors, bot_clicks)
        WHERE t.share_id = v.id AND t.occurrence = v.expected AND t.lease_until = v.lease
        RETURNING t.share_id`);
      return new Set(result.rows.map((row) => row.share_id));
    },

    /**
     * One multi-row insert of raw snapshots and, in the same statement, what the links gained
     * since the previous snapshot added to the rollup on the snapshot's day. `gains` are
     * measured from the counts the claim read under its lease, so each click is added once.
     */
    async insertSnapshots(
      tx: Executor,
      rows: (ShareSnapshotInput & { gainedClicks: number; gainedVisitors: number })[],
      timeZone: string,
    ): Promise<void> {
      if (rows.length === 0) return;
      await tx.execute(sql`
        WITH input AS (
          SELECT * FROM unnest(
            ${pgArray(rows.map((r) => r.shareId))}::uuid[], ${pgArray(rows.map((r) => r.fetchedAt.toISOString()))}::timestamptz[],
            ${pgArray(rows.map((r) => r.occurrence))}::int[], ${pgArray(rows.map((r) => r.linkClicks))}::bigint[],
            ${pgArray(rows.map((r) => r.uniqueVisitors))}::bigint[], ${pgArray(rows.map((r) => r.botClicks))}::bigint[],
            ${pgArray(rows.map((r) => r.gainedClicks))}::bigint[], ${pgArray(rows.map((r) => r.gainedVisitors))}::bigint[]
          ) AS i(share_id, fetched_at, occurrence, link_clicks, unique_visitors, bot_clicks, d_clicks, d_visitors)
        ),
        raw AS (
          INSERT INTO share_snapshots (share_id, fetched_at, occurrence, link_clicks, unique_visitors, bot_clicks)
          SELECT share_id, fetched_at, occurrence, link_clicks, unique_visitors, bot_clicks FROM input
          ON CONFLICT DO NOTHING
        )
        INSERT INTO share_totals AS t (day, unit_id, campaign_id, platform, link_clicks, unique_visitors, fetched_at)
        SELECT (i.fetched_at AT TIME ZONE ${timeZone})::date, s.unit_id, s.campaign_id, s.platform,
               sum(i.d_clicks), sum(i.d_visitors), max(i.fetched_at)
          FROM input i JOIN share_engagement_tracking s ON s.share_id = i.share_id
         WHERE i.d_clicks <> 0 OR i.d_visitors <> 0
         GROUP BY 1, s.unit_id, s.campaign_id, s.platform
        ON CONFLICT (day, unit_id, campaign_id, platform) DO UPDATE SET
          link_clicks = t.link_clicks + excluded.link_clicks,
          unique_visitors = t.unique_visitors + excluded.unique_visitors,
          fetched_at = greatest(t.fetched_at, excluded.fetched_at)`);
    },

    /** Asks for an early snapshot of the post's followed shares (a refresh). */
    async requestEarlyForPost(postId: string, at: Date): Promise<string[]> {
      const result = await db.execute<{ share_id: string }>(sql`
        UPDATE share_engagement_tracking SET early_at = ${at.toISOString()}
        WHERE post_id = ${postId} AND next_due_at IS NOT NULL
        RETURNING share_id`);
      return result.rows.map((row) => row.share_id);
    },

    /** When each of these shares was last snapshotted. */
    async fetchedAt(shareIds: string[]): Promise<Map<string, Date>> {
      if (shareIds.length === 0) return new Map();
      const result = await db.execute<{ share_id: string; fetched_at: string }>(sql`
        SELECT share_id, fetched_at FROM share_engagement_tracking
        WHERE share_id = ANY(${pgArray(shareIds)}::uuid[]) AND fetched_at IS NOT NULL`);
      return new Map(result.rows.map((row) => [row.share_id, new Date(row.fetched_at)]));
    },

    /** Sums of the rollup in [from, to] (dates): totals, by day and by the member's unit. */
    async overview(input: { from: string; to: string; scope: UnitScope }) {
      const where = sql`t.day BETWEEN ${input.from}::date AND ${input.to}::date AND ${scopeCondition(sql`t.unit_id`, input.scope)}`;
      const sums = sql`sum(t.shares)::bigint AS shares, sum(t.link_clicks)::bigint AS link_clicks,
        sum(t.unique_visitors)::bigint AS unique_visitors, max(t.fetched_at) AS fetched_at`;
      const [totals, byDay, byUnit] = await Promise.all([
        db.execute<Record<string, unknown>>(sql`SELECT ${sums} FROM share_totals t WHERE ${where}`),
        db.execute<Record<string, unknown>>(sql`
          SELECT to_char(t.day, 'YYYY-MM-DD') AS key, ${sums}
          FROM share_totals t WHERE ${where} GROUP BY t.day ORDER BY t.day`),
        db.execute<Record<string, unknown>>(sql`
          SELECT t.unit_id AS key, u.name, ${sums}
          FROM share_totals t LEFT JOIN units u ON u.id = t.unit_id WHERE ${where}
          GROUP BY t.unit_id, u.name ORDER BY u.name NULLS LAST`),
      ]);
      const keyed = (rows: Record<string, unknown>[]) =>
        rows.map((row) => ({
          key: row.key === null || row.key === undefined ? null : String(row.key),
          name: row.name === null || row.name === undefined ? null : String(row.name),
          ...sumsOf(row),
        }));
      return {
        totals: sumsOf(totals.rows[0]),
        byDay: keyed(byDay.rows),
        byUnit: keyed(byUnit.rows),
      };
    },
  };
}

export type ShareTrackingRepo = ReturnType<typeof createShareTrackingRepo>;
