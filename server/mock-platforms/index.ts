// The mock Facebook Graph API and Zalo OA servers, each on its own port, sharing one
// simulated clock so that "three days later" means the same on both platforms.
import type { Logger } from 'pino';
import { createClock } from './shared/clock.ts';
import { listen } from './shared/http.ts';
import { createIdSource } from './shared/ids.ts';
import { createFacebookMock } from './facebook/facebook.mock.ts';
import { createZaloMock } from './zalo/zalo.mock.ts';

export { createFacebookMock, type FacebookMock, type FacebookMockOptions } from './facebook/facebook.mock.ts';
export { createZaloMock, type ZaloMock, type ZaloMockOptions } from './zalo/zalo.mock.ts';
export { createClock, type MockClock } from './shared/clock.ts';
export { signFacebookBody } from './facebook/webhooks.ts';
export { zaloSignature } from './zalo/webhooks.ts';

export interface MockPlatformCredentials {
  facebookAppId: string;
  facebookAppSecret: string;
  facebookVerifyToken: string;
  zaloAppId: string;
  zaloAppSecret: string;
  zaloOaSecretKey: string;
}

export interface StartMockPlatformsOptions {
  facebookPort: number;
  zaloPort: number;
  host?: string;
  seed: number;
  credentials: MockPlatformCredentials;
  logger?: Logger;
  /** Where the id counter starts (default 0): disjoint ranges for mocks sharing one database. */
  idStart?: number;
}

export interface RunningMockPlatforms {
  /** Graph base without the version: connectors add `/v26.0`. */
  facebookUrl: string;
  zaloOpenApiUrl: string;
  /** The OAuth v4 endpoints are served by the same app as the Open API. */
  zaloOAuthUrl: string;
  close(): Promise<void>;
}

export async function startMockPlatforms(options: StartMockPlatformsOptions): Promise<RunningMockPlatforms> {
  const host = options.host ?? '127.0.0.1';
  const clock = createClock();
  const ids = createIdSource(options.idStart);
  const logger = options.logger;
  const facebook = createFacebookMock({
    seed: options.seed,
    credentials: options.credentials,
    clock,
    ids,
    ...(logger ? { logger: logger.child({ mock: 'facebook' }) } : {}),
  });
  const zalo = createZaloMock({
    seed: options.seed,
    credentials: options.credentials,
    clock,
    ids,
    ...(logger ? { logger: logger.child({ mock: 'zalo' }) } : {}),
  });
  const facebookServer = await listen(facebook.app, options.facebookPort, host);
  let zaloServer;
  try {
    zaloServer = await listen(zalo.app, options.zaloPort, host);
  } catch (error) {
    facebook.close();
    await facebookServer.close();
    throw error;
  }
  const zaloListening = zaloServer;
  return {
    facebookUrl: facebookServer.url,
    zaloOpenApiUrl: zaloListening.url,
    zaloOAuthUrl: zaloListening.url,
    async close() {
      facebook.close();
      zalo.close();
      await Promise.all([facebookServer.close(), zaloListening.close()]);
    },
  };
}
