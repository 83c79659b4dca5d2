// Articles, the OA "post": create answers a token, verify answers -214 for a configured
// number of polls and then the article id; getslice, getdetail and remove work on ids.
import { engagementAt } from '../shared/engagement.ts';
import { zaloErrors } from './envelope.ts';
import type { ZaloArticle, ZaloOa, ZaloState } from './state.ts';

const URL_PATTERN = /^https?:\/\/[\x21-\x7e]+$/;

function text(
  params: Record<string, unknown>,
  field: string,
  max: number,
  required: boolean,
): string | undefined {
  const value = params[field];
  if (value === undefined || value === null || value === '') {
    if (required) throw zaloErrors.invalidField(field);
    return undefined;
  }
  if (typeof value !== 'string' || [...value].length > max) throw zaloErrors.invalidField(field);
  return value;
}

function showHide(params: Record<string, unknown>, field: string): 'show' | 'hide' {
  const value = params[field];
  if (value === undefined) return 'hide';
  if (value !== 'show' && value !== 'hide') throw zaloErrors.invalidField(field);
  return value;
}

function readBody(value: unknown): ZaloArticle['body'] {
  if (!Array.isArray(value) || value.length === 0) throw zaloErrors.invalidField('body');
  return value.map((item) => {
    const entry = item as { type?: unknown; content?: unknown; url?: unknown };
    if (entry?.type === 'text' && typeof entry.content === 'string' && entry.content !== '')
      return { type: 'text', content: entry.content };
    if (entry?.type === 'image' && typeof entry.url === 'string' && URL_PATTERN.test(entry.url))
      return { type: 'image', url: entry.url };
    if (entry?.type === 'video' || entry?.type === 'product')
      return { type: entry.type, ...(typeof entry.url === 'string' ? { url: entry.url } : {}) };
    throw zaloErrors.invalidField('body');
  });
}

function readCover(value: unknown): unknown {
  const cover = value as
    { cover_type?: unknown; photo_url?: unknown; video_id?: unknown; status?: unknown } | undefined;
  if (!cover || typeof cover !== 'object') throw zaloErrors.invalidParam('cover value is invalid');
  if (cover.cover_type === 'photo') {
    // Cover URLs must be percent-encoded: spaces or non-ASCII characters are refused.
    if (typeof cover.photo_url !== 'string' || !URL_PATTERN.test(cover.photo_url))
      throw zaloErrors.invalidField('photo_url');
  } else if (cover.cover_type === 'video') {
    if (typeof cover.video_id !== 'string') throw zaloErrors.invalidField('video_id');
  } else throw zaloErrors.invalidParam('cover value is invalid');
  if (cover.status !== undefined && cover.status !== 'show' && cover.status !== 'hide')
    throw zaloErrors.invalidParam('cover value is invalid');
  return cover;
}

export function createArticle(
  state: ZaloState,
  oa: ZaloOa,
  params: Record<string, unknown>,
): { token: string } {
  const type = params.type;
  if (type !== 'normal' && type !== 'video')
    throw zaloErrors.invalidParam('type accept only 2 value normal and video.');
  const title = text(params, 'title', 149, true) ?? '';
  const author = text(params, 'author', 50, false);
  const description = text(params, 'description', 300, type === 'video');
  const trackingLink = text(params, 'tracking_link', 2000, false);
  if (trackingLink !== undefined && !URL_PATTERN.test(trackingLink))
    throw zaloErrors.invalidField('tracking_link');
  const body = type === 'normal' ? readBody(params.body) : [];
  const cover =
    type === 'normal' ? readCover(params.cover) : { cover_type: 'video', video_id: params.video_id };
  if (type === 'video' && typeof params.video_id !== 'string') throw zaloErrors.invalidField('video_id');
  const article: ZaloArticle = {
    id: state.ids.next('8', 19),
    token: state.ids.token('', 24),
    oaId: oa.id,
    type,
    title,
    author,
    description,
    cover,
    body,
    trackingLink,
    status: showHide(params, 'status'),
    comment: showHide(params, 'comment'),
    createdMs: state.clock.now(),
    pollsLeft: state.settings.articleVerifyPolls,
    verifiedMs: undefined,
    broadcasts: [],
  };
  state.articles.set(article.id, article);
  state.articleByToken.set(article.token, article);
  return { token: article.token };
}

