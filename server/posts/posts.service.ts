// Warning posts: composing (from a template or free text), editing, and reading them back.
// The review workflow (submit, approve, reject, cancel) is in post-workflow.ts.
import { randomBytes } from 'node:crypto';
import type { AuditRecorder } from '../audit/audit.service.ts';
import { actorAudit, type Actor } from '../auth/actor.ts';
import { requireInScope } from '../auth/unit-scope.ts';
import type { Database, Executor } from '../db/database.ts';
import type { Platform, PostCard, PostStatus } from '../db/schema.ts';
import { createCampaignsRepo } from '../campaigns/campaigns.repo.ts';
import { createChannelsRepo } from '../channels/channels.repo.ts';
import { createMediaRepo } from '../media/media.repo.ts';
import { createUnitsRepo } from '../users/users.repo.ts';
import {
  ForbiddenError,
  NotFoundError,
  PlatformLimitError,
  ValidationError,
  type FieldProblem,
  type PlatformProblem,
} from '../errors.ts';
import type { TemplatesService } from '../templates/templates.service.ts';
import type { ZaloCovers } from '../templates/zalo-cover.ts';
import { ZALO_LIMITS } from '../connectors/index.ts';
import { checkPost, type CheckedChannel, type CheckedImage } from './post-checks.ts';
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

/** What the compose-time checks read from other modules (channels, media, units). */
export interface PostFactsPort {
  /** The channels that exist (not deleted), with their platform and name. */
  channels(ids: readonly string[]): Promise<CheckedChannel[]>;
  /** Each image as publishing sends it: type and size of the variant that goes out. */
  images(mediaIds: readonly string[]): Promise<Array<{ id: string; mime: string; bytes: number }>>;
  unitName(unitId: string): Promise<string | undefined>;
}

/** The parts of a post the checks and the generated Zalo cover depend on. */
export interface CheckablePost {
  title: string;
  text: string;
  card: PostCard | null;
  mediaIds: string[];
  channelIds: string[];
  unitId: string | null;
  scheduledAt: Date;
  notAfter: Date | null;
}

export interface PostsDeps {
  db: Database;
  repo: PostsRepo;
  audit: AuditRecorder;
  templates: Pick<TemplatesService, 'renderPost' | 'cardUrl'>;
  facts: PostFactsPort;
  covers: Pick<ZaloCovers, 'render'>;
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
    customTitle: row.customTitle,
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
    /** The generated Zalo cover of a post without a picture of its own (null otherwise). */
    zaloCover: row.zaloCover
      ? {
          url: deps.cardUrl(row.zaloCover),
          width: row.zaloCover.width,
          height: row.zaloCover.height,
          altText: row.zaloCover.altText,
        }
      : null,
    mediaIds: row.mediaIds,
    channelIds: row.channelIds,
    unitIds: row.unitIds,
    templateId: row.templateId,
    templateVersion: row.templateVersion,
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
  'title',
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
  // The references are read through the owning modules' repositories (reads only; removed
  // channels and images are not returned, so they read as missing).
  const references = {
    channels: createChannelsRepo(db),
    media: createMediaRepo(db),
    campaigns: createCampaignsRepo(db),
    units: createUnitsRepo(db),
  };

