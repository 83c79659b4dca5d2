// The worker side of publishing (job `publication.publish`, payload: its id only): claim (in
// batches, see publish-dispatcher.ts) → reconcile if a previous attempt may have reached the
// platform → publish → settle. Agenda runs jobs at least once; this makes the effect happen once.
import { SYSTEM_AUDIT } from '../auth/actor.ts';
import type { AuditRecorder } from '../audit/audit.service.ts';
import type { ChannelsService } from '../channels/channels.service.ts';
import {
  clipText,
  ConnectorFailure,
  ZALO_LIMITS,
  type ChannelCredentials,
  type ConnectorError,
  type Connectors,
  type PublishInput,
  type PublishResult,
} from '../connectors/index.ts';
import type { Database } from '../db/database.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import type { Logger } from '../logger.ts';
import { broadcastPlan, type BroadcastPlan } from './broadcast-job.ts';
import { composeText, trackedUrl } from './compose-text.ts';
import { createPostsRepo } from '../posts/posts.repo.ts';
import { syncPostStatuses } from '../posts/publication-status.ts';
import { appendAudit } from './post-status.ts';
import { retryOnConflict } from '../db/retry-conflict.ts';
import { createPublishDispatcher, type ClaimRequest } from './publish-dispatcher.ts';
import type { PostImageSource, PostRow } from './post-images.ts';
import type { Claim, Outcomes } from './publication-outcomes.ts';
import type { PublicationRepo } from './publication.repo.ts';
import { PUBLISHING_JOBS } from './publishing.jobs.ts';
import { NOT_AFTER_REASON, isZaloNight, leaseMs, type PublishingSettings } from './publishing.settings.ts';
import { decideRetry } from './retry-policy.ts';

export interface PublishJobDeps {
  db: Database;
  repo: PublicationRepo;
  outcomes: Outcomes;
  channels: ChannelsService;
  connectors: Connectors;
  images: PostImageSource;
  audit: AuditRecorder;
  queue: JobQueue;
  settings: PublishingSettings;
  logger: Logger;
}

export interface JobRun {
  workerId: string;
  log: Logger;
}

type ChannelRow = Awaited<ReturnType<ChannelsService['findMany']>>[number];

/** What an attempt reads besides its publication, loaded once for a whole batch. */
interface Context {
  channels: Map<string, ChannelRow>;
  posts: Map<string, PostRow>;
}

