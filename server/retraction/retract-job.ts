// The worker side of one retraction (job `publication.retract`, payload: the publication id):
// claim → remove the post from its platform → settle (retracted, retry later, or failed).
// Removal is idempotent on both platforms, so a second run after a crash does no harm.
import { SYSTEM_AUDIT } from '../auth/actor.ts';
import { randomUUID } from 'node:crypto';
import type { AuditRecorder } from '../audit/audit.service.ts';
import type { ChannelsService } from '../channels/channels.service.ts';
import { ConnectorFailure, type ConnectorError, type Connectors } from '../connectors/index.ts';
import type { Database, Executor } from '../db/database.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import type { Logger } from '../logger.ts';
import type { NotifyPort } from '../posts/post-workflow.ts';
import type { PostsRepo } from '../posts/posts.repo.ts';
import type { PublicationRepo } from '../publishing/publication.repo.ts';
import { decideRetry, type RetrySettings } from '../publishing/retry-policy.ts';
import { RETRACTION_JOBS } from './retraction.jobs.ts';
import type { RetractionRepo, RetractionRow } from './retraction.repo.ts';

export interface RetractJobSettings {
  retry: RetrySettings;
  /** Longest a removal may take (Zalo: remove, then a detail check): the lease. */
  leaseMs: number;
  /** A publication still being published is looked at again after this long. */
  inFlightWaitMs: number;
  sweepGraceMs: number;
  staleJobLockMs: number;
}

export interface RetractJobDeps {
  db: Database;
  repo: RetractionRepo;
  posts: Pick<PostsRepo, 'findById' | 'lockById' | 'addEvent'>;
  publications: Pick<PublicationRepo, 'findById' | 'lockByPost' | 'update'>;
  channels: Pick<ChannelsService, 'findMany' | 'credentials' | 'refreshCredentials'>;
  connectors: Connectors;
  audit: AuditRecorder;
  notifications: NotifyPort;
  queue: JobQueue;
  settings: RetractJobSettings;
}

function asFailure(error: unknown): ConnectorError {
  if (error instanceof ConnectorFailure) return error.failure;
  return {
    kind: 'transient',
    message: error instanceof Error ? error.message : String(error),
    maybeDelivered: false,
  };
}

