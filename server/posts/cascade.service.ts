// Cascade: a province's approved or published warning handed down to its child units (since
// July 2025 the communes, wards and special zones directly). Each child unit gets one draft:
// `parentPostId` set, the template re-filled from that unit's profile (name, hotline, area...),
// its card redrawn with that unit's logo and hotline, targeted at that unit's active channels,
// in that unit's review queue; its editors are told. Sending again skips the units that already
// have their copy. Retracting the parent can take every child post with it.
import type { AuditRecorder } from '../audit/audit.service.ts';
import { actorAudit, type Actor } from '../auth/actor.ts';
import type { Database } from '../db/database.ts';
import type { PostStatus } from '../db/schema.ts';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
  type FieldProblem,
} from '../errors.ts';
import type { NotificationsService } from '../notifications/notifications.service.ts';
import { CARD_SIZE_NAMES, type CardSize } from '../rendering/index.ts';
import type { TemplatesService, UnitForRender } from '../templates/templates.service.ts';
import type { ZaloCovers } from '../templates/zalo-cover.ts';
import type { PostWorkflow } from './post-workflow.ts';
import type { NewPost, PostRow, PostsRepo } from './posts.repo.ts';
import type { CascadeInput } from './posts.schemas.ts';
import { slugFor } from './posts.service.ts';

/** An approved post (scheduled, going out or out) can be handed down. */
export const CASCADABLE: readonly PostStatus[] = ['scheduled', 'publishing', 'published', 'partially_failed'];
/** Child posts that are out are retracted with their parent; those not yet out are cancelled. */
const CHILD_RETRACTABLE: readonly PostStatus[] = ['publishing', 'published', 'partially_failed'];
const CHILD_CANCELLABLE: readonly PostStatus[] = ['draft', 'in_review', 'rejected', 'scheduled'];

interface UnitRef {
  id: string;
  name: string;
}

export interface CascadeDeps {
  db: Database;
  repo: PostsRepo;
  audit: AuditRecorder;
  units: {
    children(unitId: string): Promise<UnitRef[]>;
    isWithin(unitId: string, ancestorId: string): Promise<boolean>;
    forRender(ids: string[]): Promise<Map<string, UnitForRender>>;
  };
  channels: { list(): Promise<{ id: string; unitId: string | null; status: string; platform: string }[]> };
  /** Draws the Zalo cover of a child draft that has no picture of its own (as the posts service does). */
  covers: Pick<ZaloCovers, 'render'>;
  templates: Pick<TemplatesService, 'renderPost' | 'getTemplate'>;
  notifications: Pick<NotificationsService, 'notifyUnits'>;
  retraction: { retract(actor: Actor, postId: string, reason: string): Promise<PostRow> };
  workflow: Pick<PostWorkflow, 'cancel'>;
  /** Cards drawn at once; the renderer is CPU-bound, so about the number of cores. */
  renderConcurrency?: number;
  now?: () => Date;
}

/** One child unit's row on the parent's page. */
export interface CascadeChild {
  unitId: string;
  unitName: string;
  post: Pick<PostRow, 'id' | 'status' | 'scheduledAt' | 'publishedAt' | 'title'> | null;
  activeChannels: number;
  /** The unit got the draft and nobody there has done anything with it yet. */
  waiting: boolean;
}

const isCardSize = (size: string): size is CardSize => (CARD_SIZE_NAMES as readonly string[]).includes(size);

/** Runs `task` over `items` with at most `limit` in flight, keeping the order of the results. */
async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

