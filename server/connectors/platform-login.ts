// Connecting channels through the platforms' own login (research A2 and B2): the URLs a
// person's browser is sent to, and the server-side exchanges that follow the redirect back.
// - Facebook: dialog/oauth → code → short-lived user token → fb_exchange_token (long-lived,
//   so the Page tokens derived from it never expire) → /me/accounts (each Page's own token).
// - Zalo: /v4/oa/permission with a PKCE S256 challenge → code + code_verifier → OA tokens.
// Secrets travel in POST bodies or headers, never in URLs (URLs end up in logs).
import { z } from 'zod';
import { send, unexpectedResponse } from './failures.ts';
import {
  classifyGraphFailure,
  DEFAULT_RATE_LIMIT,
  graphErrorEnvelopeSchema,
} from './facebook/graph-errors.ts';
import { GRAPH_VERSION, versionedBase } from './facebook/graph.client.ts';
import type { HttpClient } from './http-client.ts';
import { ConnectorFailure } from './types.ts';
import { classifyZaloFailure, zaloOAuthErrorSchema } from './zalo/zalo-errors.ts';

/** The Page permissions Loa publishes and reads engagement with (research A2). */
export const FACEBOOK_LOGIN_SCOPES = [
  'pages_show_list',
  'pages_manage_posts',
  'pages_read_engagement',
  'pages_manage_engagement',
  'read_insights',
];

export interface PlatformLoginOptions {
  http: HttpClient;
  facebookGraphUrl: string;
  facebookWwwUrl: string;
  facebookAppId: string;
  facebookAppSecret: string;
  zaloOAuthUrl: string;
  zaloAppId: string;
  zaloAppSecret: string;
}

export interface UserToken {
  accessToken: string;
  expiresIn: number | undefined;
}

export interface ManagedPage {
  id: string;
  name: string;
  accessToken: string;
}

export interface ZaloOaTokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number | undefined;
}

export interface PlatformLogin {
  facebook: {
    authorizeUrl(input: { redirectUri: string; state: string }): string;
    exchangeCode(input: { code: string; redirectUri: string }): Promise<UserToken>;
    longLivedToken(shortLived: string): Promise<UserToken>;
    managedPages(userToken: string): Promise<ManagedPage[]>;
  };
  zalo: {
    authorizeUrl(input: { redirectUri: string; state: string; codeChallenge: string }): string;
    exchangeCode(input: { code: string; codeVerifier: string }): Promise<ZaloOaTokens>;
  };
}

const tokenSchema = z.object({
  access_token: z.string().min(1),
  expires_in: z.coerce.number().positive().optional(),
});
const accountsSchema = z.object({
  data: z.array(z.object({ id: z.string(), name: z.string(), access_token: z.string().optional() })),
  paging: z.object({ next: z.string().optional() }).optional(),
});
const zaloTokenSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_in: z.coerce.number().positive().optional(),
});

/** /me/accounts pages of 100; a person managing more than this many Pages is not a police unit. */
const MAX_ACCOUNT_PAGES = 20;

