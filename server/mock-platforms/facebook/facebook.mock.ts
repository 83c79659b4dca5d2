// createFacebookMock: the Graph API look-alike as an express app over in-memory state.
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
import { authenticate } from './auth.ts';
import { GraphError, defaultFaultBody, defaultFaultStatus, graphErrors, sendGraphError } from './errors.ts';
import { facebookControlRouter } from './control.ts';
import { graphHandler } from './graph.routes.ts';
import { facebookLoginRouter } from './login.routes.ts';
import { shareDialogRouter } from './share-dialog.ts';
import {
  addPage,
  facebookSettingsSchema,
  resetFacebookState,
  type FacebookSettings,
  type FacebookState,
} from './state.ts';
import { createFacebookWebhooks } from './webhooks.ts';

export interface FacebookMockOptions {
  seed: number;
  credentials: { facebookAppId: string; facebookAppSecret: string; facebookVerifyToken: string };
  clock?: MockClock;
  ids?: IdSource;
  logger?: Logger;
  settings?: Partial<FacebookSettings>;
}

export interface FacebookMock {
  app: express.Express;
  state: FacebookState;
  faults: FaultRegistry;
  webhookSender: WebhookSender;
  close(): void;
}

export function createFacebookMock(options: FacebookMockOptions): FacebookMock {
  const clock = options.clock ?? createClock();
  const ids = options.ids ?? createIdSource();
  const initialSettings = facebookSettingsSchema.parse(options.settings ?? {});
  const credentials = {
    appId: options.credentials.facebookAppId,
    appSecret: options.credentials.facebookAppSecret,
  };
  const state: FacebookState = {
    settings: { ...initialSettings },
    seed: options.seed,
    clock,
    ids,
    members: createMemberStore({ ids, seed: options.seed, userIdPrefix: '1000', tokenPrefix: 'EAAUser' }),
    pages: new Map(),
    pageByToken: new Map(),
    photos: new Map(),
    posts: new Map(),
    postsByPage: new Map(),
    loginCodes: new Map(),
    loginTokens: new Map(),
    usage: new Map(),
    webhook: undefined,
    emitted: new Map(),
    announced: new Set(),
  };
  const faults = createFaultRegistry();
  const timers = new Set<NodeJS.Timeout>();
  const sender = createWebhookSender({
    retryDelaysMs: () => state.settings.webhookRetryDelaysMs,
    timeoutMs: () => state.settings.webhookTimeoutMs,
    logger: options.logger,
  });
  const webhooks = createFacebookWebhooks(state, sender, credentials.appSecret);
  const fanRng = createRng(hashKey(options.seed, 'facebook-pages'));

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(
    faultMiddleware({
      registry: faults,
      defaultBody: defaultFaultBody,
      defaultStatus: defaultFaultStatus,
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
      userTokenLifetimeMs: () => state.settings.userTokenLifetimeSeconds * 1000,
      authenticateMember(req, res) {
        try {
          const actor = authenticate(state, credentials, req);
          if (actor.kind === 'user') return actor.user;
          sendGraphError(res, new GraphError(190, 'A user access token is required to share'));
        } catch (error) {
          if (!(error instanceof GraphError)) throw error;
          sendGraphError(res, error);
        }
        return undefined;
      },
      reset() {
        resetFacebookState(state);
        Object.assign(state.settings, initialSettings);
        faults.clear();
        sender.reset();
        clock.reset();
      },
    }),
  );
  const www: WwwSessions = {
    members: state.members,
    cookieName: WWW_SESSION_COOKIES.facebook,
    createDemoPerson() {
      const n = state.members.users.size + 1;
      const person = state.members.addUser(
        { name: `Cán bộ demo ${n}`, friends: 200 },
        clock.now(),
        state.settings.userTokenLifetimeSeconds * 1000,
      );
      for (const name of [`Công an Phường demo ${n}A`, `Công an Xã demo ${n}B`]) {
        addPage(state, { name, fanCount: Math.floor(500 + fanRng() * 20_000), adminUserId: person.id });
      }
      return person;
    },
  };
  app.use('/_mock', wwwSessionRouter(www));
  app.use(shareDialogRouter({ state, appId: credentials.appId, sessions: www }));
  app.use(
    '/_mock',
    facebookControlRouter(state, {
      verifyToken: options.credentials.facebookVerifyToken,
      sender,
      randomFans: () => Math.floor(500 + fanRng() * 20_000),
    }),
  );
  app.use(facebookLoginRouter(state, credentials, www));
  app.use(graphHandler(state, credentials, webhooks));

  app.use((req: Request, res: Response) => {
    sendGraphError(res, graphErrors.unknownPath(req.path.replace(/^\//, '')));
  });
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (error instanceof multer.MulterError) return sendGraphError(res, graphErrors.photoTooLarge());
    const status = (error as { status?: unknown }).status;
    if (status === 400 || status === 413) {
      return sendGraphError(res, graphErrors.invalidParam('Invalid request body'));
    }
    options.logger?.error({ err: error }, 'facebook mock failed');
    sendGraphError(
      res,
      new GraphError(1, 'An unknown error has occurred.', undefined, 'OAuthException', {
        is_transient: true,
      }),
    );
  });

  const unsubscribe = clock.onAdvance(() => webhooks.scan());
  const interval =
    state.settings.webhookScanIntervalMs > 0
      ? setInterval(() => webhooks.scan(), state.settings.webhookScanIntervalMs)
      : undefined;
  interval?.unref();

  return {
    app,
    state,
    faults,
    webhookSender: sender,
    close() {
      unsubscribe();
      if (interval) clearInterval(interval);
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      sender.close();
    },
  };
}
