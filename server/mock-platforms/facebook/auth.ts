// Who is calling: a Page token, a user token, or the app token "appId|appSecret"; and the
// usage headers and throttling that go with each kind (BUC for Pages, app usage otherwise).
import type { Request, Response } from 'express';
import { readString } from '../shared/http.ts';
import type { MemberUser } from '../shared/members.ts';
import { graphErrors, type GraphError } from './errors.ts';
import type { FacebookState, FbPage, UsageBucket } from './state.ts';

export type Actor =
  | { kind: 'page'; page: FbPage; token: string }
  | { kind: 'user'; user: MemberUser; token: string }
  | { kind: 'app'; token: string };

export interface Credentials {
  appId: string;
  appSecret: string;
}

export function tokenFrom(req: Request): string | undefined {
  const param = readString(req, 'access_token');
  if (param) return param;
  const header = req.get('authorization');
  const match = header ? /^(?:Bearer|OAuth)\s+(.+)$/i.exec(header.trim()) : null;
  return match?.[1];
}

export type TokenCheck = { ok: true; actor: Actor } | { ok: false; error: GraphError };

export function checkToken(state: FacebookState, credentials: Credentials, token: string): TokenCheck {
  const now = state.clock.now();
  if (token.includes('|')) {
    const [appId, secret] = token.split('|');
    if (appId === credentials.appId && secret === credentials.appSecret)
      return { ok: true, actor: { kind: 'app', token } };
    return { ok: false, error: graphErrors.badAppSecret() };
  }
  const page = state.pageByToken.get(token);
  if (page) {
    if (page.tokenRevoked) return { ok: false, error: tokenRevokedError(page.tokenRevoked.subcode, now) };
    return { ok: true, actor: { kind: 'page', page, token } };
  }
  const login = state.loginTokens.get(token);
  const loginUser = login ? state.members.users.get(login.userId) : undefined;
  if (login && loginUser) {
    if (login.revoked) return { ok: false, error: tokenRevokedError(login.revoked.subcode, now) };
    if (now >= login.expiresMs) return { ok: false, error: graphErrors.expiredToken(login.expiresMs, now) };
    return { ok: true, actor: { kind: 'user', user: loginUser, token } };
  }
  const user = state.members.userByToken(token);
  if (user) {
    if (user.tokenRevoked) return { ok: false, error: tokenRevokedError(user.tokenRevoked.subcode, now) };
    if (now >= user.tokenExpiresMs)
      return { ok: false, error: graphErrors.expiredToken(user.tokenExpiresMs, now) };
    return { ok: true, actor: { kind: 'user', user, token } };
  }
  return { ok: false, error: graphErrors.cannotParseToken() };
}

function tokenRevokedError(subcode: number, now: number): GraphError {
  return subcode === 463 ? graphErrors.expiredToken(now, now) : graphErrors.revokedToken(subcode);
}

export function authenticate(state: FacebookState, credentials: Credentials, req: Request): Actor {
  const token = tokenFrom(req);
  if (!token) throw graphErrors.missingToken();
  const check = checkToken(state, credentials, token);
  if (!check.ok) throw check.error;
  return check.actor;
}

function bump(state: FacebookState, key: string, windowMs: number): UsageBucket {
  const now = state.clock.now();
  let bucket = state.usage.get(key);
  if (!bucket || now - bucket.windowStart >= windowMs) {
    bucket = { windowStart: now, calls: 0 };
    state.usage.set(key, bucket);
  }
  bucket.calls += 1;
  return bucket;
}

/**
 * Counts the call, sets the usage header, and throws the throttling error once the calls in
 * the current window pass 100% of the limit.
 */
export function meterCall(state: FacebookState, actor: Actor, res: Response): void {
  const s = state.settings;
  const now = state.clock.now();
  const isPage = actor.kind === 'page';
  const windowMs = (isPage ? s.pageWindowSeconds : s.appWindowSeconds) * 1000;
  const limit = isPage ? s.pageCallLimit : s.appCallLimit;
  const bucket = bump(state, isPage ? `page:${actor.page.id}` : 'app', windowMs);
  const callCount = Math.ceil((bucket.calls * 100) / limit);
  const throttled = bucket.calls > limit;
  const regainMinutes = throttled ? Math.ceil((bucket.windowStart + windowMs - now) / 60_000) : 0;
  const usage = {
    call_count: callCount,
    total_cputime: Math.ceil(callCount * 0.4),
    total_time: Math.ceil(callCount * 0.6),
  };
  if (isPage) {
    res.setHeader(
      'X-Business-Use-Case-Usage',
      JSON.stringify({
        [actor.page.id]: [{ type: 'pages', ...usage, estimated_time_to_regain_access: regainMinutes }],
      }),
    );
  } else {
    res.setHeader('X-App-Usage', JSON.stringify(usage));
  }
  if (throttled) throw isPage ? graphErrors.pageThrottled() : graphErrors.appThrottled(s.appThrottleCode);
}
