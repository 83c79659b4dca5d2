// The `fields` parameter, Graph's field-expansion syntax (e.g.
// "reactions.summary(total_count).limit(0),attachments{media}"), and the nodes it selects.
// Unknown fields fail like on Graph: code 100 "Tried accessing nonexisting field".
import { isoTime } from '../shared/http.ts';
import { graphErrors } from './errors.ts';
import {
  postEngagement,
  publishedAt,
  type FacebookState,
  type FbPage,
  type FbPhoto,
  type FbPost,
} from './state.ts';

export interface FieldRequest {
  name: string;
  raw: string;
}

export function parseFields(value: string | undefined): FieldRequest[] | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const items: FieldRequest[] = [];
  let depth = 0;
  let current = '';
  for (const char of value) {
    if (char === '(' || char === '{') depth += 1;
    if (char === ')' || char === '}') depth -= 1;
    if (char === ',' && depth === 0) {
      if (current.trim()) items.push(fieldOf(current.trim()));
      current = '';
    } else current += char;
  }
  if (current.trim()) items.push(fieldOf(current.trim()));
  return items;
}

function fieldOf(raw: string): FieldRequest {
  const name = /^[^.{(]+/.exec(raw)?.[0] ?? raw;
  return { name: name.trim(), raw };
}

export function permalink(post: FbPost): string {
  return `https://www.facebook.com/${post.pageId}/posts/${post.objectId}`;
}

const POST_DEFAULT = ['created_time', 'message', 'id'];

export function renderPost(
  state: FacebookState,
  post: FbPost,
  fields: FieldRequest[] | undefined,
): Record<string, unknown> {
  const now = state.clock.now();
  const page = state.pages.get(post.pageId);
  const requested = fields ?? POST_DEFAULT.map((name) => ({ name, raw: name }));
  const out: Record<string, unknown> = {};
  let engagement: ReturnType<typeof postEngagement> | undefined;
  const e = () => (engagement ??= postEngagement(state, post));
  for (const field of requested) {
    switch (field.name) {
      case 'id':
        break;
      case 'message':
        if (post.message !== undefined) out.message = post.message;
        break;
      case 'created_time':
      case 'updated_time':
        out[field.name] = isoTime(publishedAt(post, now) ?? post.createdMs);
        break;
      case 'permalink_url':
        out.permalink_url = permalink(post);
        break;
      case 'is_published':
        out.is_published = publishedAt(post, now) !== undefined;
        break;
      case 'scheduled_publish_time':
        if (post.scheduledMs !== undefined) out.scheduled_publish_time = Math.floor(post.scheduledMs / 1000);
        break;
      case 'status_type':
        out.status_type =
          post.media.length > 0 ? 'added_photos' : post.link ? 'shared_story' : 'mobile_status_update';
        break;
      case 'link':
        if (post.link !== undefined) out.link = post.link;
        break;
      case 'full_picture': {
        const photo = post.media[0] ? state.photos.get(post.media[0]) : undefined;
        if (photo) out.full_picture = photo.url ?? `https://scontent.xx.fbcdn.net/v/${photo.id}.jpg`;
        break;
      }
      case 'from':
        out.from = { name: page?.name ?? '', id: post.pageId };
        break;
      case 'attachments':
        if (post.media.length > 0) {
          out.attachments = {
            data: [
              {
                type: 'album',
                subattachments: { data: post.media.map((id) => ({ type: 'photo', target: { id } })) },
              },
            ],
          };
        }
        break;
      case 'shares':
        // Graph omits `shares` entirely when nobody has shared the post.
        if (e().shares > 0) out.shares = { count: e().shares };
        break;
      case 'reactions':
      case 'likes':
        out[field.name] = {
          data: [],
          ...(field.raw.includes('summary(')
            ? {
                summary:
                  field.name === 'likes'
                    ? { total_count: e().reactions.like, can_like: true, has_liked: false }
                    : { total_count: e().reactionsTotal, viewer_reaction: 'NONE' },
              }
            : {}),
        };
        break;
      case 'comments':
        out.comments = {
          data: [],
          ...(field.raw.includes('summary(')
            ? { summary: { order: 'ranked', total_count: e().comments, can_comment: true } }
            : {}),
        };
        break;
      default:
        throw graphErrors.nonexistingField(field.name, 'Post');
    }
  }
  out.id = post.id;
  return out;
}

export function renderPage(page: FbPage, fields: FieldRequest[] | undefined): Record<string, unknown> {
  const requested = fields ?? [{ name: 'name', raw: 'name' }];
  const out: Record<string, unknown> = {};
  for (const field of requested) {
    switch (field.name) {
      case 'id':
        break;
      case 'name':
        out.name = page.name;
        break;
      case 'fan_count':
        out.fan_count = page.fanCount;
        break;
      case 'followers_count':
        out.followers_count = page.fanCount;
        break;
      case 'link':
        out.link = `https://www.facebook.com/${page.id}`;
        break;
      case 'category':
        out.category = 'Government organization';
        break;
      case 'access_token':
        out.access_token = page.accessToken;
        break;
      default:
        throw graphErrors.nonexistingField(field.name, 'Page');
    }
  }
  out.id = page.id;
  return out;
}

export function renderPhoto(photo: FbPhoto, fields: FieldRequest[] | undefined): Record<string, unknown> {
  const requested = fields ?? [{ name: 'created_time', raw: 'created_time' }];
  const out: Record<string, unknown> = {};
  for (const field of requested) {
    switch (field.name) {
      case 'id':
        break;
      case 'created_time':
        out.created_time = isoTime(photo.createdMs);
        break;
      case 'name':
        if (photo.caption !== undefined) out.name = photo.caption;
        break;
      case 'link':
        out.link = `https://www.facebook.com/photo.php?fbid=${photo.id}`;
        break;
      case 'picture':
        out.picture = photo.url ?? `https://scontent.xx.fbcdn.net/v/${photo.id}.jpg`;
        break;
      case 'page_story_id':
        if (photo.postId) out.page_story_id = photo.postId;
        break;
      default:
        throw graphErrors.nonexistingField(field.name, 'Photo');
    }
  }
  out.id = photo.id;
  return out;
}
