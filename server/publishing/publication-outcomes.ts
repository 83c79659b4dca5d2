// How an attempt ends, each in one transaction with its audit entries, the post's status and
// the notices: published (or found by reconciliation), retry later, failed, or the channel's
// token is dead. Every write is fenced on the lease owner: a worker that lost its lease changes nothing.
// These transactions commit without waiting for the WAL flush: if a database crash loses one, the
// publication is still `publishing` under a lease that runs out, and the next owner reconciles.
import { SYSTEM_AUDIT } from '../auth/actor.ts';
import type { AuditEntry, AuditRecorder } from '../audit/audit.service.ts';
import type { ChannelsService } from '../channels/channels.service.ts';
import type { PublishResult } from '../connectors/index.ts';
import type { Database, Executor } from '../db/database.ts';
import { asyncCommit } from '../db/async-commit.ts';
import { createPostsRepo } from '../posts/posts.repo.ts';
import { lockPosts, syncPostStatuses } from '../posts/publication-status.ts';
import type { NotificationsService } from '../notifications/notifications.service.ts';
import { retryOnConflict } from '../db/retry-conflict.ts';
import { createBatcher } from '../shared/batcher.ts';
import { appendAudit } from './post-status.ts';
import type { ClaimedPublication, PublicationRepo, PublicationRow } from './publication.repo.ts';

export interface Claim extends ClaimedPublication {
  attemptId: number;
}

interface PublishedItem {
  claim: Claim;
  result: PublishResult;
  how: 'published' | 'reconciled';
  broadcast: Record<string, unknown> | null;
  workerId: string;
}

export interface OutcomeDeps {
  db: Database;
  repo: PublicationRepo;
  audit: AuditRecorder;
  notifications: NotificationsService;
  channels: Pick<ChannelsService, 'markNeedsReconnect'>;
}

function entry(action: string, row: PublicationRow, details: Record<string, unknown>): AuditEntry {
  return {
    ...SYSTEM_AUDIT,
    action,
    targetType: 'publication',
    targetId: row.id,
    details: { postId: row.postId, channelId: row.channelId, ...details },
  };
}

export function createOutcomes(deps: OutcomeDeps) {
  const { db, repo, audit } = deps;
  const posts = createPostsRepo(db);
  const syncPost = async (postId: string, tx: Executor) => (await syncPostStatuses([postId], tx))[0];

  /**
   * Publications that went out, settled together: whatever finished while the previous batch was
   * being written goes in the next one, so a burst costs a handful of transactions, not one each.
   * A batch PostgreSQL aborted for a conflict runs again: every write in it is fenced on its owner.
   */
  const publishedBatch = createBatcher<PublishedItem, PublicationRow | undefined>((items) =>
    retryOnConflict(() => settlePublished(items)),
  );

  function settlePublished(items: PublishedItem[]): Promise<(PublicationRow | undefined)[]> {
    return db.transaction(async (tx) => {
      await asyncCommit(tx);
      const locked = await lockPosts(
        items.map((i) => i.claim.row.postId),
        tx,
      );
      const publishedAt = new Date();
      const rows = await repo.settlePublished(
        items.map((i) => ({
          id: i.claim.row.id,
          owner: i.claim.owner,
          externalId: i.result.externalId,
          permalink: i.result.permalink ?? null,
          publishedAt,
          broadcast: i.broadcast,
        })),
        tx,
      );
      const held = items.filter((i) => rows.some((r) => r.id === i.claim.row.id));
      for (const how of ['published', 'reconciled'] as const) {
        await repo.finishAttempts(
          held.filter((i) => i.how === how).map((i) => i.claim.attemptId),
          how,
          tx,
        );
      }
      const postEntries = await syncPostStatuses(
        rows.map((r) => r.postId),
        tx,
        { locked },
      );
      const entries = held.map((i) => {
        const row = rows.find((r) => r.id === i.claim.row.id) as PublicationRow;
        return entry(i.how === 'reconciled' ? 'publication.reconciled' : 'publication.published', row, {
          externalId: row.externalId,
          attempt: row.attempts,
          late: row.late,
          workerId: i.workerId,
          ...(i.result.details ?? {}),
        });
      });
      await appendAudit(audit, [...entries, ...postEntries], tx);
      return items.map((i) => rows.find((r) => r.id === i.claim.row.id));
    });
  }

  async function notifyFailed(
    row: PublicationRow,
    reason: string,
    tx: Executor,
    roles: 'admin'[] = ['admin'],
  ) {
    const post = await posts.findById(row.postId, tx);
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
    /** The attempt's post is out (or was found there): settled with others finishing at the same time. */
    published(
      claim: Claim,
      result: PublishResult,
      how: 'published' | 'reconciled',
      broadcast: Record<string, unknown> | null,
      workerId: string,
    ): Promise<PublicationRow | undefined> {
      return publishedBatch.push({ claim, result, how, broadcast, workerId });
    },

    /** Resolves once every outcome handed over has been written. */
    idle: () => publishedBatch.idle(),

    /** Back to `scheduled` with a retry time; `unknown` means the next claim reconciles first. */
    async retry(
      claim: Claim,
      failure: { kind: string; message: string },
      outcome: 'transient' | 'unknown' | 'rate_limited',
      delayMs: number,
    ): Promise<Date | undefined> {
      const nextAttemptAt = new Date(Date.now() + delayMs);
      return db.transaction(async (tx) => {
        await asyncCommit(tx);
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
        await appendAudit(
          audit,
          [
            entry('publication.retry_scheduled', row, {
              attempt: row.attempts,
              kind: failure.kind,
              message: failure.message,
              nextAttemptAt: nextAttemptAt.toISOString(),
              reconcileFirst: outcome === 'unknown',
            }),
          ],
          tx,
        );
        return nextAttemptAt;
      });
    },

    async failed(claim: Claim, reason: string, kind: string): Promise<PublicationRow | undefined> {
      return db.transaction(async (tx) => {
        await asyncCommit(tx);
        await lockPosts([claim.row.postId], tx);
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
        const postEntry = await syncPost(row.postId, tx);
        await notifyFailed(row, reason, tx);
        await appendAudit(
          audit,
          [entry('publication.failed', row, { kind, reason, attempt: row.attempts }), postEntry],
          tx,
        );
        return row;
      });
    },

    /** A scheduled publication nobody may claim any more (its do-not-publish-after passed). */
    async failedUnclaimed(id: string, reason: string): Promise<PublicationRow | undefined> {
      return db.transaction(async (tx) => {
        const postId = await repo.postIdOf(id, tx);
        if (postId) await lockPosts([postId], tx);
        const row = await repo.failPastNotAfter(id, reason, tx);
        if (!row) return undefined;
        const postEntry = await syncPost(row.postId, tx);
        await notifyFailed(row, reason, tx);
        await appendAudit(
          audit,
          [entry('publication.failed', row, { kind: 'not_after', reason }), postEntry],
          tx,
        );
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
        await lockPosts([claim.row.postId], tx);
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
        const entries: (AuditEntry | undefined)[] = all.map((row) =>
          entry('publication.failed', row, { kind: 'auth_expired', reason }),
        );
        entries.push(
          ...(await syncPostStatuses(
            all.map((r) => r.postId),
            tx,
          )),
        );
        // Admins already have the channel notice; the authors hear about their posts.
        for (const row of all) await notifyFailed(row, reason, tx, []);
        await appendAudit(audit, entries, tx);
        return all;
      });
    },
  };
}

export type Outcomes = ReturnType<typeof createOutcomes>;
