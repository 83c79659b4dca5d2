// The notifications page, marking read, and the unread count every page's nav shows.
import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import type { Container } from '../container.ts';
import { pageActor, renderPage } from '../http/page.ts';
import { presentNotification, type NotificationsService } from './notifications.service.ts';

/**
 * Puts `unreadNotifications` in res.locals (Handlebars sees res.locals in every render) for
 * signed-in page views. API calls, assets and form posts skip the query.
 */
export function unreadCount(notifications: Pick<NotificationsService, 'unreadCount'>): RequestHandler {
  return async (req, res, next) => {
    if (req.method !== 'GET' || !req.actor || req.path.startsWith('/api/') || req.path.startsWith('/assets/'))
      return next();
    try {
      res.locals.unreadNotifications = await notifications.unreadCount(req.actor.id);
    } catch (error) {
      req.log.warn({ err: error }, 'unread count failed');
    }
    next();
  };
}

export function notificationsPages(c: Container): Router {
  const router = Router();

  router.get('/notifications', async (req, res) => {
    const actor = pageActor(req, res);
    if (!actor) return;
    const rows = await c.notifications.listForUser(actor.id, { limit: 100 });
    const items = rows.map((row) => ({
      ...presentNotification(row),
      kindLabel: req.t(`notifications.kind_${row.kind}`, { defaultValue: row.kind }),
    }));
    renderPage(req, res, 'pages/notifications', {
      title: req.t('notifications.title'),
      items,
      hasUnread: items.some((i) => !i.read),
    });
  });

  router.post('/notifications/read', async (req, res) => {
    const actor = pageActor(req, res);
    if (!actor) return;
    await c.notifications.markRead(actor.id);
    res.redirect(303, '/notifications');
  });

  router.post('/notifications/:id/read', async (req, res) => {
    const actor = pageActor(req, res);
    if (!actor) return;
    const id = z.uuid().safeParse(req.params.id);
    if (id.success) await c.notifications.markRead(actor.id, id.data);
    if (req.get('hx-request')) {
      res.status(200).send('');
      return;
    }
    res.redirect(303, '/notifications');
  });

  return router;
}
