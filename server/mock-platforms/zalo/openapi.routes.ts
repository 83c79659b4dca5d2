// The Open API surface (openapi.zalo.me): articles, broadcast, image upload, OA info. Every
// call is metered against the per-minute limit, then authenticated by its access_token header.
import { Router, type Request, type Response } from 'express';
import { sniffImage, uploadedFile } from '../shared/http.ts';
import { articleDetail, createArticle, findArticle, sliceArticles, verifyArticle } from './articles.ts';
import { authenticateOa, meterZaloCall } from './auth.ts';
import { ZaloError, sendOk, sendZaloError, zaloErrors, zaloParams } from './envelope.ts';
import { vietnamTime, type ZaloOa, type ZaloState } from './state.ts';

type Handler = (oa: ZaloOa, params: Record<string, unknown>, req: Request) => unknown;

const TARGET_RULES: Record<string, RegExp> = {
  ages: /^[0-7]$/,
  gender: /^[0-2]$/,
  locations: /^[0-2]$/,
  cities: /^\d{1,3}$/,
  platform: /^[1-3]$/,
};

export function openApiRouter(state: ZaloState): Router {
  const router = Router();
  const route = (method: 'get' | 'post', path: string, handler: Handler) => {
    router[method](path, (req: Request, res: Response) => {
      try {
        if (!meterZaloCall(state, res)) throw zaloErrors.rateLimited();
        const auth = authenticateOa(state, req);
        if (!auth.ok) throw auth.error;
        sendOk(res, handler(auth.oa, zaloParams(req), req));
      } catch (error) {
        if (error instanceof ZaloError) return sendZaloError(res, error);
        throw error;
      }
    });
  };

  route('post', '/v2.0/article/create', (oa, params) => createArticle(state, oa, params));
  route('post', '/v2.0/article/verify', (oa, params) => verifyArticle(state, oa, params));
  route('get', '/v2.0/article/getslice', (oa, params) => sliceArticles(state, oa, params));
  route('get', '/v2.0/article/getdetail', (oa, params) => {
    const article = findArticle(state, oa, params.id);
    if (!article) throw zaloErrors.invalidField('id');
    return articleDetail(state, article);
  });
  route('post', '/v2.0/article/remove', (oa, params) => {
    const article = findArticle(state, oa, params.id);
    if (!article) throw zaloErrors.invalidField('id');
    article.deletedMs = state.clock.now();
    return {};
  });

  route('post', '/v2.0/oa/message', (oa, params) => broadcast(state, oa, params));

  route('post', '/v2.0/oa/upload/image', (oa, _params, req) => {
    const file = uploadedFile(req, 'file');
    if (!file) throw zaloErrors.invalidField('file');
    if (file.size > state.settings.uploadMaxBytes) throw zaloErrors.tooLarge();
    const type = sniffImage(file.buffer);
    if (type !== 'jpeg' && type !== 'png')
      throw zaloErrors.invalidParam('file type is invalid! Only jpg and png are accepted.');
    const attachmentId = state.ids.token('', 24);
    state.uploads.set(attachmentId, {
      attachmentId,
      oaId: oa.id,
      bytes: file.size,
      type,
      createdMs: state.clock.now(),
    });
    return { attachment_id: attachmentId };
  });

  route('get', '/v2.0/oa/getoa', (oa) => oaInfo(oa));
  route('get', '/v3.0/oa/getoa', (oa) => oaInfo(oa));

  route('post', '/v2.0/oa/quota/message', (oa) => {
    const { total, used } = quota(state, oa);
    return { remain: Math.max(0, total - used), total };
  });

  return router;
}

function oaInfo(oa: ZaloOa) {
  return {
    oa_id: oa.id,
    name: oa.name,
    description: '',
    avatar: '',
    cover: '',
    is_verified: true,
    num_follower: oa.followers,
  };
}

function quota(state: ZaloState, oa: ZaloOa): { total: number; used: number; key: string } {
  const key = `${oa.id}:${vietnamTime(state.clock.now()).month}`;
  return {
    total: oa.broadcastQuota ?? state.settings.broadcastMonthlyQuota,
    used: state.broadcastsByMonth.get(key) ?? 0,
    key,
  };
}

function checkTarget(target: unknown): void {
  if (!target || typeof target !== 'object' || Array.isArray(target))
    throw zaloErrors.invalidField('recipient.target');
  for (const [field, value] of Object.entries(target as Record<string, unknown>)) {
    const rule = TARGET_RULES[field];
    if (!rule) throw zaloErrors.invalidField(field);
    // The SDKs send comma-separated strings, the spec shows arrays: accept both.
    const parts = Array.isArray(value)
      ? value.map(String)
      : typeof value === 'string'
        ? value.split(',')
        : [String(value)];
    if (parts.some((part) => !rule.test(part.trim()))) throw zaloErrors.invalidField(field);
  }
}

function broadcast(state: ZaloState, oa: ZaloOa, params: Record<string, unknown>): { message_id: string } {
  const recipient = params.recipient as { target?: unknown; user_id?: unknown } | undefined;
  if (recipient?.user_id !== undefined)
    throw new ZaloError(-240, 'The MessageV2 API has been shut down. Please use the MessageV3 API instead.');
  checkTarget(recipient?.target);
  const attachment = (
    params.message as
      | { attachment?: { type?: unknown; payload?: { template_type?: unknown; elements?: unknown } } }
      | undefined
  )?.attachment;
  if (attachment?.type !== 'template' || attachment.payload?.template_type !== 'media')
    throw zaloErrors.invalidField('attachment');
  const elements = attachment.payload.elements;
  if (!Array.isArray(elements) || elements.length === 0 || elements.length > 5)
    throw zaloErrors.invalidField('elements');
  const articles = elements.map((element: { media_type?: unknown; attachment_id?: unknown }) => {
    if (element?.media_type !== 'article') throw zaloErrors.invalidField('media_type');
    const article = findArticle(state, oa, element.attachment_id);
    if (!article) throw zaloErrors.invalidField('attachment_id');
    return article;
  });
  const now = state.clock.now();
  const { hour } = vietnamTime(now);
  const { nightStartHour: start, nightEndHour: end } = state.settings;
  const atNight = start > end ? hour >= start || hour < end : hour >= start && hour < end;
  if (atNight) throw zaloErrors.night();
  const q = quota(state, oa);
  if (q.used >= q.total) throw zaloErrors.outOfQuota();
  state.broadcastsByMonth.set(q.key, q.used + 1);
  const messageId = state.ids.token('', 16).replace(/[^a-zA-Z0-9]/g, '0');
  for (const article of articles)
    article.broadcasts.push({ messageId, sentMs: now, target: recipient?.target });
  return { message_id: messageId };
}
