// All SQL of engagement: tracking (what is due), raw snapshots in monthly partitions, the two
// rollups, follower counts, refused metrics, usage pauses and webhook deliveries.
// Batches go in as arrays through unnest(): one statement per batch whatever its size.
import { sql, type SQL } from 'drizzle-orm';
import type { UnitScope } from '../auth/actor.ts';
import type { Database, Executor } from '../db/database.ts';
import type { Platform } from '../db/schema.ts';
import { createPartitions } from './partitions.repo.ts';
import { createShareTrackingRepo } from './share-tracking.repo.ts';

export const FIGURES = ['impressions', 'reactions', 'comments', 'shares', 'clicks'] as const;
export type Figure = (typeof FIGURES)[number];
export type Figures = Record<Figure, number | null>;

export interface DueItem {
  publicationId: string;
  channelId: string;
  platform: Platform;
  externalId: string;
  postId: string;
  publishedAt: Date;
  occurrence: number;
  nextDueAt: Date | null;
  earlyAt: Date | null;
  leaseUntil: Date;
}

export interface SnapshotInput extends Figures {
  publicationId: string;
  fetchedAt: Date;
  occurrence: number | null;
  linkClicks: number;
}

export interface TrackingAdvance {
  publicationId: string;
  /** The occurrence the claim saw: the update is fenced on it and on the lease. */
  expectedOccurrence: number;
  leaseUntil: Date;
  occurrence: number;
  nextDueAt: Date | null;
}

/** A JS array as ONE array parameter (drizzle would otherwise spread it into a list). */
const pgArray = (values: readonly unknown[]) => sql.param(values);

const num = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

function scopeCondition(column: SQL, scope: UnitScope): SQL {
  if (scope === null) return sql`true`;
  if (scope.length === 0) return sql`false`;
  return sql`${column} = ANY(${pgArray([...scope])}::uuid[])`;
}

