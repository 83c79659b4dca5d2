// The mocks' "www" sign-in: the stand-in for a person being logged in to Facebook or Zalo in
// their browser. `POST /_mock/login {userId}` sets a session cookie; the dialogs a browser opens
// (Facebook Login, the Zalo OA permission page, the Share Dialog) read it with `signedInPerson`.
// Each mock has its own cookie name: both mocks run on one host, and cookies ignore the port.
import { parse, serialize } from 'cookie';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { controlError, parseControl } from './http.ts';
import type { MemberStore, MemberUser } from './members.ts';

export const WWW_SESSION_COOKIES = {
  facebook: 'mock_fb_session',
  zalo: 'mock_zalo_session',
} as const;

export interface WwwSessions {
  members: MemberStore;
  cookieName: string;
}

const loginSchema = z.object({
  userId: z.string().trim().min(1),
  /** Where a browser form goes next (the dialog that asked for sign-in); a path on this mock only. */
  next: z
    .string()
    .regex(/^\/(?!\/)/, 'must be a path on this server')
    .optional(),
});

function sessionIdFrom(req: Request, cookieName: string): string | undefined {
  const header = req.get('cookie');
  if (!header) return undefined;
  return parse(header)[cookieName];
}

/** The person signed in to this mock in the calling browser, if any. */
export function signedInPerson(req: Request, sessions: WwwSessions): MemberUser | undefined {
  const sessionId = sessionIdFrom(req, sessions.cookieName);
  return sessionId === undefined ? undefined : sessions.members.sessionUser(sessionId);
}

/** `POST /login` and `POST /logout`, mounted under `/_mock` (control plane, never on the real API). */
export function wwwSessionRouter(sessions: WwwSessions): Router {
  const router = Router();

  router.post('/login', (req, res) => {
    const input = parseControl(loginSchema, req.body, res);
    if (!input) return;
    const user = sessions.members.users.get(input.userId);
    if (!user) return controlError(res, 404, `no user ${input.userId}`);
    const previous = sessionIdFrom(req, sessions.cookieName);
    if (previous !== undefined) sessions.members.signOut(previous);
    setSessionCookie(res, sessions.cookieName, sessions.members.signIn(user));
    if (input.next !== undefined) return res.redirect(303, input.next);
    res.json({ id: user.id, name: user.name });
  });

  router.post('/logout', (req, res) => {
    const sessionId = sessionIdFrom(req, sessions.cookieName);
    if (sessionId !== undefined) sessions.members.signOut(sessionId);
    res.setHeader('Set-Cookie', serialize(sessions.cookieName, '', { path: '/', maxAge: 0 }));
    res.json({ success: true });
  });

  return router;
}

function setSessionCookie(res: Response, name: string, value: string): void {
  res.setHeader('Set-Cookie', serialize(name, value, { path: '/', httpOnly: true, sameSite: 'lax' }));
}
