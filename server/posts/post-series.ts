// Recurring posts: one post per occurrence. Only the next occurrence exists at any time; once
// its time has come, a recurring job creates the one after it — computed from *now*, so after
// downtime the series continues with a single post instead of a burst of missed ones.
import type { AuditRecorder } from '../audit/audit.service.ts';
import type { Database } from '../db/database.ts';
import type { PostStatus } from '../db/schema.ts';
import type { PostRow, PostsRepo } from './posts.repo.ts';
import { slugFor, type PublicationPort } from './posts.service.ts';
import { nextOccurrence } from './recurrence.ts';

/** A series continues after an occurrence in these states (a cancelled or rejected one ends it). */
const CONTINUES: PostStatus[] = ['scheduled', 'publishing', 'published', 'partially_failed', 'failed'];

export function createPostSeries(deps: {
  db: Database;
  repo: PostsRepo;
  audit: AuditRecorder;
  publications: PublicationPort;
  timeZone: string;
  now?: () => Date;
}) {
  const { db, repo, audit, publications } = deps;
  const now = deps.now ?? (() => new Date());

  async function continueSeries(latest: PostRow): Promise<PostRow | null> {
    if (!latest.recurrence || !latest.seriesId || !CONTINUES.includes(latest.status)) return null;
    const at = now();
    if (latest.scheduledAt > at) return null; // its time has not come: nothing to create yet
    const series = {
      rule: latest.recurrence.rule,
      start: latest.scheduledAt,
      until: new Date(latest.recurrence.until),
      zone: deps.timeZone,
    };
    const next = nextOccurrence(series, at > latest.scheduledAt ? at : latest.scheduledAt);
    if (!next) return null;
    const shift = next.getTime() - latest.scheduledAt.getTime();
    const created = await db.transaction(async (tx) => {
      // Another worker may have continued the series a moment ago.
      const current = await repo.lockById(latest.id, tx);
      const newest = (await repo.latestOccurrences(tx)).find((p) => p.seriesId === latest.seriesId);
      if (!current || newest?.id !== latest.id) return null;
      const approved = latest.approvedBy !== null;
      const post = await repo.insert(
        {
          status: approved ? 'scheduled' : 'draft',
          templateId: latest.templateId,
          templateVersion: latest.templateVersion,
          variables: latest.variables,
          title: latest.title,
          customTitle: latest.customTitle,
          text: latest.text,
          link: latest.link,
          mediaIds: latest.mediaIds,
          withCard: latest.withCard,
          card: latest.card,
          zaloCover: latest.zaloCover,
          channelIds: latest.channelIds,
          unitIds: latest.unitIds,
          scheduledAt: next,
          notAfter: latest.notAfter ? new Date(latest.notAfter.getTime() + shift) : null,
          urgent: false,
          recurrence: latest.recurrence,
          seriesId: latest.seriesId,
          campaignId: latest.campaignId,
          authorId: latest.authorId,
          unitId: latest.unitId,
          slug: slugFor(latest.title),
          approvedBy: latest.approvedBy,
          approvedAt: approved ? now() : null,
          approvedVersion: approved ? 1 : null,
        },
        tx,
      );
      if (approved) {
        await publications.createPublications(tx, {
          postId: post.id,
          channelIds: post.channelIds,
          scheduledAt: next,
          notAfter: post.notAfter,
        });
      }
      await repo.addEvent(
        {
          postId: post.id,
          actorId: null,
          action: 'occurrence_created',
          version: 1,
          details: { previous: latest.id },
        },
        tx,
      );
      await audit(
        {
          actorLabel: 'system',
          action: 'post.occurrence_created',
          targetType: 'post',
          targetId: post.id,
          details: { seriesId: latest.seriesId, scheduledAt: next.toISOString() },
        },
        tx,
      );
      return post;
    });
    if (created?.status === 'scheduled') await publications.enqueueForPost(created.id);
    return created;
  }

  /** The recurring job: continue every series whose latest occurrence's time has come. */
  async function continueDueSeries(): Promise<number> {
    let made = 0;
    for (const latest of await repo.latestOccurrences()) {
      if (await continueSeries(latest)) made += 1;
    }
    return made;
  }

  return { continueDueSeries };
}

export type PostSeries = ReturnType<typeof createPostSeries>;
