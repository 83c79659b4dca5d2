// The members' pages: joining from an invitation, consent, the phone-first share feed, the
// share links (/s/:token) and the member's own settings and reach.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Container } from '../container.ts';
import { AppError, ValidationError } from '../errors.ts';
import { zodProblems } from '../http/api-route.ts';
import { fieldErrors, pageActor, renderPage, setFlash } from '../http/page.ts';
import { CONSENT_PARTS } from './consent.ts';
import { joinFormSchema, settingsFormSchema, shareDoneQuerySchema } from './amplification.schemas.ts';

const tokenParam = z
  .string()
  .min(10)
  .max(120)
  .regex(/^[A-Za-z0-9_-]+$/);

/** Members' refusals shown as a page, in the member's language. */
function renderRefusal(req: Request, res: Response, error: unknown): void {
  if (!(error instanceof AppError) || error.status >= 500) throw error;
  if (error.status === 429) res.setHeader('Retry-After', '3600');
  res.status(error.status).render('pages/error', {
    title: req.t('members.refusedTitle'),
    status: error.status,
    message: req.t(`members.error_${error.code}`, {
      defaultValue: error.message,
      ...(error.details as object),
    }),
    actor: req.actor,
    __t: req.t,
  });
}

async function signInAs(req: Request, userId: string): Promise<void> {
  await new Promise<void>((resolve, reject) => req.session.regenerate((e) => (e ? reject(e) : resolve())));
  req.session.userId = userId;
  await new Promise<void>((resolve, reject) => req.session.save((e) => (e ? reject(e) : resolve())));
}

