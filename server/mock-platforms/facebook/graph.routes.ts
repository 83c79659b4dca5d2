// The Graph API surface: any /vNN.N/ prefix (or none), then /{node} or /{node}/{edge}.
// Every call is authenticated and metered before it is carried out.
import type { NextFunction, Request, Response } from 'express';
import { readString } from '../shared/http.ts';
import { authenticate, meterCall, type Actor, type Credentials } from './auth.ts';
import { GraphError, graphErrors, permissionError, sendGraphError } from './errors.ts';
import { parseFields, renderPost } from './fields.ts';
import { pageInsights, postInsights } from './insights.ts';
import { createFeedPost, createPhoto, deleteObject, updatePost, type PublishHooks } from './publish.ts';
import { debugToken, listFeed, readAccounts, readMe, readNode, readPermissions } from './reads.ts';
import type { FacebookState, FbPage } from './state.ts';

const FEED_EDGES = new Set(['feed', 'posts', 'published_posts', 'scheduled_posts']);

export function graphHandler(state: FacebookState, credentials: Credentials, hooks: PublishHooks) {
  return (req: Request, res: Response, next: NextFunction) => {
    const match = /^\/(?:v\d+\.\d+\/?)?(.*)$/.exec(req.path);
    const segments = (match?.[1] ?? '').split('/').filter(Boolean).map(decodeURIComponent);
    const ids = readString(req, 'ids');
    const multiId = ids !== undefined && req.method === 'GET' && segments.length <= 1;
    if (!multiId && (segments.length === 0 || segments.length > 2)) return next();
    try {
      const actor = authenticate(state, credentials, req);
      meterCall(state, actor, res);
      const result = multiId
        ? multiIdRead(state, credentials, hooks, actor, req, ids, segments[0])
        : dispatch(state, credentials, hooks, actor, req, segments);
      res.json(result);
    } catch (error) {
      if (error instanceof GraphError) return sendGraphError(res, error);
      next(error);
    }
  };
}

/** At most 50 ids per call, as on Graph. */
const MAX_IDS = 50;

/**
 * `GET /?ids=a,b&fields=…` and `GET /{edge}?ids=a,b&…`: one call (metered once) answering an
 * object keyed by id. One id that cannot be read fails the whole call, as on the real API.
 */
function multiIdRead(
  state: FacebookState,
  credentials: Credentials,
  hooks: PublishHooks,
  actor: Actor,
  req: Request,
  ids: string,
  edge: string | undefined,
): Record<string, unknown> {
  const list = [
    ...new Set(
      ids
        .split(',')
        .map((id) => id.trim())
        .filter(Boolean),
    ),
  ];
  if (list.length === 0 || list.length > MAX_IDS) {
    throw graphErrors.invalidParam(`ids must name between 1 and ${MAX_IDS} objects`);
  }
  const out: Record<string, unknown> = {};
  for (const id of list) {
    out[id] = dispatch(state, credentials, hooks, actor, req, edge === undefined ? [id] : [id, edge]);
  }
  return out;
}

function pageFor(state: FacebookState, actor: Actor, node: string): FbPage | undefined {
  if (node === 'me') return actor.kind === 'page' ? actor.page : undefined;
  return state.pages.get(node);
}

function dispatch(
  state: FacebookState,
  credentials: Credentials,
  hooks: PublishHooks,
  actor: Actor,
  req: Request,
  segments: string[],
): unknown {
  const [node = '', edge] = segments;
  const method = req.method.toUpperCase();
  const page = pageFor(state, actor, node);

  if (edge === undefined) {
    if (node === 'debug_token' && method === 'GET') return debugToken(state, credentials, actor, req);
    if (node === 'me' && method === 'GET') return readMe(state, actor, req);
    if (method === 'GET') return readNode(state, actor, node, req);
    if (method === 'DELETE') {
      deleteObject(state, actor, node, hooks);
      return { success: true };
    }
    if (method === 'POST') {
      const post = state.posts.get(node);
      if (!post || post.deletedMs !== undefined) throw graphErrors.unsupported(method, node);
      updatePost(state, actor, post, req, hooks);
      return { success: true };
    }
    throw graphErrors.unsupported(method, node);
  }

  if (node === 'me' && actor.kind === 'user') {
    if (edge === 'accounts' && method === 'GET') return readAccounts(state, actor, req);
    if (edge === 'permissions' && method === 'GET') return readPermissions(actor);
    // Personal timelines cannot be posted to since publish_actions went away (2018).
    if (edge === 'feed' && method === 'POST') throw permissionError();
  }
  if (node === 'me' && edge === 'accounts') return readAccounts(state, actor, req);

  if (page) {
    if (edge === 'feed' && method === 'POST') {
      const post = createFeedPost(state, actor, page, req, hooks);
      const fields = parseFields(readString(req, 'fields'));
      return fields ? { ...renderPost(state, post, fields), id: post.id } : { id: post.id };
    }
    if (edge === 'photos' && method === 'POST') {
      const { photo, post } = createPhoto(state, actor, page, req, hooks);
      return post ? { id: photo.id, post_id: post.id } : { id: photo.id };
    }
    if (FEED_EDGES.has(edge) && method === 'GET') return listFeed(state, actor, page, edge, req);
    if (edge === 'insights' && method === 'GET') return pageInsights(state, actor, page, req);
    if (edge === 'subscribed_apps') {
      if (actor.kind !== 'page' || actor.page.id !== page.id) throw graphErrors.pageTokenRequired();
      if (method === 'POST') return { success: true };
      if (method === 'GET')
        return { data: [{ name: 'Loa (mock)', id: credentials.appId, subscribed_fields: ['feed'] }] };
    }
    throw graphErrors.unknownPath(edge);
  }

  const post = state.posts.get(node);
  if (post && post.deletedMs === undefined) {
    if (edge === 'insights' && method === 'GET') return postInsights(state, actor, post, req);
    throw graphErrors.unknownPath(edge);
  }
  throw graphErrors.unsupported(method, node);
}