export function createPublishJob(deps: PublishJobDeps) {
  const { db, repo, outcomes, settings } = deps;
  const leases = leaseMs(settings);
  const posts = createPostsRepo(db);

  /**
   * Committed durably before any platform is called, with the attempts and audit entries: a
   * crash from here on leaves a trace to reconcile. (Audit writes take no lock: see audit.service.ts.)
   */
  async function claim(request: ClaimRequest, workerId: string): Promise<Claim[]> {
    return retryOnConflict(() => claimOnce(request, workerId));
  }

  function claimOnce(request: ClaimRequest, workerId: string): Promise<Claim[]> {
    return db.transaction(async (tx) => {
      const claims = await repo.claimMany(
        request,
        { workerId, leaseMs: leases, lateGraceMs: settings.lateGraceMs },
        tx,
      );
      if (claims.length === 0) return [];
      const attempts = await repo.insertAttempts(
        claims.map((c) => ({ publicationId: c.row.id, number: c.row.attempts, workerId })),
        tx,
      );
      const postEntries = await syncPostStatuses(
        claims.map((c) => c.row.postId),
        tx,
        { skipLocked: true },
      );
      await appendAudit(
        deps.audit,
        [
          ...claims.map((c) => ({
            ...SYSTEM_AUDIT,
            action: 'publication.claimed',
            targetType: 'publication',
            targetId: c.row.id,
            details: {
              postId: c.row.postId,
              attempt: c.row.attempts,
              workerId,
              late: c.row.late,
              previousStatus: c.previousStatus,
            },
          })),
          ...postEntries,
        ],
        tx,
      );
      return claims.map((c, i) => ({ ...c, attemptId: attempts[i] as number }));
    });
  }

  async function loadContext(claims: Claim[]): Promise<Context> {
    const postIds = [...new Set(claims.map((c) => c.row.postId))];
    const [channelRows, postRows] = await Promise.all([
      deps.channels.findMany([...new Set(claims.map((c) => c.row.channelId))]),
      posts.findMany(postIds),
    ]);
    return {
      channels: new Map(channelRows.map((c) => [c.id, c])),
      posts: new Map(postRows.map((p) => [p.id, p])),
    };
  }

  /** One attempt per claim, side by side, reading channels and posts once for the batch. */
  function attemptAll(claims: Claim[], run: JobRun): Promise<void>[] {
    if (claims.length === 0) return [];
    const context = loadContext(claims);
    return claims.map((c) => context.then((ctx) => attempt(c, run, ctx)));
  }

  const dispatcher = createPublishDispatcher<Claim>({
    claim,
    attempt: attemptAll,
    timing: (ids) => repo.timing(ids),
    renewLeases: (held) => repo.renewLeases(held),
    failUnclaimed: (id) => outcomes.failedUnclaimed(id, NOT_AFTER_REASON),
    msUntilNextDue: () => repo.msUntilNextDue(),
    lookAheadMs: settings.lookAheadMs,
    leaseMs: leases,
    logger: deps.logger,
  });

  async function attempt(claim: Claim, run: JobRun, context: Context): Promise<void> {
    const { row } = claim;
    const log = run.log.child({ publicationId: row.id, attempt: row.attempts });
    const channel = context.channels.get(row.channelId);
    const post = context.posts.get(row.postId);
    if (!channel || channel.status !== 'active') {
      const reason = channel
        ? `the channel is ${channel.status.replace('_', ' ')}${channel.statusReason ? `: ${channel.statusReason}` : ''}`
        : 'the channel was removed';
      await outcomes.failed(claim, reason, 'channel_unavailable');
      return;
    }
    if (!post) {
      await outcomes.failed(claim, 'the post no longer exists', 'post_missing');
      return;
    }
    const connector = deps.connectors[channel.platform];
    let creds: ChannelCredentials = deps.channels.credentials(channel);

    // The first attempt of a publication that was waiting has nothing before it to look for.
    const previous = row.attempts > 1 ? await repo.previousAttempt(row.id, row.attempts) : undefined;
    const mayBeOut =
      claim.previousStatus === 'publishing' ||
      previous?.outcome === 'unknown' ||
      (previous !== undefined && previous.finishedAt === null);
    if (mayBeOut) {
      const since = (await repo.firstAttemptStart(row.id)) ?? row.scheduledAt;
      let found: PublishResult | null;
      try {
        found = await connector.findRecentPostByMarker(creds, row.linkCode, since);
      } catch (error) {
        // Still unknown: the next attempt reconciles again before anything is sent.
        await handleFailure(claim, asFailure(error, true), log);
        return;
      }
      if (found) {
        log.info({ externalId: found.externalId }, 'publication reconciled: the platform already had it');
        await settlePublished(
          claim,
          found,
          'reconciled',
          channel.platform === 'zalo' ? broadcastPlan(settings, new Date(), 'reconciled') : null,
          run,
        );
        return;
      }
    }
    if (row.notAfter && row.notAfter.getTime() <= Date.now()) {
      await outcomes.failed(claim, NOT_AFTER_REASON, 'not_after');
      return;
    }
    if (row.attempts > settings.retry.maxAttempts) {
      await outcomes.failed(
        claim,
        `gave up after ${row.attempts - 1} attempts: ${row.lastError ?? 'no answer from the platform'}`,
        row.lastErrorKind ?? 'transient',
      );
      return;
    }

    let input: PublishInput;
    try {
      input = await buildInput(post, row.linkCode, channel.platform);
    } catch (error) {
      await outcomes.failed(
        claim,
        `the post's images could not be read: ${(error as Error).message}`,
        'media_missing',
      );
      return;
    }
    const broadcastNow = channel.platform === 'zalo' && settings.zaloBroadcast && !isZaloNight(new Date());
    if (broadcastNow) input.broadcast = true;

    for (let refreshed = false; ;) {
      try {
        const result = await connector.publish(creds, input);
        const plan =
          channel.platform === 'zalo'
            ? broadcastPlan(settings, new Date(), broadcastNow ? 'requested' : 'deferred', result.broadcast)
            : null;
        await settlePublished(claim, result, 'published', plan, run);
        return;
      } catch (error) {
        const failure = asFailure(error, true);
        if (failure.kind === 'auth_expired' && !refreshed && connector.refreshCredentials) {
          // Zalo: one refresh (stored before anything else), then the same attempt goes on.
          try {
            creds = await deps.channels.refreshCredentials(channel.id, creds.accessToken);
            refreshed = true;
            continue;
          } catch (refreshError) {
            await handleFailure(claim, asFailure(refreshError, false), log);
            return;
          }
        }
        await handleFailure(claim, failure, log);
        return;
      }
    }
  }

  async function settlePublished(
    claim: Claim,
    result: PublishResult,
    how: 'published' | 'reconciled',
    plan: BroadcastPlan | null,
    run: JobRun,
  ) {
    const row = await outcomes.published(claim, result, how, plan?.record ?? null, run.workerId);
    if (!row) {
      run.log.error(
        { publicationId: claim.row.id },
        'lease lost before the outcome was stored; the next owner reconciles',
      );
      return;
    }
    if (plan?.enqueueAt) await enqueueSafely(PUBLISHING_JOBS.broadcast, row.id, plan.enqueueAt, run.log);
  }

  async function handleFailure(claim: Claim, failure: ConnectorError, log: Logger): Promise<void> {
    log.warn({ kind: failure.kind, message: failure.message }, 'publication attempt failed');
    if (failure.kind === 'auth_expired') {
      await outcomes.channelNeedsReconnect(claim, failure.message);
      return;
    }
    if (failure.kind === 'rejected') {
      await outcomes.failed(claim, failure.message, 'rejected');
      return;
    }
    const maybeDelivered = failure.kind === 'transient' && failure.maybeDelivered;
    const decision = decideRetry(failure, claim.row.attempts, settings.retry);
    if (!decision.retry && !maybeDelivered) {
      await outcomes.failed(claim, decision.reason, failure.kind);
      return;
    }
    // A post that may be out is never given up on unseen: one more claim reconciles it.
    const delayMs = decision.retry ? decision.delayMs : settings.retry.backoffMaxMs;
    const outcome = maybeDelivered
      ? 'unknown'
      : failure.kind === 'rate_limited'
        ? 'rate_limited'
        : 'transient';
    const at = await outcomes.retry(claim, failure, outcome, delayMs);
    if (at) await enqueueSafely(PUBLISHING_JOBS.publish, claim.row.id, at, log);
  }

  async function enqueueSafely(job: string, publicationId: string, at: Date, log: Logger) {
    try {
      await deps.queue.enqueue(job, { publicationId }, at);
    } catch (error) {
      // The state is stored; the sweeper re-enqueues what has no job.
      log.warn({ err: error, job, publicationId }, 'enqueue failed; the sweeper will pick it up');
    }
  }

  async function buildInput(
    post: PostRow,
    code: string,
    platform: 'facebook' | 'zalo',
  ): Promise<PublishInput> {
    const url = trackedUrl(settings.publicUrl, code);
    const images = await deps.images.imagesFor(post);
    // Checked at compose time (posts/post-checks.ts); clipped only for posts written before that.
    const title = clipText(post.title.trim(), ZALO_LIMITS.titleMax);
    // A post without a picture of its own got a generated cover for Zalo when it was written.
    const cover =
      platform === 'zalo' && images.length === 0 ? await deps.images.zaloCoverFor(post) : undefined;
    return {
      text: composeText(post.text, url),
      link: url,
      trackingMarker: code,
      ...(images.length > 0 ? { images } : {}),
      ...(cover ? { coverImage: cover } : {}),
      ...(platform === 'zalo' && title.length > 0 ? { title } : {}),
    };
  }

  return {
    publish: dispatcher.publish,
    quiesce: dispatcher.quiesce,
    resume: dispatcher.resume,
    idle: async () => {
      await dispatcher.idle();
      await outcomes.idle();
    },
  };
}

function asFailure(error: unknown, duringWrite: boolean): ConnectorError {
  if (error instanceof ConnectorFailure) return error.failure;
  // Not the platform's answer (a bug, a lost database): whether the post went out is unknown.
  return {
    kind: 'transient',
    message: error instanceof Error ? error.message : String(error),
    maybeDelivered: duringWrite,
  };
}
