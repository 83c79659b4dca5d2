// Insights with only the metrics that still exist (Graph v26): one retired or unknown metric
// name fails the whole call with code 100, as on the real API.
import type { Request } from 'express';
import { isoTime, readParam } from '../shared/http.ts';
import type { Actor } from './auth.ts';
import { graphErrors } from './errors.ts';
import { isLive, postEngagement, type FacebookState, type FbPage, type FbPost } from './state.ts';

const POST_METRICS: Record<string, { title: string; description: string }> = {
  post_total_media_view_unique: {
    title: 'Lifetime Post Total Media Viewers',
    description: 'Lifetime: The number of people who saw any content from your Post.',
  },
  post_media_view: {
    title: 'Lifetime Post Media Views',
    description: 'Lifetime: The number of times your Post was on screen.',
  },
  post_reactions_by_type_total: {
    title: 'Lifetime Total post Reactions by Type.',
    description: 'Lifetime: Total post reactions by type.',
  },
  post_clicks: {
    title: 'Lifetime Post Clicks',
    description: 'Lifetime: The number of clicks anywhere in your post.',
  },
  post_clicks_by_type: {
    title: 'Lifetime Post Clicks by Type',
    description: 'Lifetime: The number of clicks anywhere in your post, by type.',
  },
};

const PAGE_METRICS: Record<string, { title: string; description: string }> = {
  page_total_media_view_unique: {
    title: 'Daily Total Media Viewers',
    description: 'Daily: The number of people who saw any content from your Page.',
  },
  page_media_view: {
    title: 'Daily Media Views',
    description: 'Daily: The number of times your content was on screen.',
  },
  page_post_engagements: {
    title: 'Daily Post Engagements',
    description: 'Daily: The number of times people engaged with your posts.',
  },
  page_follows: {
    title: 'Lifetime Page Follows',
    description: 'Lifetime: The number of people who follow your Page.',
  },
};

function requestedMetrics(req: Request, known: Record<string, unknown>): string[] {
  const raw = readParam(req, 'metric');
  const names = (Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? raw.split(',') : [])
    .map((name) => name.trim())
    .filter(Boolean);
  if (names.length === 0) throw graphErrors.emptyMetric();
  if (names.some((name) => !(name in known))) throw graphErrors.invalidMetric();
  const period = readParam(req, 'period');
  if (
    period !== undefined &&
    !['day', 'week', 'days_28', 'lifetime', 'total_over_range'].includes(String(period))
  ) {
    throw graphErrors.invalidParam(
      'period must be one of the following values: day, week, days_28, lifetime, total_over_range',
    );
  }
  return names;
}

function requireAnalyst(actor: Actor, pageId: string): void {
  if (actor.kind !== 'page') throw graphErrors.pageTokenRequired();
  if (actor.page.id !== pageId) throw graphErrors.noInsightsPermission();
}

export function postInsights(
  state: FacebookState,
  actor: Actor,
  post: FbPost,
  req: Request,
): Record<string, unknown> {
  requireAnalyst(actor, post.pageId);
  const names = requestedMetrics(req, POST_METRICS);
  const e = postEngagement(state, post);
  const values: Record<string, unknown> = {
    post_total_media_view_unique: e.uniqueViews,
    post_media_view: e.views,
    post_reactions_by_type_total: {
      like: e.reactions.like,
      love: e.reactions.love,
      wow: e.reactions.wow,
      haha: e.reactions.haha,
      sorry: e.reactions.sad,
      anger: e.reactions.angry,
    },
    post_clicks: e.clicks,
    post_clicks_by_type: {
      'link clicks': e.linkClicks,
      'other clicks': e.otherClicks,
      'photo view': e.photoViews,
    },
  };
  return {
    data: names.map((name) => ({
      name,
      period: 'lifetime',
      values: [{ value: values[name] }],
      title: POST_METRICS[name]?.title,
      description: POST_METRICS[name]?.description,
      id: `${post.id}/insights/${name}/lifetime`,
    })),
  };
}

export function pageInsights(
  state: FacebookState,
  actor: Actor,
  page: FbPage,
  req: Request,
): Record<string, unknown> {
  requireAnalyst(actor, page.id);
  const names = requestedMetrics(req, PAGE_METRICS);
  const now = state.clock.now();
  let unique = 0;
  let views = 0;
  let engagements = 0;
  for (const post of state.posts.values()) {
    if (post.pageId !== page.id || !isLive(post, now)) continue;
    const e = postEngagement(state, post);
    unique += e.uniqueViews;
    views += e.views;
    engagements += e.reactionsTotal + e.comments + e.shares + e.clicks;
  }
  const values: Record<string, number> = {
    page_total_media_view_unique: unique,
    page_media_view: views,
    page_post_engagements: engagements,
    page_follows: page.fanCount,
  };
  const endTime = isoTime(Math.floor(now / 86_400_000 + 1) * 86_400_000);
  return {
    data: names.map((name) => {
      const period = name === 'page_follows' ? 'lifetime' : 'day';
      return {
        name,
        period,
        values: [{ value: values[name], end_time: endTime }],
        title: PAGE_METRICS[name]?.title,
        description: PAGE_METRICS[name]?.description,
        id: `${page.id}/insights/${name}/${period}`,
      };
    }),
  };
}
