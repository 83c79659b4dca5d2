// Publishing: POST /{page}/feed, POST /{page}/photos, POST /{post} (is_published, message)
// and DELETE /{id}, with the real API's checks: page token of that page, scheduling window,
// consecutive duplicate message (506), unpublished photos attachable once.
import type { Request } from 'express';
import { readParam, readString, sniffImage, uploadedFile } from '../shared/http.ts';
import type { Actor } from './auth.ts';
import { graphErrors, permissionError } from './errors.ts';
import { isLive, type FacebookState, type FbPage, type FbPhoto, type FbPost } from './state.ts';

export interface PublishHooks {
  /** A post became visible now (published at once, or flipped with is_published). */
  onLive(post: FbPost): void;
  onDeleted(post: FbPost): void;
}

function requirePageActor(actor: Actor, page: FbPage): void {
  if (actor.kind !== 'page' || actor.page.id !== page.id) throw permissionError();
}

function readBool(req: Request, name: string): boolean | undefined {
  const value = readParam(req, name);
  if (value === undefined || value === '') return undefined;
  if (value === true || value === 'true' || value === '1' || value === 1) return true;
  if (value === false || value === 'false' || value === '0' || value === 0) return false;
  throw graphErrors.invalidParam(`param ${name} must be a boolean`);
}

/** unix seconds, ISO-8601 or any date string Date.parse understands (Graph takes strtotime). */
function readScheduledMs(req: Request): number | undefined {
  const value = readParam(req, 'scheduled_publish_time');
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'number') return value * 1000;
  if (typeof value !== 'string') throw graphErrors.invalidSchedule();
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) throw graphErrors.invalidSchedule();
  return parsed;
}

function checkSchedule(
  state: FacebookState,
  published: boolean | undefined,
  scheduledMs: number | undefined,
): void {
  if (scheduledMs === undefined) return;
  if (published !== false) throw graphErrors.scheduleOnPublished();
  const ahead = (scheduledMs - state.clock.now()) / 1000;
  if (ahead < state.settings.scheduleMinSeconds || ahead > state.settings.scheduleMaxSeconds) {
    throw graphErrors.invalidSchedule();
  }
}

