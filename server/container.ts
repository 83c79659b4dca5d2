// The composition root: repositories, services and jobs wired together, once per process.
// No DI framework, no module-level singletons for I/O.
import { createAuditLog } from './audit/audit.service.ts';
import { ACTOR_CACHE_MS, createActorCache } from './auth/actor-cache.ts';
import { createAuthService } from './auth/auth.service.ts';
import { createRateLimiter } from './auth/rate-limits.repo.ts';
import { createTokensRepo } from './auth/tokens.repo.ts';
import { createChannelConnectRepo } from './channels/channel-connect.repo.ts';
import { createChannelsRepo } from './channels/channels.repo.ts';
import { createChannelConnectService } from './channels/channel-connect.service.ts';
import { createTokenCrypto } from './channels/token-crypto.ts';
import { createTokenRotation } from './channels/token-rotation.ts';
import { createCollectorMetricsRepo } from './engagement/collector-metrics.repo.ts';
import { createJobMetrics } from './jobs/job-metrics.ts';
import { createPublicationMetricsRepo } from './publishing/publication-metrics.repo.ts';
import { createMetrics } from './system/metrics.ts';
import { SYSTEM_ACTOR } from './auth/actor.ts';
import { facebookWwwUrl, resolvePreviousSecretKeys, type Config } from './config.ts';
import type { DatabaseHandle } from './db/database.ts';
import { createI18n } from './i18n/i18n.ts';
import type { Logger } from './logger.ts';
import { createHealthService } from './system/health.service.ts';
import { withCachedCheck } from './system/health-cache.ts';
import { createHomeRepo } from './system/home.repo.ts';
import { createHomeService } from './system/home.service.ts';
import path from 'node:path';
import { createRenderer } from './rendering/index.ts';
import { createTemplatesRepo } from './templates/templates.repo.ts';
import { createMediaRepo } from './media/media.repo.ts';
import { createMediaService } from './media/media.service.ts';
import { createMediaStorage } from './media/media.storage.ts';
import { createTemplatesService } from './templates/templates.service.ts';
import { createZaloCovers } from './templates/zalo-cover.ts';
import { createCampaignsService } from './campaigns/campaigns.service.ts';
import { createPostSeries } from './posts/post-series.ts';
import { createPostWorkflow } from './posts/post-workflow.ts';
import { createPostsRepo } from './posts/posts.repo.ts';
import { createPostsService } from './posts/posts.service.ts';
import { createPostDetailService } from './posts/post-detail.service.ts';
import { createUnitsRepo, createUsersRepo } from './users/users.repo.ts';
import { createUsersService } from './users/users.service.ts';
import { createUnitsService } from './users/units.service.ts';
import { createCascade } from './posts/cascade.service.ts';
import { createMediaImageSource } from './publishing/post-images.ts';
import { buildPublishingParts, type PlatformUrls, type PublishingTuning } from './publishing/wiring.ts';
import { createRetraction, retractionSettings } from './retraction/retraction.service.ts';
import { createAmplification } from './amplification/index.ts';
import { renderTemplate } from './templates/template-render.ts';
import { createEngagementRepo } from './engagement/engagement.repo.ts';
import { createEngagementService } from './engagement/engagement.service.ts';
import { ENGAGEMENT_JOBS } from './engagement/engagement.jobs.ts';
import { createDashboardRepo } from './engagement/dashboard.repo.ts';
import { createDashboardService } from './engagement/dashboard.service.ts';

export interface MockPlatformUrls {
  facebook: string;
  zalo: string;
}

