// OAuth v4 for Official Accounts (oauth.zaloapp.com): the permission redirect and
// POST /v4/oa/access_token with the `secret_key` header. Refresh tokens rotate and are
// single-use: the second use of one answers -14014. These answers use the OAuth host's own
// shape ({access_token, refresh_token, expires_in} or {error, error_name, ...}), always HTTP 200.
import { createHash } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import Handlebars from 'handlebars';
import { bodyOf, readString } from '../shared/http.ts';
import { sendSignInPage, sendWwwError, sendWwwPage, type WwwLook } from '../shared/www-page.ts';
import { signedInPerson, type WwwSessions } from '../shared/www-session.ts';
import { issueTokens, type ZaloOa, type ZaloState } from './state.ts';

const LOOK: WwwLook = { platform: 'Zalo', accent: '#0068ff', background: '#eef3fb', demo: 'một Zalo OA' };

const permissionPage = Handlebars.compile(`<h1>Cấp quyền cho ứng dụng</h1>
<p class="muted">Xin chào {{person}}. Ứng dụng (ID {{appId}}) muốn quản lý Official Account bạn chọn: đăng bài viết và gửi tin.</p>
<form method="post" action="/v4/oa/permission">
  <input type="hidden" name="app_id" value="{{appId}}">
  <input type="hidden" name="redirect_uri" value="{{redirectUri}}">
  <input type="hidden" name="state" value="{{state}}">
  <input type="hidden" name="code_challenge" value="{{codeChallenge}}">
  <fieldset>
    <legend>Official Account</legend>
    {{#each oas}}
    <label><input type="radio" name="oa_id" value="{{id}}" {{#if first}}checked{{/if}}> {{name}}</label>
    {{else}}
    <p class="muted">Bạn chưa quản lý OA nào.</p>
    {{/each}}
  </fieldset>
  {{#if oas.length}}<button type="submit" name="decision" value="grant" class="primary">Cho phép</button>{{/if}}
  <button type="submit" name="decision" value="deny">Từ chối</button>
</form>`);

interface PermissionParams {
  redirectUri: URL;
  state: string | undefined;
  codeChallenge: string | undefined;
}

function permissionParams(
  req: Request,
  res: Response,
  credentials: OAuthCredentials,
): PermissionParams | undefined {
  if (readString(req, 'app_id') !== credentials.appId) {
    sendWwwError(res, LOOK, 'app_id không hợp lệ (-14002 Invalid appId).');
    return undefined;
  }
  const raw = readString(req, 'redirect_uri') ?? '';
  let redirectUri: URL | undefined;
  try {
    redirectUri = /^https?:\/\//.test(raw) ? new URL(raw) : undefined;
  } catch {
    redirectUri = undefined;
  }
  if (!redirectUri) {
    sendWwwError(res, LOOK, 'redirect_uri không hợp lệ (-14003 Invalid redirect uri).');
    return undefined;
  }
  const challenge = readString(req, 'code_challenge');
  return {
    redirectUri,
    state: readString(req, 'state'),
    codeChallenge: challenge === undefined || challenge === '' ? undefined : challenge,
  };
}

function administeredOas(state: ZaloState, userId: string): ZaloOa[] {
  return [...state.oas.values()].filter((oa) => oa.adminUserId === userId);
}

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

export function oauthRouter(state: ZaloState, credentials: OAuthCredentials, www: WwwSessions): Router {
  const router = Router();

  // The OA permission page (research B2): the signed-in person picks one of the OAs they
  // administer and grants it; the answer is a redirect with ?code&oa_id&state. Without a
  // session the platform's sign-in page comes first.
  router.get('/v4/oa/permission', (req, res) => {
    const params = permissionParams(req, res, credentials);
    if (!params) return;
    const person = signedInPerson(req, www);
    if (!person) return sendSignInPage(req, res, LOOK, www.members);
    sendWwwPage(
      res,
      LOOK,
      'Zalo',
      permissionPage({
        person: person.name,
        appId: credentials.appId,
        redirectUri: params.redirectUri.toString(),
        state: params.state ?? '',
        codeChallenge: params.codeChallenge ?? '',
        oas: administeredOas(state, person.id).map((oa, index) => ({
          id: oa.id,
          name: oa.name,
          first: index === 0,
        })),
      }),
    );
  });

  router.post('/v4/oa/permission', (req, res) => {
    const params = permissionParams(req, res, credentials);
    if (!params) return;
    const person = signedInPerson(req, www);
    if (!person) return sendSignInPage(req, res, LOOK, www.members);
    const target = new URL(params.redirectUri);
    if (params.state !== undefined) target.searchParams.set('state', params.state);
    if (bodyOf(req).decision !== 'grant') {
      target.searchParams.set('error', 'access_denied');
      target.searchParams.set('error_description', 'The user did not grant the permission');
      return res.redirect(302, target.toString());
    }
    const oaId = bodyOf(req).oa_id;
    const oa = administeredOas(state, person.id).find((candidate) => candidate.id === oaId);
    if (!oa) return sendWwwError(res, LOOK, 'Chọn một OA mà bạn quản lý.');
    const code = issueCode(state, oa.id, params.codeChallenge);
    target.searchParams.set('code', code);
    target.searchParams.set('oa_id', oa.id);
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
