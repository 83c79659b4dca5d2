// The connectors' composition: one HTTP client shared by both platforms. Pointing Loa at the real
// APIs instead of the mocks is only a change of these URLs.
import type { Logger } from 'pino';
import { createFacebookConnector } from './facebook/facebook.connector.ts';
import { DEFAULT_RATE_LIMIT } from './facebook/graph-errors.ts';
import { createHttpClient } from './http-client.ts';
import type { PlatformConnector } from './types.ts';
import { createZaloConnector, type ZaloVerifyPolling } from './zalo/zalo.connector.ts';

export interface ConnectorsOptions {
  /** e.g. https://graph.facebook.com (v26.0 is added) or a mock's URL. */
  facebookGraphUrl: string;
  /** e.g. https://openapi.zalo.me */
  zaloOpenApiUrl: string;
  /** e.g. https://oauth.zaloapp.com */
  zaloOAuthUrl: string;
  zaloAppId: string;
  zaloAppSecret: string;
  /** Per-request timeout (default 15 s); keep it well below the publication lease. */
  timeoutMs?: number;
  /** Wait after a rate limit that names no time (default 60 s). */
  rateLimitWaitMs?: number;
  zaloVerifyPolling?: Partial<ZaloVerifyPolling>;
  logger?: Logger;
}

export interface Connectors {
  facebook: PlatformConnector;
  zalo: PlatformConnector;
}

export function createConnectors(options: ConnectorsOptions): Connectors {
  const http = createHttpClient({
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.logger ? { logger: options.logger.child({ module: 'connectors' }) } : {}),
  });
  const rateLimitWaitMs = options.rateLimitWaitMs ?? DEFAULT_RATE_LIMIT.rateLimitWaitMs;
  return {
    facebook: createFacebookConnector({
      http,
      graphUrl: options.facebookGraphUrl,
      rateLimit: { ...DEFAULT_RATE_LIMIT, rateLimitWaitMs },
    }),
    zalo: createZaloConnector({
      http,
      openApiUrl: options.zaloOpenApiUrl,
      oauthUrl: options.zaloOAuthUrl,
      appId: options.zaloAppId,
      appSecret: options.zaloAppSecret,
      rateLimitWaitMs,
      ...(options.zaloVerifyPolling ? { verifyPolling: options.zaloVerifyPolling } : {}),
    }),
  };
}

export * from './types.ts';
export { zaloTokenNeedsRefresh } from './zalo/zalo-oauth.ts';
export * from './platform-limits.ts';
export { articleDescription as zaloArticleDescription } from './zalo/zalo-article.ts';
export {
  createPlatformLogin,
  FACEBOOK_LOGIN_SCOPES,
  type ManagedPage,
  type PlatformLogin,
  type PlatformLoginOptions,
} from './platform-login.ts';
export { createHttpClient } from './http-client.ts';