export function verifyArticle(state: ZaloState, oa: ZaloOa, params: Record<string, unknown>): { id: string } {
  const article = typeof params.token === 'string' ? state.articleByToken.get(params.token) : undefined;
  if (!article || article.oaId !== oa.id) throw zaloErrors.invalidField('token');
  if (article.verifiedMs === undefined) {
    if (article.pollsLeft > 0) {
      article.pollsLeft -= 1;
      throw zaloErrors.processing();
    }
    article.verifiedMs = state.clock.now();
  }
  return { id: article.id };
}

/** An article the OA can see: verified, not removed. */
export function findArticle(state: ZaloState, oa: ZaloOa, id: unknown): ZaloArticle | undefined {
  const article =
    typeof id === 'string' || typeof id === 'number' ? state.articles.get(String(id)) : undefined;
  if (
    !article ||
    article.oaId !== oa.id ||
    article.verifiedMs === undefined ||
    article.deletedMs !== undefined
  )
    return undefined;
  return article;
}

export function articleStats(state: ZaloState, article: ZaloArticle): { views: number; shares: number } {
  const oa = state.oas.get(article.oaId);
  const until = article.deletedMs ?? state.clock.now();
  const start =
    article.status === 'show' && article.verifiedMs !== undefined
      ? article.verifiedMs
      : Number.MAX_SAFE_INTEGER;
  const e = engagementAt(
    state.seed,
    {
      key: article.id,
      startMs: start,
      audience: oa?.followers ?? 0,
      hasImage: true,
      hasLink: article.trackingLink !== undefined,
    },
    Math.min(until, state.clock.now()),
  );
  return { views: e.views, shares: e.shares };
}

function coverUrl(article: ZaloArticle): string | undefined {
  const url = (article.cover as { photo_url?: unknown } | undefined)?.photo_url;
  return typeof url === 'string' ? url : undefined;
}

export function sliceArticles(state: ZaloState, oa: ZaloOa, params: Record<string, unknown>): unknown {
  const offset = Number(params.offset ?? 0);
  const limit = Number(params.limit ?? 5);
  const type = params.type ?? 'normal';
  if (!Number.isInteger(offset) || offset < 0) throw zaloErrors.invalidField('offset');
  if (!Number.isInteger(limit) || limit < 1) throw zaloErrors.invalidField('limit');
  if (limit > 10) throw zaloErrors.invalidParam('maximum limit is 10');
  if (type !== 'normal' && type !== 'video')
    throw zaloErrors.invalidParam('type accept only 2 value normal and video.');
  const all = [...state.articles.values()]
    .filter(
      (a) => a.oaId === oa.id && a.type === type && a.verifiedMs !== undefined && a.deletedMs === undefined,
    )
    .reverse();
  const medias = all.slice(offset, offset + limit).map((article) => {
    const stats = articleStats(state, article);
    return {
      id: article.id,
      type: article.type,
      title: article.title,
      status: article.status,
      total_view: stats.views,
      total_share: stats.shares,
      create_date: article.createdMs,
      update_date: article.verifiedMs,
      thumb: coverUrl(article) ?? '',
      link: `https://zalo.me/oa/article/${article.id}`,
    };
  });
  return { medias, total: all.length };
}

export function articleDetail(state: ZaloState, article: ZaloArticle): Record<string, unknown> {
  const stats = articleStats(state, article);
  return {
    id: article.id,
    type: article.type,
    title: article.title,
    author: article.author ?? '',
    description: article.description ?? '',
    cover: article.cover,
    body: article.body,
    status: article.status,
    comment: article.comment,
    tracking_link: article.trackingLink ?? '',
    create_date: article.createdMs,
    update_date: article.verifiedMs,
    total_view: stats.views,
    total_share: stats.shares,
    link: `https://zalo.me/oa/article/${article.id}`,
  };
}

export function articleText(article: ZaloArticle): string {
  const paragraphs = article.body.filter((b) => b.type === 'text').map((b) => b.content ?? '');
  return [article.title, ...paragraphs].join('\n');
}

export function articleMedia(article: ZaloArticle): string[] {
  const cover = coverUrl(article);
  return [
    ...(cover ? [cover] : []),
    ...article.body.filter((b) => b.type === 'image').map((b) => b.url ?? ''),
  ];
}
