// `GET /l/:code`: public, cheap, and never an open redirect.
import { Router } from 'express';
import type { Container } from '../container.ts';
import { renderPage } from '../http/page.ts';

export function linksPages(c: Container): Router {
  const router = Router();
  router.get('/l/:code', async (req, res) => {
    const target = await c.links.follow(req.params.code, {
      ip: req.ip ?? '',
      userAgent: req.get('user-agent') ?? '',
    });
    res.set('Cache-Control', 'no-store');
    if (!target) {
      renderPage(req, res, 'pages/link-not-found', { title: req.t('links.notFoundTitle') }, 404);
      return;
    }
    res.set('Referrer-Policy', 'no-referrer');
    res.redirect(302, target);
  });
  return router;
}