export function buildContainer(input: {
  config: Readonly<Config>;
  database: DatabaseHandle;
  logger: Logger;
  secretKey: string;
  mockPlatforms?: MockPlatformUrls | null;
  /** Where the connectors send requests (the mocks' URLs when Loa runs them); default: config.platforms, else the real APIs. */
  platformUrls?: PlatformUrls | null;
  /** Shorter timeouts and backoff for tests and benchmarks. */
  publishingTuning?: PublishingTuning;
  /**
   * The time the posts module writes and checks posts at (default: the real time). The demo seed
   * moves it back to author its campaign's past fortnight; publishing keeps the database's clock.
   */
  clock?: () => Date;
}) {
  const { config, database, logger } = input;
  const { db } = database;
  const tokenCrypto = createTokenCrypto(input.secretKey, resolvePreviousSecretKeys(config));
  const auditLog = createAuditLog(db);
  const usersRepo = createUsersRepo(db);
  const unitsRepo = createUnitsRepo(db);
  const limiter = createRateLimiter(db);
  // Bearer token → actor for a few seconds; any change to people, units or tokens empties it.
  const actorCache = createActorCache({ ttlMs: ACTOR_CACHE_MS, maxEntries: 20_000 });
  const users = createUsersService({
    db,
    users: usersRepo,
    units: unitsRepo,
    audit: auditLog.record,
    identityChanged: actorCache.invalidate,
  });
  const auth = createAuthService({
    db,
    users: usersRepo,
    units: unitsRepo,
    tokens: createTokensRepo(db),
    limiter,
    audit: auditLog.record,
    actorCache,
    settings: { ...config.login, tokenTtlDays: config.apiTokenTtlDays },
  });
  const renderer = createRenderer({ cacheDir: path.join(config.mediaDir, 'cards'), logger });
  const media = createMediaService({
    db,
    repo: createMediaRepo(db),
    storage: createMediaStorage(config.mediaDir),
    audit: auditLog.record,
    inspectAndNormalizeImage: renderer.inspectAndNormalizeImage,
    settings: { maxPixels: config.upload.maxPixels, publicUrl: config.publicUrl },
  });
  const units = createUnitsService({
    db,
    units: unitsRepo,
    audit: auditLog.record,
    identityChanged: actorCache.invalidate,
    logos: {
      find: async (mediaId) => {
        const [row] = await media.getMany([mediaId]);
        return row ? { url: media.publicUrl(row, 'thumb'), localUrl: media.localUrl(row, 'thumb') } : null;
      },
      bytes: async (mediaId) => {
        const [row] = await media.getMany([mediaId]);
        return row ? media.readFile(row, 'large') : null;
      },
    },
  });
  const templates = createTemplatesService({
    db,
    repo: createTemplatesRepo(db),
    renderer,
    audit: auditLog.record,
    backgroundImage: async (id) => {
      const [row] = await media.getMany([id]);
      return row ? media.readFile(row, 'large') : null;
    },
    unitForRender: async (unitId) => (await units.forRender([unitId])).get(unitId) ?? null,
    settings: {
      mediaDir: config.mediaDir,
      cacheDir: path.join(config.mediaDir, 'cards'),
      publicUrl: config.publicUrl,
      timeZone: config.timeZone,
    },
    logger,
  });
  const health = withCachedCheck(
    createHealthService({ db, version: config.version, mockPlatforms: () => input.mockPlatforms ?? null }),
  );
  const home = createHomeService({ repo: createHomeRepo(db), units: unitsRepo, health });
  const publishingParts = buildPublishingParts({
    config,
    db,
    logger,
    secretKey: input.secretKey,
    tokenCrypto,
    audit: auditLog.record,
    images: createMediaImageSource({
      media,
      cards: renderer,
      mediaDir: config.mediaDir,
      publicUrl: config.publicUrl,
    }),
    platformUrls: input.platformUrls ?? null,
    mockPlatforms: () => input.mockPlatforms ?? null,
    ...(input.publishingTuning ? { tuning: input.publishingTuning } : {}),
  });
  const channelConnect = createChannelConnectService({
    repo: createChannelConnectRepo(db),
    crypto: tokenCrypto,
    login: publishingParts.platformLogin,
    connectors: publishingParts.connectors,
    channels: publishingParts.channels,
    unitIds: async () => new Set((await users.listAllUnits()).map((unit) => unit.id)),
    settings: { publicUrl: config.publicUrl },
  });
  const postsRepo = createPostsRepo(db);
  const zaloCovers = createZaloCovers({ renderer, mediaDir: config.mediaDir });
  const posts = createPostsService({
    db,
    repo: postsRepo,
    audit: auditLog.record,
    templates,
    covers: zaloCovers,
    facts: {
      channels: async (ids) =>
        (await publishingParts.channels.findMany([...ids])).map((row) => ({
          id: row.id,
          platform: row.platform,
          name: row.name,
        })),
      images: (ids) => media.outgoing(ids),
      unitName: async (id) => (await unitsRepo.findById(id))?.name,
    },
    settings: {
      publicUrl: config.publicUrl,
      timeZone: config.timeZone,
      requireApproval: config.requireApproval,
    },
    ...(input.clock ? { now: input.clock } : {}),
  });
  const postWorkflow = createPostWorkflow({
    db,
    repo: postsRepo,
    checks: posts,
    audit: auditLog.record,
    publications: publishingParts.publishing,
    notifications: publishingParts.notifications,
    settings: { requireApproval: config.requireApproval },
    ...(input.clock ? { now: input.clock } : {}),
  });
  const campaigns = createCampaignsService({ db, audit: auditLog.record });
  const postSeries = createPostSeries({
    db,
    repo: postsRepo,
    audit: auditLog.record,
    publications: publishingParts.publishing,
    timeZone: config.timeZone,
  });
  const retraction = createRetraction({
    db,
    posts: postsRepo,
    publications: publishingParts.publishing.repo,
    channels: publishingParts.channels,
    links: publishingParts.links,
    connectors: publishingParts.connectors,
    audit: auditLog.record,
    notifications: publishingParts.notifications,
    queue: publishingParts.queue,
    settings: { publicUrl: config.publicUrl, ...retractionSettings(publishingParts.publishing.settings) },
    logger,
  });
  const cascade = createCascade({
    db,
    repo: postsRepo,
    audit: auditLog.record,
    units,
    // Every child unit's channels, whoever cascades: the permission is the cascade's own rule.
    channels: { list: () => publishingParts.channels.list(SYSTEM_ACTOR) },
    covers: zaloCovers,
    templates,
    notifications: publishingParts.notifications,
    retraction,
    workflow: postWorkflow,
  });
  const i18n = createI18n(config.defaultLanguage);
  const amplification = createAmplification({
    db,
    logger,
    audit: auditLog.record,
    users: usersRepo,
    units: unitsRepo,
    registerMember: users.registerMember,
    notifications: publishingParts.notifications,
    links: publishingParts.links,
    templateCaptions: async (templateId, variables) =>
      renderTemplate(await templates.getTemplate(templateId), variables, { timeZone: config.timeZone })
        .captions,
    cardUrl: templates.cardUrl,
    translator: (language) => {
      const t = i18n.getFixedT(language);
      return (key, options) => String(t(key, options ?? {}));
    },
    settings: {
      publicUrl: config.publicUrl,
      timeZone: config.timeZone,
      secretKey: input.secretKey,
      defaultLanguage: config.defaultLanguage,
      facebookAppId: config.platforms.facebookAppId ?? '',
      facebookWwwUrl: () => facebookWwwUrl(config, input.mockPlatforms ?? null),
      dataDir: config.dataDir,
    },
  });
  const engagement = createEngagementService({
    db,
    repo: createEngagementRepo(db),
    connectors: publishingParts.connectors,
    channels: publishingParts.channels,
    notifications: publishingParts.notifications,
    memberShares: amplification.shareReach,
    metricUnavailableMessage: (values) => i18n.t('engagement.metricUnavailable', values),
    enqueueCollect: (payload) => publishingParts.queue.enqueue(ENGAGEMENT_JOBS.collect, payload),
    settings: {
      earlyOffsetsMinutes: config.engagement.offsetsMinutes,
      horizonDays: config.engagement.horizonDays,
      batchSize: config.engagement.batchSize,
      claimSize: 200,
      metrics: config.engagement.metrics,
      slowAtPercent: config.engagement.slowAtPercent,
      stopAtPercent: config.engagement.stopAtPercent,
      pauseMs: 10 * 60_000,
      slowDelayMs: 1_000,
      retentionDays: config.engagement.retentionDays,
      timeZone: config.timeZone,
      facebookAppSecret: config.platforms.facebookAppSecret ?? '',
      facebookVerifyToken: config.platforms.facebookVerifyToken ?? '',
      zaloAppId: config.platforms.zaloAppId ?? '',
      zaloOaSecretKey: config.platforms.zaloOaSecretKey ?? '',
    },
    logger,
  });
  // The dashboard's view-models read the collector's figures and the members' unit figures.
  const dashboard = createDashboardService({
    engagement,
    refusedMetrics: createEngagementRepo(db),
    repo: createDashboardRepo(db),
    memberStats: amplification.memberStats,
    campaigns,
    units: unitsRepo,
    timeZone: config.timeZone,
  });
  const tokenRotation = createTokenRotation({
    db,
    crypto: tokenCrypto,
    channels: createChannelsRepo(db),
    flows: createChannelConnectRepo(db),
  });
  const metrics = config.metricsToken
    ? createMetrics({
        publications: createPublicationMetricsRepo(db),
        jobs: createJobMetrics(db),
        collector: createCollectorMetricsRepo(db),
      })
    : null;
  return {
    ...publishingParts,
    tokenRotation,
    metrics,
    amplification,
    config,
    logger,
    database,
    secretKey: input.secretKey,
    i18n,
    engagement,
    dashboard,
    auditLog,
    limiter,
    users,
    auth,
    health,
    home,
    renderer,
    templates,
    media,
    posts,
    postWorkflow,
    postSeries,
    campaigns,
    retraction,
    channelConnect,
    units,
    cascade,
    postDetail: createPostDetailService({ repo: postsRepo, present: posts.present }),
    repos: { users: usersRepo, units: unitsRepo, posts: postsRepo },
  };
}

export type Container = ReturnType<typeof buildContainer>;
