// The review workflow: draft → in_review → scheduled (approved), or rejected with a comment
// pinned to the version reviewed; cancel before publishing; urgent publication by an admin.
// Four eyes: nobody approves their own post.
import type { AuditRecorder } from '../audit/audit.service.ts';
import { actorAudit, type Actor } from '../auth/actor.ts';
import { requireInScope } from '../auth/unit-scope.ts';
import type { Database, Executor } from '../db/database.ts';
import type { UserRole } from '../db/schema.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import { assertStatus, assertVersion } from './post-states.ts';
import type { PostRow, PostsRepo } from './posts.repo.ts';
import type { PublicationPort } from './posts.service.ts';

export interface NotifyPort {
  notify(
    target: { userIds?: string[]; roles?: UserRole[]; inScopeOf?: string | null },
    input: { kind: string; message: string; link?: string | null },
    tx?: Executor,
  ): Promise<number>;
}

interface Deps {
  db: Database;
  repo: PostsRepo;
  /** The compose-time checks (posts.service.ts): a post a platform would refuse is neither submitted nor approved. */
  checks: { assertPublishable(post: PostRow): Promise<void> };
  audit: AuditRecorder;
  publications: PublicationPort;
  notifications: NotifyPort;
  settings: { requireApproval: boolean };
  now?: () => Date;
}

const REVIEWERS: UserRole[] = ['reviewer', 'admin'];

