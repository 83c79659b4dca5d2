// Rendering a page with what every page needs: the actor, the CSRF token, the flash message,
// the translation function and the version.
import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import type { Actor } from '../auth/actor.ts';
import type { UserRole } from '../db/schema.ts';
import { AppError, ForbiddenError, PlatformLimitError, type FieldProblem } from '../errors.ts';
import { csrfTokenFor } from './middleware/csrf.ts';

export function renderPage(
  req: Request,
  res: Response,
  view: string,
  data: Record<string, unknown> = {},
  status = 200,
) {
  const flash = req.session.flash;
  delete req.session.flash;
  res.status(status).render(view, {
    ...data,
    actor: req.actor,
    csrfToken: csrfTokenFor(req),
    flash,
    __t: req.t,
    version: res.app.locals.version,
  });
}

/** The signed-in actor for a page, redirecting to the login page when there is none. */
export function pageActor(req: Request, res: Response, roles?: readonly UserRole[]): Actor | undefined {
  if (!req.actor) {
    res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
    return undefined;
  }
  if (roles && !roles.includes(req.actor.role)) throw new ForbiddenError();
  return req.actor;
}

export function setFlash(req: Request, kind: 'success' | 'error', message: string) {
  req.session.flash = { kind, message };
}

/** Field problems keyed by field name, for forms re-rendered with 422. */
export function fieldErrors(problems: FieldProblem[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of problems) out[p.path.split('.')[0] ?? p.path] ??= p.message;
  return out;
}

/** A refused action's message for a flash: the translated code plus any field problems. */
export function flashErrorMessage(req: Request, error: unknown): string {
  if (!(error instanceof AppError) || error.status >= 500) throw error;
  if (error instanceof PlatformLimitError) {
    const limits = error.localized(req.t).map((d) => d.message);
    return `${req.t('checks.refused')} ${[...new Set(limits)].join('; ')}`;
  }
  const details = Array.isArray(error.details)
    ? `: ${error.details.map((d: { path?: string; message?: string }) => `${d.path} ${d.message}`).join('; ')}`
    : '';
  return `${req.t(`errors.${error.code}`, { defaultValue: error.message })}${details}`;
}

/**
 * A post form that runs one action on the post `:id`: success or refusal becomes a flash
 * message, then back to the post (or wherever `back` says).
 */
export function postFormAction(
  router: Router,
  path: string,
  roles: readonly UserRole[],
  run: (req: Request, postId: string) => Promise<string>,
  back: (req: Request, postId: string) => string = (_req, postId) => `/posts/${postId}`,
): void {
  router.post(`/posts/:id/${path}`, async (req: Request, res: Response) => {
    if (!pageActor(req, res, roles)) return;
    const id = z.uuid().parse(req.params.id);
    try {
      setFlash(req, 'success', await run(req, id));
    } catch (error) {
      setFlash(req, 'error', flashErrorMessage(req, error));
    }
    res.redirect(303, back(req, id));
  });
}