export function createPlatformLogin(options: PlatformLoginOptions): PlatformLogin {
  const graphBase = versionedBase(options.facebookGraphUrl);
  const wwwBase = options.facebookWwwUrl.replace(/\/+$/, '');

  async function graphRequest<T>(
    method: 'GET' | 'POST',
    url: string,
    fields: Record<string, string>,
    schema: z.ZodType<T>,
    token?: string,
  ): Promise<T> {
    const response = await send('facebook', options.http, {
      method,
      url,
      ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
      ...(method === 'POST' ? { body: { kind: 'form', fields } } : { query: fields }),
    });
    const envelope = graphErrorEnvelopeSchema.safeParse(response.body);
    if (response.status >= 400 || envelope.success) {
      throw new ConnectorFailure(
        'facebook',
        classifyGraphFailure(
          {
            status: response.status,
            headers: response.headers,
            isWrite: false,
            ...(envelope.success ? { error: envelope.data.error } : {}),
          },
          DEFAULT_RATE_LIMIT,
        ),
      );
    }
    const parsed = schema.safeParse(response.body);
    if (!parsed.success) throw unexpectedResponse('facebook', `${method} ${new URL(url).pathname}`, false);
    return parsed.data;
  }

  async function facebookToken(fields: Record<string, string>): Promise<UserToken> {
    const body = await graphRequest(
      'POST',
      `${graphBase}/oauth/access_token`,
      { client_id: options.facebookAppId, client_secret: options.facebookAppSecret, ...fields },
      tokenSchema,
    );
    return { accessToken: body.access_token, expiresIn: body.expires_in };
  }

  const facebook: PlatformLogin['facebook'] = {
    authorizeUrl({ redirectUri, state }) {
      const url = new URL(`${wwwBase}/${GRAPH_VERSION}/dialog/oauth`);
      url.searchParams.set('client_id', options.facebookAppId);
      url.searchParams.set('redirect_uri', redirectUri);
      url.searchParams.set('state', state);
      url.searchParams.set('scope', FACEBOOK_LOGIN_SCOPES.join(','));
      url.searchParams.set('response_type', 'code');
      return url.toString();
    },
    exchangeCode: ({ code, redirectUri }) => facebookToken({ code, redirect_uri: redirectUri }),
    longLivedToken: (shortLived) =>
      facebookToken({ grant_type: 'fb_exchange_token', fb_exchange_token: shortLived }),
    async managedPages(userToken) {
      const pages: ManagedPage[] = [];
      let url: string | undefined = `${graphBase}/me/accounts`;
      let fields: Record<string, string> = { fields: 'id,name,access_token', limit: '100' };
      for (let round = 0; url && round < MAX_ACCOUNT_PAGES; round += 1) {
        const body: z.infer<typeof accountsSchema> = await graphRequest(
          'GET',
          url,
          fields,
          accountsSchema,
          userToken,
        );
        for (const page of body.data) {
          // A Page listed without a token is one the person cannot publish to.
          if (page.access_token) pages.push({ id: page.id, name: page.name, accessToken: page.access_token });
        }
        url = body.paging?.next;
        fields = {};
      }
      return pages;
    },
  };

  const zalo: PlatformLogin['zalo'] = {
    authorizeUrl({ redirectUri, state, codeChallenge }) {
      const url = new URL(`${options.zaloOAuthUrl.replace(/\/+$/, '')}/v4/oa/permission`);
      url.searchParams.set('app_id', options.zaloAppId);
      url.searchParams.set('redirect_uri', redirectUri);
      url.searchParams.set('code_challenge', codeChallenge);
      url.searchParams.set('state', state);
      return url.toString();
    },
    async exchangeCode({ code, codeVerifier }) {
      const response = await send('zalo', options.http, {
        method: 'POST',
        url: `${options.zaloOAuthUrl.replace(/\/+$/, '')}/v4/oa/access_token`,
        headers: { secret_key: options.zaloAppSecret },
        body: {
          kind: 'form',
          fields: {
            code,
            app_id: options.zaloAppId,
            grant_type: 'authorization_code',
            code_verifier: codeVerifier,
          },
        },
      });
      const refused = zaloOAuthErrorSchema.safeParse(response.body);
      if (refused.success && refused.data.error !== 0) {
        const { error: errorCode } = refused.data;
        const message =
          refused.data.error_description ??
          refused.data.error_name ??
          refused.data.message ??
          `Zalo OAuth error ${errorCode}`;
        // Every OAuth refusal of a code is final for that code: it is never worth retrying.
        throw new ConnectorFailure('zalo', { kind: 'rejected', message, platformCode: errorCode });
      }
      if (response.status >= 300) {
        throw new ConnectorFailure(
          'zalo',
          classifyZaloFailure({ status: response.status, headers: response.headers, isWrite: false }, 60_000),
        );
      }
      const parsed = zaloTokenSchema.safeParse(response.body);
      if (!parsed.success) throw unexpectedResponse('zalo', 'POST /v4/oa/access_token', false);
      return {
        accessToken: parsed.data.access_token,
        refreshToken: parsed.data.refresh_token,
        expiresIn: parsed.data.expires_in,
      };
    },
  };

  return { facebook, zalo };
}
