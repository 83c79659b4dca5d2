// express-session saves a changed session when the response ends, but it writes the response's
// head first: a 303 reaches the browser, which follows it, while the session (with the flash
// message the redirect is meant to show) is still being written, and the next page can load the
// old session. A redirect that carries a flash therefore waits for the session to be saved.
import type { RequestHandler, Response } from 'express';

export function saveFlashBeforeRedirect(): RequestHandler {
  return (req, res, next) => {
    const redirect = res.redirect.bind(res) as (status: number, url: string) => void;
    res.redirect = function redirectAfterSave(this: Response, ...args: unknown[]) {
      const [status, url] = typeof args[0] === 'number' ? [args[0], String(args[1])] : [302, String(args[0])];
      if (!req.session?.flash) {
        redirect(status, url);
        return;
      }
      req.session.save((error) => (error ? next(error) : redirect(status, url)));
    } as Response['redirect'];
    next();
  };
}
