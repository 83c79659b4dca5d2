// What the posts module calls: publications created inside the approve transaction, jobs
// enqueued after commit, cancel and reschedule under the same rule (nothing once a publication
// has started), and the per-channel status for the post's page and API.
import { SYSTEM_AUDIT } from '../auth/actor.ts';
import { randomUUID } from 'node:crypto';
import type { AuditRecorder } from '../audit/audit.service.ts';
import type { ChannelsService } from '../channels/channels.service.ts';
import type { Executor } from '../db/database.ts';
import type { LinksService } from '../links/links.service.ts';
import type { PostsRepo } from '../posts/posts.repo.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import type { Logger } from '../logger.ts';
import { newLinkCode, trackedUrl } from './compose-text.ts';
import type { PublicationRepo, PublicationRow } from './publication.repo.ts';
import { PUBLISHING_JOBS } from './publishing.jobs.ts';
import type { PublishingSettings } from './publishing.settings.ts';

interface Deps {
  db: Executor;
  repo: PublicationRepo;
  channels: Pick<ChannelsService, 'findMany' | 'namesIncludingRemoved'>;
  links: Pick<LinksService, 'createForPublication' | 'retarget'>;
  posts: Pick<PostsRepo, 'linkOf'>;
  audit: AuditRecorder;
  queue: JobQueue;
  settings: PublishingSettings;
  logger: Logger;
}

const STARTED = new Set(['publishing', 'published']);

/** Where a tracked link leads: the post's own link when it is a web address, else its public page. */
export function linkTarget(publicUrl: string, post: { link: string | null; slug: string }): string {
  if (post.link) {
    try {
      const url = new URL(post.link);
      if (url.protocol === 'https:' || url.protocol === 'http:') return url.href;
    } catch {
      // not a URL: fall back to the public page
    }
  }
  return `${publicUrl.replace(/\/+$/, '')}/w/${encodeURIComponent(post.slug)}`;
}

