// The publishing module's composition: the service the posts module calls (`c.publishing`) and
// the worker side the job registry runs.
import type { AuditRecorder } from '../audit/audit.service.ts';
import type { ChannelsService } from '../channels/channels.service.ts';
import type { Connectors } from '../connectors/index.ts';
import type { Database } from '../db/database.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import type { LinksService } from '../links/links.service.ts';
import type { Logger } from '../logger.ts';
import { createPostsRepo } from '../posts/posts.repo.ts';
import type { NotificationsService } from '../notifications/notifications.service.ts';
import { createBroadcastJob } from './broadcast-job.ts';
import type { PostImageSource } from './post-images.ts';
import { createOutcomes } from './publication-outcomes.ts';
import { createPublicationRepo } from './publication.repo.ts';
import { createPublishJob } from './publish-job.ts';
import type { PublishingWorkerSide } from './publishing.jobs.ts';
import { createPublishingService } from './publishing.service.ts';
import { leaseMs, type PublishingSettings } from './publishing.settings.ts';
import { createSweeper } from './sweeper.ts';

export interface PublishingDeps {
  db: Database;
  channels: ChannelsService;
  connectors: Connectors;
  images: PostImageSource;
  audit: AuditRecorder;
  notifications: NotificationsService;
  links: Pick<LinksService, 'createForPublication' | 'retarget'>;
  queue: JobQueue;
  settings: PublishingSettings;
  logger: Logger;
}

export function createPublishing(deps: PublishingDeps) {
  const repo = createPublicationRepo(deps.db);
  const outcomes = createOutcomes({
    db: deps.db,
    repo,
    audit: deps.audit,
    notifications: deps.notifications,
    channels: deps.channels,
  });
  const publishJob = createPublishJob({ ...deps, repo, outcomes });
  const broadcastJob = createBroadcastJob(deps);
  const sweep = createSweeper(deps);
  const leases = leaseMs(deps.settings);
  const workerSide: PublishingWorkerSide = {
    publish: (id, run) => publishJob.publish(id, run),
    background: { resume: publishJob.resume, quiesce: publishJob.quiesce, idle: publishJob.idle },
    broadcast: (id, log) => broadcastJob(id, log),
    sweep: async (log) => {
      await sweep(log);
    },
    refreshTokens: async (log) => {
      const result = await deps.channels.refreshDueTokens();
      if (result.refreshed + result.failed > 0) log.info(result, 'channel tokens refreshed');
    },
    logger: deps.logger,
    // Far above the longest lease: Agenda must never hand a running publish to another worker.
    lockLifetimeMs: Math.max(leases.facebook, leases.zalo) * 4,
  };
  return {
    ...createPublishingService({
      db: deps.db,
      repo,
      channels: deps.channels,
      links: deps.links,
      posts: createPostsRepo(deps.db),
      audit: deps.audit,
      queue: deps.queue,
      settings: deps.settings,
      logger: deps.logger,
    }),
    workerSide,
    repo,
    settings: deps.settings,
  };
}

export type Publishing = ReturnType<typeof createPublishing>;
export { DEFAULT_PUBLISHING, type PublishingSettings } from './publishing.settings.ts';
export { PUBLISHING_JOBS, publishingJobs, publishingSchedules } from './publishing.jobs.ts';
export { createMediaImageSource, type PostImageSource } from './post-images.ts';