  /**
   * Every id the post refers to exists (and channels are usable); all problems at once. A channel
   * or image of a unit outside the actor's scope is refused (403) before anything else.
   */
  async function checkReferences(
    actor: Actor,
    input: {
      channelIds?: string[];
      mediaIds?: string[];
      backgroundMediaId?: string | null;
      campaignId?: string | null;
      unitIds?: string[];
    },
  ) {
    const problems: FieldProblem[] = [];
    const platforms = new Set<Platform>();
    if (input.channelIds?.length) {
      const rows = await references.channels.findMany(input.channelIds);
      input.channelIds.forEach((id, i) => {
        const row = rows.find((r) => r.id === id && !r.deletedAt);
        if (row) requireInScope(actor, row.unitId, 'channel');
        if (!row) problems.push({ path: `channelIds.${i}`, message: 'channel does not exist' });
        else if (row.status === 'disabled')
          problems.push({ path: `channelIds.${i}`, message: `channel "${row.name}" is disabled` });
        else platforms.add(row.platform);
      });
      if (new Set(input.channelIds).size !== input.channelIds.length)
        problems.push({ path: 'channelIds', message: 'a channel is listed twice' });
    }
    const imageIds = [
      ...(input.mediaIds ?? []),
      ...(input.backgroundMediaId ? [input.backgroundMediaId] : []),
    ];
    if (imageIds.length) {
      const rows = await references.media.findMany(imageIds);
      for (const row of rows) if (!row.deletedAt) requireInScope(actor, row.unitId, 'image');
      input.mediaIds?.forEach((id, i) => {
        if (!rows.some((r) => r.id === id && !r.deletedAt))
          problems.push({ path: `mediaIds.${i}`, message: 'image does not exist' });
      });
    }
    if (input.campaignId) {
      const found = await references.campaigns.existingIds([input.campaignId]);
      if (found.length === 0) problems.push({ path: 'campaignId', message: 'campaign does not exist' });
    }
    if (input.unitIds?.length) {
      const rows = await references.units.findMany(input.unitIds);
      input.unitIds.forEach((id, i) => {
        if (!rows.some((r) => r.id === id))
          problems.push({ path: `unitIds.${i}`, message: 'unit does not exist' });
      });
    }
    return { problems, platforms };
  }

  /**
   * Post-level time problems. With usable channels, notAfter's order is checked per channel by
   * the compose-time checks (so the 422 names the channels); without, it is reported here.
   */
  function checkTimes(
    scheduledAt: Date,
    notAfter: Date | null | undefined,
    problems: FieldProblem[],
    options: { urgent?: boolean; perChannel: boolean },
  ) {
    if (!options.urgent && scheduledAt.getTime() < now().getTime() - 60_000) {
      problems.push({ path: 'scheduledAt', message: 'is in the past' });
    }
    if (!options.perChannel && notAfter && notAfter <= scheduledAt)
      problems.push({ path: 'notAfter', message: 'must be after scheduledAt' });
  }

  async function render(
    input: Pick<CreatePostInput, 'templateId' | 'variables' | 'text' | 'withCard'> & {
      templateVersion?: number;
    },
    unitId: string | null,
  ) {
    return deps.templates.renderPost({
      // The post's unit fills the template variables declaring `from: unit.*` left empty.
      unitId,
      ...(input.templateId !== undefined && { templateId: input.templateId }),
      ...(input.templateVersion !== undefined && { templateVersion: input.templateVersion }),
      ...(input.variables !== undefined && { variables: input.variables }),
      ...(input.text !== undefined && { text: input.text }),
      withCard: input.withCard ?? false,
    });
  }

  /**
   * A Zalo article needs a cover: a post going to Zalo with no picture of its own (no card, no
   * image) gets one drawn from its title and its unit's name (else the first Zalo channel's).
   */
  async function zaloCoverFor(
    post: CheckablePost,
    channels: readonly CheckedChannel[],
  ): Promise<PostCard | null> {
    const zalo = channels.find((channel) => channel.platform === 'zalo');
    // An empty or over-long title is refused by the checks: no cover is drawn for it.
    const titleLength = [...post.title.trim()].length;
    if (!zalo || post.card || post.mediaIds.length > 0) return null;
    if (titleLength < ZALO_LIMITS.titleMin || titleLength > ZALO_LIMITS.titleMax) return null;
    const unitName = (post.unitId ? await deps.facts.unitName(post.unitId) : undefined) ?? zalo.name;
    return deps.covers.render({ title: post.title, unitName });
  }

  const imageFact = (field: string, card: PostCard): CheckedImage => ({
    field,
    mime: card.mime,
    bytes: card.bytes ?? null,
  });

