// Reads: /me, /me/accounts, /me/permissions, /debug_token, single nodes and the page feeds
// (newest first, `since`/`until`, `limit`, before/after cursors).
import type { Request } from 'express';
import { isoTime, readString } from '../shared/http.ts';
import type { MemberShare } from '../shared/members.ts';
import { checkToken, type Actor, type Credentials } from './auth.ts';
import { GraphError, graphErrors } from './errors.ts';
import { parseFields, renderPage, renderPhoto, renderPost, type FieldRequest } from './fields.ts';
import { isLive, publishedAt, type FacebookState, type FbPage, type FbPost } from './state.ts';

const PAGE_SCOPES = [
  'pages_show_list',
  'pages_read_engagement',
  'pages_manage_posts',
  'pages_manage_engagement',
  'read_insights',
  'pages_manage_metadata',
];
const TASKS = ['ADVERTISE', 'ANALYZE', 'CREATE_CONTENT', 'MESSAGING', 'MODERATE', 'MANAGE'];

function adminPages(state: FacebookState, userId: string): FbPage[] {
  return [...state.pages.values()].filter((page) => page.adminUserId === userId);
}

export function readMe(state: FacebookState, actor: Actor, req: Request): Record<string, unknown> {
  const fields = parseFields(readString(req, 'fields'));
  if (actor.kind === 'page') return renderPage(actor.page, fields);
  if (actor.kind === 'app')
    throw new GraphError(
      2500,
      'An active access token must be used to query information about the current user.',
    );
  return renderUser(actor.user.id, actor.user.name, fields);
}

function renderUser(id: string, name: string, fields: FieldRequest[] | undefined): Record<string, unknown> {
  for (const field of fields ?? []) {
    if (field.name !== 'id' && field.name !== 'name') throw graphErrors.nonexistingField(field.name, 'User');
  }
  return { name, id };
}

export function readAccounts(state: FacebookState, actor: Actor, req: Request): Record<string, unknown> {
  if (actor.kind === 'page') throw graphErrors.nonexistingField('accounts', 'Page');
  if (actor.kind === 'app')
    throw new GraphError(
      2500,
      'An active access token must be used to query information about the current user.',
    );
  const fields = parseFields(readString(req, 'fields'));
  // A token from Facebook Login sees only the Pages the person granted in the dialog.
  const granted = state.loginTokens.get(actor.token)?.pageIds;
  const pages = adminPages(state, actor.user.id).filter((page) => !granted || granted.includes(page.id));
  const data = pages.map((page) => {
    const wantsTasks = !fields || fields.some((f) => f.name === 'tasks');
    const rest = (fields ?? []).filter((f) => f.name !== 'tasks');
    const base = renderPage(
      page,
      fields ? rest : ['access_token', 'category', 'name'].map((name) => ({ name, raw: name })),
    );
    return wantsTasks ? { ...base, tasks: TASKS } : base;
  });
  const cursor = (page: FbPage | undefined) =>
    page ? Buffer.from(page.id).toString('base64url') : undefined;
  return {
    data,
    paging: pages.length
      ? { cursors: { before: cursor(pages[0]), after: cursor(pages[pages.length - 1]) } }
      : undefined,
  };
}

export function readPermissions(actor: Actor): Record<string, unknown> {
  if (actor.kind !== 'user')
    throw graphErrors.nonexistingField('permissions', actor.kind === 'page' ? 'Page' : 'Application');
  return {
    data: ['public_profile', ...PAGE_SCOPES].map((permission) => ({ permission, status: 'granted' })),
  };
}

