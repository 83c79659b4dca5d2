// The public side of Loa (no login): the warning page `/w/:slug`, its print leaflet, its QR
// code and its card as published (with the QR code), and `/verify`. Mounted before the session middleware, so these
// responses never carry a session cookie and can be cached by anyone (Cache-Control: public).
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Container } from '../container.ts';
import { publishedCard } from '../publishing/post-images.ts';
import { renderQrPng } from '../rendering/index.ts';
import { createPublicPages, type PublicWarning } from './public-pages.service.ts';
import { createVerifier, type VerifyResult } from './verify.service.ts';

const PAGE_CACHE = 'public, max-age=300';
const IMAGE_CACHE = 'public, max-age=86400';
const VERIFY_MAX_PER_MINUTE = 30;
const LEAFLET_QR_PX = 600;

const leafletQuery = z.object({ size: z.enum(['a4', 'a5']).catch('a4').default('a4') });
const verifyQuery = z.object({ q: z.string().catch('').default('') });

export function publicPages(c: Container): Router {
  const router = Router();
  const publicUrl = c.config.publicUrl.replace(/\/+$/, '');
  const pages = createPublicPages({ db: c.database.db, publicUrl });
  const verifier = createVerifier({ db: c.database.db, publicUrl, pages });

  /** Language from `?lang=en` only (never a cookie): a cached page is the same for everyone at that URL. */
  function render(req: Request, res: Response, view: string, data: Record<string, unknown>, status = 200) {
    const lang = req.query.lang === 'en' ? 'en' : 'vi';
    const t = c.i18n.getFixedT(lang);
    res.status(status).render(view, {
      ...data,
      layout: 'public',
      lang,
      __t: (key: string, options?: Record<string, unknown>) => String(t(key, options ?? {})),
    });
  }

  function unitLabel(req: Request, w: { unitName: string | null }): string {
    return w.unitName ?? c.i18n.getFixedT(req.query.lang === 'en' ? 'en' : 'vi')('public.unknownUnit');
  }

  async function found(req: Request, res: Response): Promise<PublicWarning | undefined> {
    const w = await pages.warning(String(req.params.slug ?? ''));
    if (w) return w;
    // A post that is not out yet may be soon: a short cache, and nothing about it.
    res.set('Cache-Control', 'public, max-age=60');
    render(req, res, 'pages/public-not-found', { title: 'Loa', noindex: true }, 404);
    return undefined;
  }

  router.get('/w/:slug', async (req, res) => {
    const w = await found(req, res);
    if (!w) return;
    const t = c.i18n.getFixedT(req.query.lang === 'en' ? 'en' : 'vi');
    const ogTitle = w.state === 'active' ? w.title : `${t('public.retractedPrefix')} ${w.title}`;
    res.set('Cache-Control', PAGE_CACHE);
    render(req, res, 'pages/public-warning', {
      title: ogTitle,
      description: w.description,
      w,
      unit: unitLabel(req, w),
      iso: w.publishedAt.toISOString(),
      og: {
        siteName: t('public.siteName'),
        title: ogTitle,
        description: w.description,
        url: w.url,
        image: w.card?.absolute,
        imageWidth: w.card?.width,
        imageHeight: w.card?.height,
        imageAlt: w.card?.alt,
        publishedTime: w.publishedAt.toISOString(),
      },
    });
  });

  router.get('/w/:slug/leaflet', async (req, res) => {
    const w = await found(req, res);
    if (!w) return;
    const { size } = leafletQuery.parse(req.query);
    res.set('Cache-Control', PAGE_CACHE);
    render(req, res, 'pages/leaflet', {
      title: w.title,
      w,
      size,
      // Long texts get a smaller type so the leaflet stays one page.
      density: w.text.length < 700 ? 'd1' : w.text.length < 1400 ? 'd2' : 'd3',
      unit: unitLabel(req, w),
      stylesheet: 'leaflet.css',
      bodyClass: `print-${size}`,
      noindex: true,
      qrSrc: `/w/${encodeURIComponent(w.slug)}/qr.png`,
      qrSize: LEAFLET_QR_PX,
      verifyUrl: `${publicUrl}/verify`,
    });
  });

  /** The page's address as a large QR code (for print). */
  router.get('/w/:slug/qr.png', async (req, res) => {
    const post = await pages.findPublicBySlug(String(req.params.slug ?? ''));
    if (!post) {
      res.status(404).type('text/plain').send('Not found');
      return;
    }
    const png = await renderQrPng(pages.pageUrl(post.slug), LEAFLET_QR_PX);
    res.set('Cache-Control', IMAGE_CACHE).type('image/png').send(png);
  });

  /**
   * The post's card as it was published, with the QR code to this page in its QR box: the
   * stored card with the code stamped on it, cached by the renderer by content. The public page
   * shows it and gives it as og:image.
   */
  router.get('/w/:slug/card-qr.png', async (req, res) => {
    const post = await pages.findPublicBySlug(String(req.params.slug ?? ''));
    const card = post
      ? await publishedCard(post, { cards: c.renderer, mediaDir: c.config.mediaDir, publicUrl })
      : undefined;
    if (!card) {
      res.status(404).type('text/plain').send('Not found');
      return;
    }
    res.set('Cache-Control', IMAGE_CACHE).type(card.mime).send(card.data);
  });

  router.get('/verify', async (req, res) => {
    const { q } = verifyQuery.parse(req.query);
    const wantsJson = req.accepts(['html', 'json']) === 'json';
    res.set('Cache-Control', 'no-store');
    let result: VerifyResult | undefined;
    let tooMany: number | undefined;
    if (q.trim() !== '') {
      const limit = await c.limiter.hit(`verify:${req.ip ?? 'unknown'}`, VERIFY_MAX_PER_MINUTE, 60);
      if (limit.allowed) result = await verifier.verify(q);
      else tooMany = limit.retryAfterSeconds;
    }
    if (tooMany !== undefined) res.set('Retry-After', String(tooMany));
    const status = tooMany !== undefined ? 429 : 200;
    if (wantsJson) {
      if (tooMany !== undefined) {
        res.status(429).json({
          error: {
            code: 'rate_limited',
            message: 'Too many checks, try again later',
            details: { retryAfterSeconds: tooMany },
          },
        });
        return;
      }
      res.json(presentVerify(q, result ?? { genuine: false, reason: 'empty', host: null }));
      return;
    }
    const t = c.i18n.getFixedT(req.query.lang === 'en' ? 'en' : 'vi');
    render(
      req,
      res,
      'pages/verify',
      {
        title: t('verify.title'),
        noindex: true,
        q,
        result: result && !(result.genuine === false && result.reason === 'empty') ? result : undefined,
        unit: result?.genuine ? (result.unitName ?? t('public.unknownUnit')) : undefined,
        tooMany,
        ourHost: new URL(publicUrl).host,
        example: `${publicUrl}/l/…`,
      },
      status,
    );
  });

  return router;
}

function presentVerify(q: string, result: VerifyResult) {
  if (!result.genuine) {
    return {
      q,
      genuine: false as const,
      reason: result.reason,
      host: result.host,
      message: 'Liên kết này không do Loa phát hành: hãy cẩn thận',
    };
  }
  return {
    q,
    genuine: true as const,
    kind: result.kind,
    warning: {
      title: result.title,
      url: result.url,
      unitName: result.unitName,
      publishedAt: result.publishedAt.toISOString(),
      state: result.state,
    },
    message: 'Đây là cảnh báo thật, phát hành qua Loa',
  };
}