export function createPublishingService(deps: Deps) {
  const { repo, audit, settings } = deps;

  function assertNotStarted(rows: PublicationRow[]) {
    const started = rows.filter((r) => STARTED.has(r.status));
    if (started.length > 0) {
      throw new ConflictError(
        `${started.length} publication(s) of this post already started or went out; it can no longer be changed`,
        'publication_started',
      );
    }
  }

  async function createPublications(
    tx: Executor,
    input: { postId: string; channelIds: string[]; scheduledAt: Date; notAfter: Date | null },
  ): Promise<string[]> {
    const post = await deps.posts.linkOf(input.postId, tx);
    if (!post) throw new NotFoundError('Post');
    const wanted = [...new Set(input.channelIds)];
    const found = await deps.channels.findMany(wanted, tx);
    const missing = wanted.filter((id) => !found.some((c) => c.id === id));
    if (missing.length > 0)
      throw new ValidationError([
        { path: 'channelIds', message: `unknown or removed channel(s): ${missing.join(', ')}` },
      ]);
    const target = linkTarget(settings.publicUrl, post);
    const existing = await repo.lockByPost(input.postId, tx);
    assertNotStarted(existing.filter((r) => wanted.includes(r.channelId)));

    const ids: string[] = [];
    for (const channelId of wanted) {
      const before = existing.find((r) => r.channelId === channelId);
      const times = { scheduledAt: input.scheduledAt, notAfter: input.notAfter };
      if (before) {
        // Approved again after an edit: same row and tracked link, a fresh schedule.
        await repo.update(
          before.id,
          {
            ...times,
            status: 'scheduled',
            nextAttemptAt: null,
            lastError: null,
            lastErrorKind: null,
            late: false,
            leaseOwner: null,
            leaseExpiresAt: null,
          },
          tx,
        );
        await deps.links.retarget(before.linkCode, target, tx);
        ids.push(before.id);
        continue;
      }
      const id = randomUUID();
      const code = newLinkCode();
      await deps.links.createForPublication({ code, target, postId: post.id, publicationId: id }, tx);
      await repo.insert(
        { id, postId: post.id, channelId, linkCode: code, status: 'scheduled', ...times },
        tx,
      );
      ids.push(id);
    }
    for (const dropped of existing.filter((r) => !wanted.includes(r.channelId) && r.status === 'scheduled')) {
      await repo.update(dropped.id, { status: 'cancelled' }, tx);
    }
    await audit(
      {
        ...SYSTEM_AUDIT,
        action: 'publication.scheduled',
        targetType: 'post',
        targetId: post.id,
        details: {
          publicationIds: ids,
          channelIds: wanted,
          scheduledAt: input.scheduledAt.toISOString(),
          notAfter: input.notAfter?.toISOString() ?? null,
        },
      },
      tx,
    );
    return ids;
  }

  /** After commit. Safe to call twice (a second job finds the publication claimed or done). */
  async function enqueueForPost(postId: string): Promise<void> {
    const rows = (await repo.findByPost(postId)).filter((r) => r.status === 'scheduled');
    for (const row of rows) {
      // A retry's job is its only wake-up; a first attempt's follows the worker's own look-ahead.
      const due = row.nextAttemptAt
        ? Math.max(row.scheduledAt.getTime(), row.nextAttemptAt.getTime())
        : row.scheduledAt.getTime() + settings.publishJobDelayMs;
      try {
        await deps.queue.enqueue(PUBLISHING_JOBS.publish, { publicationId: row.id }, new Date(due));
      } catch (error) {
        // Committed already: the sweeper enqueues due publications that have no job.
        deps.logger.warn(
          { err: error, publicationId: row.id },
          'enqueue failed; the sweeper will pick it up',
        );
      }
    }
  }

  async function cancelForPost(tx: Executor, postId: string): Promise<void> {
    const rows = await repo.lockByPost(postId, tx);
    assertNotStarted(rows);
    for (const row of rows.filter((r) => r.status === 'scheduled')) {
      await repo.update(row.id, { status: 'cancelled', nextAttemptAt: null }, tx);
      await audit(
        {
          ...SYSTEM_AUDIT,
          action: 'publication.cancelled',
          targetType: 'publication',
          targetId: row.id,
          details: { postId },
        },
        tx,
      );
    }
  }

  /** The old jobs stay queued but cannot publish: a claim needs `scheduled_at <= now()`. */
  async function rescheduleForPost(
    tx: Executor,
    postId: string,
    scheduledAt: Date,
    notAfter: Date | null,
  ): Promise<void> {
    const rows = await repo.lockByPost(postId, tx);
    assertNotStarted(rows);
    for (const row of rows.filter((r) => r.status === 'scheduled')) {
      await repo.update(row.id, { scheduledAt, notAfter, nextAttemptAt: null, late: false }, tx);
      await audit(
        {
          ...SYSTEM_AUDIT,
          action: 'publication.rescheduled',
          targetType: 'publication',
          targetId: row.id,
          details: {
            postId,
            from: row.scheduledAt.toISOString(),
            to: scheduledAt.toISOString(),
            notAfter: notAfter?.toISOString() ?? null,
          },
        },
        tx,
      );
    }
  }

  async function listForPost(postId: string) {
    const rows = await repo.findByPost(postId);
    const channelRows = rows.length
      ? await repoChannels(rows.map((r) => r.channelId))
      : new Map<string, { platform: 'facebook' | 'zalo'; name: string }>();
    const attempts = await repo.attemptsFor(rows.map((r) => r.id));
    return rows.map((row) => {
      const channel = channelRows.get(row.channelId);
      return {
        id: row.id,
        channelId: row.channelId,
        platform: channel?.platform ?? null,
        channelName: channel?.name ?? null,
        status: row.status,
        externalId: row.externalId,
        permalink: row.permalink,
        publishedAt: row.publishedAt?.toISOString() ?? null,
        attempts: row.attempts,
        lastError: row.lastError,
        lastErrorKind: row.lastErrorKind,
        late: row.late,
        scheduledAt: row.scheduledAt.toISOString(),
        notAfter: row.notAfter?.toISOString() ?? null,
        nextAttemptAt: row.nextAttemptAt?.toISOString() ?? null,
        linkCode: row.linkCode,
        trackedUrl: trackedUrl(settings.publicUrl, row.linkCode),
        broadcast: row.broadcast,
        attemptsLog: attempts
          .filter((a) => a.publicationId === row.id)
          .map((a) => ({
            number: a.number,
            workerId: a.workerId,
            startedAt: a.startedAt.toISOString(),
            finishedAt: a.finishedAt?.toISOString() ?? null,
            outcome: a.outcome,
            errorKind: a.errorKind,
            errorMessage: a.errorMessage,
          })),
      };
    });
  }

  // Removed channels still name their old publications.
  const repoChannels = (ids: string[]) => deps.channels.namesIncludingRemoved(ids);

  return { createPublications, enqueueForPost, cancelForPost, rescheduleForPost, listForPost };
}

export type PublishingService = ReturnType<typeof createPublishingService>;
