// The dashboard's view-models: the overview of a date range, a post's curves, a campaign and the
// monthly report for leadership. Every figure keeps its source and fetch time; a figure nobody
// measured stays null with the reason (never a 0), and a change is computed here from the two
// periods, or null when the previous one had nothing to compare with.
import type { Actor } from '../auth/actor.ts';
import type { CampaignsService } from '../campaigns/campaigns.service.ts';
import type { StatsService } from '../amplification/stats.service.ts';
import type { Platform } from '../db/schema.ts';
import { ForbiddenError, NotFoundError } from '../errors.ts';
import type { UnitsRepo } from '../users/users.repo.ts';
import type { PostFiguresRow, DashboardRepo } from './dashboard.repo.ts';
import { presentPostStats, type Figure } from './engagement.present.ts';
import type { EngagementRepo } from './engagement.repo.ts';
import { IMPRESSIONS_METRIC, dayStart, type EngagementService } from './engagement.service.ts';

export const TOTAL_KEYS = [
  'impressions',
  'reactions',
  'comments',
  'shares',
  'clicks',
  'memberShares',
] as const;
export type TotalKey = (typeof TOTAL_KEYS)[number];
type PlatformKey = 'impressions' | 'reactions' | 'comments' | 'shares';

export interface ChangeFigure extends Figure {
  previous: number | null;
  /** (current − previous) / previous in percent, one decimal; null when previous is 0 or unknown. */
  changePercent: number | null;
}

export type Totals = Record<TotalKey, ChangeFigure>;
type GroupFigures = Record<PlatformKey | 'clicks', Figure>;

export interface Trend {
  days: string[];
  /** One value per day; a platform series is null where no Facebook channel was measured. */
  series: Record<PlatformKey | 'clicks', (number | null)[] | null>;
}

type Overview = Awaited<ReturnType<EngagementService['overview']>>['current'];
type Sums = Overview['totals'];

const DAY_MS = 86_400_000;
const iso = (date: Date | null | undefined) => (date ? date.toISOString() : null);

export function changePercent(current: number | null, previous: number | null): number | null {
  if (current === null || previous === null || previous === 0) return null;
  return Math.round(((current - previous) / previous) * 1000) / 10;
}

function known(value: number, source: Figure['source'], fetchedAt: Date | string | null): Figure {
  return { value, source, fetchedAt: typeof fetchedAt === 'string' ? fetchedAt : iso(fetchedAt) };
}

function missing(
  why: NonNullable<Figure['unavailable']>,
  source: Figure['source'],
  fetchedAt: Date | null = null,
): Figure {
  return { value: null, source, fetchedAt: iso(fetchedAt), unavailable: why };
}

function withChange(current: Figure, previous: number | null): ChangeFigure {
  return {
    ...current,
    previous: current.value === null ? null : previous,
    changePercent: changePercent(current.value, previous),
  };
}

/** Every calendar day from `from` to `to` (dates, inclusive). */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  const end = Date.parse(`${to}T00:00:00Z`);
  for (let at = Date.parse(`${from}T00:00:00Z`); at <= end && out.length < 800; at += DAY_MS)
    out.push(new Date(at).toISOString().slice(0, 10));
  return out;
}

/** The first and last day of a month (YYYY-MM) and of the month before it. */
export function monthRanges(month: string) {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const first = Date.UTC(y, m - 1, 1);
  const next = Date.UTC(y, m, 1);
  const previousFirst = Date.UTC(y, m - 2, 1);
  return {
    current: { from: day(first), to: day(next - DAY_MS) },
    previous: { from: day(previousFirst), to: day(first - DAY_MS) },
  };
}

export interface DashboardDeps {
  engagement: Pick<EngagementService, 'overview' | 'postStats'>;
  refusedMetrics: Pick<EngagementRepo, 'unavailableMetrics'>;
  repo: DashboardRepo;
  memberStats: Pick<StatsService, 'units'>;
  campaigns: Pick<CampaignsService, 'get'>;
  units: Pick<UnitsRepo, 'findById' | 'subtreeIds' | 'listAll'>;
  timeZone: string;
  now?: () => Date;
}

/** Who reads participation by unit (the members' figures): as the member stats API. */
const readsUnits = (actor: Actor) => actor.role === 'admin' || actor.role === 'reviewer';

