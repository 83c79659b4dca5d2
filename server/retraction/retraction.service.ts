// Retracting a published warning everywhere it went, and superseding it with a newer one.
// ONE service: the post is marked retracted (with the reason, and the post that replaces it) in
// one transaction with its history and audit; queued publications are cancelled; every post
// that is out gets a removal job, retried like publishing until done. Later work (members'
// shares) extends it with a hook that runs inside the same transaction.
import type { AuditRecorder } from '../audit/audit.service.ts';
import { actorAudit, type Actor, SYSTEM_AUDIT } from '../auth/actor.ts';
import { requireInScope } from '../auth/unit-scope.ts';
import type { ChannelsService } from '../channels/channels.service.ts';
import type { Connectors } from '../connectors/index.ts';
import type { Database, Executor } from '../db/database.ts';
import type { PostStatus, UserRole } from '../db/schema.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import type { LinksService } from '../links/links.service.ts';
import type { Logger } from '../logger.ts';
import type { NotifyPort } from '../posts/post-workflow.ts';
import type { PostRow, PostsRepo } from '../posts/posts.repo.ts';
import type { PublicationRepo, PublicationRow } from '../publishing/publication.repo.ts';
import type { PublishingSettings } from '../publishing/publishing.settings.ts';
import { createRetractJob, type RetractJobSettings } from './retract-job.ts';
import { RETRACTION_JOBS, type RetractionWorkerSide } from './retraction.jobs.ts';
import { createRetractionRepo } from './retraction.repo.ts';
import { retractionStatus } from './retraction-status.ts';

/** Runs inside the retraction transaction, after the post is marked (e.g. members' shares). */
export type RetractionHook = (
  tx: Executor,
  event: { post: PostRow; actor: Actor; reason: string; supersededBy: string | null },
) => Promise<void>;

export interface RetractionDeps {
  db: Database;
  posts: PostsRepo;
  publications: PublicationRepo;
  channels: Pick<
    ChannelsService,
    'findMany' | 'credentials' | 'refreshCredentials' | 'namesIncludingRemoved'
  >;
  links: Pick<LinksService, 'retargetPost'>;
  connectors: Connectors;
  audit: AuditRecorder;
  notifications: NotifyPort;
  queue: JobQueue;
  settings: { publicUrl: string } & RetractJobSettings;
  logger: Logger;
  hooks?: RetractionHook[];
}

/** A post that is (at least partly) out can be retracted. */
export const RETRACTABLE: readonly PostStatus[] = ['publishing', 'published', 'partially_failed'];
/** A post that replaces another must be approved (it will be public). */
export const CAN_SUPERSEDE: readonly PostStatus[] = [
  'scheduled',
  'publishing',
  'published',
  'partially_failed',
];
const RETRACTORS: readonly UserRole[] = ['reviewer', 'admin'];
const REQUESTERS: readonly UserRole[] = ['editor', 'admin'];

/** From the publisher's knobs: same backoff; a lease for a removal (Zalo: remove, then a detail check). */
export function retractionSettings(p: PublishingSettings): RetractJobSettings {
  return {
    retry: p.retry,
    leaseMs: 2 * p.connectorTimeoutMs + p.leaseMarginMs,
    inFlightWaitMs: Math.max(p.retry.backoffBaseMs, 1_000),
    sweepGraceMs: Math.max(p.sweepGraceMs, 2_000),
    staleJobLockMs: p.staleJobLockMs,
  };
}