export function amplificationPages(c: Container): Router {
  const router = Router();
  const { members, feed } = c.amplification;

  async function joinPage(req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) {
    const token = tokenParam.safeParse(req.params.token);
    try {
      const opened = await members.openInvitation(token.success ? token.data : '');
      renderPage(
        req,
        res,
        'pages/member-join',
        { title: req.t('members.joinTitle'), unitName: opened.unitName, token: token.data, ...extra },
        status,
      );
    } catch (error) {
      renderRefusal(req, res, error);
    }
  }

  router.get('/join/:token', (req, res) => joinPage(req, res));

  router.post('/join/:token', async (req, res) => {
    const token = tokenParam.safeParse(req.params.token);
    const form = joinFormSchema.safeParse(req.body ?? {});
    const values = { name: String(req.body?.name ?? ''), email: String(req.body?.email ?? '') };
    if (!form.success) {
      return joinPage(req, res, { errors: fieldErrors(zodProblems(form.error)), values }, 422);
    }
    try {
      const user = await members.acceptInvitation(token.success ? token.data : '', form.data);
      await signInAs(req, user.id);
      res.redirect(303, '/members/consent');
    } catch (error) {
      if (error instanceof AppError && error.code === 'email_taken') {
        return joinPage(req, res, { errors: { email: req.t('members.emailTaken') }, values }, 422);
      }
      renderRefusal(req, res, error);
    }
  });

  router.get('/members/consent', async (req, res) => {
    const actor = pageActor(req, res, ['member']);
    if (!actor) return;
    const status = await members.consentStatus(actor, req.language);
    renderPage(req, res, 'pages/member-consent', {
      title: req.t('members.consentTitle'),
      consent: status,
      heading: req.t(`${members.consent.key}.title`),
      paragraphs: CONSENT_PARTS.map((part) => req.t(`${members.consent.key}.${part}`)),
    });
  });

  router.post('/members/consent', async (req, res) => {
    const actor = pageActor(req, res, ['member']);
    if (!actor) return;
    const form = z
      .object({ version: z.coerce.number().int(), accepted: z.literal('on') })
      .safeParse(req.body ?? {});
    if (!form.success) {
      setFlash(req, 'error', req.t('members.consentTick'));
      return res.redirect(303, '/members/consent');
    }
    try {
      await members.acceptConsent(actor, form.data.version);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      setFlash(req, 'error', req.t('members.consentChanged'));
      return res.redirect(303, '/members/consent');
    }
    setFlash(req, 'success', req.t('members.consentThanks'));
    res.redirect(303, '/feed');
  });

  router.post('/members/consent/withdraw', async (req, res) => {
    const actor = pageActor(req, res, ['member']);
    if (!actor) return;
    await members.withdrawConsent(actor);
    setFlash(req, 'success', req.t('members.withdrawn'));
    res.redirect(303, '/members/consent');
  });

  router.get('/feed', async (req, res) => {
    const actor = pageActor(req, res, ['member']);
    if (!actor) return;
    const query = z.object({ cursor: z.string().max(100).optional() }).parse(req.query);
    try {
      const page = await feed.feedPage(actor, { limit: 20, cursor: query.cursor });
      renderPage(req, res, 'pages/member-feed', {
        title: req.t('members.feedTitle'),
        items: page.items.map((item) => ({
          ...item,
          facebookUrl: item.shareLinks.find((l) => l.platform === 'facebook')?.url,
          sharedFacebook: item.shared.some((s) => s.platform === 'facebook'),
          sharedElsewhere: item.shared.some((s) => s.platform !== 'facebook'),
        })),
        nextCursor: page.nextCursor,
      });
    } catch (error) {
      if (error instanceof AppError && error.code === 'consent_required')
        return res.redirect(303, '/members/consent');
      throw error;
    }
  });

  router.get('/s/:token', async (req, res) => {
    const actor = pageActor(req, res);
    if (!actor) return;
    const token = tokenParam.safeParse(req.params.token);
    try {
      const opened = await feed.openShareLink(actor, token.success ? token.data : '');
      res.set('Cache-Control', 'no-store');
      if (opened.kind === 'redirect') return res.redirect(302, opened.location);
      renderPage(req, res, 'pages/member-share-copy', {
        title: req.t('members.copyTitle'),
        link: opened.linkUrl,
      });
    } catch (error) {
      if (error instanceof AppError && error.code === 'consent_required')
        return res.redirect(303, '/members/consent');
      renderRefusal(req, res, error);
    }
  });

  router.get('/s/:token/done', async (req, res) => {
    const actor = pageActor(req, res);
    if (!actor) return;
    const token = tokenParam.safeParse(req.params.token);
    const query = shareDoneQuerySchema.parse(req.query);
    try {
      const share = await feed.completeShareLink(actor, token.success ? token.data : '', {
        errorCode: query.error_code,
      });
      setFlash(
        req,
        share.status === 'shared' ? 'success' : 'error',
        req.t(share.status === 'shared' ? 'members.sharedThanks' : 'members.shareCancelled'),
      );
      res.redirect(303, `/feed#post-${share.postId}`);
    } catch (error) {
      if (error instanceof AppError && error.code === 'consent_required')
        return res.redirect(303, '/members/consent');
      renderRefusal(req, res, error);
    }
  });

  router.get('/members/settings', async (req, res) => {
    const actor = pageActor(req, res, ['member']);
    if (!actor) return;
    const [profile, shares] = await Promise.all([members.profile(actor), feed.myShares(actor)]);
    renderPage(req, res, 'pages/member-settings', {
      title: req.t('members.settingsTitle'),
      profile,
      shares,
      totals: {
        shares: shares.filter((s) => s.status === 'shared').length,
        clicks: shares.reduce((n, s) => n + s.clicks, 0),
      },
    });
  });

  router.post('/members/settings', async (req, res) => {
    const actor = pageActor(req, res, ['member']);
    if (!actor) return;
    const form = settingsFormSchema.parse(req.body ?? {});
    await members.updateSettings(actor, { digest: form.digest, listedInStats: form.listedInStats === 'on' });
    setFlash(req, 'success', req.t('members.settingsSaved'));
    res.redirect(303, '/members/settings');
  });

  return router;
}