export function createPostWorkflow(deps: Deps) {
  const { db, repo, audit, publications, notifications, settings, checks } = deps;
  const now = deps.now ?? (() => new Date());

  /** Locks the post, checks it, applies `change` and records the event and audit entry, in one transaction. */
  async function transition(
    actor: Actor,
    id: string,
    action: string,
    change: (
      post: PostRow,
      tx: Executor,
    ) => Promise<{ values: Partial<PostRow>; comment?: string | null; enqueue?: boolean }>,
  ): Promise<PostRow> {
    const { post, enqueue } = await db.transaction(async (tx) => {
      const current = await repo.lockById(id, tx);
      if (!current) throw new NotFoundError('Post');
      // Every transition (submit, approve, reject, cancel, urgent) stays within the actor's units.
      requireInScope(actor, current.unitId, 'post');
      const { values, comment, enqueue } = await change(current, tx);
      const post = await repo.update(id, values, tx);
      await repo.addEvent(
        { postId: id, actorId: actor.id, action, version: current.version, comment: comment ?? null },
        tx,
      );
      await audit(
        {
          ...actorAudit(actor),
          action: `post.${action}`,
          targetType: 'post',
          targetId: id,
          details: {
            from: current.status,
            to: post.status,
            version: current.version,
            ...(comment && { comment }),
          },
        },
        tx,
      );
      return { post, enqueue: enqueue ?? false };
    });
    if (enqueue) await publications.enqueueForPost(post.id);
    return post;
  }

  function requireChannels(post: PostRow) {
    if (post.channelIds.length === 0) {
      throw new ValidationError([
        { path: 'channelIds', message: 'choose at least one channel before sending the post for review' },
      ]);
    }
  }

  /** The values and publications of an approved post (inside the caller's transaction). */
  async function approveInto(post: PostRow, approver: Actor, tx: Executor, scheduledAt = post.scheduledAt) {
    await publications.createPublications(tx, {
      postId: post.id,
      channelIds: post.channelIds,
      scheduledAt,
      notAfter: post.notAfter,
    });
    return {
      status: 'scheduled' as const,
      scheduledAt,
      approvedBy: approver.id,
      approvedAt: now(),
      approvedVersion: post.version,
    };
  }

  async function submit(actor: Actor, id: string): Promise<PostRow> {
    if (actor.role !== 'editor' && actor.role !== 'admin')
      throw new ForbiddenError('Only editors and admins submit posts');
    if (!settings.requireApproval) {
      // Small teams without review: submitting schedules the post, recorded as such.
      return transition(actor, id, 'scheduled_without_review', async (post, tx) => {
        assertStatus(post, ['draft', 'rejected'], 'submit');
        requireChannels(post);
        await checks.assertPublishable(post);
        return { values: await approveInto(post, actor, tx), enqueue: true };
      });
    }
    const post = await transition(actor, id, 'submitted', async (current) => {
      assertStatus(current, ['draft', 'rejected'], 'submit');
      requireChannels(current);
      await checks.assertPublishable(current);
      return { values: { status: 'in_review' } };
    });
    await notifications.notify(
      { roles: REVIEWERS, inScopeOf: post.unitId },
      { kind: 'review_requested', message: `Bài "${post.title}" đang chờ duyệt`, link: `/posts/${post.id}` },
    );
    return post;
  }

  async function approve(
    actor: Actor,
    id: string,
    input: { comment?: string; version?: number },
  ): Promise<PostRow> {
    if (!REVIEWERS.includes(actor.role)) throw new ForbiddenError('Only reviewers and admins approve posts');
    return transition(actor, id, 'approved', async (post, tx) => {
      if (post.authorId === actor.id)
        throw new ForbiddenError('You cannot approve your own post (four-eyes rule)', 'four_eyes');
      assertStatus(post, ['in_review'], 'approve');
      assertVersion(post, input.version);
      await checks.assertPublishable(post);
      // Approved after its time, it goes out at once and publishing flags it late.
      return { values: await approveInto(post, actor, tx), comment: input.comment ?? null, enqueue: true };
    });
  }

  async function reject(
    actor: Actor,
    id: string,
    input: { comment: string; version?: number },
  ): Promise<PostRow> {
    if (!REVIEWERS.includes(actor.role)) throw new ForbiddenError('Only reviewers and admins reject posts');
    const post = await transition(actor, id, 'rejected', async (current) => {
      if (current.authorId === actor.id)
        throw new ForbiddenError('You cannot review your own post (four-eyes rule)', 'four_eyes');
      assertStatus(current, ['in_review'], 'reject');
      assertVersion(current, input.version);
      return { values: { status: 'rejected' }, comment: input.comment };
    });
    await notifications.notify(
      { userIds: [post.authorId] },
      {
        kind: 'post_rejected',
        message: `Bài "${post.title}" bị từ chối: ${input.comment}`,
        link: `/posts/${post.id}`,
      },
    );
    return post;
  }

  async function cancel(actor: Actor, id: string, input: { comment?: string }): Promise<PostRow> {
    if (actor.role === 'member') throw new ForbiddenError('Members cannot cancel posts');
    return transition(actor, id, 'cancelled', async (post, tx) => {
      if (actor.role === 'editor' && post.authorId !== actor.id && post.status !== 'draft') {
        // Editors cancel their own posts; reviewers and admins any post.
        throw new ForbiddenError('Only the author, a reviewer or an admin can cancel this post');
      }
      assertStatus(post, ['draft', 'in_review', 'rejected', 'scheduled'], 'cancel');
      if (post.status === 'scheduled') await publications.cancelForPost(tx, post.id);
      return { values: { status: 'cancelled' }, comment: input.comment ?? null };
    });
  }

  /** An admin's urgent post: approved by that admin and published at once, recorded as urgent. */
  async function publishUrgent(actor: Actor, id: string): Promise<PostRow> {
    if (actor.role !== 'admin')
      throw new ForbiddenError('Only an admin can publish urgently', 'urgent_admin_only');
    return transition(actor, id, 'approved_urgent', async (post, tx) => {
      assertStatus(post, ['draft'], 'publish urgently');
      requireChannels(post);
      await checks.assertPublishable(post);
      return { values: { ...(await approveInto(post, actor, tx, now())), urgent: true }, enqueue: true };
    });
  }

  return { submit, approve, reject, cancel, publishUrgent };
}

export type PostWorkflow = ReturnType<typeof createPostWorkflow>;
