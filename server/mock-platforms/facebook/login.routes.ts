// Facebook Login, as a person's browser and Loa's server see it (research A2):
// - GET /vNN.0/dialog/oauth: the sign-in page when nobody is signed in to the mock, otherwise
//   "Continue as NAME" with the Pages the person manages, to grant or not; the form posts back
//   here and the answer is a redirect to redirect_uri with ?code&state, or with
//   ?error=access_denied&error_reason=user_denied&state when the person refuses.
// - GET|POST /vNN.0/oauth/access_token: the code (single use, 10 minutes, same redirect_uri)
//   for a short-lived user token, and grant_type=fb_exchange_token for a long-lived one.
import Handlebars from 'handlebars';
import { Router, type Request, type Response } from 'express';
import { readString } from '../shared/http.ts';
import type { MemberUser } from '../shared/members.ts';
import { sendSignInPage, sendWwwError, sendWwwPage, type WwwLook } from '../shared/www-page.ts';
import { signedInPerson, type WwwSessions } from '../shared/www-session.ts';
import type { Credentials } from './auth.ts';
import { GraphError, graphErrors, sendGraphError } from './errors.ts';
import type { FacebookState, FbLoginToken } from './state.ts';

const LOOK: WwwLook = {
  platform: 'Facebook',
  accent: '#1877f2',
  background: '#f0f2f5',
  demo: 'hai Trang Facebook',
};
const DIALOG_PATH = /^\/(?:v\d+\.\d+\/)?dialog\/oauth\/?$/;
const TOKEN_PATH = /^\/(?:v\d+\.\d+\/)?oauth\/access_token\/?$/;
const CODE_LIFETIME_MS = 10 * 60_000;
/** Short-lived user tokens last "an hour or two" (research A2). */
const SHORT_LIVED_SECONDS = 2 * 3600;

const consent = Handlebars.compile(`<h1>Tiếp tục với tên {{person}}?</h1>
<p class="muted">Ứng dụng (ID {{clientId}}) muốn quản lý và đăng bài lên các Trang bạn chọn.</p>
<form method="post" action="{{action}}">
  <input type="hidden" name="client_id" value="{{clientId}}">
  <input type="hidden" name="redirect_uri" value="{{redirectUri}}">
  <input type="hidden" name="state" value="{{state}}">
  <input type="hidden" name="scope" value="{{scope}}">
  <fieldset>
    <legend>Trang được cấp quyền</legend>
    {{#each pages}}
    <label><input type="checkbox" name="page_ids" value="{{id}}" checked> {{name}}</label>
    {{else}}
    <p class="muted">Bạn chưa quản lý Trang nào.</p>
    {{/each}}
  </fieldset>
  <button type="submit" name="decision" value="accept" class="primary">Tiếp tục với tên {{person}}</button>
  <button type="submit" name="decision" value="refuse">Không phải bây giờ</button>
</form>`);

interface DialogParams {
  clientId: string;
  redirectUri: URL;
  state: string | undefined;
  scope: string;
}

function dialogParams(req: Request, res: Response, credentials: Credentials): DialogParams | undefined {
  const clientId = readString(req, 'client_id') ?? '';
  if (clientId !== credentials.appId) {
    sendWwwError(res, LOOK, 'Invalid App ID: the client_id does not belong to a Facebook app.');
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
    sendWwwError(res, LOOK, 'URL Blocked: the redirect_uri is not a valid http(s) URL for this app.');
    return undefined;
  }
  return { clientId, redirectUri, state: readString(req, 'state'), scope: readString(req, 'scope') ?? '' };
}

function managedPages(state: FacebookState, person: MemberUser) {
  return [...state.pages.values()].filter((page) => page.adminUserId === person.id);
}

function redirectBack(res: Response, params: DialogParams, query: Record<string, string>): void {
  const target = new URL(params.redirectUri);
  for (const [key, value] of Object.entries(query)) target.searchParams.set(key, value);
  if (params.state !== undefined) target.searchParams.set('state', params.state);
  res.redirect(302, target.toString());
}

