// Zalo OA token refresh (OAuth v4, research B2). Refresh tokens are single use and rotate: the old
// one dies the moment the platform answers, so the caller stores the returned pair before anything
// else. A refresh token is never replaced by an empty one (RELIABILITY F11, Postiz #1884).
import { z } from 'zod';
import { send, unexpectedResponse } from '../failures.ts';
import type { HttpClient } from '../http-client.ts';
import { ConnectorFailure, type ChannelCredentials } from '../types.ts';
import { classifyZaloFailure, zaloOAuthErrorSchema } from './zalo-errors.ts';

const tokenSchema = z.object({
  access_token: z.string(),
  refresh_token: z.string().nullish(),
  // Zalo sends seconds as a string ("90000"); accept a number too.
  expires_in: z.coerce.number().positive().optional(),
});

export interface ZaloOAuthOptions {
  http: HttpClient;
  oauthUrl: string;
  appId: string;
  appSecret: string;
  rateLimitWaitMs: number;
  now?: () => Date;
}

/**
 * Exchanges `creds.refreshToken` for a new access and refresh token. Throws auth_expired when the
 * refresh token is missing, refused (-14014: used or expired) or the answer lacks a new one; the
 * caller's stored credentials stay as they were in every failure case. A timeout is transient with
 * maybeDelivered: the platform may have rotated the token, in which case the next try gets -14014.
 */
export async function refreshZaloCredentials(
  options: ZaloOAuthOptions,
  creds: ChannelCredentials,
): Promise<ChannelCredentials> {
  if (!creds.refreshToken) {
    throw new ConnectorFailure('zalo', {
      kind: 'auth_expired',
      message: 'No Zalo refresh token is stored for this OA; reconnect it.',
    });
  }
  const response = await send('zalo', options.http, {
    method: 'POST',
    url: `${options.oauthUrl.replace(/\/+$/, '')}/v4/oa/access_token`,
    headers: { secret_key: options.appSecret },
    body: {
      kind: 'form',
      fields: { refresh_token: creds.refreshToken, app_id: options.appId, grant_type: 'refresh_token' },
    },
  });
  const refused = zaloOAuthErrorSchema.safeParse(response.body);
  if (refused.success && refused.data.error !== 0) {
    const { error: code } = refused.data;
    const message =
      refused.data.error_name ??
      refused.data.error_description ??
      refused.data.message ??
      `Zalo OAuth error ${code}`;
    throw new ConnectorFailure(
      'zalo',
      classifyZaloFailure(
        { status: response.status, headers: response.headers, isWrite: true, error: { code, message } },
        options.rateLimitWaitMs,
      ),
    );
  }
  if (response.status >= 300) {
    throw new ConnectorFailure(
      'zalo',
      classifyZaloFailure(
        { status: response.status, headers: response.headers, isWrite: true },
        options.rateLimitWaitMs,
      ),
    );
  }
  const parsed = tokenSchema.safeParse(response.body);
  if (!parsed.success) throw unexpectedResponse('zalo', 'POST /v4/oa/access_token', true);
  const { access_token: accessToken, refresh_token: refreshToken, expires_in: expiresIn } = parsed.data;
  if (!accessToken || !refreshToken) {
    throw new ConnectorFailure('zalo', {
      kind: 'auth_expired',
      message: `Zalo answered the token refresh without a new ${accessToken ? 'refresh' : 'access'} token; the stored tokens were kept, but the OA probably needs reconnecting.`,
    });
  }
  const now = (options.now ?? (() => new Date()))();
  return {
    externalId: creds.externalId,
    accessToken,
    refreshToken,
    ...(expiresIn !== undefined ? { tokenExpiresAt: new Date(now.getTime() + expiresIn * 1000) } : {}),
  };
}

/** True when the access token expires within `marginMs` (refresh ahead of expiry, not after a failure). */
export function zaloTokenNeedsRefresh(creds: ChannelCredentials, now: Date, marginMs = 60 * 60_000): boolean {
  return creds.tokenExpiresAt !== undefined && creds.tokenExpiresAt.getTime() - now.getTime() <= marginMs;
}
