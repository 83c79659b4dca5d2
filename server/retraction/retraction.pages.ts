// The post page's retraction panel (loaded by htmx into post-detail.hbs, refreshed while removals
// run) and its forms: retract and supersede (reviewers, admins), ask for retraction (editors),
// try failed removals again.
import { Router, type Request } from 'express';
import { z } from 'zod';
import type { Container } from '../container.ts';
import { AppError } from '../errors.ts';
import { csrfTokenFor } from '../http/middleware/csrf.ts';
import { pageActor, postFormAction } from '../http/page.ts';
import { RETRACTABLE } from './retraction.service.ts';

const STAFF = ['admin', 'editor', 'reviewer'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function retractionPages(c: Container): Router {
  const router = Router();
  const publicBase = c.config.publicUrl.replace(/\/+$/, '');

  /** The new post named by its id, its public page address, a tracked link path or its slug. */
  async function resolvePost(input: string): Promise<string | undefined> {
    const text = input.trim();
    if (UUID.test(text)) return text.toLowerCase();
    const slug = /\/w\/([a-z0-9-]+)/.exec(text)?.[1] ?? (/^[a-z0-9-]+$/.test(text) ? text : undefined);
    if (slug) return (await c.repos.posts.findBySlug(slug))?.id;
    const postId = /\/posts\/([0-9a-f-]{36})/i.exec(text)?.[1];
    return postId?.toLowerCase();
  }

  router.get('/posts/:id/retraction', async (req, res) => {
    const actor = pageActor(req, res, STAFF);
    if (!actor) return;
    const id = z.uuid().parse(req.params.id);
    const post = await c.posts.getPost(actor, id);
    const [removals, { replacementRows, replaced }, children] = await Promise.all([
      c.retraction.statusForPost(id),
      c.retraction.supersession(post),
      c.cascade.childrenOf(id),
    ]);
    const isRetracted = post.status === 'retracted';
    const retractable = RETRACTABLE.includes(post.status);
    const reviewer = actor.role === 'reviewer' || actor.role === 'admin';
    res.set('Cache-Control', 'no-store');
    res.render('partials/retraction-status', {
      layout: false,
      __t: req.t,
      lang: req.language,
      csrfToken: csrfTokenFor(req),
      post: { id: post.id, retractedAt: post.retractedAt, retractReason: post.retractReason },
      isRetracted,
      removals,
      replacement: replacementRows[0],
      replaces: replaced,
      // Cascade: the child posts still out or on their way, offered for retraction in the same step.
      childCount: children.filter((ch) => ch.status !== 'retracted' && ch.status !== 'cancelled').length,
      polling: removals.some((r) => r.status === 'pending' || r.status === 'retracting'),
      publicUrl: post.publishedAt ? `${publicBase}/w/${encodeURIComponent(post.slug)}` : null,
      can: {
        retract: retractable && reviewer,
        request: retractable && actor.role === 'editor',
        retry: isRetracted && reviewer && removals.some((r) => r.status === 'failed'),
      },
    });
  });

  const action = (path: string, run: (req: Request, postId: string) => Promise<string>) =>
    postFormAction(router, path, STAFF, run);
  const field = (req: Request, name: string) =>
    String((req.body as Record<string, unknown> | undefined)?.[name] ?? '');

  action('retract', async (req, id) => {
    if (field(req, 'withChildren') === 'on') {
      const { children } = await c.cascade.retractWithChildren(req.actor!, id, field(req, 'reason'));
      return req.t('cascade.retractedWithChildren', children);
    }
    await c.retraction.retract(req.actor!, id, field(req, 'reason'));
    return req.t('retraction.done');
  });
  action('supersede', async (req, id) => {
    const byPostId = await resolvePost(field(req, 'byPost'));
    if (!byPostId) throw new AppError(422, 'validation_failed', req.t('retraction.noSuchPost'));
    const reason = field(req, 'reason').trim();
    await c.retraction.supersede(req.actor!, id, { byPostId, ...(reason && { reason }) });
    return req.t('retraction.doneSuperseded');
  });
  action('retract-request', async (req, id) => {
    await c.retraction.requestRetraction(req.actor!, id, field(req, 'reason'));
    return req.t('retraction.requested');
  });
  action('retract-retry', async (req, id) => {
    const count = await c.retraction.retryFailed(req.actor!, id);
    return req.t('retraction.retried', { count });
  });

  return router;
}
