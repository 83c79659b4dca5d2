// Facebook-only /_mock routes: pages, the posts ledger, token expiry, webhook target and
// settings overrides. The shared ones (faults, clock, users, shares, reset) are mounted too.
import { Router } from 'express';
import { z } from 'zod';
import { controlError, isoTime, parseControl, sniffImage } from '../shared/http.ts';
import type { WebhookSender } from '../shared/webhook-sender.ts';
import { addPage, facebookSettingsSchema, isLive, postEngagement, type FacebookState } from './state.ts';
import { verifySubscription } from './webhooks.ts';

const pageSchema = z.object({
  name: z.string().trim().min(1).max(200),
  fan_count: z.coerce.number().int().min(0).optional(),
  admin_user_id: z.string().optional(),
});
const expireSchema = z.object({
  access_token: z.string().min(1),
  subcode: z
    .union([z.literal(458), z.literal(460), z.literal(463), z.literal(467), z.literal(492)])
    .default(463),
});
const webhookSchema = z.object({
  url: z.url({ protocol: /^https?$/ }),
  verifyToken: z.string().min(1).optional(),
});

export function facebookControlRouter(
  state: FacebookState,
  deps: { verifyToken: string; sender: WebhookSender; randomFans: () => number },
): Router {
  const router = Router();

  router.post('/pages', (req, res) => {
    const input = parseControl(pageSchema, req.body, res);
    if (!input) return;
    if (input.admin_user_id !== undefined && !state.members.users.has(input.admin_user_id)) {
      return controlError(res, 404, `no user ${input.admin_user_id}`);
    }
    const page = addPage(state, {
      name: input.name,
      fanCount: input.fan_count ?? deps.randomFans(),
      adminUserId: input.admin_user_id,
    });
    res
      .status(201)
      .json({ id: page.id, name: page.name, access_token: page.accessToken, fan_count: page.fanCount });
  });

  router.get('/posts', (req, res) => {
    const pageId = typeof req.query.page_id === 'string' ? req.query.page_id : undefined;
    const now = state.clock.now();
    const items = [...state.posts.values()]
      .filter((post) => pageId === undefined || post.pageId === pageId)
      .map((post) => {
        const e = postEngagement(state, post);
        return {
          id: post.id,
          page_id: post.pageId,
          kind: post.kind,
          created_time: isoTime(post.createdMs),
          message: post.message ?? null,
          link: post.link ?? null,
          media: post.media.map((id) => {
            const photo = state.photos.get(id);
            return { id, url: photo?.url ?? null, bytes: photo?.bytes ?? null };
          }),
          published: isLive(post, now) || (post.deletedMs !== undefined && post.published),
          scheduled_publish_time: post.scheduledMs === undefined ? null : isoTime(post.scheduledMs),
          ...(post.deletedMs !== undefined ? { deleted_time: isoTime(post.deletedMs) } : {}),
          engagement: {
            reactions: e.reactionsTotal,
            comments: e.comments,
            shares: e.shares,
            views: e.views,
            clicks: e.clicks,
          },
        };
      });
    res.json({ items });
  });

  /** An uploaded photo's bytes, as received (404 for a photo given by URL or unknown). */
  router.get('/photos/:id', (req, res) => {
    const data = state.photos.get(req.params.id)?.data;
    if (!data) return controlError(res, 404, `no uploaded photo ${req.params.id}`);
    const kind = sniffImage(data);
    res.type(kind ? `image/${kind}` : 'application/octet-stream').send(data);
  });

  router.post('/tokens/expire', (req, res) => {
    const input = parseControl(expireSchema, req.body, res);
    if (!input) return;
    const page = state.pageByToken.get(input.access_token);
    const user = state.members.userByToken(input.access_token);
    const login = state.loginTokens.get(input.access_token);
    if (page) page.tokenRevoked = { subcode: input.subcode };
    else if (login) {
      if (input.subcode === 463) login.expiresMs = Math.min(login.expiresMs, state.clock.now());
      else login.revoked = { subcode: input.subcode };
    } else if (user) {
      if (input.subcode === 463) user.tokenExpiresMs = Math.min(user.tokenExpiresMs, state.clock.now());
      else user.tokenRevoked = { subcode: input.subcode };
    } else return controlError(res, 404, 'unknown access_token');
    res.json({ success: true });
  });

  router.post('/webhooks', async (req, res) => {
    const input = parseControl(webhookSchema, req.body, res);
    if (!input) return;
    const verifyToken = input.verifyToken ?? deps.verifyToken;
    // Like the App Dashboard: a callback that fails the handshake is not saved.
    const check = await verifySubscription(input.url, verifyToken);
    if (!check.ok) return controlError(res, 400, `webhook verification failed: ${check.reason}`);
    state.webhook = { url: input.url, verifyToken };
    res.json({ success: true });
  });
  router.get('/webhooks', (_req, res) => {
    res.json({ url: state.webhook?.url ?? null, deliveries: deps.sender.deliveries() });
  });
  router.delete('/webhooks', (_req, res) => {
    state.webhook = undefined;
    res.json({ success: true });
  });

  router.get('/config', (_req, res) => {
    res.json(state.settings);
  });
  router.post('/config', (req, res) => {
    const input = parseControl(facebookSettingsSchema.partial(), req.body, res);
    if (!input) return;
    // Only the keys the caller sent: a partial schema may fill in defaults for the others.
    const sent = new Set(Object.keys((req.body ?? {}) as object));
    Object.assign(state.settings, Object.fromEntries(Object.entries(input).filter(([key]) => sent.has(key))));
    res.json(state.settings);
  });

  return router;
}