function readAttachedMedia(req: Request): string[] {
  let value = readParam(req, 'attached_media');
  if (value === undefined || value === '') return [];
  if (typeof value === 'string') value = parseJson(value);
  // qs turns attached_media[0]=… into an array, or into an object past 20 indexes.
  const items = Array.isArray(value)
    ? value
    : value && typeof value === 'object'
      ? Object.entries(value)
          .sort(([a], [b]) => Number(a) - Number(b))
          .map(([, item]) => item)
      : [];
  if (items.length === 0) throw graphErrors.invalidParam('param attached_media must be an array');
  return items.map((item, index) => {
    const entry = typeof item === 'string' ? parseJson(item) : item;
    const fbid =
      entry && typeof entry === 'object' ? (entry as { media_fbid?: unknown }).media_fbid : undefined;
    if (typeof fbid !== 'string' && typeof fbid !== 'number') {
      throw graphErrors.invalidParam(`param attached_media[${index}] must be an object with media_fbid`);
    }
    return String(fbid);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw graphErrors.invalidParam('param attached_media must be valid JSON');
  }
}

function newPost(
  state: FacebookState,
  page: FbPage,
  input: Omit<FbPost, 'id' | 'pageId' | 'objectId' | 'createdMs' | 'publishedMs'>,
): FbPost {
  const objectId = state.ids.next('1221', 18);
  const now = state.clock.now();
  const post: FbPost = {
    ...input,
    id: `${page.id}_${objectId}`,
    pageId: page.id,
    objectId,
    createdMs: now,
    publishedMs: input.published ? now : undefined,
  };
  state.posts.set(post.id, post);
  const ofPage = state.postsByPage.get(page.id) ?? [];
  ofPage.push(post);
  state.postsByPage.set(page.id, ofPage);
  return post;
}

function lastPostOf(state: FacebookState, pageId: string): FbPost | undefined {
  return state.postsByPage.get(pageId)?.findLast((post) => post.deletedMs === undefined);
}

export function createFeedPost(
  state: FacebookState,
  actor: Actor,
  page: FbPage,
  req: Request,
  hooks: PublishHooks,
): FbPost {
  requirePageActor(actor, page);
  const message = readString(req, 'message');
  const link = readString(req, 'link');
  const published = readBool(req, 'published');
  const scheduledMs = readScheduledMs(req);
  const media = readAttachedMedia(req);
  if (!message && !link && media.length === 0)
    throw graphErrors.invalidParam('Missing message or attachment');
  if (link !== undefined && !/^https?:\/\/[^\s]+$/i.test(link))
    throw graphErrors.invalidParam('link URL is not properly formatted');
  checkSchedule(state, published, scheduledMs);
  const photos = media.map((id, index) => {
    const photo = state.photos.get(id);
    if (!photo || photo.pageId !== page.id || photo.deletedMs !== undefined || photo.published) {
      throw graphErrors.invalidParam(`param attached_media[${index}] has an invalid media_fbid`);
    }
    if (photo.consumedByPostId) throw graphErrors.photoAlreadyPosted();
    if (scheduledMs !== undefined && state.settings.requireTemporaryForScheduled && !photo.temporary) {
      throw graphErrors.invalidParam(
        'Photos attached to a scheduled post must be uploaded with temporary=true',
      );
    }
    return photo;
  });
  if (message && lastPostOf(state, page.id)?.message === message) throw graphErrors.duplicate();

  const post = newPost(state, page, {
    kind: 'status',
    message: message || undefined,
    link,
    media,
    published: published !== false,
    scheduledMs,
  });
  for (const photo of photos) photo.consumedByPostId = post.id;
  if (post.published) hooks.onLive(post);
  return post;
}

export function createPhoto(
  state: FacebookState,
  actor: Actor,
  page: FbPage,
  req: Request,
  hooks: PublishHooks,
): { photo: FbPhoto; post: FbPost | undefined } {
  requirePageActor(actor, page);
  const file = uploadedFile(req, 'source');
  const url = readString(req, 'url');
  if (!file && !url) throw graphErrors.missingImage();
  if (file) {
    if (!sniffImage(file.buffer)) throw graphErrors.invalidImage();
    if (file.size > state.settings.photoMaxBytes) throw graphErrors.photoTooLarge();
  } else if (url && !/^https?:\/\/[^\s]+$/i.test(url)) throw graphErrors.invalidImage();
  const published = readBool(req, 'published');
  const temporary = readBool(req, 'temporary') ?? false;
  const scheduledMs = readScheduledMs(req);
  checkSchedule(state, published, scheduledMs);
  const caption = readString(req, 'caption') ?? readString(req, 'message');

  const photo: FbPhoto = {
    id: state.ids.next('1222', 18),
    pageId: page.id,
    url: file ? undefined : url,
    bytes: file?.size,
    data: file?.buffer,
    caption,
    published: published !== false,
    temporary,
    createdMs: state.clock.now(),
    postId: undefined,
    consumedByPostId: undefined,
  };
  state.photos.set(photo.id, photo);
  if (!photo.published && scheduledMs === undefined) return { photo, post: undefined };

  const post = newPost(state, page, {
    kind: 'photo',
    message: caption,
    link: undefined,
    media: [photo.id],
    published: photo.published,
    scheduledMs,
  });
  photo.postId = post.id;
  photo.consumedByPostId = post.id;
  if (post.published) hooks.onLive(post);
  return { photo, post };
}

export function updatePost(
  state: FacebookState,
  actor: Actor,
  post: FbPost,
  req: Request,
  hooks: PublishHooks,
): void {
  const page = state.pages.get(post.pageId);
  if (!page) throw graphErrors.unsupported('POST', post.id);
  requirePageActor(actor, page);
  const isPublished = readBool(req, 'is_published');
  const message = readString(req, 'message');
  if (isPublished === undefined && message === undefined) throw graphErrors.invalidParam('Invalid parameter');
  if (message !== undefined) post.message = message;
  // Idempotent: publishing an already visible post succeeds and changes nothing.
  if (isPublished && !isLive(post, state.clock.now())) {
    post.published = true;
    post.publishedMs = state.clock.now();
    hooks.onLive(post);
  }
}

export function deleteObject(state: FacebookState, actor: Actor, id: string, hooks: PublishHooks): void {
  const now = state.clock.now();
  const post = state.posts.get(id);
  if (post) {
    const page = state.pages.get(post.pageId);
    if (!page || post.deletedMs !== undefined) throw graphErrors.unsupported('DELETE', id);
    requirePageActor(actor, page);
    post.deletedMs = now;
    for (const photoId of post.media) {
      const photo = state.photos.get(photoId);
      if (photo && photo.postId === post.id) photo.deletedMs = now;
    }
    hooks.onDeleted(post);
    return;
  }
  const photo = state.photos.get(id);
  const page = photo ? state.pages.get(photo.pageId) : undefined;
  if (!photo || !page || photo.deletedMs !== undefined) throw graphErrors.unsupported('DELETE', id);
  requirePageActor(actor, page);
  if (photo.postId) return deleteObject(state, actor, photo.postId, hooks);
  if (photo.consumedByPostId) throw graphErrors.unsupportedDelete();
  photo.deletedMs = now;
}
