// Sign-in, sign-out and the user's own account page (language, API tokens).
import { Router } from 'express';
import { z } from 'zod';
import type { Container } from '../container.ts';
import { AppError, TooManyRequestsError } from '../errors.ts';
import { pageActor, renderPage, setFlash } from '../http/page.ts';
import { presentToken } from './auth.service.ts';

const loginForm = z.object({
  email: z.string().trim().max(254).default(''),
  password: z.string().max(200).default(''),
  next: z.string().max(500).optional(),
});

/** Only same-site paths: never redirect a signed-in user to another site. */
function safeNext(next: string | undefined): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}

export function authPages(c: Container): Router {
  const router = Router();

  router.get('/login', (req, res) => {
    if (req.actor) return res.redirect(303, '/');
    renderPage(req, res, 'pages/login', {
      title: req.t('login.title'),
      next: safeNext(String(req.query.next ?? '')),
    });
  });

  router.post('/login', async (req, res) => {
    const form = loginForm.parse(req.body ?? {});
    const next = safeNext(form.next);
    try {
      const user = await c.auth.signIn({
        email: form.email,
        password: form.password,
        ip: req.ip ?? 'unknown',
        via: 'page',
      });
      await new Promise<void>((resolve, reject) =>
        req.session.regenerate((error) => (error ? reject(error) : resolve())),
      );
      req.session.userId = user.id;
      // Saved before redirecting: express-session would otherwise send the redirect while the
      // save is still in flight, and the browser's next request could arrive before it lands.
      await new Promise<void>((resolve, reject) =>
        req.session.save((error) => (error ? reject(error) : resolve())),
      );
      res.redirect(303, next);
    } catch (error) {
      if (!(error instanceof AppError) || (error.status !== 401 && error.status !== 429)) throw error;
      const message =
        error instanceof TooManyRequestsError
          ? req.t('login.throttled', { minutes: Math.ceil(error.retryAfterSeconds / 60) })
          : req.t('login.invalid');
      if (error instanceof TooManyRequestsError)
        res.setHeader('Retry-After', String(error.retryAfterSeconds));
      renderPage(
        req,
        res,
        'pages/login',
        { title: req.t('login.title'), error: message, email: form.email, next },
        error.status,
      );
    }
  });

  router.post('/logout', async (req, res) => {
    if (req.actor) await c.auth.recordLogout(req.actor);
    await new Promise<void>((resolve) => req.session.regenerate(() => resolve()));
    setFlash(req, 'success', req.t('login.loggedOut'));
    res.redirect(303, '/login');
  });

  router.get('/account', async (req, res) => {
    const actor = pageActor(req, res);
    if (!actor) return;
    const tokens = (await c.auth.listTokens(actor)).map((row) => presentToken(row));
    renderPage(req, res, 'pages/account', { title: req.t('account.title'), tokens });
  });

  router.post('/account/tokens', async (req, res) => {
    const actor = pageActor(req, res);
    if (!actor) return;
    const name = z
      .string()
      .trim()
      .min(1)
      .max(80)
      .catch('API')
      .parse((req.body as Record<string, unknown>)?.name);
    const user = await c.repos.users.findById(actor.id);
    if (!user) return res.redirect(303, '/login');
    const { token } = await c.auth.issueToken(user, { name, ip: req.ip ?? null });
    const tokens = (await c.auth.listTokens(actor)).map((row) => presentToken(row));
    renderPage(req, res, 'pages/account', { title: req.t('account.title'), tokens, newToken: token }, 201);
  });

  router.post('/account/tokens/:id/revoke', async (req, res) => {
    const actor = pageActor(req, res);
    if (!actor) return;
    const id = z.uuid().parse(req.params.id);
    await c.auth.revokeToken(actor, id);
    setFlash(req, 'success', req.t('account.revoked'));
    res.redirect(303, '/account');
  });

  return router;
}
