// Synchronizer-token CSRF protection for everything a cookie can authenticate.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { ForbiddenError } from '../../errors.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function csrfTokenFor(req: Request): string {
  req.session.csrfToken ??= randomBytes(24).toString('base64url');
  return req.session.csrfToken;
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Every state-changing request that could carry the session cookie must present the session's
 * token (form field `_csrf` or header `X-CSRF-Token`). Bearer-token requests carry no ambient
 * credentials, so they need none; nor do API calls with no session at all; nor routes that
 * authenticate themselves (signed webhooks), listed in `exempt`.
 */
export function csrfProtection(options: { exempt: (req: Request) => boolean }): RequestHandler {
  return (req, _res, next) => {
    if (SAFE_METHODS.has(req.method) || options.exempt(req)) return next();
    if (req.get('authorization')) return next();
    const isApi = req.path.startsWith('/api/');
    if (isApi && !req.session?.userId) return next();
    const body = req.body as Record<string, unknown> | undefined;
    const sent = req.get('x-csrf-token') ?? (typeof body?._csrf === 'string' ? body._csrf : undefined);
    const expected = req.session?.csrfToken;
    if (!sent || !expected || !sameToken(sent, expected)) {
      throw new ForbiddenError('Missing or invalid CSRF token; reload the page and try again', 'csrf_failed');
    }
    next();
  };
}