export function createRetractJob(deps: RetractJobDeps) {
  const { db, repo, settings } = deps;

  async function enqueueSafely(publicationId: string, at: Date | undefined, log: Logger) {
    try {
      await deps.queue.enqueue(RETRACTION_JOBS.retract, { publicationId }, at);
    } catch (error) {
      log.warn({ err: error, publicationId }, 'enqueue failed; the retraction sweep will pick it up');
    }
  }

  /** When the post's last removal is done, its history says so (once). */
  async function noteCompletion(postId: string, tx: Executor) {
    // Removals settle concurrently: locking the post makes the last one to settle see all the
    // others committed, so exactly one of them writes the completion.
    const post = await deps.posts.lockById(postId, tx);
    if (!post) return;
    const rows = await repo.findByPost(postId, tx);
    if (rows.some((r) => r.status !== 'retracted')) return;
    await deps.posts.addEvent(
      {
        postId,
        actorId: null,
        action: 'retraction_completed',
        version: post.version,
        details: { publications: rows.length },
      },
      tx,
    );
  }

  async function retracted(claim: RetractionRow, owner: string, details: Record<string, unknown>) {
    await db.transaction(async (tx) => {
      const row = await repo.settle(
        claim.publicationId,
        owner,
        {
          status: 'retracted',
          retractedAt: new Date(),
          lastError: null,
          lastErrorKind: null,
          nextAttemptAt: null,
        },
        tx,
      );
      if (!row) return;
      await deps.audit(
        {
          ...SYSTEM_AUDIT,
          action: 'publication.retracted',
          targetType: 'publication',
          targetId: row.publicationId,
          details: { postId: row.postId, attempt: row.attempts, ...details },
        },
        tx,
      );
      await noteCompletion(row.postId, tx);
    });
  }

  async function later(
    claim: RetractionRow,
    owner: string,
    failure: { kind: string; message: string },
    delayMs: number,
    log: Logger,
  ) {
    const at = new Date(Date.now() + delayMs);
    const row = await db.transaction(async (tx) => {
      const settled = await repo.settle(
        claim.publicationId,
        owner,
        { status: 'pending', nextAttemptAt: at, lastError: failure.message, lastErrorKind: failure.kind },
        tx,
      );
      if (settled) {
        await deps.audit(
          {
            ...SYSTEM_AUDIT,
            action: 'publication.retract_retry_scheduled',
            targetType: 'publication',
            targetId: settled.publicationId,
            details: {
              postId: settled.postId,
              attempt: settled.attempts,
              kind: failure.kind,
              message: failure.message,
              nextAttemptAt: at.toISOString(),
            },
          },
          tx,
        );
      }
      return settled;
    });
    if (row) await enqueueSafely(row.publicationId, at, log);
  }

  async function failed(claim: RetractionRow, owner: string, failure: { kind: string; message: string }) {
    await db.transaction(async (tx) => {
      const row = await repo.settle(
        claim.publicationId,
        owner,
        { status: 'failed', nextAttemptAt: null, lastError: failure.message, lastErrorKind: failure.kind },
        tx,
      );
      if (!row) return;
      await deps.audit(
        {
          ...SYSTEM_AUDIT,
          action: 'publication.retract_failed',
          targetType: 'publication',
          targetId: row.publicationId,
          details: {
            postId: row.postId,
            attempt: row.attempts,
            kind: failure.kind,
            message: failure.message,
          },
        },
        tx,
      );
      const post = await deps.posts.findById(row.postId, tx);
      await deps.notifications.notify(
        { roles: ['admin', 'reviewer'], inScopeOf: post?.unitId ?? null },
        {
          kind: 'retraction_failed',
          message: `Không gỡ được bài "${post?.title ?? row.postId}" trên một kênh: ${failure.message}`,
          link: `/posts/${row.postId}`,
        },
        tx,
      );
    });
  }

  async function cancelQueued(publicationId: string, postId: string): Promise<boolean> {
    return db.transaction(async (tx) => {
      const row = (await deps.publications.lockByPost(postId, tx)).find((r) => r.id === publicationId);
      if (row?.status !== 'scheduled') return false;
      await deps.publications.update(row.id, { status: 'cancelled', nextAttemptAt: null }, tx);
      await deps.audit(
        {
          ...SYSTEM_AUDIT,
          action: 'publication.cancelled',
          targetType: 'publication',
          targetId: row.id,
          details: { postId, reason: 'post retracted' },
        },
        tx,
      );
      return true;
    });
  }

  async function run(publicationId: string, ctx: { workerId: string; log: Logger }): Promise<void> {
    const owner = `${ctx.workerId}#${randomUUID().slice(0, 8)}`;
    const claim = await repo.claim(publicationId, { owner, leaseMs: settings.leaseMs });
    if (!claim) return; // done, not due yet, or another worker has it
    const log = ctx.log.child({ publicationId, retractAttempt: claim.attempts });
    const publication = await deps.publications.findById(publicationId);
    if (!publication) return;
    // Waiting for a retry by the publisher: it must not go out now. Under the publications' row
    // lock, so the publisher cannot claim it at the same moment (its claim skips locked rows).
    let status = publication.status;
    if (status === 'scheduled' && (await cancelQueued(publicationId, publication.postId)))
      status = 'cancelled';
    if (status === 'publishing' || status === 'scheduled') {
      // In a publisher's hands (mid-call when the post was retracted): look again once it settles.
      const inFlight = {
        kind: 'in_flight',
        message: 'the post is still being published; it is removed once it is out',
      };
      await later(claim, owner, inFlight, settings.inFlightWaitMs, log);
      return;
    }
    // A cancelled retry may have reached the platform (an attempt that never heard back): it is
    // looked for by its tracked-link code. Anything else that is not out has nothing to remove.
    const mayBeOut = status === 'cancelled' && publication.attempts > 0;
    if (!publication.externalId && !mayBeOut) {
      await retracted(claim, owner, { nothingToRemove: true, publicationStatus: status });
      return;
    }
    const [channel] = await deps.channels.findMany([publication.channelId]);
    if (!channel) {
      const message = 'the channel was removed from Loa; remove the post on the platform by hand';
      await failed(claim, owner, { kind: 'channel_removed', message });
      return;
    }
    const connector = deps.connectors[channel.platform];
    let creds = deps.channels.credentials(channel);
    for (let refreshed = false; ;) {
      try {
        let externalId = publication.externalId;
        if (!externalId) {
          const found = await connector.findRecentPostByMarker(
            creds,
            publication.linkCode,
            publication.createdAt,
          );
          if (!found) {
            await retracted(claim, owner, {
              nothingToRemove: true,
              publicationStatus: status,
              reconciled: true,
            });
            return;
          }
          externalId = found.externalId;
        }
        await connector.deletePost(creds, externalId);
        log.info({ externalId, platform: channel.platform }, 'post removed from the platform');
        await retracted(claim, owner, { channelId: channel.id, platform: channel.platform, externalId });
        return;
      } catch (error) {
        const failure = asFailure(error);
        if (failure.kind === 'auth_expired' && !refreshed && connector.refreshCredentials) {
          try {
            creds = await deps.channels.refreshCredentials(channel.id, creds.accessToken);
            refreshed = true;
            continue;
          } catch (refreshError) {
            await failed(claim, owner, asFailure(refreshError));
            return;
          }
        }
        log.warn({ kind: failure.kind, message: failure.message }, 'retraction attempt failed');
        const decision = decideRetry(failure, claim.attempts, settings.retry);
        if (decision.retry) await later(claim, owner, failure, decision.delayMs, log);
        else await failed(claim, owner, { kind: failure.kind, message: decision.reason });
        return;
      }
    }
  }

  async function sweep(log: Logger): Promise<void> {
    const ids = await repo.orphaned(settings.sweepGraceMs, settings.staleJobLockMs, RETRACTION_JOBS.retract);
    for (const id of ids) await enqueueSafely(id, undefined, log);
    if (ids.length > 0) log.info({ retractions: ids.length }, 'retraction sweep re-enqueued removals');
  }

  return { run, sweep };
}
