// How an attempt ends, each in one transaction with its audit entries, the post's status and
// the notices: published (or found by reconciliation), retry later, failed, or the channel's
// token is dead. Every write is fenced on the lease owner: a worker that lost its lease changes nothing.
import { eq } from 'drizzle-orm';
import type { AuditRecorder } from '../audit/audit.service.ts';
import type { ChannelsService } from '../channels/channels.service.ts';
import type { PublishResult } from '../connectors/index.ts';
import type { Database, Executor } from '../db/database.ts';
import { posts } from '../db/schema.ts';
import type { NotificationsService } from '../notifications/notifications.service.ts';
import { syncPostStatus } from './post-status.ts';
import type { ClaimedPublication, PublicationRepo, PublicationRow } from './publication.repo.ts';

export interface Claim extends ClaimedPublication {
  attemptId: number;
}

export interface OutcomeDeps {
  db: Database;
  repo: PublicationRepo;
  audit: AuditRecorder;
  notifications: NotificationsService;
  channels: Pick<ChannelsService, 'markNeedsReconnect'>;
}

const SYSTEM = { actorId: null, actorLabel: 'system' } as const;

export function createOutcomes(deps: OutcomeDeps) {
  const { db, repo, audit } = deps;
  const syncPost = (postId: string, tx: Executor) =>
    syncPostStatus(postId, (t) => repo.findByPost(postId, t), audit, tx);

  async function notifyFailed(
    row: PublicationRow,
    reason: string,
    tx: Executor,
    roles: 'admin'[] = ['admin'],
  ) {
    const [post] = await tx
      .select({ title: posts.title, authorId: posts.authorId })
      .from(posts)
      .where(eq(posts.id, row.postId));
    await deps.notifications.notify(
      { userIds: post ? [post.authorId] : [], roles },
      {
        kind: 'publication_failed',
        message: `Bài "${post?.title ?? row.postId}" không đăng được: ${reason}`,
        link: `/posts/${row.postId}`,
      },
      tx,
    );
  }

  return {
    async published(
      claim: Claim,
      result: PublishResult,
      how: 'published' | 'reconciled',
      broadcast: Record<string, unknown> | null,
      workerId: string,
    ): Promise<PublicationRow | undefined> {
      return db.transaction(async (tx) => {
        const row = await repo.settle(
          claim.row.id,
          claim.owner,
          {
            status: 'published',
            externalId: result.externalId,
            permalink: result.permalink ?? null,
            publishedAt: new Date(),
            lastError: null,
            lastErrorKind: null,
            nextAttemptAt: null,
            ...(broadcast ? { broadcast } : {}),
          },
          tx,
        );
        if (!row) return undefined;
        await repo.finishAttempt(claim.attemptId, { outcome: how }, tx);
        await audit(
          {
            ...SYSTEM,
            action: how === 'reconciled' ? 'publication.reconciled' : 'publication.published',
            targetType: 'publication',
            targetId: row.id,
            details: {
              postId: row.postId,
              channelId: row.channelId,
              externalId: row.externalId,
              attempt: row.attempts,
              late: row.late,
              workerId,
              ...(result.details ?? {}),
            },
          },
          tx,
        );
        await syncPost(row.postId, tx);
        return row;
      });
    },

    /** Back to `scheduled` with a retry time; `unknown` means the next claim reconciles first. */
    async retry(
      claim: Claim,
      failure: { kind: string; message: string },
      outcome: 'transient' | 'unknown' | 'rate_limited',
      delayMs: number,
    ): Promise<Date | undefined> {
      const nextAttemptAt = new Date(Date.now() + delayMs);
      return db.transaction(async (tx) => {
        const row = await repo.settle(
          claim.row.id,
          claim.owner,
          { status: 'scheduled', nextAttemptAt, lastError: failure.message, lastErrorKind: failure.kind },
          tx,
        );
        if (!row) return undefined;
        await repo.finishAttempt(
          claim.attemptId,
          { outcome, errorKind: failure.kind, errorMessage: failure.message },
          tx,
        );
        await audit(
          {
            ...SYSTEM,
            action: 'publication.retry_scheduled',
            targetType: 'publication',
            targetId: row.id,
            details: {
              postId: row.postId,
              attempt: row.attempts,
              kind: failure.kind,
              message: failure.message,
              nextAttemptAt: nextAttemptAt.toISOString(),
              reconcileFirst: outcome === 'unknown',
            },
          },
          tx,
        );
        return nextAttemptAt;
      });
    },

    async failed(claim: Claim, reason: string, kind: string): Promise<PublicationRow | undefined> {
      return db.transaction(async (tx) => {
        const row = await repo.settle(
          claim.row.id,
          claim.owner,
          { status: 'failed', lastError: reason, lastErrorKind: kind, nextAttemptAt: null },
          tx,
        );
        if (!row) return undefined;
        await repo.finishAttempt(
          claim.attemptId,
          { outcome: 'failed', errorKind: kind, errorMessage: reason },
          tx,
        );
        await audit(
          {
            ...SYSTEM,
            action: 'publication.failed',
            targetType: 'publication',
            targetId: row.id,
            details: { postId: row.postId, channelId: row.channelId, kind, reason, attempt: row.attempts },
          },
          tx,
        );
        await syncPost(row.postId, tx);
        await notifyFailed(row, reason, tx);
        return row;
      });
    },

    /** A scheduled publication nobody may claim any more (its do-not-publish-after passed). */
    async failedUnclaimed(id: string, reason: string): Promise<PublicationRow | undefined> {
      return db.transaction(async (tx) => {
        const row = await repo.failPastNotAfter(id, reason, tx);
        if (!row) return undefined;
        await audit(
          {
            ...SYSTEM,
            action: 'publication.failed',
            targetType: 'publication',
            targetId: row.id,
            details: { postId: row.postId, channelId: row.channelId, kind: 'not_after', reason },
          },
          tx,
        );
        await syncPost(row.postId, tx);
        await notifyFailed(row, reason, tx);
        return row;
      });
    },

    /**
     * The token is dead: this publication and every other one queued on the channel fail with the
     * reason, the channel is marked, admins are told (once, by the channel service), authors too.
     */
    async channelNeedsReconnect(claim: Claim, platformMessage: string): Promise<PublicationRow[]> {
      const reason = `the channel needs reconnecting: ${platformMessage}`;
      return db.transaction(async (tx) => {
        const own = await repo.settle(
          claim.row.id,
          claim.owner,
          { status: 'failed', lastError: reason, lastErrorKind: 'auth_expired', nextAttemptAt: null },
          tx,
        );
        if (!own) return [];
        await repo.finishAttempt(
          claim.attemptId,
          { outcome: 'failed', errorKind: 'auth_expired', errorMessage: platformMessage },
          tx,
        );
        await deps.channels.markNeedsReconnect(own.channelId, platformMessage, tx);
        const others = await repo.failQueuedOnChannel(own.channelId, reason, 'auth_expired', tx);
        const all = [own, ...others];
        for (const row of all) {
          await audit(
            {
              ...SYSTEM,
              action: 'publication.failed',
              targetType: 'publication',
              targetId: row.id,
              details: { postId: row.postId, channelId: row.channelId, kind: 'auth_expired', reason },
            },
            tx,
          );
        }
        for (const postId of new Set(all.map((r) => r.postId))) await syncPost(postId, tx);
        // Admins already have the channel notice; the authors hear about their posts.
        for (const row of all) await notifyFailed(row, reason, tx, []);
        return all;
      });
    },
  };
}

export type Outcomes = ReturnType<typeof createOutcomes>;
