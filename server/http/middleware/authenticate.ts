import type { RequestHandler } from 'express';
import type { AuthService } from '../../auth/auth.service.ts';

/** Sets req.actor from a bearer token (API clients) or the session cookie (pages). */
export function authenticate(auth: AuthService): RequestHandler {
  return async (req, _res, next) => {
    const header = req.get('authorization');
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      // A malformed or bad Authorization header is an error, never a silent fallback to the cookie.
      req.actor = await auth.authenticateToken(match?.[1] ?? '', req.ip ?? null);
      return next();
    }
    const userId = req.session?.userId;
    if (userId) {
      const actor = await auth.sessionActor(userId, req.ip ?? null);
      if (actor) req.actor = actor;
      else delete req.session.userId;
    }
    next();
  };
}