export function createEngagementRepo(db: Database) {
  const partitions = createPartitions(db, 'engagement_snapshots');

  /** Creates the monthly partitions that hold [from, to] (idempotent; remembered per process). */
  const ensurePartitions = (from: Date, to: Date, tx: Executor = db) => partitions.ensure(from, to, tx);

  /** Drops the partitions whose whole month ends before `cutoff`; returns their names. */
  const dropPartitionsBefore = (cutoff: Date) => partitions.dropBefore(cutoff);

  return {
    ensurePartitions,
    dropPartitionsBefore,
    /** Members' shares: their own tracking, snapshots and rollup. */
    shares: createShareTrackingRepo(db),

    /** Starts following every published publication inside the horizon that is not followed yet. */
    async discover(since: Date, firstOffsetSeconds: number): Promise<number> {
      const result = await db.execute(sql`
        INSERT INTO engagement_tracking (publication_id, channel_id, published_at, occurrence, next_due_at)
        SELECT p.id, p.channel_id, p.published_at, 0, p.published_at + make_interval(secs => ${firstOffsetSeconds})
        FROM publications p
        WHERE p.status = 'published' AND p.external_id IS NOT NULL AND p.published_at > ${since.toISOString()}
          AND NOT EXISTS (SELECT 1 FROM engagement_tracking t WHERE t.publication_id = p.id)
        ON CONFLICT DO NOTHING`);
      return result.rowCount ?? 0;
    },

    /** Takes up to `limit` due publications under a lease; channels in `skipChannels` wait. */
    async claimDue(input: {
      now: Date;
      limit: number;
      leaseUntil: Date;
      skipChannels: string[];
      publicationIds?: string[];
    }): Promise<DueItem[]> {
      const now = input.now.toISOString();
      const only = input.publicationIds
        ? sql`AND t.publication_id = ANY(${pgArray(input.publicationIds)}::uuid[])`
        : sql``;
      const result = await db.execute<Record<string, unknown>>(sql`
        UPDATE engagement_tracking t SET lease_until = ${input.leaseUntil.toISOString()}
        FROM (
          SELECT t.publication_id FROM engagement_tracking t
          WHERE (t.next_due_at <= ${now} OR t.early_at <= ${now})
            AND (t.lease_until IS NULL OR t.lease_until < ${now})
            AND NOT (t.channel_id = ANY(${pgArray(input.skipChannels)}::uuid[]))
            ${only}
          ORDER BY least(t.next_due_at, t.early_at)
          LIMIT ${input.limit}
          FOR UPDATE SKIP LOCKED
        ) d, publications p, channels c
        WHERE t.publication_id = d.publication_id AND p.id = t.publication_id AND c.id = t.channel_id
        RETURNING t.publication_id, t.channel_id, c.platform, p.external_id, p.post_id, t.published_at,
          t.occurrence, t.next_due_at, t.early_at, t.lease_until`);
      return result.rows.map((row) => ({
        publicationId: String(row.publication_id),
        channelId: String(row.channel_id),
        platform: row.platform as Platform,
        externalId: String(row.external_id),
        postId: String(row.post_id),
        publishedAt: new Date(String(row.published_at)),
        occurrence: Number(row.occurrence),
        nextDueAt: row.next_due_at ? new Date(String(row.next_due_at)) : null,
        earlyAt: row.early_at ? new Date(String(row.early_at)) : null,
        leaseUntil: new Date(String(row.lease_until)),
      }));
    },

    /** Gives up leases without recording anything (a paused Page): the rows stay due. */
    async release(publicationIds: string[]): Promise<void> {
      if (publicationIds.length === 0) return;
      await db.execute(
        sql`UPDATE engagement_tracking SET lease_until = NULL WHERE publication_id = ANY(${pgArray(publicationIds)}::uuid[])`,
      );
    },

    /** Loa's own counts of the tracked links (`/l/:code`) of these publications. */
    async linkClicks(publicationIds: string[]): Promise<Map<string, number>> {
      if (publicationIds.length === 0) return new Map();
      const result = await db.execute<{ id: string; clicks: number }>(sql`
        SELECT p.id, l.clicks FROM publications p JOIN links l ON l.code = p.link_code
        WHERE p.id = ANY(${pgArray(publicationIds)}::uuid[])`);
      return new Map(result.rows.map((row) => [row.id, Number(row.clicks)]));
    },

    /**
     * Moves each claimed row to its next occurrence, fenced on the occurrence and lease the claim
     * saw (a second worker's late write changes nothing); returns the ids that moved.
     */
    async advance(tx: Executor, items: TrackingAdvance[], snapshots: SnapshotInput[]): Promise<Set<string>> {
      if (items.length === 0) return new Set();
      const byId = new Map(snapshots.map((s) => [s.publicationId, s]));
      const col = (figure: Figure) => items.map((i) => byId.get(i.publicationId)?.[figure] ?? null);
      const result = await tx.execute<{ publication_id: string }>(sql`
        UPDATE engagement_tracking t SET
          occurrence = v.occurrence, next_due_at = v.next_due_at, lease_until = NULL,
          early_at = CASE WHEN t.early_at <= v.fetched_at THEN NULL ELSE t.early_at END,
          fetched_at = v.fetched_at, impressions = v.impressions, reactions = v.reactions,
          comments = v.comments, shares = v.shares, clicks = v.clicks, link_clicks = v.link_clicks
        FROM unnest(
          ${pgArray(items.map((i) => i.publicationId))}::uuid[], ${pgArray(items.map((i) => i.expectedOccurrence))}::int[],
          ${pgArray(items.map((i) => i.leaseUntil.toISOString()))}::timestamptz[], ${pgArray(items.map((i) => i.occurrence))}::int[],
          ${pgArray(items.map((i) => i.nextDueAt?.toISOString() ?? null))}::timestamptz[],
          ${pgArray(items.map((i) => byId.get(i.publicationId)?.fetchedAt.toISOString() ?? null))}::timestamptz[],
          ${pgArray(col('impressions'))}::bigint[], ${pgArray(col('reactions'))}::bigint[], ${pgArray(col('comments'))}::bigint[],
          ${pgArray(col('shares'))}::bigint[], ${pgArray(col('clicks'))}::bigint[],
          ${pgArray(items.map((i) => byId.get(i.publicationId)?.linkClicks ?? 0))}::bigint[]
        ) AS v(id, expected, lease, occurrence, next_due_at, fetched_at, impressions, reactions, comments, shares, clicks, link_clicks)
        WHERE t.publication_id = v.id AND t.occurrence = v.expected AND t.lease_until = v.lease
        RETURNING t.publication_id`);
      return new Set(result.rows.map((row) => row.publication_id));
    },

    /**
     * One multi-row insert of raw snapshots, then both rollups brought up to date in the same
     * statement: per day × publication the day's last cumulative figures and what the day gained
     * over the previous day's; per day × channel × campaign × unit the change in those gains.
     */
    async insertSnapshots(tx: Executor, rows: SnapshotInput[], timeZone: string): Promise<void> {
      if (rows.length === 0) return;
      const col = (figure: Figure) => rows.map((r) => r[figure]);
      await tx.execute(sql`
        WITH input AS (
          SELECT * FROM unnest(
            ${pgArray(rows.map((r) => r.publicationId))}::uuid[], ${pgArray(rows.map((r) => r.fetchedAt.toISOString()))}::timestamptz[],
            ${pgArray(rows.map((r) => r.occurrence))}::int[],
            ${pgArray(col('impressions'))}::bigint[], ${pgArray(col('reactions'))}::bigint[], ${pgArray(col('comments'))}::bigint[],
            ${pgArray(col('shares'))}::bigint[], ${pgArray(col('clicks'))}::bigint[], ${pgArray(rows.map((r) => r.linkClicks))}::bigint[]
          ) AS i(publication_id, fetched_at, occurrence, impressions, reactions, comments, shares, clicks, link_clicks)
        ),
        raw AS (
          INSERT INTO engagement_snapshots (publication_id, fetched_at, occurrence, impressions, reactions, comments, shares, clicks, link_clicks)
          SELECT * FROM input ON CONFLICT DO NOTHING
        ),
        latest AS (
          SELECT DISTINCT ON (x.publication_id, x.day) x.*
          FROM (SELECT i.*, (i.fetched_at AT TIME ZONE ${timeZone})::date AS day FROM input i) x
          ORDER BY x.publication_id, x.day, x.fetched_at DESC
        ),
        computed AS (
          SELECT l.*, p.post_id, p.channel_id, po.unit_id, po.campaign_id, c.platform,
            l.impressions - coalesce(prev.impressions, 0) AS d_impressions,
            l.reactions - coalesce(prev.reactions, 0) AS d_reactions,
            l.comments - coalesce(prev.comments, 0) AS d_comments,
            l.shares - coalesce(prev.shares, 0) AS d_shares,
            l.clicks - coalesce(prev.clicks, 0) AS d_clicks,
            l.link_clicks - coalesce(prev.link_clicks, 0) AS d_link_clicks,
            coalesce(cur.d_impressions, 0) AS o_impressions, coalesce(cur.d_reactions, 0) AS o_reactions,
            coalesce(cur.d_comments, 0) AS o_comments, coalesce(cur.d_shares, 0) AS o_shares,
            coalesce(cur.d_clicks, 0) AS o_clicks, coalesce(cur.d_link_clicks, 0) AS o_link_clicks
          FROM latest l
          JOIN publications p ON p.id = l.publication_id
          JOIN posts po ON po.id = p.post_id
          JOIN channels c ON c.id = p.channel_id
          LEFT JOIN engagement_daily cur ON cur.publication_id = l.publication_id AND cur.day = l.day
          LEFT JOIN LATERAL (
            SELECT e.impressions, e.reactions, e.comments, e.shares, e.clicks, e.link_clicks
            FROM engagement_daily e WHERE e.publication_id = l.publication_id AND e.day < l.day
            ORDER BY e.day DESC LIMIT 1
          ) prev ON true
        ),
        daily AS (
          INSERT INTO engagement_daily (day, publication_id, post_id, channel_id, unit_id, campaign_id, platform,
            impressions, reactions, comments, shares, clicks, link_clicks,
            d_impressions, d_reactions, d_comments, d_shares, d_clicks, d_link_clicks, fetched_at)
          SELECT day, publication_id, post_id, channel_id, unit_id, campaign_id, platform,
            impressions, reactions, comments, shares, clicks, link_clicks,
            d_impressions, d_reactions, d_comments, d_shares, d_clicks, d_link_clicks, fetched_at
          FROM computed
          ON CONFLICT (day, publication_id) DO UPDATE SET
            impressions = excluded.impressions, reactions = excluded.reactions, comments = excluded.comments,
            shares = excluded.shares, clicks = excluded.clicks, link_clicks = excluded.link_clicks,
            d_impressions = excluded.d_impressions, d_reactions = excluded.d_reactions,
            d_comments = excluded.d_comments, d_shares = excluded.d_shares, d_clicks = excluded.d_clicks,
            d_link_clicks = excluded.d_link_clicks, fetched_at = excluded.fetched_at
        )
        INSERT INTO engagement_totals AS t (day, channel_id, campaign_id, unit_id, platform,
          impressions, reactions, comments, shares, clicks, link_clicks, fetched_at)
        SELECT day, channel_id, campaign_id, unit_id, platform,
          sum(coalesce(d_impressions, 0) - o_impressions), sum(coalesce(d_reactions, 0) - o_reactions),
          sum(coalesce(d_comments, 0) - o_comments), sum(coalesce(d_shares, 0) - o_shares),
          sum(coalesce(d_clicks, 0) - o_clicks), sum(coalesce(d_link_clicks, 0) - o_link_clicks),
          max(fetched_at)
        FROM computed GROUP BY day, channel_id, campaign_id, unit_id, platform
        ON CONFLICT (day, channel_id, campaign_id, unit_id) DO UPDATE SET
          impressions = t.impressions + excluded.impressions, reactions = t.reactions + excluded.reactions,
          comments = t.comments + excluded.comments, shares = t.shares + excluded.shares,
          clicks = t.clicks + excluded.clicks, link_clicks = t.link_clicks + excluded.link_clicks,
          fetched_at = greatest(t.fetched_at, excluded.fetched_at)`);
    },

    async recordFollowers(channelId: string, day: string, followers: number, fetchedAt: Date): Promise<void> {
      await db.execute(sql`
        INSERT INTO channel_followers_daily (channel_id, day, followers, fetched_at)
        VALUES (${channelId}, ${day}, ${followers}, ${fetchedAt.toISOString()})
        ON CONFLICT (channel_id, day) DO UPDATE SET followers = excluded.followers, fetched_at = excluded.fetched_at`);
    },

    /** Active Zalo channels whose follower count for `day` is not stored yet. */
    async zaloChannelsWithoutFollowers(day: string): Promise<string[]> {
      const result = await db.execute<{ id: string }>(sql`
        SELECT c.id FROM channels c
        WHERE c.platform = 'zalo' AND c.status = 'active' AND c.deleted_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM channel_followers_daily f WHERE f.channel_id = c.id AND f.day = ${day})`);
      return result.rows.map((row) => row.id);
    },

    async unavailableMetrics(channelIds: string[]): Promise<Map<string, Set<string>>> {
      const out = new Map<string, Set<string>>();
      if (channelIds.length === 0) return out;
      const result = await db.execute<{ channel_id: string; metric: string }>(sql`
        SELECT channel_id, metric FROM engagement_unavailable_metrics WHERE channel_id = ANY(${pgArray(channelIds)}::uuid[])`);
      for (const row of result.rows) {
        const set = out.get(row.channel_id) ?? new Set<string>();
        set.add(row.metric);
        out.set(row.channel_id, set);
      }
      return out;
    },

    /** True when the metric was not flagged for this channel before (the caller then notifies). */
    async markUnavailable(tx: Executor, channelId: string, metric: string, reason: string): Promise<boolean> {
      const result = await tx.execute(sql`
        INSERT INTO engagement_unavailable_metrics (channel_id, metric, reason)
        VALUES (${channelId}, ${metric}, ${reason}) ON CONFLICT DO NOTHING`);
      return (result.rowCount ?? 0) > 0;
    },

    async throttles(
      now: Date,
    ): Promise<Array<{ key: string; pausedUntil: Date | null; slowUntil: Date | null }>> {
      const result = await db.execute<{
        key: string;
        paused_until: string | null;
        slow_until: string | null;
      }>(sql`
        SELECT key, paused_until, slow_until FROM engagement_throttles
        WHERE paused_until > ${now.toISOString()} OR slow_until > ${now.toISOString()}`);
      return result.rows.map((row) => ({
        key: row.key,
        pausedUntil: row.paused_until ? new Date(row.paused_until) : null,
        slowUntil: row.slow_until ? new Date(row.slow_until) : null,
      }));
    },

    async setThrottle(
      key: string,
      percent: number,
      pausedUntil: Date | null,
      slowUntil: Date | null,
    ): Promise<void> {
      await db.execute(sql`
        INSERT INTO engagement_throttles (key, percent, paused_until, slow_until, updated_at)
        VALUES (${key}, ${Math.round(percent)}, ${pausedUntil?.toISOString() ?? null}, ${slowUntil?.toISOString() ?? null}, now())
        ON CONFLICT (key) DO UPDATE SET percent = excluded.percent, paused_until = excluded.paused_until,
          slow_until = excluded.slow_until, updated_at = now()`);
    },

    /** Records a webhook delivery; false when the same body was seen before (a replay). */
    async firstDelivery(platform: Platform, digest: string): Promise<boolean> {
      const result = await db.execute(sql`
        INSERT INTO webhook_deliveries (platform, digest) VALUES (${platform}, ${digest}) ON CONFLICT DO NOTHING`);
      return (result.rowCount ?? 0) > 0;
    },

    async forgetDeliveriesBefore(cutoff: Date): Promise<void> {
      await db.execute(sql`DELETE FROM webhook_deliveries WHERE received_at < ${cutoff.toISOString()}`);
    },

    /** Asks for an early snapshot of the followed publications with these platform post ids. */
    async requestEarlyByExternalIds(platform: Platform, externalIds: string[], at: Date): Promise<string[]> {
      if (externalIds.length === 0) return [];
      const result = await db.execute<{ publication_id: string }>(sql`
        UPDATE engagement_tracking t SET early_at = coalesce(least(t.early_at, ${at.toISOString()}), ${at.toISOString()})
        FROM publications p, channels c
        WHERE p.id = t.publication_id AND c.id = t.channel_id AND c.platform = ${platform}
          AND p.external_id = ANY(${pgArray(externalIds)}::text[])
        RETURNING t.publication_id`);
      return result.rows.map((row) => row.publication_id);
    },

    async requestEarlyForPost(postId: string, at: Date): Promise<string[]> {
      const result = await db.execute<{ publication_id: string }>(sql`
        UPDATE engagement_tracking t SET early_at = ${at.toISOString()}
        FROM publications p WHERE p.id = t.publication_id AND p.post_id = ${postId}
        RETURNING t.publication_id`);
      return result.rows.map((row) => row.publication_id);
    },

    async zaloChannelByExternalId(oaId: string): Promise<string | undefined> {
      const result = await db.execute<{ id: string }>(sql`
        SELECT id FROM channels WHERE platform = 'zalo' AND external_id = ${oaId} AND deleted_at IS NULL LIMIT 1`);
      return result.rows[0]?.id;
    },

    /** The post, if the actor's scope reaches it. */
    async postInScope(
      postId: string,
      scope: UnitScope,
    ): Promise<{ id: string; title: string; publishedAt: Date | null } | undefined> {
      const result = await db.execute<{ id: string; title: string; published_at: string | null }>(sql`
        SELECT id, title, published_at FROM posts WHERE id = ${postId} AND ${scopeCondition(sql`unit_id`, scope)}`);
      const row = result.rows[0];
      return row
        ? { id: row.id, title: row.title, publishedAt: row.published_at ? new Date(row.published_at) : null }
        : undefined;
    },

    async postChannels(postId: string) {
      const result = await db.execute<Record<string, unknown>>(sql`
        SELECT p.id AS publication_id, p.channel_id, c.platform, c.name, p.status, p.published_at,
          t.fetched_at, t.impressions, t.reactions, t.comments, t.shares, t.clicks,
          coalesce(t.link_clicks, l.clicks, 0) AS link_clicks
        FROM publications p JOIN channels c ON c.id = p.channel_id
        LEFT JOIN engagement_tracking t ON t.publication_id = p.id
        LEFT JOIN links l ON l.code = p.link_code
        WHERE p.post_id = ${postId} ORDER BY c.platform, c.name`);
      return result.rows.map((row) => ({
        publicationId: String(row.publication_id),
        channelId: String(row.channel_id),
        platform: row.platform as Platform,
        name: String(row.name),
        publishedAt: row.published_at ? new Date(String(row.published_at)) : null,
        fetchedAt: row.fetched_at ? new Date(String(row.fetched_at)) : null,
        impressions: num(row.impressions),
        reactions: num(row.reactions),
        comments: num(row.comments),
        shares: num(row.shares),
        clicks: num(row.clicks),
        linkClicks: Number(row.link_clicks),
      }));
    },

    async series(publicationIds: string[]) {
      if (publicationIds.length === 0) return [];
      const result = await db.execute<Record<string, unknown>>(sql`
        SELECT publication_id, fetched_at, impressions, reactions, comments, shares, clicks, link_clicks
        FROM engagement_snapshots WHERE publication_id = ANY(${pgArray(publicationIds)}::uuid[])
        ORDER BY fetched_at, publication_id`);
      return result.rows.map((row) => ({
        publicationId: String(row.publication_id),
        at: new Date(String(row.fetched_at)),
        impressions: num(row.impressions),
        reactions: num(row.reactions),
        comments: num(row.comments),
        shares: num(row.shares),
        clicks: num(row.clicks),
        linkClicks: Number(row.link_clicks),
      }));
    },

    /** Sums of the daily gains in [from, to] (dates), from the small rollup only. */
    async overview(input: { from: string; to: string; scope: UnitScope }) {
      const scope = scopeCondition(sql`t.unit_id`, input.scope);
      const where = sql`t.day BETWEEN ${input.from}::date AND ${input.to}::date AND ${scope}`;
      const sums = sql`sum(t.impressions)::bigint AS impressions, sum(t.reactions)::bigint AS reactions,
        sum(t.comments)::bigint AS comments, sum(t.shares)::bigint AS shares, sum(t.clicks)::bigint AS clicks,
        sum(t.link_clicks)::bigint AS link_clicks, max(t.fetched_at) AS fetched_at`;
      const [totals, byChannel, byCampaign, byDay] = await Promise.all([
        db.execute<Record<string, unknown>>(sql`SELECT ${sums} FROM engagement_totals t WHERE ${where}`),
        db.execute<Record<string, unknown>>(sql`
          SELECT t.channel_id AS key, c.name, c.platform, ${sums}
          FROM engagement_totals t JOIN channels c ON c.id = t.channel_id WHERE ${where}
          GROUP BY t.channel_id, c.name, c.platform ORDER BY c.name`),
        db.execute<Record<string, unknown>>(sql`
          SELECT t.campaign_id AS key, cp.name, ${sums}
          FROM engagement_totals t LEFT JOIN campaigns cp ON cp.id = t.campaign_id WHERE ${where}
          GROUP BY t.campaign_id, cp.name ORDER BY cp.name NULLS LAST`),
        db.execute<Record<string, unknown>>(sql`
          SELECT to_char(t.day, 'YYYY-MM-DD') AS key, ${sums}
          FROM engagement_totals t WHERE ${where} GROUP BY t.day ORDER BY t.day`),
      ]);
      const figures = (row: Record<string, unknown> | undefined) => ({
        impressions: Number(row?.impressions ?? 0),
        reactions: Number(row?.reactions ?? 0),
        comments: Number(row?.comments ?? 0),
        shares: Number(row?.shares ?? 0),
        clicks: Number(row?.clicks ?? 0),
        linkClicks: Number(row?.link_clicks ?? 0),
        fetchedAt: row?.fetched_at ? new Date(String(row.fetched_at)) : null,
      });
      const keyed = (rows: Record<string, unknown>[]) =>
        rows.map((row) => ({
          key: row.key === null ? null : String(row.key),
          name: row.name === undefined || row.name === null ? null : String(row.name),
          platform: (row.platform as Platform | undefined) ?? null,
          ...figures(row),
        }));
      return {
        totals: figures(totals.rows[0]),
        byChannel: keyed(byChannel.rows),
        byCampaign: keyed(byCampaign.rows),
        byDay: keyed(byDay.rows),
      };
    },

    /** One page of the export (keyset on the publication id): the caller streams page after page. */
    async exportPage(input: { from: Date; to: Date; scope: UnitScope; after: string | null; limit: number }) {
      const result = await db.execute<Record<string, unknown>>(sql`
        SELECT p.id AS publication_id, p.post_id, po.title, c.platform, c.name AS channel, p.published_at,
          t.fetched_at, t.impressions, t.reactions, t.comments, t.shares, t.clicks,
          coalesce(t.link_clicks, l.clicks, 0) AS link_clicks
        FROM publications p
        JOIN posts po ON po.id = p.post_id
        JOIN channels c ON c.id = p.channel_id
        LEFT JOIN engagement_tracking t ON t.publication_id = p.id
        LEFT JOIN links l ON l.code = p.link_code
        WHERE p.status = 'published' AND p.published_at >= ${input.from.toISOString()}
          AND p.published_at < ${input.to.toISOString()}
          AND ${scopeCondition(sql`po.unit_id`, input.scope)}
          ${input.after ? sql`AND p.id > ${input.after}` : sql``}
        ORDER BY p.id LIMIT ${input.limit}`);
      return result.rows.map((row) => ({
        publicationId: String(row.publication_id),
        postId: String(row.post_id),
        title: String(row.title),
        platform: row.platform as Platform,
        channel: String(row.channel),
        publishedAt: row.published_at ? new Date(String(row.published_at)) : null,
        fetchedAt: row.fetched_at ? new Date(String(row.fetched_at)) : null,
        impressions: num(row.impressions),
        reactions: num(row.reactions),
        comments: num(row.comments),
        shares: num(row.shares),
        clicks: num(row.clicks),
        linkClicks: Number(row.link_clicks),
      }));
    },

    async followers(channelIds: string[]) {
      if (channelIds.length === 0) return new Map<string, { followers: number; fetchedAt: Date }>();
      const result = await db.execute<{ channel_id: string; followers: string; fetched_at: string }>(sql`
        SELECT DISTINCT ON (channel_id) channel_id, followers, fetched_at FROM channel_followers_daily
        WHERE channel_id = ANY(${pgArray(channelIds)}::uuid[]) ORDER BY channel_id, day DESC`);
      return new Map(
        result.rows.map((row) => [
          row.channel_id,
          { followers: Number(row.followers), fetchedAt: new Date(row.fetched_at) },
        ]),
      );
    },
  };
}

export type EngagementRepo = ReturnType<typeof createEngagementRepo>;
