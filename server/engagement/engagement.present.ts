// What the engagement API answers: every figure as {value, source, fetchedAt}, null where the
// platform does not provide it (Zalo has no article statistics) or refused the metric.
import type { Platform } from '../db/schema.ts';
import type { EngagementService } from './engagement.service.ts';
import { CLICKS_METRIC, IMPRESSIONS_METRIC } from './engagement.service.ts';

type Source = 'platform' | 'loa' | 'estimate';
type Unavailable = 'not_provided' | 'refused' | 'not_collected';

export interface Figure {
  value: number | null;
  source: Source;
  fetchedAt: string | null;
  unavailable?: Unavailable;
}

const iso = (date: Date | null | undefined) => (date ? date.toISOString() : null);

function figure(value: number | null, source: Source, fetchedAt: Date | null, why?: Unavailable): Figure {
  if (value !== null) return { value, source, fetchedAt: iso(fetchedAt) };
  return { value: null, source, fetchedAt: iso(fetchedAt), unavailable: why ?? 'not_collected' };
}

function sumFigures(figures: Figure[], source: Source): Figure {
  const known = figures.filter((f) => f.value !== null);
  const fetched = figures
    .map((f) => f.fetchedAt)
    .filter((at): at is string => at !== null)
    .sort();
  const latest = fetched[fetched.length - 1] ?? null;
  if (known.length === 0)
    return { value: null, source, fetchedAt: latest, unavailable: figures[0]?.unavailable ?? 'not_provided' };
  return { value: known.reduce((total, f) => total + (f.value ?? 0), 0), source, fetchedAt: latest };
}

type PostStats = Awaited<ReturnType<EngagementService['postStats']>>;

export function presentPostStats(stats: PostStats, readAt: Date) {
  const byChannel = stats.channels.map((channel) => {
    const refused = stats.unavailable.get(channel.channelId) ?? new Set<string>();
    const zalo = channel.platform === 'zalo';
    const platformFigure = (value: number | null, metric?: string) =>
      zalo
        ? figure(null, 'platform', null, 'not_provided')
        : metric && refused.has(metric)
          ? figure(null, 'platform', channel.fetchedAt, 'refused')
          : figure(value, 'platform', channel.fetchedAt);
    const followers = stats.followers.get(channel.channelId);
    return {
      channelId: channel.channelId,
      platform: channel.platform,
      name: channel.name,
      impressions: platformFigure(channel.impressions, IMPRESSIONS_METRIC),
      reactions: platformFigure(channel.reactions),
      comments: platformFigure(channel.comments),
      shares: platformFigure(channel.shares),
      // Tracked-link clicks (`/l/:code`): counted by Loa, the one measure both platforms share.
      clicks: figure(channel.linkClicks, 'loa', readAt),
      platformClicks: platformFigure(channel.clicks, CLICKS_METRIC),
      ...(zalo
        ? {
            followers: followers
              ? figure(followers.followers, 'platform', followers.fetchedAt)
              : figure(null, 'platform', null, 'not_collected'),
          }
        : {}),
      fetchedAt: iso(channel.fetchedAt),
    };
  });
  const channelOf = new Map(stats.channels.map((c) => [c.publicationId, c.channelId]));
  return {
    totals: {
      impressions: sumFigures(
        byChannel.map((c) => c.impressions),
        'platform',
      ),
      reactions: sumFigures(
        byChannel.map((c) => c.reactions),
        'platform',
      ),
      comments: sumFigures(
        byChannel.map((c) => c.comments),
        'platform',
      ),
      shares: sumFigures(
        byChannel.map((c) => c.shares),
        'platform',
      ),
      clicks: sumFigures(
        byChannel.map((c) => c.clicks),
        'loa',
      ),
      // Member shares are counted by the members module; none are recorded on this install yet.
      memberShares: figure(null, 'loa', null, 'not_collected'),
    },
    byChannel,
    series: stats.series.map((point) => ({
      at: point.at.toISOString(),
      channelId: channelOf.get(point.publicationId) ?? '',
      impressions: point.impressions,
      reactions: point.reactions,
      comments: point.comments,
      shares: point.shares,
      clicks: point.linkClicks,
    })),
  };
}

type Overview = Awaited<ReturnType<EngagementService['overview']>>['current'];
type Sums = Overview['totals'];

function groupFigures(sums: Sums, platform: Platform | null) {
  const zalo = platform === 'zalo';
  const p = (value: number) =>
    zalo ? figure(null, 'platform', null, 'not_provided') : figure(value, 'platform', sums.fetchedAt);
  return {
    impressions: p(sums.impressions),
    reactions: p(sums.reactions),
    comments: p(sums.comments),
    shares: p(sums.shares),
    clicks: figure(sums.linkClicks, 'loa', sums.fetchedAt),
  };
}

function change(current: number, previous: number, source: Source, fetchedAt: Date | null) {
  return {
    value: current,
    previous,
    changePercent: previous === 0 ? null : Math.round(((current - previous) / previous) * 1000) / 10,
    source,
    fetchedAt: iso(fetchedAt),
  };
}

export function presentOverview(input: {
  range: { from: string; to: string };
  previousRange: { from: string; to: string };
  current: Overview;
  previous: Overview;
}) {
  const { range, previousRange, current, previous } = input;
  const c = current.totals;
  const p = previous.totals;
  return {
    from: range.from,
    to: range.to,
    previous: previousRange,
    totals: {
      impressions: change(c.impressions, p.impressions, 'platform', c.fetchedAt),
      reactions: change(c.reactions, p.reactions, 'platform', c.fetchedAt),
      comments: change(c.comments, p.comments, 'platform', c.fetchedAt),
      shares: change(c.shares, p.shares, 'platform', c.fetchedAt),
      clicks: change(c.linkClicks, p.linkClicks, 'loa', c.fetchedAt),
    },
    byChannel: current.byChannel.map((row) => ({
      channelId: row.key ?? '',
      name: row.name ?? '',
      platform: row.platform ?? 'facebook',
      ...groupFigures(row, row.platform),
    })),
    byCampaign: current.byCampaign.map((row) => ({
      campaignId: row.key,
      name: row.name,
      ...groupFigures(row, null),
    })),
    byDay: current.byDay.map((row) => ({ day: row.key ?? '', ...groupFigures(row, null) })),
  };
}