function selectedIds(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

export function facebookLoginRouter(
  state: FacebookState,
  credentials: Credentials,
  www: WwwSessions,
): Router {
  const router = Router();

  router.get(DIALOG_PATH, (req, res) => {
    const params = dialogParams(req, res, credentials);
    if (!params) return;
    const person = signedInPerson(req, www);
    if (!person) return sendSignInPage(req, res, LOOK, www.members);
    sendWwwPage(
      res,
      LOOK,
      'Facebook Login',
      consent({
        person: person.name,
        clientId: params.clientId,
        redirectUri: params.redirectUri.toString(),
        state: params.state ?? '',
        scope: params.scope,
        action: req.path,
        pages: managedPages(state, person).map((page) => ({ id: page.id, name: page.name })),
      }),
    );
  });

  router.post(DIALOG_PATH, (req, res) => {
    const params = dialogParams(req, res, credentials);
    if (!params) return;
    const person = signedInPerson(req, www);
    if (!person) return sendSignInPage(req, res, LOOK, www.members);
    if (readString(req, 'decision') !== 'accept') {
      return redirectBack(res, params, {
        error: 'access_denied',
        error_code: '200',
        error_description: 'Permissions error',
        error_reason: 'user_denied',
      });
    }
    const wanted = selectedIds((req.body as Record<string, unknown> | undefined)?.page_ids);
    const pageIds = managedPages(state, person)
      .map((page) => page.id)
      .filter((id) => wanted.includes(id));
    // A fresh login after a password change or a lost role gives the Page a new token, as
    // Facebook derives Page tokens from the new user token; valid tokens stay as they are.
    for (const id of pageIds) {
      const page = state.pages.get(id);
      if (!page?.tokenRevoked) continue;
      state.pageByToken.delete(page.accessToken);
      page.accessToken = state.ids.token('EAAPage');
      delete page.tokenRevoked;
      state.pageByToken.set(page.accessToken, page);
    }
    const code = state.ids.token('AQ', 48);
    state.loginCodes.set(code, {
      code,
      userId: person.id,
      redirectUri: params.redirectUri.toString(),
      pageIds,
      expiresMs: state.clock.now() + CODE_LIFETIME_MS,
      used: false,
    });
    redirectBack(res, params, { code });
  });

  router.all(TOKEN_PATH, (req, res) => {
    try {
      res.json(exchange(state, credentials, req));
    } catch (error) {
      if (!(error instanceof GraphError)) throw error;
      sendGraphError(res, error);
    }
  });

  return router;
}

function exchange(state: FacebookState, credentials: Credentials, req: Request): Record<string, unknown> {
  if (readString(req, 'client_id') !== credentials.appId) {
    throw new GraphError(101, 'Error validating application. Invalid application ID.');
  }
  if (readString(req, 'client_secret') !== credentials.appSecret) {
    throw new GraphError(101, 'Error validating client secret.');
  }
  const now = state.clock.now();
  if (readString(req, 'grant_type') === 'fb_exchange_token') {
    const short = readString(req, 'fb_exchange_token');
    if (!short) throw graphErrors.invalidParam('Missing fb_exchange_token parameter');
    const login = state.loginTokens.get(short);
    const member = login ? undefined : state.members.userByToken(short);
    const userId = login?.userId ?? member?.id;
    const expiresMs = login?.expiresMs ?? member?.tokenExpiresMs ?? 0;
    if (!userId || login?.revoked || member?.tokenRevoked) throw graphErrors.cannotParseToken();
    if (now >= expiresMs) throw graphErrors.expiredToken(expiresMs, now);
    const seconds = state.settings.userTokenLifetimeSeconds;
    const pageIds =
      login?.pageIds ?? [...state.pages.values()].filter((p) => p.adminUserId === userId).map((p) => p.id);
    const issued = issueLoginToken(state, {
      userId,
      pageIds,
      expiresMs: now + seconds * 1000,
      longLived: true,
    });
    return { access_token: issued.token, token_type: 'bearer', expires_in: seconds };
  }
  const value = readString(req, 'code');
  if (!value) throw graphErrors.invalidParam('Missing authorization code');
  const code = state.loginCodes.get(value);
  if (!code) throw new GraphError(100, 'Invalid verification code format.');
  if (code.used) throw new GraphError(100, 'This authorization code has been used.', 36009);
  if (now >= code.expiresMs) throw new GraphError(100, 'This authorization code has expired.', 36007);
  if (readString(req, 'redirect_uri') !== code.redirectUri) {
    throw new GraphError(
      100,
      'Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request',
      36008,
    );
  }
  code.used = true;
  const issued = issueLoginToken(state, {
    userId: code.userId,
    pageIds: code.pageIds,
    expiresMs: now + SHORT_LIVED_SECONDS * 1000,
    longLived: false,
  });
  return { access_token: issued.token, token_type: 'bearer', expires_in: SHORT_LIVED_SECONDS };
}

function issueLoginToken(state: FacebookState, input: Omit<FbLoginToken, 'token'>): FbLoginToken {
  const token: FbLoginToken = { token: state.ids.token(input.longLived ? 'EAAL' : 'EAAS'), ...input };
  state.loginTokens.set(token.token, token);
  return token;
}