  /** Every platform limit the post breaks on its channels (see post-checks.ts). */
  async function limitProblems(
    post: CheckablePost,
    zaloCover: PostCard | null,
    known?: readonly CheckedChannel[],
  ): Promise<PlatformProblem[]> {
    if (post.channelIds.length === 0) return [];
    const [channelRows, images] = await Promise.all([
      known ?? deps.facts.channels(post.channelIds),
      post.mediaIds.length > 0 ? deps.facts.images(post.mediaIds) : [],
    ]);
    return checkPost(
      {
        text: post.text,
        title: post.title,
        card: post.card ? imageFact('card', post.card) : null,
        media: images.map((image) => ({
          field: `mediaIds.${post.mediaIds.indexOf(image.id)}`,
          mime: image.mime,
          bytes: image.bytes,
        })),
        zaloCover: zaloCover ? imageFact('cover', zaloCover) : null,
        scheduledAt: post.scheduledAt,
        notAfter: post.notAfter,
      },
      channelRows.filter((channel) => post.channelIds.includes(channel.id)),
      { publicUrl: settings.publicUrl, now: now() },
    );
  }

  /** The generated cover and the checks of a post about to be stored; throws when a platform would refuse it. */
  async function prepare(post: CheckablePost): Promise<{ zaloCover: PostCard | null }> {
    const channelRows = post.channelIds.length > 0 ? await deps.facts.channels(post.channelIds) : [];
    const zaloCover = await zaloCoverFor(post, channelRows);
    const problems = await limitProblems(post, zaloCover, channelRows);
    if (problems.length > 0) throw new PlatformLimitError(problems);
    return { zaloCover };
  }

  /** Submit and approve: the stored post still fits every platform it goes to (time has passed since). */
  async function assertPublishable(post: PostRow): Promise<void> {
    const problems = await limitProblems(post, post.zaloCover);
    if (problems.length > 0) throw new PlatformLimitError(problems);
  }

