// The media library page: thumbnails, upload (XHR with progress, or a plain form post without
// JS), alt text edited inline with htmx, and deletion that shows why it was refused.
import { Router, type Request, type Response } from 'express';
import type { Container } from '../container.ts';
import { AppError } from '../errors.ts';
import { csrfTokenFor } from '../http/middleware/csrf.ts';
import { pageActor, renderPage, setFlash } from '../http/page.ts';
import type { MediaRow } from './media.repo.ts';
import { mediaIdSchema } from './media.schemas.ts';

const VIEWERS = ['editor', 'reviewer', 'admin'] as const;
const EDITORS = ['editor', 'admin'] as const;
const PAGE_SIZE = 120;

const isHtmx = (req: Request): boolean => req.get('HX-Request') === 'true';

export function mediaPages(c: Container): Router {
  const router = Router();

  const view = (row: MediaRow, canEdit: boolean, error?: string) => ({
    id: row.id,
    altText: row.altText,
    width: row.width,
    height: row.height,
    kb: Math.max(1, Math.round(row.bytes / 1024)),
    thumbUrl: c.media.localUrl(row, 'thumb'),
    largeUrl: c.media.localUrl(row, 'large'),
    createdAt: row.createdAt,
    canEdit,
    error,
  });

  /** Answers an htmx row action with the row's partial; a plain form with a redirect and flash. */
  function answer(
    req: Request,
    res: Response,
    row: MediaRow | null,
    message: { kind: 'success' | 'error'; text: string },
  ) {
    if (isHtmx(req)) {
      if (!row) {
        res.status(200).send('');
        return;
      }
      res.render('partials/media-item', {
        layout: false,
        ...view(row, true, message.kind === 'error' ? message.text : undefined),
        saved: message.kind === 'success',
        csrfToken: csrfTokenFor(req),
        __t: req.t,
      });
      return;
    }
    setFlash(req, message.kind, message.text);
    res.redirect(303, '/media');
  }

  router.get('/media', async (req, res) => {
    const actor = pageActor(req, res, VIEWERS);
    if (!actor) return;
    const rows = await c.media.list(actor, { limit: PAGE_SIZE });
    const canEdit = (EDITORS as readonly string[]).includes(actor.role);
    renderPage(req, res, 'pages/media', {
      title: req.t('media.title'),
      items: rows.map((r) => view(r, canEdit)),
      canEdit,
      maxMb: Math.round(c.config.upload.maxBytes / 1024 / 1024),
      maxBytes: c.config.upload.maxBytes,
    });
  });

  // Without JavaScript the form posts here; uploadParser (app.ts) has read the file already.
  router.post('/media', async (req, res) => {
    const actor = pageActor(req, res, EDITORS);
    if (!actor) return;
    const body = (req.body ?? {}) as Record<string, unknown>;
    try {
      if (!req.file) throw new AppError(422, 'validation_failed', req.t('media.noFile'));
      await c.media.upload(actor, {
        data: req.file.buffer,
        originalName: req.file.originalname,
        altText: typeof body.altText === 'string' ? body.altText : '',
      });
      setFlash(req, 'success', req.t('media.uploaded'));
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      setFlash(req, 'error', error.message);
    }
    res.redirect(303, '/media');
  });

  router.post('/media/:id/alt', async (req, res) => {
    const actor = pageActor(req, res, EDITORS);
    if (!actor) return;
    const id = mediaIdSchema.parse(req.params.id);
    const body = (req.body ?? {}) as Record<string, unknown>;
    try {
      const row = await c.media.updateAltText(
        actor,
        id,
        typeof body.altText === 'string' ? body.altText : '',
      );
      answer(req, res, row, { kind: 'success', text: req.t('media.altSaved') });
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500 || error.status === 404) throw error;
      answer(req, res, await c.media.get(actor, id), { kind: 'error', text: error.message });
    }
  });

  router.post('/media/:id/delete', async (req, res) => {
    const actor = pageActor(req, res, EDITORS);
    if (!actor) return;
    const id = mediaIdSchema.parse(req.params.id);
    try {
      await c.media.remove(actor, id);
      answer(req, res, null, { kind: 'success', text: req.t('media.deleted') });
    } catch (error) {
      if (!(error instanceof AppError) || error.status !== 409) throw error;
      answer(req, res, await c.media.get(actor, id), { kind: 'error', text: error.message });
    }
  });

  return router;
}
