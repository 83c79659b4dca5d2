// Warning posts: composing (from a template or free text), editing, and reading them back.
// The review workflow (submit, approve, reject, cancel) is in post-workflow.ts.
import { randomBytes } from 'node:crypto';
import { inArray } from 'drizzle-orm';
import type { AuditRecorder } from '../audit/audit.service.ts';
import { actorAudit, type Actor } from '../auth/actor.ts';
import type { Database, Executor } from '../db/database.ts';
import { campaigns, channels, media, units, type Platform, type PostCard } from '../db/schema.ts';
import { ForbiddenError, NotFoundError, ValidationError, type FieldProblem } from '../errors.ts';
import { checkPlatformLimits } from '../templates/template-render.ts';
import type { TemplatesService } from '../templates/templates.service.ts';
import type { PostFilter, PostRow, PostsRepo } from './posts.repo.ts';
import type { CreatePostInput, UpdatePostInput } from './posts.schemas.ts';
import { assertStatus, assertVersion } from './post-states.ts';
import { validateSeries } from './recurrence.ts';

/** What posts need from publishing (server/publishing): the rows after approval, and their fate. */
export interface PublicationPort {
  createPublications(
    tx: Executor,
    input: { postId: string; channelIds: string[]; scheduledAt: Date; notAfter: Date | null },
  ): Promise<string[]>;
  enqueueForPost(postId: string): Promise<void>;
  cancelForPost(tx: Executor, postId: string): Promise<void>;
  rescheduleForPost(tx: Executor, postId: string, scheduledAt: Date, notAfter: Date | null): Promise<void>;
}

export interface PostsDeps {
  db: Database;
  repo: PostsRepo;
  audit: AuditRecorder;
  templates: Pick<TemplatesService, 'renderPost' | 'cardUrl'>;
  settings: { publicUrl: string; timeZone: string; requireApproval: boolean };
  now?: () => Date;
}

/** A readable, unique slug from the headline: Vietnamese letters folded to ASCII, plus a short random tail. */
export function slugFor(title: string): string {
  const base = title
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return `${base || 'canh-bao'}-${randomBytes(4).toString('hex').slice(0, 6)}`;
}