export function debugToken(
  state: FacebookState,
  credentials: Credentials,
  actor: Actor,
  req: Request,
): Record<string, unknown> {
  if (actor.kind === 'page') throw permissionErrorForDebug();
  const input = readString(req, 'input_token');
  if (!input) throw graphErrors.invalidParam('The parameter input_token is required');
  const check = checkToken(state, credentials, input);
  const common = { app_id: credentials.appId, application: 'Loa (mock)' };
  if (!check.ok) {
    return {
      data: {
        ...common,
        is_valid: false,
        scopes: [],
        error: {
          code: check.error.code,
          message: check.error.message,
          ...(check.error.subcode ? { subcode: check.error.subcode } : {}),
        },
      },
    };
  }
  const now = Math.floor(state.clock.now() / 1000);
  const target = check.actor;
  if (target.kind === 'page') {
    return {
      data: {
        ...common,
        type: 'PAGE',
        data_access_expires_at: now + 90 * 86_400,
        expires_at: 0,
        is_valid: true,
        issued_at: Math.floor(target.page.createdMs / 1000),
        profile_id: target.page.id,
        scopes: PAGE_SCOPES,
        granular_scopes: PAGE_SCOPES.map((scope) => ({ scope, target_ids: [target.page.id] })),
        user_id: target.page.adminUserId ?? target.page.id,
      },
    };
  }
  if (target.kind === 'user') {
    const login = state.loginTokens.get(target.token);
    const pageIds = adminPages(state, target.user.id)
      .map((page) => page.id)
      .filter((id) => !login || login.pageIds.includes(id));
    return {
      data: {
        ...common,
        type: 'USER',
        data_access_expires_at: now + 90 * 86_400,
        expires_at: Math.floor((login?.expiresMs ?? target.user.tokenExpiresMs) / 1000),
        is_valid: true,
        issued_at: Math.floor(target.user.tokenIssuedMs / 1000),
        scopes: ['public_profile', ...PAGE_SCOPES],
        granular_scopes: PAGE_SCOPES.map((scope) =>
          pageIds.length ? { scope, target_ids: pageIds } : { scope },
        ),
        user_id: target.user.id,
      },
    };
  }
  return { data: { ...common, type: 'APP', expires_at: 0, is_valid: true, scopes: [] } };
}

function permissionErrorForDebug(): GraphError {
  return new GraphError(
    100,
    '(#100) You must provide an app access token, or a user access token that is an owner or developer of the app',
  );
}

export function readNode(
  state: FacebookState,
  actor: Actor,
  id: string,
  req: Request,
): Record<string, unknown> {
  const fields = parseFields(readString(req, 'fields'));
  const now = state.clock.now();
  const page = state.pages.get(id);
  if (page) return renderPage(page, fields);
  const post = state.posts.get(id);
  if (post && post.deletedMs === undefined) {
    const ownPage = actor.kind === 'page' && actor.page.id === post.pageId;
    if (isLive(post, now) || ownPage) return renderPost(state, post, fields);
  }
  const photo = state.photos.get(id);
  if (
    photo &&
    photo.deletedMs === undefined &&
    (photo.published || (actor.kind === 'page' && actor.page.id === photo.pageId))
  ) {
    return renderPhoto(photo, fields);
  }
  const user = state.members.users.get(id);
  if (user) return renderUser(user.id, user.name, fields);
  const share = state.members.shares.find((s) => s.id === id);
  if (share && share.deletedMs === undefined && actor.kind === 'user' && actor.user.id === share.userId) {
    return renderShare(state, share, fields);
  }
  throw graphErrors.unsupported('GET', id);
}

