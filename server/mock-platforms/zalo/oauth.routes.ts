// OAuth v4 for Official Accounts (oauth.zaloapp.com): the permission redirect and
// POST /v4/oa/access_token with the `secret_key` header. Refresh tokens rotate and are
// single-use: the second use of one answers -14014. These answers use the OAuth host's own
// shape ({access_token, refresh_token, expires_in} or {error, error_name, ...}), always HTTP 200.
import { createHash } from 'node:crypto';
import { Router, type Response } from 'express';
import { bodyOf } from '../shared/http.ts';
import { issueTokens, type ZaloState } from './state.ts';

interface OAuthCredentials {
  appId: string;
  appSecret: string;
}

function oauthError(res: Response, code: number, name: string, reason: string): void {
  res.status(200).json({
    error: code,
    error_name: name,
    error_reason: reason,
    ref_doc: 'https://developers.zalo.me/docs/official-account/bat-dau/xac-thuc-va-uy-quyen-cho-ung-dung-new',
    error_description: reason,
  });
}

export function oauthRouter(state: ZaloState, credentials: OAuthCredentials): Router {
  const router = Router();

  router.get('/v4/oa/permission', (req, res) => {
    const query = req.query as Record<string, unknown>;
    const redirect = typeof query.redirect_uri === 'string' ? query.redirect_uri : undefined;
    if (query.app_id !== credentials.appId)
      return oauthError(res, -14002, 'Invalid appId', 'app_id is invalid or inactive');
    if (!redirect || !/^https?:\/\//.test(redirect))
      return oauthError(res, -14003, 'Invalid redirect uri', 'redirect_uri is invalid');
    // Stands in for the OA admin picking an OA: ?oa_id= (mock only), else the first OA.
    const oa = typeof query.oa_id === 'string' ? state.oas.get(query.oa_id) : state.oas.values().next().value;
    if (!oa)
      return oauthError(
        res,
        -14001,
        'Invalid parameter',
        'no Official Account to authorize (create one with /_mock/oas)',
      );
    const code = issueCode(
      state,
      oa.id,
      typeof query.code_challenge === 'string' ? query.code_challenge : undefined,
    );
    const target = new URL(redirect);
    target.searchParams.set('code', code);
    target.searchParams.set('oa_id', oa.id);
    if (typeof query.state === 'string') target.searchParams.set('state', query.state);
    res.redirect(302, target.toString());
  });

  router.post('/v4/oa/access_token', (req, res) => {
    if (req.get('secret_key') !== credentials.appSecret) {
      return oauthError(res, -14004, 'Invalid secret key', 'secret_key header is missing or wrong');
    }
    const body = bodyOf(req);
    if (body.app_id !== credentials.appId)
      return oauthError(res, -14002, 'Invalid appId', 'app_id is invalid');
    const now = state.clock.now();
    if (body.grant_type === 'authorization_code') {
      const code = typeof body.code === 'string' ? state.codes.get(body.code) : undefined;
      if (!code || code.used || now >= code.expiresMs)
        return oauthError(res, -14019, 'Invalid code', 'authorization code is invalid, used or expired');
      if (code.codeChallenge !== undefined) {
        const verifier = typeof body.code_verifier === 'string' ? body.code_verifier : '';
        const challenge = createHash('sha256').update(verifier).digest('base64url');
        if (challenge !== code.codeChallenge)
          return oauthError(res, -14019, 'Invalid code', 'code_verifier does not match code_challenge');
      }
      code.used = true;
      return res.status(200).json(issueTokens(state, code.oaId));
    }
    if (body.grant_type === 'refresh_token') {
      const refresh =
        typeof body.refresh_token === 'string' ? state.refreshTokens.get(body.refresh_token) : undefined;
      if (!refresh || refresh.used || now >= refresh.expiresMs) {
        return oauthError(
          res,
          -14014,
          'Invalid refresh token',
          'refresh_token is invalid, already used or expired',
        );
      }
      refresh.used = true;
      return res.status(200).json(issueTokens(state, refresh.oaId));
    }
    oauthError(res, -14001, 'Invalid parameter', 'grant_type must be authorization_code or refresh_token');
  });

  return router;
}

export function issueCode(state: ZaloState, oaId: string, codeChallenge: string | undefined): string {
  const code = state.ids.token('zcode_', 32);
  state.codes.set(code, {
    code,
    oaId,
    codeChallenge,
    expiresMs: state.clock.now() + 10 * 60_000,
    used: false,
  });
  return code;
}