export function presentPost(row: PostRow, deps: { publicUrl: string; cardUrl: (card: PostCard) => string }) {
  return {
    id: row.id,
    status: row.status,
    version: row.version,
    title: row.title,
    text: row.text,
    link: row.link,
    card: row.card
      ? {
          url: deps.cardUrl(row.card),
          width: row.card.width,
          height: row.card.height,
          altText: row.card.altText,
        }
      : null,
    mediaIds: row.mediaIds,
    channelIds: row.channelIds,
    unitIds: row.unitIds,
    templateId: row.templateId,
    variables: row.variables,
    scheduledAt: row.scheduledAt.toISOString(),
    notAfter: row.notAfter?.toISOString() ?? null,
    urgent: row.urgent,
    recurrence: row.recurrence,
    seriesId: row.seriesId,
    campaignId: row.campaignId,
    authorId: row.authorId,
    approvedBy: row.approvedBy,
    approvedAt: row.approvedAt?.toISOString() ?? null,
    publishedAt: row.publishedAt?.toISOString() ?? null,
    retractedAt: row.retractedAt?.toISOString() ?? null,
    retractReason: row.retractReason,
    supersededBy: row.supersededBy,
    unitId: row.unitId,
    parentPostId: row.parentPostId,
    publicUrl: `${deps.publicUrl}/w/${row.slug}`,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export const EDITABLE_STATUSES = ['draft', 'rejected', 'scheduled'] as const;
const CONTENT_FIELDS = [
  'templateId',
  'variables',
  'text',
  'link',
  'mediaIds',
  'withCard',
  'channelIds',
  'unitIds',
  'campaignId',
  'recurrence',
] as const;

export function createPostsService(deps: PostsDeps) {
  const { db, repo, audit, settings } = deps;
  const now = deps.now ?? (() => new Date());

  /** Every id the post refers to exists (and channels are usable); all problems at once. */
  async function checkReferences(input: {
    channelIds?: string[];
    mediaIds?: string[];
    campaignId?: string | null;
    unitIds?: string[];
  }) {
    const problems: FieldProblem[] = [];
    const platforms = new Set<Platform>();
    if (input.channelIds?.length) {
      const rows = await db.select().from(channels).where(inArray(channels.id, input.channelIds));
      input.channelIds.forEach((id, i) => {
        const row = rows.find((r) => r.id === id && !r.deletedAt);
        if (!row) problems.push({ path: `channelIds.${i}`, message: 'channel does not exist' });
        else if (row.status === 'disabled')
          problems.push({ path: `channelIds.${i}`, message: `channel "${row.name}" is disabled` });
        else platforms.add(row.platform);
      });
      if (new Set(input.channelIds).size !== input.channelIds.length)
        problems.push({ path: 'channelIds', message: 'a channel is listed twice' });
    }
    if (input.mediaIds?.length) {
      const rows = await db
        .select({ id: media.id, deletedAt: media.deletedAt })
        .from(media)
        .where(inArray(media.id, input.mediaIds));
      input.mediaIds.forEach((id, i) => {
        if (!rows.some((r) => r.id === id && !r.deletedAt))
          problems.push({ path: `mediaIds.${i}`, message: 'image does not exist' });
      });
    }
    if (input.campaignId) {
      const rows = await db
        .select({ id: campaigns.id })
        .from(campaigns)
        .where(inArray(campaigns.id, [input.campaignId]));
      if (rows.length === 0) problems.push({ path: 'campaignId', message: 'campaign does not exist' });
    }
    if (input.unitIds?.length) {
      const rows = await db.select({ id: units.id }).from(units).where(inArray(units.id, input.unitIds));
      input.unitIds.forEach((id, i) => {
        if (!rows.some((r) => r.id === id))
          problems.push({ path: `unitIds.${i}`, message: 'unit does not exist' });
      });
    }
    return { problems, platforms };
  }

  function checkTimes(
    scheduledAt: Date,
    notAfter: Date | null | undefined,
    problems: FieldProblem[],
    urgent = false,
  ) {
    if (!urgent && scheduledAt.getTime() < now().getTime() - 60_000) {
      problems.push({ path: 'scheduledAt', message: 'is in the past' });
    }
    if (notAfter && notAfter <= scheduledAt)
      problems.push({ path: 'notAfter', message: 'must be after scheduledAt' });
  }

  async function render(
    input: Pick<CreatePostInput, 'templateId' | 'variables' | 'text' | 'withCard'>,
    platforms: Set<Platform>,
    unitId: string | null,
  ) {
    const rendered = await deps.templates.renderPost({
      // The post's unit fills the template variables declaring `from: unit.*` left empty.
      unitId,
      ...(input.templateId !== undefined && { templateId: input.templateId }),
      ...(input.variables !== undefined && { variables: input.variables }),
      ...(input.text !== undefined && { text: input.text }),
      withCard: input.withCard ?? false,
    });
    const problems = [...platforms].flatMap((platform) =>
      checkPlatformLimits({ text: rendered.text, title: rendered.title }, platform).map((p) => ({
        ...p,
        path: `${platform}.${p.path}`,
      })),
    );
    return { rendered, problems };
  }

  async function createPost(
    actor: Actor,
    input: CreatePostInput,
    options: { tx?: Executor } = {},
  ): Promise<PostRow> {
    if (actor.role !== 'editor' && actor.role !== 'admin')
      throw new ForbiddenError('Only editors and admins write posts');
    if (input.urgent && actor.role !== 'admin')
      throw new ForbiddenError('Only an admin can publish urgently', 'urgent_admin_only');
    const { problems, platforms } = await checkReferences(input);
    const scheduledAt = input.urgent ? now() : input.scheduledAt;
    checkTimes(scheduledAt, input.notAfter, problems, input.urgent);
    if (input.recurrence) {
      if (input.urgent) problems.push({ path: 'recurrence', message: 'an urgent post cannot recur' });
      else {
        try {
          validateSeries({
            rule: input.recurrence.rule,
            start: scheduledAt,
            until: input.recurrence.until,
            zone: settings.timeZone,
          });
        } catch (error) {
          if (error instanceof ValidationError) problems.push(...error.problems);
          else throw error;
        }
      }
    }
    if (problems.length) throw new ValidationError(problems);
    const { rendered, problems: limits } = await render(input, platforms, actor.unitId);
    if (limits.length) throw new ValidationError(limits, 'The post is too long for a platform');

    const insert = async (tx: Executor) => {
      const row = await repo.insert(
        {
          status: 'draft',
          templateId: input.templateId ?? null,
          variables: rendered.variables ?? input.variables ?? {},
          title: rendered.title,
          text: rendered.text,
          link: input.link ?? null,
          mediaIds: input.mediaIds ?? [],
          withCard: input.withCard ?? false,
          card: rendered.card,
          channelIds: input.channelIds,
          unitIds: input.unitIds ?? [],
          scheduledAt,
          notAfter: input.notAfter ?? null,
          urgent: input.urgent ?? false,
          recurrence: input.recurrence
            ? { rule: input.recurrence.rule, until: input.recurrence.until.toISOString() }
            : null,
          campaignId: input.campaignId ?? null,
          authorId: actor.id,
          unitId: actor.unitId,
          slug: slugFor(rendered.title),
        },
        tx,
      );
      // A recurring post is the first occurrence of its own series.
      const post = row.recurrence ? await repo.update(row.id, { seriesId: row.id }, tx) : row;
      await repo.addEvent(
        { postId: post.id, actorId: actor.id, action: 'created', version: post.version },
        tx,
      );
      await audit(
        {
          ...actorAudit(actor),
          action: 'post.created',
          targetType: 'post',
          targetId: post.id,
          details: { title: post.title, urgent: post.urgent },
        },
        tx,
      );
      return post;
    };
    return options.tx ? insert(options.tx) : db.transaction(insert);
  }

  async function getPost(id: string): Promise<PostRow> {
    const row = await repo.findById(id);
    if (!row) throw new NotFoundError('Post');
    return row;
  }

  /**
   * Edits a draft, rejected or scheduled post. Content changes make a new version; a scheduled
   * post whose content changed goes back to review (when approval is required) and its
   * publications are withdrawn; a scheduled post that only moved in time is rescheduled in place.
   */
  async function updatePost(
    actor: Actor,
    id: string,
    input: UpdatePostInput,
    port: PublicationPort,
  ): Promise<PostRow> {
    if (actor.role !== 'editor' && actor.role !== 'admin')
      throw new ForbiddenError('Only editors and admins edit posts');
    const { problems, platforms } = await checkReferences(input);
    if (problems.length) throw new ValidationError(problems);
    const result = await db.transaction(async (tx) => {
      const post = await repo.lockById(id, tx);
      if (!post) throw new NotFoundError('Post');
      assertStatus(post, EDITABLE_STATUSES, 'edit');
      assertVersion(post, input.version);
      const scheduledAt = input.scheduledAt ?? post.scheduledAt;
      const notAfter = input.notAfter === undefined ? post.notAfter : input.notAfter;
      const timeProblems: FieldProblem[] = [];
      checkTimes(scheduledAt, notAfter, timeProblems);
      if (timeProblems.length) throw new ValidationError(timeProblems);

      const contentChanged = CONTENT_FIELDS.some((f) => input[f] !== undefined);
      let values: Partial<PostRow> = { scheduledAt, notAfter };
      if (contentChanged) {
        const usesTemplate = input.text === undefined && (input.templateId ?? post.templateId) !== null;
        const source = usesTemplate
          ? {
              templateId: (input.templateId ?? post.templateId)!,
              variables: input.variables ?? post.variables,
            }
          : { text: input.text ?? post.text };
        const channelIds = input.channelIds ?? post.channelIds;
        const allPlatforms = channelIds.length
          ? (await checkReferences({ channelIds })).platforms
          : platforms;
        const { rendered, problems: limits } = await render(
          { ...source, withCard: input.withCard ?? post.withCard },
          allPlatforms,
          post.unitId,
        );
        if (limits.length) throw new ValidationError(limits, 'The post is too long for a platform');
        values = {
          ...values,
          templateId: usesTemplate ? source.templateId! : null,
          variables: usesTemplate ? (rendered.variables ?? source.variables!) : {},
          title: rendered.title,
          text: rendered.text,
          card: rendered.card,
          withCard: input.withCard ?? post.withCard,
          link: input.link === undefined ? post.link : input.link,
          mediaIds: input.mediaIds ?? post.mediaIds,
          channelIds,
          unitIds: input.unitIds ?? post.unitIds,
          campaignId: input.campaignId === undefined ? post.campaignId : input.campaignId,
          recurrence:
            input.recurrence === undefined
              ? post.recurrence
              : input.recurrence
                ? { rule: input.recurrence.rule, until: input.recurrence.until.toISOString() }
                : null,
          version: post.version + 1,
        };
      }
      let enqueue = false;
      if (post.status === 'scheduled') {
        if (contentChanged && settings.requireApproval) {
          await port.cancelForPost(tx, post.id);
          values = {
            ...values,
            status: 'in_review',
            approvedBy: null,
            approvedAt: null,
            approvedVersion: null,
          };
        } else if (contentChanged) {
          await port.cancelForPost(tx, post.id);
          await port.createPublications(tx, {
            postId: post.id,
            channelIds: values.channelIds ?? post.channelIds,
            scheduledAt,
            notAfter,
          });
          enqueue = true;
        } else {
          await port.rescheduleForPost(tx, post.id, scheduledAt, notAfter);
          enqueue = true;
        }
      }
      const updated = await repo.update(post.id, values, tx);
      const action = contentChanged ? 'edited' : 'rescheduled';
      await repo.addEvent(
        {
          postId: post.id,
          actorId: actor.id,
          action,
          version: updated.version,
          details: {
            scheduledAt: scheduledAt.toISOString(),
            backToReview: updated.status === 'in_review' && post.status === 'scheduled',
          },
        },
        tx,
      );
      await audit(
        {
          ...actorAudit(actor),
          action: `post.${action}`,
          targetType: 'post',
          targetId: post.id,
          details: { version: updated.version, status: updated.status },
        },
        tx,
      );
      return { updated, enqueue };
    });
    if (result.enqueue) await port.enqueueForPost(result.updated.id);
    return result.updated;
  }

  return {
    createPost,
    getPost,
    updatePost,
    listPosts: (filter: PostFilter) => repo.list(filter),
    history: (id: string) => repo.events(id),
    present: (row: PostRow) =>
      presentPost(row, { publicUrl: settings.publicUrl, cardUrl: deps.templates.cardUrl }),
  };
}

export type PostsService = ReturnType<typeof createPostsService>;
