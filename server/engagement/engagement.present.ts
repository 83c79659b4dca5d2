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

/**
 * A member's share seen from the platform: nothing. Facebook's Share Dialog returns no post id
 * and gives the app no token for the member's timeline; Zalo's share sheet confirms nothing.
 */
const notProvided = () => figure(null, 'platform', null, 'not_provided');

/** Members' shares of one post: Loa's counts of each member's tracked link, per share and per unit. */
function presentMemberShares(stats: PostStats, readAt: Date) {
  const shares = stats.memberShares;
  const loa = (value: number) => figure(value, 'loa', readAt);
  const sum = (pick: (s: PostStats['memberShares'][number]) => number, list = shares) =>
    list.reduce((total, s) => total + pick(s), 0);
  // Time to first share counts from the post going out (its first publication).
  const firstPublished =
    stats.publishedAt?.getTime() ??
    stats.channels
      .map((c) => c.publishedAt?.getTime())
      .filter((at): at is number => at !== undefined)
      .sort((a, b) => a - b)[0];
  const first = shares[0];
  const units = new Map<string, { unitId: string | null; name: string | null; list: typeof shares }>();
  for (const share of shares) {
    const key = share.unitId ?? '';
    const entry = units.get(key) ?? { unitId: share.unitId, name: share.unitName, list: [] };
    entry.list.push(share);
    units.set(key, entry);
  }
  return {
    count: loa(shares.length),
    clicks: loa(sum((s) => s.clicks)),
    uniqueVisitors: loa(sum((s) => s.uniqueVisitors)),
    botClicks: loa(sum((s) => s.botClicks)),
    firstShareAt: iso(first?.sharedAt),
    firstShareMinutes:
      first && firstPublished !== undefined
        ? Math.round((first.sharedAt.getTime() - firstPublished) / 6_000) / 10
        : null,
    byUnit: [...units.values()].map((unit) => ({
      unitId: unit.unitId,
      name: unit.name,
      shares: loa(unit.list.length),
      clicks: loa(sum((s) => s.clicks, unit.list)),
      uniqueVisitors: loa(sum((s) => s.uniqueVisitors, unit.list)),
    })),
    items: shares.map((share) => ({
      shareId: share.id,
      platform: share.platform,
      unitId: share.unitId,
      unitName: share.unitName,
      sharedAt: share.sharedAt.toISOString(),
      fetchedAt: iso(stats.sharesFetchedAt.get(share.id)),
      clicks: loa(share.clicks),
      uniqueVisitors: loa(share.uniqueVisitors),
      impressions: notProvided(),
      reactions: notProvided(),
      comments: notProvided(),
      shares: notProvided(),
    })),
  };
}

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
  const memberShares = presentMemberShares(stats, readAt);
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
      // Shares recorded as shared through the share flow, and the people's clicks on the members' links.
      memberShares: memberShares.count,
      memberClicks: memberShares.clicks,
    },
    byChannel,
    memberShares,
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
type ShareOverview = Awaited<ReturnType<EngagementService['overview']>>['currentShares'];
type Sums = Overview['totals'];
type ShareSums = ShareOverview['totals'];

/** Members' figures, counted by Loa: shares recorded that day and the clicks their links gained. */
function memberFigures(sums: ShareSums | undefined) {
  return {
    memberShares: figure(sums?.shares ?? 0, 'loa', sums?.fetchedAt ?? null),
    memberClicks: figure(sums?.linkClicks ?? 0, 'loa', sums?.fetchedAt ?? null),
  };
}

const emptySums: Sums = {
  impressions: 0,
  reactions: 0,
  comments: 0,
  shares: 0,
  clicks: 0,
  linkClicks: 0,
  fetchedAt: null,
};

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
  currentShares: ShareOverview;
  previousShares: ShareOverview;
}) {
  const { range, previousRange, current, previous, currentShares, previousShares } = input;
  const c = current.totals;
  const p = previous.totals;
  const cs = currentShares.totals;
  const ps = previousShares.totals;
  const shareDays = new Map(currentShares.byDay.map((row) => [row.key ?? '', row]));
  const publicationDays = new Map(current.byDay.map((row) => [row.key ?? '', row]));
  const days = [...new Set([...publicationDays.keys(), ...shareDays.keys()])].sort();
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
      memberShares: change(cs.shares, ps.shares, 'loa', cs.fetchedAt),
      memberClicks: change(cs.linkClicks, ps.linkClicks, 'loa', cs.fetchedAt),
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
    byDay: days.map((day) => ({
      day,
      ...groupFigures(publicationDays.get(day) ?? emptySums, null),
      ...memberFigures(shareDays.get(day)),
    })),
    // Per unit of the members who shared (the unit the figures were earned in).
    byUnit: currentShares.byUnit.map((row) => ({
      unitId: row.key,
      name: row.name,
      ...memberFigures(row),
      memberUniqueVisitors: figure(row.uniqueVisitors, 'loa', row.fetchedAt),
    })),
  };
}
