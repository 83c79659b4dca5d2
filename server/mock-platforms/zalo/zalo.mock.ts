// createZaloMock: the Zalo OA Open API and OAuth v4 look-alike as one express app.
import express, { type NextFunction, type Request, type Response } from 'express';
import multer from 'multer';
import type { Logger } from 'pino';
import { createClock, type MockClock } from '../shared/clock.ts';
import { commonControlRouter } from '../shared/control-common.ts';
import { createFaultRegistry, faultMiddleware, type FaultRegistry } from '../shared/faults.ts';
import { bodyParsers } from '../shared/http.ts';
import { createIdSource, type IdSource } from '../shared/ids.ts';
import { createMemberStore } from '../shared/members.ts';
import { createRng, hashKey } from '../shared/prng.ts';
import { createWebhookSender, type WebhookSender } from '../shared/webhook-sender.ts';
import { WWW_SESSION_COOKIES, wwwSessionRouter, type WwwSessions } from '../shared/www-session.ts';
import { zaloControlRouter } from './control.ts';
import { sendZaloError, zaloErrors, ZaloError } from './envelope.ts';
import { oauthRouter } from './oauth.routes.ts';
import { openApiRouter } from './openapi.routes.ts';
import { resetZaloState, zaloSettingsSchema, type ZaloSettings, type ZaloState } from './state.ts';

export interface ZaloMockOptions {
  seed: number;
  credentials: { zaloAppId: string; zaloAppSecret: string; zaloOaSecretKey: string };
  clock?: MockClock;
  ids?: IdSource;
  logger?: Logger;
  settings?: Partial<ZaloSettings>;
}

export interface ZaloMock {
  app: express.Express;
  state: ZaloState;
  faults: FaultRegistry;
  webhookSender: WebhookSender;
  close(): void;
}

export function createZaloMock(options: ZaloMockOptions): ZaloMock {
  const clock = options.clock ?? createClock();
  const ids = options.ids ?? createIdSource();
  const initialSettings = zaloSettingsSchema.parse(options.settings ?? {});
  const state: ZaloState = {
    settings: { ...initialSettings },
    seed: options.seed,
    clock,
    ids,
    members: createMemberStore({ ids, seed: options.seed, userIdPrefix: '55', tokenPrefix: 'zut_' }),
    oas: new Map(),
    accessTokens: new Map(),
    refreshTokens: new Map(),
    codes: new Map(),
    articles: new Map(),
    articleByToken: new Map(),
    uploads: new Map(),
    broadcastsByMonth: new Map(),
    rate: { windowStart: 0, calls: 0 },
    webhookUrl: undefined,
  };
  const faults = createFaultRegistry();
  const timers = new Set<NodeJS.Timeout>();
  const sender = createWebhookSender({
    retryDelaysMs: () => state.settings.webhookRetryDelaysMs,
    timeoutMs: () => state.settings.webhookTimeoutMs,
    logger: options.logger,
  });
  const secrets = {
    appId: options.credentials.zaloAppId,
    appSecret: options.credentials.zaloAppSecret,
    oaSecretKey: options.credentials.zaloOaSecretKey,
  };
  const followerRng = createRng(hashKey(options.seed, 'zalo-oas'));

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(
    faultMiddleware({
      registry: faults,
      // Zalo answers its errors with HTTP 200; a fault with only a status is a gateway failure.
      defaultBody: (status) =>
        status === 200
          ? { error: -32, message: 'Your application reached limit call api' }
          : { error: -1, message: 'Internal Server Error' },
      defaultStatus: () => 200,
      timers,
    }),
  );
  app.use(bodyParsers(25 * 1024 * 1024));

  app.use(
    '/_mock',
    commonControlRouter({
      faults,
      clock,
      members: state.members,
      userTokenLifetimeMs: () => state.settings.memberTokenLifetimeSeconds * 1000,
      authenticateMember(req, res) {
        const header =
          req.get('access_token') ?? /^Bearer\s+(.+)$/i.exec(req.get('authorization') ?? '')?.[1];
        const user = header ? state.members.userByToken(header) : undefined;
        if (!user) sendZaloError(res, zaloErrors.invalidToken());
        else if (state.clock.now() >= user.tokenExpiresMs)
          sendZaloError(res, zaloErrors.expiredToken(state.settings.expiredTokenError));
        else return user;
        return undefined;
      },
      reset() {
        resetZaloState(state);
        Object.assign(state.settings, initialSettings);
        faults.clear();
        sender.reset();
        clock.reset();
      },
    }),
  );
  const www: WwwSessions = { members: state.members, cookieName: WWW_SESSION_COOKIES.zalo };
  app.use('/_mock', wwwSessionRouter(www));
  app.use(
    '/_mock',
    zaloControlRouter(state, {
      sender,
      secrets,
      randomFollowers: () => Math.floor(300 + followerRng() * 15_000),
    }),
  );
  app.use(oauthRouter(state, { appId: secrets.appId, appSecret: secrets.appSecret }));
  app.use(openApiRouter(state));

  app.use((_req: Request, res: Response) => {
    sendZaloError(res, zaloErrors.notSupported());
  });
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (error instanceof ZaloError) return sendZaloError(res, error);
    if (error instanceof multer.MulterError) return sendZaloError(res, zaloErrors.tooLarge());
    const status = (error as { status?: unknown }).status;
    if (status === 400 || status === 413)
      return sendZaloError(res, zaloErrors.invalidParam('Request body is invalid'));
    options.logger?.error({ err: error }, 'zalo mock failed');
    sendZaloError(res, new ZaloError(-1, 'Unknown error'));
  });

  return {
    app,
    state,
    faults,
    webhookSender: sender,
    close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      sender.close();
    },
  };
}
