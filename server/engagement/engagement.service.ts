// Engagement: the collector (each publication snapshotted on a schedule that thins out with
// age, batched, within the platforms' usage headers), webhooks that ask for an early snapshot,
// and the figures the API shows, each saying where it comes from and when it was fetched.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Actor } from '../auth/actor.ts';
import type { ChannelRow } from '../channels/channels.repo.ts';
import {
  isConnectorFailure,
  type ChannelCredentials,
  type EngagementBatch,
  type PlatformConnector,
  type UsageReading,
} from '../connectors/index.ts';
import type { Database } from '../db/database.ts';
import type { Platform } from '../db/schema.ts';
import { ForbiddenError, NotFoundError, UnauthorizedError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { NotificationsService } from '../notifications/notifications.service.ts';
import { toWallClock, fromWallClock } from '../shared/zoned-time.ts';
import type { DueItem, EngagementRepo, SnapshotInput } from './engagement.repo.ts';
import type { ShareCounts, ShareToFollow } from './share-tracking.repo.ts';
import { facebookWebhookSchema, zaloWebhookSchema } from './engagement.schemas.ts';

export interface EngagementSettings {
  /** Minutes after publication of the first occurrences (about +15 min, +1 h, +6 h, +24 h, +72 h, +7 d). */
  earlyOffsetsMinutes: readonly number[];
  /** Then one snapshot a day until this many days after publication; then the publication is no longer followed. */
  horizonDays: number;
  /** Posts per Graph call (`?ids=`; Graph takes at most 50). */
  batchSize: number;
  /** Publications claimed per round. */
  claimSize: number;
  /** Insights metrics asked for: post_media_view → impressions, post_clicks → platform clicks. */
  metrics: readonly string[];
  slowAtPercent: number;
  stopAtPercent: number;
  /** How long to wait at the stop line when the platform names no time to regain access. */
  pauseMs: number;
  /** Pause between Graph calls for a Page (or the app) past the slow line. */
  slowDelayMs: number;
  retentionDays: number;
  timeZone: string;
  facebookAppSecret: string;
  facebookVerifyToken: string;
  zaloAppId: string;
  zaloOaSecretKey: string;
}

export const IMPRESSIONS_METRIC = 'post_media_view';
export const CLICKS_METRIC = 'post_clicks';
const LEASE_MS = 5 * 60_000;
/** Discovery looks again this far before the newest followed share (a share committed late). */
const SHARE_DISCOVERY_OVERLAP_MS = 10 * 60_000;
const SHARE_DISCOVERY_PAGE = 1000;

/**
 * Members' shares as the amplification module gives them (its service, not its tables). Only
 * Loa's own counts exist: Facebook's Share Dialog returns no post id and the app holds no token
 * for the member's timeline; Zalo's share sheet confirms nothing. So a share has no platform
 * figures to collect, and the API says so.
 */
export interface MemberSharesSource {
  completedSince(
    since: Date,
    after: { at: Date; id: string } | null,
    limit: number,
  ): Promise<ShareToFollow[]>;
  reach(
    shareIds: readonly string[],
  ): Promise<Map<string, { clicks: number; uniqueVisitors: number; botClicks: number }>>;
  forPost(postId: string): Promise<
    Array<{
      id: string;
      platform: 'facebook' | 'zalo' | 'other';
      unitId: string | null;
      unitName: string | null;
      sharedAt: Date;
      clicks: number;
      uniqueVisitors: number;
      botClicks: number;
    }>
  >;
  exportPage(input: {
    from: Date;
    to: Date;
    scope: Actor['scope'];
    after: string | null;
    limit: number;
  }): Promise<
    Array<{
      id: string;
      postId: string;
      title: string;
      platform: 'facebook' | 'zalo' | 'other';
      unitName: string | null;
      sharedAt: Date;
      clicks: number;
      uniqueVisitors: number;
      botClicks: number;
    }>
  >;
}

export interface EngagementDeps {
  db: Database;
  repo: EngagementRepo;
  connectors: Record<Platform, PlatformConnector>;
  channels: {
    findMany(ids: string[]): Promise<ChannelRow[]>;
    credentials(row: ChannelRow): ChannelCredentials;
  };
  notifications: Pick<NotificationsService, 'notify'>;
  memberShares: MemberSharesSource;
  /** The admin notice text, in the interface language. */
  metricUnavailableMessage: (input: { metric: string; channel: string; reason: string }) => string;
  /** Runs a collection soon (the collect job), for webhooks and refreshes. */
  enqueueCollect: (payload: CollectOptions) => Promise<void>;
  settings: EngagementSettings;
  logger: Logger;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
}

/** Offsets (ms after publication) of every occurrence, in order. */
export function occurrenceOffsets(
  settings: Pick<EngagementSettings, 'earlyOffsetsMinutes' | 'horizonDays'>,
): number[] {
  const offsets = settings.earlyOffsetsMinutes.map((minutes) => minutes * 60_000);
  const last = offsets[offsets.length - 1] ?? 0;
  for (let day = 1; day <= settings.horizonDays; day++) {
    const at = day * 86_400_000;
    if (at > last) offsets.push(at);
  }
  return offsets;
}

/**
 * Where a publication goes after a snapshot at `now`. Occurrences missed while Loa was down are
 * covered by this one snapshot (counted once, never doubled); an early snapshot (webhook,
 * refresh) before the due time keeps the occurrence where it was.
 */
export function nextOccurrence(
  offsets: readonly number[],
  item: { publishedAt: Date; occurrence: number; nextDueAt: Date | null },
  now: Date,
): { occurrence: number; nextDueAt: Date | null; covered: number | null } {
  const start = item.publishedAt.getTime();
  const due = item.nextDueAt !== null && item.nextDueAt.getTime() <= now.getTime();
  if (!due) return { occurrence: item.occurrence, nextDueAt: item.nextDueAt, covered: null };
  let next = item.occurrence + 1;
  while (next < offsets.length && start + (offsets[next] ?? 0) <= now.getTime()) next++;
  const offset = offsets[next];
  return {
    occurrence: next,
    nextDueAt: offset === undefined ? null : new Date(start + offset),
    covered: next - 1,
  };
}

export interface CollectSummary {
  collected: number;
  deferred: number;
  refused: string[];
  /** Members' shares snapshotted this round. */
  shares: number;
}

/** Empty: everything due. Ids: only those publications' or shares' early snapshots, those OAs' followers. */
export interface CollectOptions {
  publicationIds?: string[];
  shareIds?: string[];
  channelIds?: string[];
}

export function createEngagementService(deps: EngagementDeps) {
  const { repo, settings } = deps;
  const now = deps.now ?? (() => new Date());
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const offsets = occurrenceOffsets(settings);
  const log = deps.logger.child({ module: 'engagement' });

  const pageKey = (channelId: string) => `facebook:page:${channelId}`;
  const APP_KEY = 'facebook:app';

  /** Usage readings → pauses and slow-downs, stored so another worker or a restart honours them. */
  async function applyUsage(channelId: string, readings: UsageReading[], at: Date) {
    let paused = false;
    let slow = false;
    for (const reading of readings) {
      const key = reading.scope === 'app' ? APP_KEY : pageKey(channelId);
      if (reading.percent >= settings.stopAtPercent) {
        const until = new Date(at.getTime() + Math.max(reading.regainMs, settings.pauseMs));
        await repo.setThrottle(key, reading.percent, until, until);
        log.warn({ key, percent: reading.percent, until }, 'usage at the stop line: collection paused');
        paused = true;
      } else if (reading.percent >= settings.slowAtPercent) {
        await repo.setThrottle(key, reading.percent, null, new Date(at.getTime() + settings.pauseMs));
        slow = true;
      }
    }
    return { paused, slow };
  }

  async function flagRefused(channel: ChannelRow, refused: EngagementBatch['refusedMetrics']) {
    for (const { metric, message } of refused) {
      await deps.db.transaction(async (tx) => {
        if (!(await repo.markUnavailable(tx, channel.id, metric, message))) return;
        await deps.notifications.notify(
          { roles: ['admin'] },
          {
            kind: 'engagement_metric_unavailable',
            message: deps.metricUnavailableMessage({ metric, channel: channel.name, reason: message }),
            link: '/channels',
          },
          tx,
        );
      });
      log.warn(
        { channelId: channel.id, metric, message },
        'metric refused by the platform: marked unavailable',
      );
    }
  }

  function snapshotOf(
    item: DueItem,
    at: Date,
    covered: number | null,
    linkClicks: number,
    fb?: {
      reactions: number | null;
      comments: number | null;
      shares: number | null;
      metrics: Record<string, number>;
    },
  ): SnapshotInput {
    return {
      publicationId: item.publicationId,
      fetchedAt: at,
      occurrence: covered,
      impressions: fb?.metrics[IMPRESSIONS_METRIC] ?? null,
      reactions: fb?.reactions ?? null,
      comments: fb?.comments ?? null,
      shares: fb?.shares ?? null,
      clicks: fb?.metrics[CLICKS_METRIC] ?? null,
      linkClicks,
    };
  }

  /** Stores a batch: tracking moved on (fenced), raw rows and rollups, in one transaction. */
  async function record(items: DueItem[], snapshots: SnapshotInput[], at: Date, stopped: DueItem[] = []) {
    const advances = [
      ...items.map((item) => {
        const next = nextOccurrence(offsets, item, at);
        return {
          publicationId: item.publicationId,
          expectedOccurrence: item.occurrence,
          leaseUntil: item.leaseUntil,
          occurrence: next.occurrence,
          nextDueAt: next.nextDueAt,
        };
      }),
      // Gone from the platform (deleted or retracted): followed no more.
      ...stopped.map((item) => ({
        publicationId: item.publicationId,
        expectedOccurrence: item.occurrence,
        leaseUntil: item.leaseUntil,
        occurrence: offsets.length,
        nextDueAt: null,
      })),
    ];
    await repo.ensurePartitions(at, at);
    await deps.db.transaction(async (tx) => {
      const moved = await repo.advance(tx, advances, snapshots);
      await repo.insertSnapshots(
        tx,
        snapshots.filter((s) => moved.has(s.publicationId)),
        settings.timeZone,
      );
    });
  }

  async function collectChannel(
    channel: ChannelRow,
    items: DueItem[],
    clicks: Map<string, number>,
    state: { appPaused: boolean; slowKeys: Set<string> },
  ): Promise<{ collected: number; deferred: DueItem[] }> {
    const connector = deps.connectors[channel.platform];
    if (channel.platform === 'zalo' || !connector.collectEngagement) {
      // Zalo has no article statistics: the snapshot holds Loa's click count, platform figures stay null.
      const at = now();
      const snapshots = items.map((item) =>
        snapshotOf(item, at, nextOccurrence(offsets, item, at).covered, clicks.get(item.publicationId) ?? 0),
      );
      await record(items, snapshots, at);
      return { collected: items.length, deferred: [] };
    }
    const unavailable = (await repo.unavailableMetrics([channel.id])).get(channel.id) ?? new Set<string>();
    const metrics = settings.metrics.filter((metric) => !unavailable.has(metric));
    const creds = deps.channels.credentials(channel);
    let collected = 0;
    for (let start = 0; start < items.length; start += settings.batchSize) {
      const chunk = items.slice(start, start + settings.batchSize);
      if (state.appPaused) return { collected, deferred: items.slice(start) };
      let batch: EngagementBatch;
      try {
        batch = await connector.collectEngagement(
          creds,
          chunk.map((item) => item.externalId),
          metrics,
        );
      } catch (error) {
        if (isConnectorFailure(error) && error.failure.kind === 'rate_limited') {
          const until = new Date(now().getTime() + Math.max(error.failure.retryAfterMs, settings.pauseMs));
          await repo.setThrottle(pageKey(channel.id), 100, until, until);
          log.warn({ channelId: channel.id, until }, 'throttled by the platform: collection paused');
        } else {
          log.warn({ err: error, channelId: channel.id }, 'engagement collection failed for a channel');
        }
        return { collected, deferred: items.slice(start) };
      }
      const at = now();
      if (batch.refusedMetrics.length) await flagRefused(channel, batch.refusedMetrics);
      const found = chunk.filter((item) => batch.items.has(item.externalId));
      const gone = chunk.filter((item) => !batch.items.has(item.externalId));
      const snapshots = found.map((item) =>
        snapshotOf(
          item,
          at,
          nextOccurrence(offsets, item, at).covered,
          clicks.get(item.publicationId) ?? 0,
          batch.items.get(item.externalId),
        ),
      );
      await record(found, snapshots, at, gone);
      collected += found.length;
      const usage = await applyUsage(channel.id, batch.usage, at);
      if (batch.usage.some((r) => r.scope === 'app' && r.percent >= settings.stopAtPercent))
        state.appPaused = true;
      if (usage.paused) return { collected, deferred: items.slice(start + settings.batchSize) };
      if (usage.slow) state.slowKeys.add(pageKey(channel.id));
      const slow = state.slowKeys.has(pageKey(channel.id)) || state.slowKeys.has(APP_KEY);
      if (slow && start + settings.batchSize < items.length) await sleep(settings.slowDelayMs);
    }
    return { collected, deferred: [] };
  }

  async function collectFollowers(day: string, only?: string[]) {
    const ids = only ?? (await repo.zaloChannelsWithoutFollowers(day));
    if (ids.length === 0) return;
    for (const channel of await deps.channels.findMany(ids)) {
      const connector = deps.connectors[channel.platform];
      if (channel.platform !== 'zalo' || !connector.followerCount) continue;
      try {
        const followers = await connector.followerCount(deps.channels.credentials(channel));
        await repo.recordFollowers(channel.id, day, followers, now());
      } catch (error) {
        log.warn({ err: error, channelId: channel.id }, 'Zalo follower count not read');
      }
    }
  }

  /** Follows the shares recorded since a little before the newest one followed (within the horizon). */
  async function discoverShares(at: Date): Promise<void> {
    const horizonStart = at.getTime() - settings.horizonDays * 86_400_000;
    const newest = await repo.shares.newestSharedAt();
    const since = new Date(Math.max(horizonStart, (newest?.getTime() ?? 0) - SHARE_DISCOVERY_OVERLAP_MS));
    let after: { at: Date; id: string } | null = null;
    for (;;) {
      const page = await deps.memberShares.completedSince(since, after, SHARE_DISCOVERY_PAGE);
      if (page.length === 0) return;
      await repo.shares.follow(page, (offsets[0] ?? 0) / 1000, settings.timeZone);
      const last = page[page.length - 1];
      if (!last || page.length < SHARE_DISCOVERY_PAGE) return;
      after = { at: last.sharedAt, id: last.id };
    }
  }

  /**
   * Members' shares due now (or only `shareIds`): Loa's counts of each member's tracked link,
   * read in one query per batch, stored with the tracking moved on (fenced on the occurrence
   * and lease claimed) and the gains added to the rollup, in one transaction per batch.
   */
  async function collectShares(started: Date, deadline: number, shareIds?: string[]): Promise<number> {
    await discoverShares(started);
    let collected = 0;
    for (let round = 0; round < 1000 && now().getTime() < deadline; round++) {
      const claimed = await repo.shares.claimDue({
        now: now(),
        limit: settings.claimSize,
        leaseUntil: new Date(now().getTime() + LEASE_MS),
        ...(shareIds ? { shareIds } : {}),
      });
      if (claimed.length === 0) break;
      const reach = await deps.memberShares.reach(claimed.map((s) => s.shareId));
      const at = now();
      const rows = claimed.map((item) => {
        const counted = reach.get(item.shareId);
        const counts: ShareCounts = counted
          ? {
              linkClicks: counted.clicks,
              uniqueVisitors: counted.uniqueVisitors,
              botClicks: counted.botClicks,
            }
          : item.previous;
        const next = nextOccurrence(
          offsets,
          { publishedAt: item.sharedAt, occurrence: item.occurrence, nextDueAt: item.nextDueAt },
          at,
        );
        return {
          advance: {
            shareId: item.shareId,
            expectedOccurrence: item.occurrence,
            leaseUntil: item.leaseUntil,
            occurrence: next.occurrence,
            nextDueAt: next.nextDueAt,
          },
          snapshot: {
            shareId: item.shareId,
            fetchedAt: at,
            occurrence: next.covered,
            ...counts,
            gainedClicks: counts.linkClicks - item.previous.linkClicks,
            gainedVisitors: counts.uniqueVisitors - item.previous.uniqueVisitors,
          },
        };
      });
      await repo.shares.ensurePartitions(at, at);
      await deps.db.transaction(async (tx) => {
        const moved = await repo.shares.advance(
          tx,
          rows.map((r) => r.advance),
          rows.map((r) => r.snapshot),
        );
        await repo.shares.insertSnapshots(
          tx,
          rows.map((r) => r.snapshot).filter((s) => moved.has(s.shareId)),
          settings.timeZone,
        );
        collected += moved.size;
      });
    }
    return collected;
  }

  /** One collection round: everything due now (or only the given publications/channels). */
  async function collectDue(options: CollectOptions = {}): Promise<CollectSummary> {
    const started = now();
    await repo.ensurePartitions(started, new Date(started.getTime() + 40 * 86_400_000));
    await repo.shares.ensurePartitions(started, new Date(started.getTime() + 40 * 86_400_000));
    await repo.discover(
      new Date(started.getTime() - settings.horizonDays * 86_400_000),
      (offsets[0] ?? 0) / 1000,
    );
    const throttles = await repo.throttles(started);
    const pausedKeys = new Set(
      throttles.filter((t) => t.pausedUntil && t.pausedUntil > started).map((t) => t.key),
    );
    // Past the slow line (now or in a run a moment ago): a pause between calls for that Page or the app.
    const slowKeys = new Set(throttles.filter((t) => t.slowUntil && t.slowUntil > started).map((t) => t.key));
    const state = { appPaused: pausedKeys.has(APP_KEY), slowKeys };
    const summary: CollectSummary = { collected: 0, deferred: 0, refused: [], shares: 0 };
    const skip = new Set<string>(
      [...pausedKeys]
        .filter((k) => k.startsWith('facebook:page:'))
        .map((k) => k.slice('facebook:page:'.length)),
    );
    const deferred: DueItem[] = [];
    const deadline = started.getTime() + 4 * 60_000;
    // An early collection of given shares (a refresh) asks for no publication it was not given.
    const publicationsToo = !(options.shareIds && !options.publicationIds);
    for (let round = 0; publicationsToo && round < 1000 && now().getTime() < deadline; round++) {
      const claimed = await repo.claimDue({
        now: now(),
        limit: settings.claimSize,
        leaseUntil: new Date(now().getTime() + LEASE_MS),
        skipChannels: [...skip],
        ...(options.publicationIds ? { publicationIds: options.publicationIds } : {}),
      });
      if (claimed.length === 0) break;
      const channels = new Map(
        (await deps.channels.findMany([...new Set(claimed.map((i) => i.channelId))])).map((c) => [c.id, c]),
      );
      const clicks = await repo.linkClicks(claimed.map((i) => i.publicationId));
      for (const [channelId, items] of groupBy(claimed, (i) => i.channelId)) {
        const channel = channels.get(channelId);
        const paused = !channel || (channel.platform === 'facebook' && state.appPaused);
        if (paused || !channel) {
          deferred.push(...items);
          skip.add(channelId);
          continue;
        }
        const result = await collectChannel(channel, items, clicks, state);
        summary.collected += result.collected;
        if (result.deferred.length) {
          deferred.push(...result.deferred);
          skip.add(channelId);
        }
      }
    }
    await repo.release(deferred.map((i) => i.publicationId));
    summary.deferred = deferred.length;
    // A webhook's early snapshot of given publications leaves the members' shares to the round.
    if (!options.publicationIds || options.shareIds) {
      summary.shares = await collectShares(started, deadline, options.shareIds);
    }
    await collectFollowers(zonedDay(started, settings.timeZone), options.channelIds);
    return summary;
  }

  /** Daily: partitions ahead, raw months past retention dropped, old webhook digests forgotten. */
  async function maintain(): Promise<string[]> {
    const at = now();
    await repo.ensurePartitions(at, new Date(at.getTime() + 62 * 86_400_000));
    await repo.shares.ensurePartitions(at, new Date(at.getTime() + 62 * 86_400_000));
    await repo.forgetDeliveriesBefore(new Date(at.getTime() - 7 * 86_400_000));
    const cutoff = new Date(at.getTime() - settings.retentionDays * 86_400_000);
    return [
      ...(await repo.dropPartitionsBefore(cutoff)),
      ...(await repo.shares.dropPartitionsBefore(cutoff)),
    ];
  }

  function sameSignature(expected: string, given: string | undefined): boolean {
    if (!given) return false;
    const a = Buffer.from(expected);
    const b = Buffer.from(given.trim());
    return a.length === b.length && timingSafeEqual(a, b);
  }

  const digestOf = (raw: Buffer) => createHash('sha256').update(raw).digest('hex');

  /**
   * The request is stored (early_at) before this: if the queue cannot take the job now, the
   * recurring collection (every minute) takes the snapshot instead.
   */
  async function collectSoon(payload: CollectOptions) {
    try {
      await deps.enqueueCollect(payload);
    } catch (error) {
      log.warn({ err: error }, 'early collection not queued; the next scheduled round takes it');
    }
  }

  async function receiveFacebook(raw: Buffer, signature: string | undefined) {
    const expected = `sha256=${createHmac('sha256', settings.facebookAppSecret).update(raw).digest('hex')}`;
    if (!sameSignature(expected, signature))
      throw new UnauthorizedError('Bad webhook signature', 'bad_signature');
    if (!(await repo.firstDelivery('facebook', digestOf(raw)))) return { received: true, replay: true };
    const parsed = facebookWebhookSchema.safeParse(parseJson(raw));
    if (!parsed.success) return { received: true, replay: false };
    const postIds = new Set<string>();
    for (const entry of parsed.data.entry) {
      for (const change of entry.changes ?? []) {
        if (change.field === 'feed' && change.value.post_id) postIds.add(change.value.post_id);
      }
    }
    const early = await repo.requestEarlyByExternalIds('facebook', [...postIds], now());
    if (early.length) await collectSoon({ publicationIds: early });
    return { received: true, replay: false };
  }

  async function receiveZalo(raw: Buffer, signature: string | undefined) {
    const parsed = zaloWebhookSchema.safeParse(parseJson(raw));
    const timestamp = parsed.success ? parsed.data.timestamp : '';
    const expected = `mac=${createHash('sha256')
      .update(settings.zaloAppId)
      .update(raw)
      .update(timestamp)
      .update(settings.zaloOaSecretKey)
      .digest('hex')}`;
    if (!parsed.success || !sameSignature(expected, signature))
      throw new UnauthorizedError('Bad webhook signature', 'bad_signature');
    if (!(await repo.firstDelivery('zalo', digestOf(raw)))) return { received: true, replay: true };
    const event = parsed.data;
    const oaId = event.oa_id ?? event.recipient?.id;
    if ((event.event_name === 'follow' || event.event_name === 'unfollow') && oaId) {
      const channelId = await repo.zaloChannelByExternalId(oaId);
      if (channelId) await collectSoon({ channelIds: [channelId] });
    }
    return { received: true, replay: false };
  }

  return {
    collectDue,
    maintain,
    receiveFacebook,
    receiveZalo,

    verifyFacebook(query: { mode?: string; token?: string; challenge?: string }): string {
      if (
        query.mode !== 'subscribe' ||
        !query.challenge ||
        !sameSignature(settings.facebookVerifyToken, query.token)
      )
        throw new ForbiddenError('Verification token mismatch', 'bad_verify_token');
      return query.challenge;
    },

    /** 202: the post's publications and members' shares are collected now rather than at their next occurrence. */
    async refresh(actor: Actor, postId: string): Promise<{ publications: number; memberShares: number }> {
      if (!(await repo.postInScope(postId, actor.scope))) throw new NotFoundError('Post');
      await repo.discover(
        new Date(now().getTime() - settings.horizonDays * 86_400_000),
        (offsets[0] ?? 0) / 1000,
      );
      await discoverShares(now());
      const ids = await repo.requestEarlyForPost(postId, now());
      const shareIds = await repo.shares.requestEarlyForPost(postId, now());
      if (ids.length || shareIds.length) {
        await collectSoon({
          ...(ids.length ? { publicationIds: ids } : {}),
          ...(shareIds.length ? { shareIds } : {}),
        });
      }
      return { publications: ids.length, memberShares: shareIds.length };
    },

    async postStats(actor: Actor, postId: string) {
      const post = await repo.postInScope(postId, actor.scope);
      if (!post) throw new NotFoundError('Post');
      const channels = await repo.postChannels(postId);
      const unavailable = await repo.unavailableMetrics(channels.map((c) => c.channelId));
      const followers = await repo.followers(
        channels.filter((c) => c.platform === 'zalo').map((c) => c.channelId),
      );
      const series = await repo.series(channels.map((c) => c.publicationId));
      const memberShares = await deps.memberShares.forPost(postId);
      const sharesFetchedAt = await repo.shares.fetchedAt(memberShares.map((s) => s.id));
      return {
        channels,
        unavailable,
        followers,
        series,
        memberShares,
        sharesFetchedAt,
        publishedAt: post.publishedAt,
      };
    },

    /** The range and the period of the same length before it, both from the rollup. */
    async overview(actor: Actor, range: { from: string; to: string }) {
      const previousRange = previousPeriod(range);
      const [current, previous, currentShares, previousShares] = await Promise.all([
        repo.overview({ ...range, scope: actor.scope }),
        repo.overview({ ...previousRange, scope: actor.scope }),
        repo.shares.overview({ ...range, scope: actor.scope }),
        repo.shares.overview({ ...previousRange, scope: actor.scope }),
      ]);
      return { range, previousRange, current, previous, currentShares, previousShares };
    },

    /** The export, page by page (bounded memory whatever the number of rows): publications, then members' shares. */
    async *exportRows(actor: Actor, range: { from: Date; to: Date }) {
      let after: string | null = null;
      for (;;) {
        const page = await repo.exportPage({ ...range, scope: actor.scope, after, limit: 2000 });
        if (page.length === 0) break;
        for (const row of page) yield { kind: 'publication' as const, ...row };
        after = page[page.length - 1]?.publicationId ?? null;
      }
      after = null;
      for (;;) {
        const page = await deps.memberShares.exportPage({ ...range, scope: actor.scope, after, limit: 2000 });
        if (page.length === 0) return;
        const fetched = await repo.shares.fetchedAt(page.map((s) => s.id));
        for (const row of page)
          yield { kind: 'share' as const, ...row, fetchedAt: fetched.get(row.id) ?? null };
        after = page[page.length - 1]?.id ?? null;
      }
    },

    offsets: () => [...offsets],
  };
}

/** The calendar day of an instant in the zone, YYYY-MM-DD (LOA_TIMEZONE, like the rollups). */
export function zonedDay(at: Date, zone: string): string {
  return toWallClock(at, zone).toISOString().slice(0, 10);
}

/** The instant a zoned calendar day starts. */
export function dayStart(day: string, zone: string): Date {
  return fromWallClock(new Date(`${day}T00:00:00.000Z`), zone);
}

/** The period of the same length just before [from, to] (dates). */
export function previousPeriod(range: { from: string; to: string }): { from: string; to: string } {
  const from = Date.parse(`${range.from}T00:00:00Z`);
  const to = Date.parse(`${range.to}T00:00:00Z`);
  const days = Math.round((to - from) / 86_400_000) + 1;
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return { from: day(from - days * 86_400_000), to: day(from - 86_400_000) };
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    out.set(k, [...(out.get(k) ?? []), item]);
  }
  return out;
}

export type EngagementService = ReturnType<typeof createEngagementService>;
