// Zalo-only /_mock routes: OAs (with tokens), authorization codes, the articles ledger, token
// expiry, the webhook target, event emission and settings overrides.
import { Router } from 'express';
import { z } from 'zod';
import { controlError, isoTime, parseControl } from '../shared/http.ts';
import type { WebhookSender } from '../shared/webhook-sender.ts';
import { articleMedia, articleStats, articleText } from './articles.ts';
import { issueCode } from './oauth.routes.ts';
import { addOa, issueTokens, zaloSettingsSchema, type ZaloState } from './state.ts';
import { emitZaloEvent, type ZaloSecrets } from './webhooks.ts';

const oaSchema = z.object({
  name: z.string().trim().min(1).max(200),
  followers: z.coerce.number().int().min(0).optional(),
  broadcast_quota: z.coerce.number().int().min(0).optional(),
  admin_user_id: z.string().optional(),
});
const expireSchema = z.object({ access_token: z.string().min(1) });
const webhookSchema = z.object({ url: z.url({ protocol: /^https?$/ }), verifyToken: z.string().optional() });
const emitSchema = z.object({
  event_name: z.string().min(1),
  oa_id: z.string().min(1),
  user_id: z.string().optional(),
  text: z.string().optional(),
});

export function zaloControlRouter(
  state: ZaloState,
  deps: { sender: WebhookSender; secrets: ZaloSecrets; randomFollowers: () => number },
): Router {
  const router = Router();

  router.post('/oas', (req, res) => {
    const input = parseControl(oaSchema, req.body, res);
    if (!input) return;
    if (input.admin_user_id !== undefined && !state.members.users.has(input.admin_user_id)) {
      return controlError(res, 404, `no user ${input.admin_user_id}`);
    }
    const oa = addOa(state, {
      name: input.name,
      followers: input.followers ?? deps.randomFollowers(),
      broadcastQuota: input.broadcast_quota,
      adminUserId: input.admin_user_id,
    });
    const tokens = issueTokens(state, oa.id);
    res.status(201).json({ oa_id: oa.id, name: oa.name, followers: oa.followers, ...tokens });
  });

  router.post('/oas/:oaId/code', (req, res) => {
    const oa = state.oas.get(req.params.oaId);
    if (!oa) return controlError(res, 404, `no OA ${req.params.oaId}`);
    const body = (req.body ?? {}) as { code_challenge?: unknown };
    const challenge = typeof body.code_challenge === 'string' ? body.code_challenge : undefined;
    res.status(201).json({ code: issueCode(state, oa.id, challenge), oa_id: oa.id });
  });

  router.get('/posts', (req, res) => {
    const oaId = typeof req.query.oa_id === 'string' ? req.query.oa_id : undefined;
    const items = [...state.articles.values()]
      .filter((article) => oaId === undefined || article.oaId === oaId)
      .map((article) => {
        const stats = articleStats(state, article);
        return {
          id: article.verifiedMs !== undefined ? article.id : null,
          token: article.token,
          oa_id: article.oaId,
          type: article.type,
          created_time: isoTime(article.createdMs),
          title: article.title,
          description: article.description ?? null,
          text: articleText(article),
          media: articleMedia(article),
          tracking_link: article.trackingLink ?? null,
          status: article.status,
          verified: article.verifiedMs !== undefined,
          published:
            article.verifiedMs !== undefined && article.status === 'show' && article.deletedMs === undefined,
          broadcasts: article.broadcasts.map((b) => ({
            message_id: b.messageId,
            time: isoTime(b.sentMs),
            target: b.target,
          })),
          ...(article.deletedMs !== undefined ? { deleted_time: isoTime(article.deletedMs) } : {}),
          engagement: { views: stats.views, shares: stats.shares },
        };
      });
    res.json({ items });
  });

  router.post('/tokens/expire', (req, res) => {
    const input = parseControl(expireSchema, req.body, res);
    if (!input) return;
    const access = state.accessTokens.get(input.access_token);
    const member = state.members.userByToken(input.access_token);
    if (access) access.expiresMs = Math.min(access.expiresMs, state.clock.now());
    else if (member) member.tokenExpiresMs = Math.min(member.tokenExpiresMs, state.clock.now());
    else return controlError(res, 404, 'unknown access_token');
    res.json({ success: true });
  });

  router.post('/webhooks', (req, res) => {
    const input = parseControl(webhookSchema, req.body, res);
    if (!input) return;
    state.webhookUrl = input.url;
    res.json({ success: true });
  });
  router.get('/webhooks', (_req, res) => {
    res.json({ url: state.webhookUrl ?? null, deliveries: deps.sender.deliveries() });
  });
  router.delete('/webhooks', (_req, res) => {
    state.webhookUrl = undefined;
    res.json({ success: true });
  });
  router.post('/webhooks/emit', (req, res) => {
    const input = parseControl(emitSchema, req.body, res);
    if (!input) return;
    if (!state.oas.has(input.oa_id)) return controlError(res, 404, `no OA ${input.oa_id}`);
    if (!emitZaloEvent(state, deps.sender, deps.secrets, input))
      return controlError(res, 409, 'no webhook URL registered');
    res.json({ success: true });
  });

  router.get('/config', (_req, res) => {
    res.json(state.settings);
  });
  router.post('/config', (req, res) => {
    const input = parseControl(zaloSettingsSchema.partial(), req.body, res);
    if (!input) return;
    // Only the keys the caller sent: a partial schema may fill in defaults for the others.
    const sent = new Set(Object.keys((req.body ?? {}) as object));
    Object.assign(state.settings, Object.fromEntries(Object.entries(input).filter(([key]) => sent.has(key))));
    res.json(state.settings);
  });

  return router;
}