export function createCascade(deps: CascadeDeps) {
  const { db, repo, audit } = deps;
  const now = deps.now ?? (() => new Date());
  const concurrency = deps.renderConcurrency ?? 2;

  async function loadPost(id: string): Promise<PostRow> {
    const post = await repo.findById(id);
    if (!post) throw new NotFoundError('Post');
    return post;
  }

  /** "Reviewer or admin of the post's unit": the actor's unit is the post's unit or above it. */
  async function requireCascader(actor: Actor, post: PostRow): Promise<void> {
    if (actor.role !== 'reviewer' && actor.role !== 'admin')
      throw new ForbiddenError(
        'Only reviewers and admins hand a warning down to their units',
        'cascade_reviewer_only',
      );
    if (actor.role === 'admin' || actor.unitId === null) return;
    if (post.unitId && (await deps.units.isWithin(post.unitId, actor.unitId))) return;
    throw new ForbiddenError(
      "Only a reviewer of this post's unit (or a unit above it) can hand it down",
      'out_of_scope',
    );
  }

  /** Active channels per unit. */
  async function activeChannelsByUnit(): Promise<Map<string, string[]>> {
    const byUnit = new Map<string, string[]>();
    for (const ch of await deps.channels.list()) {
      if (ch.status !== 'active' || !ch.unitId) continue;
      byUnit.set(ch.unitId, [...(byUnit.get(ch.unitId) ?? []), ch.id]);
      if (ch.platform === 'zalo') zaloChannels.add(ch.id);
    }
    return byUnit;
  }
  const zaloChannels = new Set<string>();

  /** The parent's variables with every `from: unit.*` variable taken from the child unit when it has that value. */
  async function childVariables(
    parent: PostRow,
  ): Promise<(unit: UnitForRender | undefined) => Record<string, string>> {
    if (!parent.templateId) return () => ({});
    const def = await deps.templates.getTemplate(parent.templateId);
    const sourced = def.variables.filter((v) => v.from);
    return (unit) => {
      const values = { ...parent.variables };
      for (const variable of sourced) {
        const field = variable.from!.slice('unit.'.length) as keyof UnitForRender['values'];
        const value = unit?.values[field];
        if (value) values[variable.name] = value;
      }
      return values;
    };
  }

  async function cascade(
    actor: Actor,
    postId: string,
    input: CascadeInput,
  ): Promise<{ items: { unitId: string; postId: string }[]; skipped: { unitId: string; postId: string }[] }> {
    const parent = await loadPost(postId);
    await requireCascader(actor, parent);
    if (!CASCADABLE.includes(parent.status)) {
      throw new ConflictError(
        `Only an approved or published post can be handed down (this one is ${parent.status})`,
        'not_approved',
        { status: parent.status, allowed: CASCADABLE },
      );
    }
    if (!parent.unitId) {
      throw new ConflictError('This post belongs to no unit, so it has no units below it', 'no_unit');
    }
    const [children, channelsByUnit, existing] = await Promise.all([
      deps.units.children(parent.unitId),
      activeChannelsByUnit(),
      repo.cascadeChildren(parent.id),
    ]);
    const childIds = new Set(children.map((u) => u.id));
    let targets: string[];
    if (input.unitIds) {
      const problems: FieldProblem[] = [];
      input.unitIds.forEach((id, i) => {
        if (!childIds.has(id))
          problems.push({ path: `unitIds.${i}`, message: "is not a unit directly under the post's unit" });
      });
      if (problems.length > 0) throw new ValidationError(problems);
      targets = [...new Set(input.unitIds)];
    } else {
      targets = children.filter((u) => (channelsByUnit.get(u.id)?.length ?? 0) > 0).map((u) => u.id);
    }
    const already = new Map(existing.flatMap((p) => (p.unitId ? [[p.unitId, p.id] as const] : [])));
    const skipped = targets.flatMap((unitId) => {
      const id = already.get(unitId);
      return id ? [{ unitId, postId: id }] : [];
    });
    const todo = targets.filter((unitId) => !already.has(unitId));
    if (todo.length === 0) return { items: [], skipped };

    // Cards are drawn before the transaction: it then holds its locks only for the inserts.
    const [profiles, variablesFor] = await Promise.all([deps.units.forRender(todo), childVariables(parent)]);
    const at = now();
    const scheduledAt = parent.scheduledAt > at ? parent.scheduledAt : at;
    const drafts: NewPost[] = await mapLimited(todo, concurrency, async (unitId) => {
      const unit = profiles.get(unitId);
      const variables = variablesFor(unit);
      const rendered = await deps.templates.renderPost({
        ...(parent.templateId ? { templateId: parent.templateId, variables } : { text: parent.text }),
        withCard: parent.withCard,
        ...(parent.card && isCardSize(parent.card.size) && { cardSize: parent.card.size }),
        unit: unit ?? null,
        ...(parent.templateVersion !== null && { templateVersion: parent.templateVersion }),
      });
      const channelIds = channelsByUnit.get(unitId) ?? [];
      // A Zalo article needs a cover: a child without a card or image gets one with its own unit's name.
      const title = parent.customTitle ?? rendered.title;
      const zaloCover =
        !rendered.card && parent.mediaIds.length === 0 && channelIds.some((id) => zaloChannels.has(id))
          ? await deps.covers.render({ title, ...(unit?.values.name && { unitName: unit.values.name }) })
          : null;
      return {
        status: 'draft',
        templateId: parent.templateId,
        templateVersion: parent.templateVersion,
        customTitle: parent.customTitle,
        zaloCover,
        variables: parent.templateId ? (rendered.variables ?? variables) : {},
        title,
        text: rendered.text,
        link: parent.link,
        mediaIds: parent.mediaIds,
        withCard: parent.withCard,
        card: rendered.card,
        channelIds,
        unitIds: [],
        scheduledAt,
        notAfter: parent.notAfter,
        campaignId: parent.campaignId,
        authorId: actor.id,
        unitId,
        parentPostId: parent.id,
        slug: slugFor(title),
      } satisfies NewPost;
    });

    const created = await db.transaction(async (tx) => {
      const current = await repo.lockById(parent.id, tx);
      if (!current) throw new NotFoundError('Post');
      if (!CASCADABLE.includes(current.status)) {
        throw new ConflictError(`The post changed to ${current.status} meanwhile`, 'not_approved', {
          status: current.status,
        });
      }
      const rows = await repo.insertCascade(drafts, tx);
      const who = actorAudit(actor);
      await repo.addEvents(
        [
          ...rows.map((row) => ({
            postId: row.id,
            actorId: who.actorId,
            action: 'created_by_cascade',
            version: row.version,
            details: { parentPostId: parent.id },
          })),
          {
            postId: parent.id,
            actorId: who.actorId,
            action: 'cascaded',
            version: current.version,
            details: { units: rows.map((r) => r.unitId) },
          },
        ],
        tx,
      );
      await audit(
        [
          ...rows.map((row) => ({
            ...who,
            action: 'post.created',
            targetType: 'post',
            targetId: row.id,
            details: { title: row.title, parentPostId: parent.id, unitId: row.unitId, cascade: true },
          })),
          {
            ...who,
            action: 'post.cascaded',
            targetType: 'post',
            targetId: parent.id,
            details: { created: rows.length, skipped: skipped.length, units: rows.map((r) => r.unitId) },
          },
        ],
        tx,
      );
      await deps.notifications.notifyUnits(
        ['editor'],
        rows.flatMap((row) =>
          row.unitId
            ? [
                {
                  unitId: row.unitId,
                  kind: 'cascade_received',
                  message: `Cấp trên chuyển xuống bài cảnh báo "${row.title}": kiểm tra, chỉnh sửa nếu cần rồi gửi duyệt`,
                  link: `/posts/${row.id}`,
                },
              ]
            : [],
        ),
        tx,
      );
      return rows;
    });
    // A unit whose copy another cascade wrote meanwhile was skipped by the unique index.
    const raced = new Set(todo.filter((unitId) => !created.some((r) => r.unitId === unitId)));
    const racedCopies = raced.size
      ? (await repo.cascadeChildren(parent.id)).filter((r) => r.unitId && raced.has(r.unitId))
      : [];
    return {
      items: created.flatMap((r) => (r.unitId ? [{ unitId: r.unitId, postId: r.id }] : [])),
      skipped: [...skipped, ...racedCopies.map((r) => ({ unitId: r.unitId!, postId: r.id }))],
    };
  }

  /** The child posts of a post, for `GET /posts/:id`. */
  async function childrenOf(
    postId: string,
  ): Promise<{ unitId: string; postId: string; status: PostStatus }[]> {
    const rows = await repo.cascadeChildren(postId);
    return rows.flatMap((r) => (r.unitId ? [{ unitId: r.unitId, postId: r.id, status: r.status }] : []));
  }

  /** Every child unit of the post's unit, with its copy of the post (if any) and where it stands. */
  async function overview(postId: string): Promise<CascadeChild[]> {
    const post = await loadPost(postId);
    if (!post.unitId) return [];
    const [children, channelsByUnit, rows] = await Promise.all([
      deps.units.children(post.unitId),
      activeChannelsByUnit(),
      repo.cascadeChildren(post.id),
    ]);
    const byUnit = new Map(rows.flatMap((r) => (r.unitId ? [[r.unitId, r] as const] : [])));
    return children.map((unit) => {
      const child = byUnit.get(unit.id);
      return {
        unitId: unit.id,
        unitName: unit.name,
        post: child
          ? {
              id: child.id,
              status: child.status,
              scheduledAt: child.scheduledAt,
              publishedAt: child.publishedAt,
              title: child.title,
            }
          : null,
        activeChannels: channelsByUnit.get(unit.id)?.length ?? 0,
        waiting: child !== undefined && child.status === 'draft' && child.version === 1,
      };
    });
  }

  /**
   * Retracts the post and, in the same step, every child post handed down from it: the ones out
   * are retracted and the ones not out yet are cancelled, each through its own path (history and
   * audit entry of its own). Returns the parent and how many children were reached.
   */
  async function retractWithChildren(
    actor: Actor,
    postId: string,
    reason: string,
  ): Promise<{ post: PostRow; children: { retracted: number; cancelled: number } }> {
    const parent = await loadPost(postId);
    await requireCascader(actor, parent);
    const post = await deps.retraction.retract(actor, postId, reason);
    let retracted = 0;
    let cancelled = 0;
    for (const child of await repo.cascadeChildren(postId)) {
      if (CHILD_RETRACTABLE.includes(child.status)) {
        await deps.retraction.retract(actor, child.id, reason);
        retracted++;
      } else if (CHILD_CANCELLABLE.includes(child.status)) {
        await deps.workflow.cancel(actor, child.id, { comment: reason });
        cancelled++;
      }
    }
    return { post, children: { retracted, cancelled } };
  }

  return { cascade, childrenOf, overview, retractWithChildren };
}

export type Cascade = ReturnType<typeof createCascade>;