export function createDashboardService(deps: DashboardDeps) {
  const zone = deps.timeZone;
  const now = deps.now ?? (() => new Date());
  /** [start of `from`, start of the day after `to`) in LOA_TIMEZONE. */
  const instants = (range: { from: string; to: string }) => ({
    from: dayStart(range.from, zone),
    to: new Date(dayStart(range.to, zone).getTime() + DAY_MS),
  });

  function requireStaff(actor: Actor) {
    if (actor.role === 'member') throw new ForbiddenError('Members do not read the organisation’s figures');
  }

  /** Totals of a period against another, with Zalo's and refused figures kept apart from zeros. */
  function totalsOf(
    current: Overview,
    previous: Overview,
    shares: { current: number; previous: number },
    refused: Map<string, Set<string>>,
  ): Totals {
    const c = current.totals;
    const p = previous.totals;
    const facebook = current.byChannel.filter((row) => row.platform === 'facebook');
    const previousKnown = p.fetchedAt !== null;
    const platform = (key: PlatformKey): ChangeFigure => {
      if (c.fetchedAt === null) return withChange(missing('not_collected', 'platform'), null);
      if (facebook.length === 0) return withChange(missing('not_provided', 'platform', c.fetchedAt), null);
      const allRefused =
        key === 'impressions' &&
        facebook.every((row) => row.key !== null && refused.get(row.key)?.has(IMPRESSIONS_METRIC));
      if (allRefused) return withChange(missing('refused', 'platform', c.fetchedAt), null);
      return withChange(known(c[key], 'platform', c.fetchedAt), previousKnown ? p[key] : null);
    };
    const clicks =
      c.fetchedAt === null ? missing('not_collected', 'loa') : known(c.linkClicks, 'loa', c.fetchedAt);
    return {
      impressions: platform('impressions'),
      reactions: platform('reactions'),
      comments: platform('comments'),
      shares: platform('shares'),
      clicks: withChange(clicks, previousKnown ? p.linkClicks : null),
      // Counted by Loa when a member's share completes: known even before any platform figure.
      memberShares: withChange(known(shares.current, 'loa', now()), shares.previous),
    };
  }

  function groupFigures(
    sums: Sums,
    platform: Platform | null,
    refused: Set<string> | undefined,
    anyFacebook: boolean,
  ): GroupFigures {
    const cell = (key: PlatformKey): Figure => {
      if (platform === 'zalo' || !anyFacebook) return missing('not_provided', 'platform');
      if (key === 'impressions' && refused?.has(IMPRESSIONS_METRIC))
        return missing('refused', 'platform', sums.fetchedAt);
      return known(sums[key], 'platform', sums.fetchedAt);
    };
    return {
      impressions: cell('impressions'),
      reactions: cell('reactions'),
      comments: cell('comments'),
      shares: cell('shares'),
      clicks: known(sums.linkClicks, 'loa', sums.fetchedAt),
    };
  }

  function trendOf(
    range: { from: string; to: string },
    rows: Overview['byDay'],
    anyFacebook: boolean,
  ): Trend {
    const days = daysBetween(range.from, range.to);
    const byDay = new Map(rows.map((row) => [row.key ?? '', row]));
    const series = (pick: (row: Sums) => number) => days.map((d) => pick(byDay.get(d) ?? zeroSums));
    const platform = (key: PlatformKey) => (anyFacebook ? series((row) => row[key]) : null);
    return {
      days,
      series: {
        impressions: platform('impressions'),
        reactions: platform('reactions'),
        comments: platform('comments'),
        shares: platform('shares'),
        clicks: series((row) => row.linkClicks),
      },
    };
  }

  function postRow(row: PostFiguresRow) {
    const facebook = row.facebookPublications > 0;
    const cell = (value: number | null): Figure =>
      !facebook
        ? missing('not_provided', 'platform')
        : value === null
          ? missing('not_collected', 'platform', row.fetchedAt)
          : known(value, 'platform', row.fetchedAt);
    return {
      postId: row.postId,
      title: row.title,
      status: row.status,
      publishedAt: iso(row.publishedAt),
      impressions: cell(row.impressions),
      reactions: cell(row.reactions),
      comments: cell(row.comments),
      shares: cell(row.shares),
      clicks: known(row.linkClicks, 'loa', row.fetchedAt ?? now()),
      memberShares: known(row.memberShares, 'loa', now()),
      channels: { facebook: row.facebookPublications, zalo: row.zaloPublications },
    };
  }

  /** One period's figures for a scope, with the previous period given. */
  async function periodFigures(
    actor: Actor,
    range: { from: string; to: string },
    previousRange: { from: string; to: string } | null,
  ) {
    const base = await deps.engagement.overview(actor, range);
    const previous = previousRange
      ? (await deps.engagement.overview(actor, previousRange)).current
      : base.previous;
    const previousOf = previousRange ?? base.previousRange;
    const [sharesNow, sharesBefore] = await Promise.all([
      deps.repo.memberShares({ ...instants(range), scope: actor.scope }),
      deps.repo.memberShares({ ...instants(previousOf), scope: actor.scope }),
    ]);
    const current = base.current;
    const refused = await deps.refusedMetrics.unavailableMetrics(
      current.byChannel.filter((row) => row.platform === 'facebook' && row.key).map((row) => row.key ?? ''),
    );
    const anyFacebook = current.byChannel.some((row) => row.platform === 'facebook');
    const anyZalo = current.byChannel.some((row) => row.platform === 'zalo');
    return {
      range,
      previousRange: previousOf,
      totals: totalsOf(current, previous, { current: sharesNow, previous: sharesBefore }, refused),
      /** Platform totals leave Zalo out: it gives no such figures. */
      zaloInScope: anyZalo,
      fetchedAt: iso(current.totals.fetchedAt),
      trend: trendOf(range, current.byDay, anyFacebook),
      byChannel: current.byChannel.map((row) => ({
        channelId: row.key ?? '',
        name: row.name ?? '',
        platform: row.platform ?? 'facebook',
        ...groupFigures(row, row.platform, row.key ? refused.get(row.key) : undefined, true),
      })),
      byCampaign: current.byCampaign.map((row) => ({
        campaignId: row.key,
        name: row.name,
        ...groupFigures(row, null, undefined, anyFacebook),
      })),
    };
  }

  return {
    async overview(actor: Actor, range: { from: string; to: string }) {
      requireStaff(actor);
      const figures = await periodFigures(actor, range, null);
      const units = readsUnits(actor) ? await deps.memberStats.units(actor, instants(range)) : null;
      return { ...figures, byUnit: units };
    },

    async postStats(actor: Actor, postId: string) {
      requireStaff(actor);
      const stats = await deps.engagement.postStats(actor, postId);
      const presented = presentPostStats(stats, now());
      const [shares, publishedAt] = await Promise.all([
        deps.repo.postShares(postId),
        deps.repo.postPublishedAt(postId),
      ]);
      const firstAt = shares
        .map((s) => s.firstAt)
        .filter((at): at is Date => at !== null)
        .sort((a, b) => a.getTime() - b.getTime())[0];
      const total = shares.reduce((sum, s) => sum + s.shares, 0);
      const curves = presented.byChannel.map((channel) => ({
        channelId: channel.channelId,
        name: channel.name,
        platform: channel.platform,
        points: presented.series
          .filter((point) => point.channelId === channel.channelId)
          .map(({ channelId: _id, ...point }) => point),
      }));
      return {
        publishedAt: iso(publishedAt),
        totals: { ...presented.totals, memberShares: known(total, 'loa', now()) },
        byChannel: presented.byChannel,
        curves,
        memberShares: {
          total,
          byPlatform: shares.map((s) => ({ platform: s.platform, shares: s.shares })),
          firstAt: iso(firstAt),
          minutesToFirst:
            firstAt && publishedAt
              ? Math.max(0, Math.round((firstAt.getTime() - publishedAt.getTime()) / 60_000))
              : null,
        },
      };
    },

    async campaign(actor: Actor, campaignId: string) {
      requireStaff(actor);
      const campaign = await deps.campaigns.get(campaignId);
      const [posts, days] = await Promise.all([
        deps.repo.campaignPosts(campaignId, actor.scope),
        deps.repo.campaignDays(campaignId, actor.scope),
      ]);
      const rows = posts.map(postRow);
      const anyFacebook = posts.some((p) => p.facebookPublications > 0);
      const sum = (pick: (row: PostFiguresRow) => number | null) =>
        posts.reduce<number | null>((total, row) => {
          const value = pick(row);
          return value === null ? total : (total ?? 0) + value;
        }, null);
      const fetched = posts.map((p) => p.fetchedAt).filter((at): at is Date => at !== null);
      const latest = fetched.sort((a, b) => b.getTime() - a.getTime())[0] ?? null;
      const platformTotal = (key: PlatformKey): Figure => {
        if (!anyFacebook) return missing('not_provided', 'platform');
        const value = sum((row) => row[key]);
        return value === null ? missing('not_collected', 'platform') : known(value, 'platform', latest);
      };
      const range = days.length ? { from: days[0]?.day ?? '', to: days[days.length - 1]?.day ?? '' } : null;
      const byDay = new Map(days.map((d) => [d.day, d]));
      const dayList = range ? daysBetween(range.from, range.to) : [];
      const series = (pick: (d: (typeof days)[number]) => number) =>
        dayList.map((d) => {
          const row = byDay.get(d);
          return row ? pick(row) : 0;
        });
      return {
        campaign: {
          id: campaign.id,
          name: campaign.name,
          description: campaign.description,
          startsAt: iso(campaign.startsAt),
          endsAt: iso(campaign.endsAt),
        },
        totals: {
          impressions: platformTotal('impressions'),
          reactions: platformTotal('reactions'),
          comments: platformTotal('comments'),
          shares: platformTotal('shares'),
          clicks: known(sum((row) => row.linkClicks) ?? 0, 'loa', latest ?? now()),
          memberShares: known(sum((row) => row.memberShares) ?? 0, 'loa', now()),
        },
        posts: rows,
        trend: {
          days: dayList,
          series: {
            impressions: anyFacebook ? series((d) => d.impressions) : null,
            reactions: anyFacebook ? series((d) => d.reactions) : null,
            comments: anyFacebook ? series((d) => d.comments) : null,
            shares: anyFacebook ? series((d) => d.shares) : null,
            clicks: series((d) => d.linkClicks),
          },
        } satisfies Trend,
      };
    },

    /** The units a report may be asked for: the reader's own subtree (every unit, unscoped). */
    async reportUnits(actor: Actor) {
      const all = await deps.units.listAll();
      return all
        .filter((u) => actor.scope === null || actor.scope.includes(u.id))
        .map((u) => ({ id: u.id, name: u.name }));
    },

    /**
     * One unit, one month, for leadership: totals against the month before, the days, the most
     * interacted-with warnings, and which units below it spread them and which did not.
     */
    async monthlyReport(actor: Actor, input: { unitId: string; month: string }) {
      if (!readsUnits(actor)) throw new ForbiddenError('Only reviewers and admins read the monthly report');
      // A unit outside the reader's scope reads as unknown, like another unit's post.
      if (actor.scope !== null && !actor.scope.includes(input.unitId)) throw new NotFoundError('Unit');
      const unit = await deps.units.findById(input.unitId);
      if (!unit) throw new NotFoundError('Unit');
      const subtree = await deps.units.subtreeIds(unit.id);
      const asUnit: Actor = { ...actor, scope: subtree };
      const months = monthRanges(input.month);
      const figures = await periodFigures(asUnit, months.current, months.previous);
      const range = instants(months.current);
      const [top, units] = await Promise.all([
        deps.repo.topPosts({ ...range, scope: subtree, limit: 10 }),
        deps.memberStats.units(actor, { unitId: unit.id, ...range }),
      ]);
      return {
        unit: { id: unit.id, name: unit.name },
        month: input.month,
        ...figures,
        topPosts: top.map(postRow),
        unitsThatShared: units.items.filter((u) => u.shares > 0),
        unitsWithoutShares: units.items.filter((u) => u.shares === 0),
        unitFiguresAt: units.fetchedAt,
      };
    },
  };
}

const zeroSums: Sums = {
  impressions: 0,
  reactions: 0,
  comments: 0,
  shares: 0,
  clicks: 0,
  linkClicks: 0,
  fetchedAt: null,
};

export type DashboardService = ReturnType<typeof createDashboardService>;
