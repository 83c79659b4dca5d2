// Pages for posts: the queue with filters, one post's detail with per-channel status and its
// history, the review queue, and the calendar (drag to reschedule).
import { Router, type Request } from 'express';
import { z } from 'zod';
import type { Actor } from '../auth/actor.ts';
import type { Container } from '../container.ts';
import type { PostStatus } from '../db/schema.ts';
import { AppError, ValidationError } from '../errors.ts';
import { zodProblems } from '../http/api-route.ts';
import { instantToLocal, localToInstant } from '../shared/zoned-time.ts';
import { pageActor, postFormAction, renderPage } from '../http/page.ts';
import { CASCADABLE } from './cascade.service.ts';
import type { PostRow } from './posts.repo.ts';
import { encodeCursor } from './posts.routes.ts';
import { cascadeSchema, POST_STATUSES } from './posts.schemas.ts';

const STAFF = ['admin', 'editor', 'reviewer'] as const;
/** The most posts one calendar window shows; a fuller window says so and links to the list. */
export const CALENDAR_LIMIT = 500;

/**
 * A calendar window's bound: an ISO time with an offset (what FullCalendar sends with a named
 * time zone), or a wall-clock time or date in LOA_TIMEZONE.
 */
function calendarInstant(zone: string) {
  return z
    .string()
    .max(40)
    .transform((value, ctx) => {
      const at = z.iso.datetime({ offset: true }).safeParse(value).success
        ? new Date(value)
        : localToInstant(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00` : value, zone);
      if (!at || Number.isNaN(at.getTime())) {
        ctx.addIssue({ code: 'custom', message: 'is not a time (ISO 8601)' });
        return z.NEVER;
      }
      return at;
    });
}

const queueQuery = z.object({
  status: z.enum(POST_STATUSES).optional().catch(undefined),
  channelId: z.uuid().optional().catch(undefined),
  campaignId: z.uuid().optional().catch(undefined),
  from: z.string().optional(),
  to: z.string().optional(),
  cursor: z.string().max(200).optional().catch(undefined),
});

/** A publication's last error in plain words; the platform's own message where it says more. */
function explainError(req: Request, kind: string | null, message: string | null): string | null {
  if (!kind) return message;
  const plain = req.t(`posts.error_${kind}`, { defaultValue: '' });
  if (!plain) return message;
  return kind === 'rejected' && message ? `${plain} ${message}` : plain;
}

export function postsPages(c: Container): Router {
  const router = Router();
  const zone = c.config.timeZone;
  /** The post for our own pages: its card from this server, whatever LOA_PUBLIC_URL says. */
  const presentHere = (row: PostRow) => {
    const post = c.posts.present(row);
    return { ...post, card: post.card && row.card ? { ...post.card, url: `/media/${row.card.file}` } : null };
  };

  /** The names of the channels the actor can see (their units' channels). */
  async function channelNames(
    actor: Actor,
  ): Promise<Map<string, { name: string; platform: string; status: string }>> {
    const rows = await c.channels.list(actor);
    return new Map(rows.map((r) => [r.id, { name: r.name, platform: r.platform, status: r.status }]));
  }

  function listItem(
    row: PostRow,
    channels: Map<string, { name: string; platform: string; status: string }>,
    authors: Map<string, string>,
  ) {
    return {
      id: row.id,
      title: row.title,
      status: row.status,
      scheduledAt: row.scheduledAt,
      urgent: row.urgent,
      author: authors.get(row.authorId) ?? '',
      channels: row.channelIds.map((id) => channels.get(id)?.name ?? '?').join(', '),
    };
  }

  router.get('/posts', async (req, res) => {
    const actor = pageActor(req, res, STAFF);
    if (!actor) return;
    const q = queueQuery.parse(req.query);
    const from = q.from ? localToInstant(`${q.from}T00:00`, zone) : null;
    const to = q.to ? localToInstant(`${q.to}T23:59`, zone) : null;
    let after: { scheduledAt: Date; id: string } | undefined;
    if (q.cursor) {
      const [at, id] = JSON.parse(Buffer.from(q.cursor, 'base64url').toString('utf8')) as [string, string];
      after = { scheduledAt: new Date(at), id };
    }
    const rows = await c.posts.listPosts(actor, {
      ...(q.status && { statuses: [q.status] }),
      ...(q.channelId && { channelId: q.channelId }),
      ...(q.campaignId && { campaignId: q.campaignId }),
      ...(from && { from }),
      ...(to && { to }),
      ...(after && { after }),
      limit: 51,
    });
    const [channels, campaigns] = await Promise.all([channelNames(actor), c.campaigns.list()]);
    const authors = await c.repos.users.namesByIds([...new Set(rows.map((r) => r.authorId))]);
    const page = rows.slice(0, 50);
    const last = page[page.length - 1];
    const nextQuery =
      rows.length > 50 && last
        ? new URLSearchParams({
            ...(req.query as Record<string, string>),
            cursor: encodeCursor(last),
          }).toString()
        : null;
    renderPage(req, res, 'pages/posts', {
      title: req.t('posts.queue'),
      posts: page.map((r) => listItem(r, channels, authors)),
      statuses: POST_STATUSES,
      channels: [...channels.entries()].map(([id, ch]) => ({ id, ...ch })),
      campaigns,
      filter: q,
      nextQuery,
    });
  });

  router.get('/posts/:id', async (req, res) => {
    const actor = pageActor(req, res, STAFF);
    if (!actor) return;
    const id = z.uuid().parse(req.params.id);
    const post = await c.posts.getPost(actor, id);
    const [publications, events, channels] = await Promise.all([
      c.publishing.listForPost(id),
      c.posts.history(id),
      channelNames(actor),
    ]);
    const names = await c.repos.users.namesByIds([
      ...new Set([post.authorId, ...events.map((e) => e.actorId).filter((v): v is string => v !== null)]),
    ]);
    const mediaRows = post.mediaIds.length ? await c.media.getMany(post.mediaIds) : [];
    const [cascade, parent] = await Promise.all([
      c.cascade.overview(id),
      post.parentPostId ? c.posts.getPost(actor, post.parentPostId).catch(() => null) : Promise.resolve(null),
    ]);
    const canCascade =
      (actor.role === 'reviewer' || actor.role === 'admin') &&
      CASCADABLE.includes(post.status) &&
      cascade.length > 0;
    const campaign = post.campaignId ? await c.campaigns.get(post.campaignId).catch(() => null) : null;
    // The template (and version) the text was written from, archived or not; a template that
    // cannot be read any more leaves the post as it is.
    const template = post.templateId
      ? await c.templates
          .getTemplate(
            post.templateId,
            post.templateVersion === null ? {} : { version: post.templateVersion },
          )
          .then((tpl) => ({
            id: tpl.id,
            name: tpl.name,
            builtIn: tpl.builtIn,
            version: post.templateVersion,
            archived: tpl.archivedAt !== null,
          }))
          .catch(() => null)
      : null;
    const isAuthor = post.authorId === actor.id;
    const canWrite = actor.role === 'editor' || actor.role === 'admin';
    const canReview = (actor.role === 'reviewer' || actor.role === 'admin') && !isAuthor;
    const status: PostStatus = post.status;
    renderPage(req, res, 'pages/post-detail', {
      title: post.title,
      post: {
        ...presentHere(post),
        statusLabel: req.t(`posts.status_${status}`),
        scheduledLocal: instantToLocal(post.scheduledAt, zone),
      },
      author: names.get(post.authorId),
      campaign,
      template,
      images: mediaRows.map((m) => ({ url: c.media.publicUrl(m, 'thumb'), alt: m.altText })),
      publications: publications.map((p) => ({
        ...p,
        channelName: p.channelName ?? channels.get(p.channelId)?.name,
        errorExplained: explainError(req, p.lastErrorKind, p.lastError),
      })),
      parent: parent && { id: parent.id, title: parent.title },
      cascade: cascade.map((row) => ({
        ...row,
        statusLabel: row.post ? req.t(`posts.status_${row.post.status}`) : null,
        // Pre-ticked: the units a cascade reaches by default (an active channel, no copy yet).
        preselected: !row.post && row.activeChannels > 0,
      })),
      cascadeSummary: {
        sent: cascade.filter((r) => r.post).length,
        waiting: cascade.filter((r) => r.waiting).length,
        published: cascade.filter((r) => r.post?.status === 'published').length,
        notSent: cascade.filter((r) => !r.post).length,
      },
      history: events.map((e) => ({
        at: e.at,
        actor: e.actorId ? (names.get(e.actorId) ?? '') : req.t('posts.action_system'),
        action: req.t(`posts.action_${e.action}`, { defaultValue: e.action }),
        comment: e.comment,
        version: e.version,
      })),
      can: {
        submit: canWrite && (status === 'draft' || status === 'rejected'),
        review: canReview && status === 'in_review',
        cancel:
          ['draft', 'in_review', 'rejected', 'scheduled'].includes(status) &&
          (actor.role !== 'editor' || isAuthor || status === 'draft'),
        reschedule: canWrite && ['draft', 'rejected', 'scheduled'].includes(status),
        edit: canWrite && ['draft', 'rejected', 'scheduled'].includes(status),
        cascade: canCascade && cascade.some((r) => !r.post),
      },
    });
  });

  /** Workflow actions from forms; a review-queue form goes back to the queue. */
  const action = (path: string, run: (req: Request, postId: string) => Promise<string>) =>
    postFormAction(router, path, STAFF, run, (req, id) =>
      req.body?.back === 'review' ? '/review' : `/posts/${id}`,
    );
  const body = (req: Request) => (req.body ?? {}) as Record<string, string | undefined>;
  const version = (req: Request) => (body(req).version ? Number(body(req).version) : undefined);

  action('submit', async (req, id) => {
    const post = await c.postWorkflow.submit(req.actor!, id);
    return post.status === 'in_review'
      ? req.t('posts.submitted')
      : req.t('posts.approved', { time: instantToLocal(post.scheduledAt, zone).replace('T', ' ') });
  });
  action('approve', async (req, id) => {
    const comment = body(req).comment?.trim();
    const post = await c.postWorkflow.approve(req.actor!, id, {
      ...(comment && { comment }),
      ...(version(req) && { version: version(req) }),
    });
    return req.t('posts.approved', { time: instantToLocal(post.scheduledAt, zone).replace('T', ' ') });
  });
  action('reject', async (req, id) => {
    await c.postWorkflow.reject(req.actor!, id, {
      comment: body(req).comment?.trim() ?? '',
      ...(version(req) && { version: version(req) }),
    });
    return req.t('posts.rejected');
  });
  action('cancel', async (req, id) => {
    await c.postWorkflow.cancel(req.actor!, id, {});
    return req.t('posts.cancelled');
  });
  action('cascade', async (req, id) => {
    const raw = body(req).unitIds as unknown;
    const picked = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter(
      (v): v is string => typeof v === 'string' && v !== '',
    );
    const parsed = cascadeSchema.safeParse(picked.length > 0 ? { unitIds: picked } : {});
    if (!parsed.success) throw new ValidationError(zodProblems(parsed.error));
    const result = await c.cascade.cascade(req.actor!, id, parsed.data);
    return req.t('cascade.done', { count: result.items.length, skipped: result.skipped.length });
  });
  action('reschedule', async (req, id) => {
    const at = localToInstant(body(req).scheduledAt ?? '', zone);
    if (!at) throw new AppError(422, 'validation_failed', req.t('posts.badTime'));
    const post = await c.posts.updatePost(req.actor!, id, { scheduledAt: at }, c.publishing);
    return post.status === 'in_review' ? req.t('posts.backToReview') : req.t('posts.rescheduled');
  });

  router.get('/review', async (req, res) => {
    const actor = pageActor(req, res, ['reviewer', 'admin']);
    if (!actor) return;
    const rows = await c.posts.listPosts(actor, {
      statuses: ['in_review'],
      excludeAuthorId: actor.id,
      limit: 100,
    });
    const channels = await channelNames(actor);
    const authors = await c.repos.users.namesByIds([...new Set(rows.map((r) => r.authorId))]);
    renderPage(req, res, 'pages/review', {
      title: req.t('posts.review'),
      posts: rows.map((r) => ({
        ...presentHere(r),
        author: authors.get(r.authorId),
        channelNames: r.channelIds.map((id) => channels.get(id)?.name ?? '?').join(', '),
      })),
    });
  });

  router.get('/calendar', (req, res) => {
    if (!pageActor(req, res, STAFF)) return;
    renderPage(req, res, 'pages/calendar', {
      title: req.t('posts.calendar'),
      timeZone: zone,
      limit: CALENDAR_LIMIT,
    });
  });

  /**
   * FullCalendar's event feed: posts whose time falls in [start, end), at most CALENDAR_LIMIT;
   * `X-Total-Count` says how many there are, so the page can tell a window that holds more.
   */
  router.get('/calendar/events', async (req, res) => {
    const actor = pageActor(req, res, STAFF);
    if (!actor) return;
    const range = z.object({ start: calendarInstant(zone), end: calendarInstant(zone) }).parse(req.query);
    const { rows, total } = await c.posts.calendarWindow(
      actor,
      {
        from: range.start,
        to: range.end,
        statuses: POST_STATUSES.filter((s) => s !== 'cancelled' && s !== 'retracted'),
      },
      CALENDAR_LIMIT,
    );
    res.set('X-Total-Count', String(total));
    res.json(
      rows.map((r) => ({
        id: r.id,
        title: r.title,
        start: r.scheduledAt.toISOString(),
        url: `/posts/${r.id}`,
        editable: r.status === 'draft' || r.status === 'rejected' || r.status === 'scheduled',
        classNames: [`post-${r.status}`],
        extendedProps: { status: req.t(`posts.status_${r.status}`), version: r.version },
      })),
    );
  });

  return router;
}
