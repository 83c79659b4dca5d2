// Builds the publishing side of the container: connectors (mock or real URLs), channels,
// notifications, tracked links, the job queue and the publisher, from settings plus optional
// tuning (tests and benchmarks shorten timeouts and backoff).
import type { AuditRecorder } from '../audit/audit.service.ts';
import { createChannelsRepo } from '../channels/channels.repo.ts';
import { createChannelsService } from '../channels/channels.service.ts';
import type { TokenCrypto } from '../channels/token-crypto.ts';
import { facebookWwwUrl, type Config } from '../config.ts';
import {
  createConnectors,
  createHttpClient,
  createPlatformLogin,
  type ConnectorsOptions,
} from '../connectors/index.ts';
import type { Database } from '../db/database.ts';
import { createAttachableJobQueue } from '../jobs/job-queue.ts';
import { createLinksService } from '../links/links.service.ts';
import type { Logger } from '../logger.ts';
import { createNotificationsRepo } from '../notifications/notifications.repo.ts';
import { createNotificationsService } from '../notifications/notifications.service.ts';
import { createPublishing } from './index.ts';
import type { PostImageSource } from './post-images.ts';
import { DEFAULT_PUBLISHING, type PublishingSettings } from './publishing.settings.ts';

export interface PlatformUrls {
  facebookGraphUrl: string;
  zaloOpenApiUrl: string;
  zaloOAuthUrl: string;
}

export type PublishingTuning = Partial<Omit<PublishingSettings, 'publicUrl'>> & {
  connectors?: Partial<Omit<ConnectorsOptions, 'facebookGraphUrl' | 'zaloOpenApiUrl' | 'zaloOAuthUrl'>>;
};

const REAL_PLATFORMS: PlatformUrls = {
  facebookGraphUrl: 'https://graph.facebook.com',
  zaloOpenApiUrl: 'https://openapi.zalo.me',
  zaloOAuthUrl: 'https://oauth.zaloapp.com',
};

export function buildPublishingParts(input: {
  config: Readonly<Config>;
  db: Database;
  logger: Logger;
  secretKey: string;
  tokenCrypto: TokenCrypto;
  audit: AuditRecorder;
  images: PostImageSource;
  platformUrls?: PlatformUrls | null;
  mockPlatforms: () => { facebook: string; zalo: string } | null;
  tuning?: PublishingTuning;
}) {
  const { config, db, logger } = input;
  const { connectors: connectorTuning, ...tuning } = input.tuning ?? {};
  const settings: PublishingSettings = { ...DEFAULT_PUBLISHING, ...tuning, publicUrl: config.publicUrl };
  const urls = input.platformUrls ?? {
    facebookGraphUrl: config.platforms.facebookGraphUrl ?? REAL_PLATFORMS.facebookGraphUrl,
    zaloOpenApiUrl: config.platforms.zaloOpenApiUrl ?? REAL_PLATFORMS.zaloOpenApiUrl,
    zaloOAuthUrl: config.platforms.zaloOAuthUrl ?? REAL_PLATFORMS.zaloOAuthUrl,
  };
  const connectors = createConnectors({
    ...urls,
    zaloAppId: config.platforms.zaloAppId ?? '',
    zaloAppSecret: config.platforms.zaloAppSecret ?? '',
    timeoutMs: settings.connectorTimeoutMs,
    logger,
    ...connectorTuning,
    zaloVerifyPolling: { budgetMs: settings.zaloVerifyBudgetMs, ...connectorTuning?.zaloVerifyPolling },
  });
  // Connecting channels through the platforms' login: the same URLs as the connectors.
  const platformLogin = createPlatformLogin({
    http: createHttpClient({
      timeoutMs: settings.connectorTimeoutMs,
      logger: logger.child({ module: 'connectors' }),
    }),
    facebookGraphUrl: urls.facebookGraphUrl,
    facebookWwwUrl: facebookWwwUrl(config, input.mockPlatforms()),
    facebookAppId: config.platforms.facebookAppId ?? '',
    facebookAppSecret: config.platforms.facebookAppSecret ?? '',
    zaloOAuthUrl: urls.zaloOAuthUrl,
    zaloAppId: config.platforms.zaloAppId ?? '',
    zaloAppSecret: config.platforms.zaloAppSecret ?? '',
  });
  const notifications = createNotificationsService({ repo: createNotificationsRepo(db) });
  const channels = createChannelsService({
    db,
    repo: createChannelsRepo(db),
    crypto: input.tokenCrypto,
    connectors,
    audit: input.audit,
    notifications,
    logger,
    mockPlatforms: input.mockPlatforms,
  });
  const queue = createAttachableJobQueue();
  const links = createLinksService({ db, secretKey: input.secretKey });
  const publishing = createPublishing({
    db,
    channels,
    connectors,
    images: input.images,
    audit: input.audit,
    notifications,
    links,
    queue,
    settings,
    logger,
  });
  return { connectors, platformLogin, notifications, channels, queue, publishing, links };
}
