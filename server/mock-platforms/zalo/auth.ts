// The OA access token travels in an `access_token` header (not Bearer). The per-app rate
// limit window is one simulated minute, reported in X-RateLimit-Limit / X-RateLimit-Remain.
import type { Request, Response } from 'express';
import { zaloErrors, type ZaloError } from './envelope.ts';
import type { ZaloOa, ZaloState } from './state.ts';

export function authenticateOa(
  state: ZaloState,
  req: Request,
): { ok: true; oa: ZaloOa } | { ok: false; error: ZaloError } {
  const token = req.get('access_token');
  if (!token) return { ok: false, error: zaloErrors.invalidToken() };
  const record = state.accessTokens.get(token);
  const oa = record ? state.oas.get(record.oaId) : undefined;
  if (!record || !oa) return { ok: false, error: zaloErrors.invalidToken() };
  if (state.clock.now() >= record.expiresMs)
    return { ok: false, error: zaloErrors.expiredToken(state.settings.expiredTokenError) };
  return { ok: true, oa };
}

/** Counts the call; false once the app is past its per-minute limit. */
export function meterZaloCall(state: ZaloState, res: Response): boolean {
  const minute = Math.floor(state.clock.now() / 60_000) * 60_000;
  if (state.rate.windowStart !== minute) state.rate = { windowStart: minute, calls: 0 };
  state.rate.calls += 1;
  const limit = state.settings.rateLimitPerMinute;
  res.setHeader('X-RateLimit-Limit', String(limit));
  res.setHeader('X-RateLimit-Remain', String(Math.max(0, limit - state.rate.calls)));
  return state.rate.calls <= limit;
}
