// The notifications page, marking read, and the unread count every page's nav shows.
import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import type { Container } from '../container.ts';
import { pageActor, renderPage } from '../http/page.ts';
import { presentNotification, type NotificationsService } from './notifications.service.ts';

/**
 * Puts `unreadNotifications` in res.locals (Handlebars sees res.locals in every render) for
 * signed-in page views. API calls, assets and form posts skip the query, and so does a GET that
 * renders nothing: the count is read when the page is rendered, so a redirect (a member's
 * `/s/:token` in a crowd, a login bounce) costs no query.
 */
export function unreadCount(notifications: Pick<NotificationsService, 'unreadCount'>): RequestHandler {
  return (req, res, next) => {
    const actor = req.actor;
    if (req.method !== 'GET' || !actor || req.path.startsWith('/api/') || req.path.startsWith('/assets/'))
      return next();
    const render = res.render.bind(res) as (...args: unknown[]) => void;
    res.render = ((...args: unknown[]) => {
      notifications
        .unreadCount(actor.id)
        .then(
          (count) => {
            res.locals.unreadNotifications = count;
          },
          (error: unknown) => req.log.warn({ err: error }, 'unread count failed'),
        )
        .then(() => render(...args))
        // A render that throws reaches the error handler, as it did when called directly.
        .catch(next);
    }) as typeof res.render;
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