/** A member's share read back with that member's token: the same engagement fields as a post. */
function renderShare(
  state: FacebookState,
  share: MemberShare,
  fields: FieldRequest[] | undefined,
): Record<string, unknown> {
  const e = state.members.shareEngagement(share, state.clock.now());
  const out: Record<string, unknown> = {};
  for (const field of fields ?? ['created_time', 'message'].map((name) => ({ name, raw: name }))) {
    if (field.name === 'id') continue;
    else if (field.name === 'message') {
      if (share.message) out.message = share.message;
    } else if (field.name === 'created_time') out.created_time = isoTime(share.createdMs);
    else if (field.name === 'link') out.link = share.link;
    else if (field.name === 'permalink_url')
      out.permalink_url = `https://www.facebook.com/${share.userId}/posts/${share.id.split('_')[1]}`;
    else if (field.name === 'shares') {
      if (e.shares > 0) out.shares = { count: e.shares };
    } else if (field.name === 'reactions') {
      out.reactions = {
        data: [],
        ...(field.raw.includes('summary(')
          ? { summary: { total_count: e.reactionsTotal, viewer_reaction: 'NONE' } }
          : {}),
      };
    } else if (field.name === 'comments') {
      out.comments = {
        data: [],
        ...(field.raw.includes('summary(')
          ? { summary: { order: 'ranked', total_count: e.comments, can_comment: true } }
          : {}),
      };
    } else throw graphErrors.nonexistingField(field.name, 'Post');
  }
  out.id = share.id;
  return out;
}

function parseTime(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) throw graphErrors.invalidParam(`Invalid time value: ${value}`);
  return parsed;
}

function cursorOf(post: FbPost): string {
  return Buffer.from(post.id).toString('base64url');
}

export function listFeed(
  state: FacebookState,
  actor: Actor,
  page: FbPage,
  edge: string,
  req: Request,
): Record<string, unknown> {
  const now = state.clock.now();
  const scheduled = edge === 'scheduled_posts';
  if (scheduled && (actor.kind !== 'page' || actor.page.id !== page.id))
    throw graphErrors.pageTokenRequired();
  const since = parseTime(readString(req, 'since'));
  const until = parseTime(readString(req, 'until'));
  const sortTime = (post: FbPost) => (scheduled ? (post.scheduledMs ?? 0) : (publishedAt(post, now) ?? 0));
  const all = [...state.posts.values()]
    .filter((post) => post.pageId === page.id && post.deletedMs === undefined)
    .filter((post) => (scheduled ? !isLive(post, now) && post.scheduledMs !== undefined : isLive(post, now)))
    .filter(
      (post) =>
        (since === undefined || sortTime(post) >= since) && (until === undefined || sortTime(post) <= until),
    )
    .sort((a, b) => sortTime(b) - sortTime(a) || (b.objectId > a.objectId ? 1 : -1));

  const limitParam = Number(readString(req, 'limit') ?? 25);
  const limit = Number.isFinite(limitParam) && limitParam > 0 ? Math.min(Math.floor(limitParam), 100) : 25;
  const after = readString(req, 'after');
  const before = readString(req, 'before');
  const indexOf = (cursor: string) => {
    const id = Buffer.from(cursor, 'base64url').toString();
    const index = all.findIndex((post) => post.id === id);
    if (index < 0) throw graphErrors.invalidParam('The after/before cursor is invalid');
    return index;
  };
  let start = 0;
  if (after) start = indexOf(after) + 1;
  else if (before) start = Math.max(0, indexOf(before) - limit);
  const end = before && !after ? indexOf(before) : start + limit;
  const slice = all.slice(start, end);

  const fields = parseFields(readString(req, 'fields'));
  const data = slice.map((post) => renderPost(state, post, fields));
  const first = slice[0];
  const last = slice[slice.length - 1];
  const link = (params: Record<string, string>) => {
    const query = new URLSearchParams(req.query as Record<string, string>);
    query.delete('after');
    query.delete('before');
    for (const [key, value] of Object.entries(params)) query.set(key, value);
    return `${req.protocol}://${req.get('host') ?? 'localhost'}${req.path}?${query.toString()}`;
  };
  const paging =
    first && last
      ? {
          cursors: { before: cursorOf(first), after: cursorOf(last) },
          ...(start > 0 ? { previous: link({ before: cursorOf(first), limit: String(limit) }) } : {}),
          ...(end < all.length ? { next: link({ after: cursorOf(last), limit: String(limit) }) } : {}),
        }
      : undefined;
  return paging ? { data, paging } : { data };
}