export function createRetraction(deps: RetractionDeps) {
  const { db, posts, audit } = deps;
  const repo = createRetractionRepo(db);
  const job = createRetractJob({ ...deps, repo });
  const publicPage = (slug: string) =>
    `${deps.settings.publicUrl.replace(/\/+$/, '')}/w/${encodeURIComponent(slug)}`;

  function cleanReason(reason: string): string {
    const text = reason.normalize('NFC').replace(/\s+/g, ' ').trim();
    if (!text) throw new ValidationError([{ path: 'reason', message: 'say why the warning is retracted' }]);
    return text;
  }

  function assertRetractable(post: PostRow) {
    if (post.status === 'retracted')
      throw new ConflictError('This post is already retracted', 'already_retracted', { status: post.status });
    if (!RETRACTABLE.includes(post.status)) {
      throw new ConflictError(
        `Only a published post can be retracted (this one is ${post.status})`,
        'not_published',
        { status: post.status, allowed: RETRACTABLE },
      );
    }
  }

  async function enqueue(publicationIds: string[]) {
    for (const publicationId of publicationIds) {
      try {
        await deps.queue.enqueue(RETRACTION_JOBS.retract, { publicationId });
      } catch (error) {
        // Committed already: the retraction sweep enqueues removals that have no job.
        deps.logger.warn(
          { err: error, publicationId },
          'enqueue failed; the retraction sweep will pick it up',
        );
      }
    }
  }

  /**
   * Retracts a published post: reviewer or admin. `supersededBy`: the post that replaces it
   * (its public page then links both ways). 409 when the post is not out or already retracted.
   */
  async function retract(
    actor: Actor,
    postId: string,
    reason: string,
    options: { supersededBy?: string } = {},
  ): Promise<PostRow> {
    if (!RETRACTORS.includes(actor.role))
      throw new ForbiddenError(
        'Only reviewers and admins retract posts; editors ask for it',
        'retract_reviewer_only',
      );
    const why = cleanReason(reason);
    const supersededBy = options.supersededBy ?? null;
    const { post, toRemove } = await db.transaction(async (tx) => {
      const current = await posts.lockById(postId, tx);
      if (!current) throw new NotFoundError('Post');
      requireInScope(actor, current.unitId, 'post');
      assertRetractable(current);
      const replacement = supersededBy ? await checkReplacement(actor, current, supersededBy, tx) : null;

      const rows = await deps.publications.lockByPost(postId, tx);
      const cancelled: PublicationRow[] = [];
      for (const row of rows.filter((r) => r.status === 'scheduled')) {
        await deps.publications.update(row.id, { status: 'cancelled', nextAttemptAt: null }, tx);
        await audit(
          {
            ...SYSTEM_AUDIT,
            action: 'publication.cancelled',
            targetType: 'publication',
            targetId: row.id,
            details: { postId, reason: 'post retracted' },
          },
          tx,
        );
        cancelled.push(row);
      }
      // Mid-publish: removed once it is out (the job waits). A cancelled retry: looked for on the
      // platform, since an earlier attempt may have reached it.
      const toRemove = rows.filter(
        (r) =>
          r.status === 'published' ||
          r.status === 'publishing' ||
          (r.status === 'scheduled' && r.attempts > 0),
      );
      await repo.request(
        toRemove.map((r) => ({ publicationId: r.id, postId })),
        tx,
      );
      // Clicks on the post's tracked links now land on its public page, which says it was retracted.
      await deps.links.retargetPost(postId, publicPage(current.slug), tx);

      const updated = await posts.update(
        postId,
        { status: 'retracted', retractedAt: new Date(), retractReason: why, supersededBy },
        tx,
      );
      const action = replacement ? 'superseded' : 'retracted';
      const details = {
        supersededBy,
        removals: toRemove.length,
        cancelled: cancelled.length,
        from: current.status,
      };
      await posts.addEvent(
        {
          postId,
          actorId: actorAudit(actor).actorId,
          action,
          version: current.version,
          comment: why,
          details,
        },
        tx,
      );
      if (replacement) {
        await posts.addEvent(
          {
            postId: replacement.id,
            actorId: actorAudit(actor).actorId,
            action: 'supersedes',
            version: replacement.version,
            comment: why,
            details: { supersedes: postId },
          },
          tx,
        );
      }
      await audit(
        {
          ...actorAudit(actor),
          action: `post.${action}`,
          targetType: 'post',
          targetId: postId,
          details: { ...details, reason: why },
        },
        tx,
      );
      for (const hook of deps.hooks ?? [])
        await hook(tx, { post: updated, actor, reason: why, supersededBy });
      return { post: updated, toRemove: toRemove.map((r) => r.id) };
    });
    await enqueue(toRemove);
    return post;
  }

  async function checkReplacement(actor: Actor, old: PostRow, newId: string, tx: Executor): Promise<PostRow> {
    if (newId === old.id)
      throw new ValidationError([{ path: 'byPostId', message: 'a post cannot replace itself' }]);
    // Only a post the actor can see replaces one: another unit's post is "no such post".
    const replacement = await posts.findInScope(newId, actor.scope, tx);
    if (!replacement) throw new ValidationError([{ path: 'byPostId', message: 'no such post' }]);
    if (!CAN_SUPERSEDE.includes(replacement.status)) {
      throw new ConflictError(
        `The replacing post must be approved or published (it is ${replacement.status})`,
        'replacement_not_approved',
        { status: replacement.status },
      );
    }
    return replacement;
  }

  /** Replaces a published post with a newer one: the old one is retracted and points to the new one. */
  async function supersede(
    actor: Actor,
    postId: string,
    input: { byPostId: string; reason?: string | undefined },
  ): Promise<PostRow> {
    if (!RETRACTORS.includes(actor.role))
      throw new ForbiddenError('Only reviewers and admins supersede posts', 'retract_reviewer_only');
    const replacement = await posts.findInScope(input.byPostId, actor.scope);
    const reason =
      input.reason?.trim() || `Được thay thế bởi cảnh báo mới: "${replacement?.title ?? input.byPostId}"`;
    return retract(actor, postId, reason, { supersededBy: input.byPostId });
  }

  /** An editor asks the reviewers to retract a post; the post itself does not change. */
  async function requestRetraction(actor: Actor, postId: string, reason: string): Promise<PostRow> {
    if (!REQUESTERS.includes(actor.role))
      throw new ForbiddenError('Only editors and admins ask for a retraction');
    const why = cleanReason(reason);
    return db.transaction(async (tx) => {
      const post = await posts.lockById(postId, tx);
      if (!post) throw new NotFoundError('Post');
      requireInScope(actor, post.unitId, 'post');
      assertRetractable(post);
      await posts.addEvent(
        {
          postId,
          actorId: actorAudit(actor).actorId,
          action: 'retract_requested',
          version: post.version,
          comment: why,
        },
        tx,
      );
      await audit(
        {
          ...actorAudit(actor),
          action: 'post.retract_requested',
          targetType: 'post',
          targetId: postId,
          details: { reason: why },
        },
        tx,
      );
      await deps.notifications.notify(
        { roles: [...RETRACTORS], inScopeOf: post.unitId },
        {
          kind: 'retract_requested',
          message: `${actor.name} đề nghị gỡ bài "${post.title}": ${why}`,
          link: `/posts/${postId}`,
        },
        tx,
      );
      return post;
    });
  }

  /** Removals that gave up go back on the queue (e.g. after a channel was reconnected). */
  async function retryFailed(actor: Actor, postId: string): Promise<number> {
    if (!RETRACTORS.includes(actor.role))
      throw new ForbiddenError('Only reviewers and admins retract posts', 'retract_reviewer_only');
    const rows = await db.transaction(async (tx) => {
      const post = await posts.lockById(postId, tx);
      if (!post) throw new NotFoundError('Post');
      requireInScope(actor, post.unitId, 'post');
      const requeued = await repo.requeueFailed(postId, tx);
      if (requeued.length > 0) {
        await audit(
          {
            ...actorAudit(actor),
            action: 'post.retract_retried',
            targetType: 'post',
            targetId: postId,
            details: { publications: requeued.map((r) => r.publicationId) },
          },
          tx,
        );
      }
      return requeued;
    });
    await enqueue(rows.map((r) => r.publicationId));
    return rows.length;
  }

  const workerSide: RetractionWorkerSide = {
    retract: (id, run) => job.run(id, run),
    sweep: (log) => job.sweep(log),
    lockLifetimeMs: deps.settings.leaseMs * 4,
  };

  const statusForPost = (postId: string) =>
    retractionStatus({ repo, publications: deps.publications, channels: deps.channels }, postId);

  /** The post that replaces this one (none or one) and those it replaces, by id and title. */
  async function supersession(post: { id: string; supersededBy: string | null }) {
    const title = (row: PostRow) => ({ id: row.id, title: row.title });
    const [replacement, replaced] = await Promise.all([
      post.supersededBy ? posts.findById(post.supersededBy) : Promise.resolve(undefined),
      posts.supersededBy(post.id),
    ]);
    return { replacementRows: replacement ? [title(replacement)] : [], replaced: replaced.map(title) };
  }

  return {
    retract,
    supersede,
    requestRetraction,
    retryFailed,
    statusForPost,
    supersession,
    workerSide,
    repo,
  };
}

export type Retraction = ReturnType<typeof createRetraction>;