  /**
   * The composer's preview, before anything is saved: the checks per channel and the Zalo cover
   * the post would get (rendered now, so the editor sees it).
   */
  async function previewChecks(
    actor: Actor,
    post: Omit<CheckablePost, 'unitId'>,
  ): Promise<{ problems: PlatformProblem[]; zaloCover: PostCard | null; platforms: Set<Platform> }> {
    const checkable = { ...post, unitId: actor.unitId };
    const channelRows = post.channelIds.length > 0 ? await deps.facts.channels(post.channelIds) : [];
    const zaloCover = await zaloCoverFor(checkable, channelRows);
    return {
      problems: await limitProblems(checkable, zaloCover, channelRows),
      zaloCover,
      platforms: new Set(channelRows.map((channel) => channel.platform)),
    };
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
    const { problems } = await checkReferences(actor, input);
    const scheduledAt = input.urgent ? now() : input.scheduledAt;
    checkTimes(scheduledAt, input.notAfter, problems, {
      urgent: input.urgent ?? false,
      perChannel: problems.length === 0 && input.channelIds.length > 0,
    });
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
    const rendered = await render(input, actor.unitId);
    const customTitle = input.title || null;
    const { zaloCover } = await prepare({
      title: customTitle ?? rendered.title,
      text: rendered.text,
      card: rendered.card,
      mediaIds: input.mediaIds ?? [],
      channelIds: input.channelIds,
      unitId: actor.unitId,
      scheduledAt,
      notAfter: input.notAfter ?? null,
    });

    const insert = async (tx: Executor) => {
      const row = await repo.insert(
        {
          status: 'draft',
          templateId: input.templateId ?? null,
          templateVersion: rendered.templateVersion,
          variables: rendered.variables ?? input.variables ?? {},
          title: customTitle ?? rendered.title,
          customTitle,
          text: rendered.text,
          link: input.link ?? null,
          mediaIds: input.mediaIds ?? [],
          withCard: input.withCard ?? false,
          card: rendered.card,
          zaloCover,
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
          slug: slugFor(customTitle ?? rendered.title),
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

  /** A post the actor may read: another unit's post is "not found", as if it did not exist. */
  async function getPost(actor: Actor, id: string): Promise<PostRow> {
    const row = await repo.findInScope(id, actor.scope);
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
    const { problems } = await checkReferences(actor, input);
    if (problems.length) throw new ValidationError(problems);
    const result = await db.transaction(async (tx) => {
      const post = await repo.lockById(id, tx);
      if (!post) throw new NotFoundError('Post');
      requireInScope(actor, post.unitId, 'post');
      assertStatus(post, EDITABLE_STATUSES, 'edit');
      assertVersion(post, input.version);
      const scheduledAt = input.scheduledAt ?? post.scheduledAt;
      const notAfter = input.notAfter === undefined ? post.notAfter : input.notAfter;
      const channelIds = input.channelIds ?? post.channelIds;
      const timeProblems: FieldProblem[] = [];
      checkTimes(scheduledAt, notAfter, timeProblems, { perChannel: channelIds.length > 0 });
      if (timeProblems.length) throw new ValidationError(timeProblems);

      const contentChanged = CONTENT_FIELDS.some((f) => input[f] !== undefined);
      let values: Partial<PostRow> = { scheduledAt, notAfter };
      if (contentChanged) {
        const usesTemplate = input.text === undefined && (input.templateId ?? post.templateId) !== null;
        const templateId = input.templateId ?? post.templateId;
        // The post keeps the template version it was written from while it keeps the template.
        const keptVersion = templateId === post.templateId ? post.templateVersion : null;
        const source = usesTemplate
          ? {
              templateId: templateId!,
              variables: input.variables ?? post.variables,
              ...(keptVersion !== null && { templateVersion: keptVersion }),
            }
          : { text: input.text ?? post.text };
        const rendered = await render({ ...source, withCard: input.withCard ?? post.withCard }, post.unitId);
        const customTitle = input.title === undefined ? post.customTitle : input.title || null;
        values = {
          ...values,
          templateId: usesTemplate ? templateId : null,
          templateVersion: usesTemplate ? rendered.templateVersion : null,
          variables: usesTemplate ? (rendered.variables ?? input.variables ?? post.variables) : {},
          title: customTitle ?? rendered.title,
          customTitle,
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
      const next = { ...post, ...values };
      const { zaloCover } = await prepare({
        title: next.title,
        text: next.text,
        card: next.card,
        mediaIds: next.mediaIds,
        channelIds: next.channelIds,
        unitId: next.unitId,
        scheduledAt,
        notAfter,
      });
      values = { ...values, zaloCover };
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

  /**
   * The posts of a calendar window, at most `limit`, and how many there are in all: a window
   * with more posts than it shows must say so.
   */
  /** The calendar's window of the actor's units: at most `limit` posts, and how many there are. */
  async function calendarWindow(
    actor: Actor,
    window: { statuses: PostStatus[]; from: Date; to: Date },
    limit: number,
  ) {
    const scoped = { ...window, scope: actor.scope };
    const rows = await repo.list({ ...scoped, limit: limit + 1 });
    if (rows.length <= limit) return { rows, total: rows.length };
    return { rows: rows.slice(0, limit), total: await repo.countInWindow(scoped) };
  }

  return {
    createPost,
    getPost,
    updatePost,
    /** Posts of the actor's units only (every post for an unscoped actor). */
    listPosts: (actor: Actor, filter: Omit<PostFilter, 'scope'>) =>
      repo.list({ ...filter, scope: actor.scope }),
    /** How many posts of the actor's units are in this status (optionally not written by them). */
    countByStatus: (actor: Actor, status: PostStatus, options: { excludeOwn?: boolean } = {}) =>
      repo.countByStatus(status, {
        scope: actor.scope,
        ...(options.excludeOwn && { excludeAuthorId: actor.id }),
      }),
    calendarWindow,
    assertPublishable,
    previewChecks,
    history: (id: string) => repo.events(id),
    present: (row: PostRow) =>
      presentPost(row, { publicUrl: settings.publicUrl, cardUrl: deps.templates.cardUrl }),
  };
}

export type PostsService = ReturnType<typeof createPostsService>;
