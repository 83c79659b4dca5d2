// All SQL on posts and their history.
import { and, asc, desc, eq, gte, inArray, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { UnitScope } from '../auth/actor.ts';
import type { Executor } from '../db/database.ts';
import {
  channels,
  postEvents,
  posts,
  publicationRetractions,
  publications,
  users,
  type Platform,
  type PostStatus,
  type PublicationStatus,
  type RetractionStatus,
} from '../db/schema.ts';
import { withinScope } from '../db/unit-scope.ts';

export type PostRow = typeof posts.$inferSelect;
export type NewPost = typeof posts.$inferInsert;
export type PostEventRow = typeof postEvents.$inferSelect;

/** Times inside the folded detail are JSON text (PostgreSQL's format): the service makes them ISO. */
export interface PostDetailRow {
  post: PostRow;
  publications: {
    id: string;
    channelId: string;
    platform: Platform | null;
    channelName: string | null;
    status: PublicationStatus;
    externalId: string | null;
    permalink: string | null;
    publishedAt: string | null;
    scheduledAt: string;
    attempts: number;
    lastError: string | null;
    late: boolean;
  }[];
  history: {
    at: string;
    actorId: string | null;
    actorName: string | null;
    action: string;
    comment: string | null;
    version: number;
  }[];
  retractions: {
    publicationId: string;
    channelId: string | null;
    channelName: string | null;
    platform: Platform | null;
    externalId: string | null;
    status: RetractionStatus;
    attempts: number;
    lastError: string | null;
    lastErrorKind: string | null;
    nextAttemptAt: string | null;
    requestedAt: string;
    retractedAt: string | null;
  }[];
  cascade: { unitId: string; postId: string; status: PostStatus }[];
}

export interface PostFilter {
  /** Only posts of these units (the actor's scope); null: every post. */
  scope: UnitScope;
  statuses?: PostStatus[];
  from?: Date;
  to?: Date;
  campaignId?: string;
  channelId?: string;
  authorId?: string;
  excludeAuthorId?: string;
  /** Keyset: posts strictly after this (scheduledAt, id) in the listing order. */
  after?: { scheduledAt: Date; id: string };
  order?: 'asc' | 'desc';
  limit: number;
}

export function createPostsRepo(db: Executor) {
  return {
    async insert(values: NewPost, tx: Executor = db): Promise<PostRow> {
      const [row] = await tx.insert(posts).values(values).returning();
      if (!row) throw new Error('insert returned no row');
      return row;
    },
    /**
     * Cascade drafts, one statement: a unit that already has its copy of the parent is skipped
     * (the partial unique index on parent_post_id, unit_id), so the rows returned are the new ones.
     */
    async insertCascade(values: NewPost[], tx: Executor = db): Promise<PostRow[]> {
      if (values.length === 0) return [];
      return tx
        .insert(posts)
        .values(values)
        .onConflictDoNothing({
          target: [posts.parentPostId, posts.unitId],
          where: sql`${posts.parentPostId} is not null`,
        })
        .returning();
    },
    /** The drafts handed down from a post (cascade), oldest first. */
    async cascadeChildren(parentId: string, tx: Executor = db): Promise<PostRow[]> {
      return tx
        .select()
        .from(posts)
        .where(eq(posts.parentPostId, parentId))
        .orderBy(asc(posts.createdAt), asc(posts.id));
    },
    async findById(id: string, tx: Executor = db): Promise<PostRow | undefined> {
      const [row] = await tx.select().from(posts).where(eq(posts.id, id));
      return row;
    },
    /** The post when the scope reaches it: a scoped actor reading another unit's post finds nothing. */
    async findInScope(id: string, scope: UnitScope, tx: Executor = db): Promise<PostRow | undefined> {
      const [row] = await tx
        .select()
        .from(posts)
        .where(and(eq(posts.id, id), withinScope(posts.unitId, scope)));
      return row;
    },
    /** What a tracked link of the post leads to (publishing makes them). */
    async linkOf(
      id: string,
      tx: Executor = db,
    ): Promise<{ id: string; link: string | null; slug: string } | undefined> {
      const [row] = await tx
        .select({ id: posts.id, link: posts.link, slug: posts.slug })
        .from(posts)
        .where(eq(posts.id, id));
      return row;
    },
    /** Locks the row for the rest of the transaction: transitions on one post run one at a time. */
    async lockById(id: string, tx: Executor): Promise<PostRow | undefined> {
      const [row] = await tx.select().from(posts).where(eq(posts.id, id)).for('update');
      return row;
    },
    /** The posts that this one superseded. */
    async supersededBy(id: string, tx: Executor = db): Promise<PostRow[]> {
      return tx.select().from(posts).where(eq(posts.supersededBy, id));
    },
    async findBySlug(slug: string, tx: Executor = db): Promise<PostRow | undefined> {
      const [row] = await tx.select().from(posts).where(eq(posts.slug, slug));
      return row;
    },
    async update(id: string, values: Partial<NewPost>, tx: Executor = db): Promise<PostRow> {
      const [row] = await tx
        .update(posts)
        .set({ ...values, updatedAt: new Date() })
        .where(eq(posts.id, id))
        .returning();
      if (!row) throw new Error(`post ${id} vanished`);
      return row;
    },
    async list(filter: PostFilter, tx: Executor = db): Promise<PostRow[]> {
      const conditions: (SQL | undefined)[] = [
        withinScope(posts.unitId, filter.scope),
        filter.statuses?.length ? inArray(posts.status, filter.statuses) : undefined,
        filter.from ? gte(posts.scheduledAt, filter.from) : undefined,
        filter.to ? lte(posts.scheduledAt, filter.to) : undefined,
        filter.campaignId ? eq(posts.campaignId, filter.campaignId) : undefined,
        filter.channelId
          ? sql`${posts.channelIds} @> ${JSON.stringify([filter.channelId])}::jsonb`
          : undefined,
        filter.authorId ? eq(posts.authorId, filter.authorId) : undefined,
        filter.excludeAuthorId ? sql`${posts.authorId} <> ${filter.excludeAuthorId}` : undefined,
      ];
      const order = filter.order ?? 'asc';
      if (filter.after) {
        const { scheduledAt, id } = filter.after;
        const beyond = order === 'asc' ? gte : lte;
        const strictly = order === 'asc' ? sql`${posts.id} > ${id}` : sql`${posts.id} < ${id}`;
        conditions.push(
          and(
            beyond(posts.scheduledAt, scheduledAt),
            or(
              order === 'asc'
                ? sql`${posts.scheduledAt} > ${scheduledAt}`
                : lt(posts.scheduledAt, scheduledAt),
              strictly,
            ),
          ),
        );
      }
      const by =
        order === 'asc' ? [asc(posts.scheduledAt), asc(posts.id)] : [desc(posts.scheduledAt), desc(posts.id)];
      return tx
        .select()
        .from(posts)
        .where(and(...conditions))
        .orderBy(...by)
        .limit(filter.limit);
    },
    /** How many posts fall in [from, to] with one of the statuses (the calendar's window). */
    async countInWindow(filter: {
      statuses: PostStatus[];
      from: Date;
      to: Date;
      scope: UnitScope;
    }): Promise<number> {
      const [row] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(posts)
        .where(
          and(
            inArray(posts.status, filter.statuses),
            gte(posts.scheduledAt, filter.from),
            lte(posts.scheduledAt, filter.to),
            withinScope(posts.unitId, filter.scope),
          ),
        );
      return row?.n ?? 0;
    },
    async countByStatus(
      status: PostStatus,
      options: { scope: UnitScope; excludeAuthorId?: string },
    ): Promise<number> {
      const [row] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(posts)
        .where(
          and(
            eq(posts.status, status),
            withinScope(posts.unitId, options.scope),
            options.excludeAuthorId ? sql`${posts.authorId} <> ${options.excludeAuthorId}` : undefined,
          ),
        );
      return row?.n ?? 0;
    },
    /** The posts with these ids (any status). */
    async findMany(ids: readonly string[], tx: Executor = db): Promise<PostRow[]> {
      if (ids.length === 0) return [];
      return tx
        .select()
        .from(posts)
        .where(inArray(posts.id, [...ids]));
    },
    /**
     * Locks the posts in id order (the order every writer of posts takes), optionally skipping
     * those someone else holds.
     */
    async lockStatuses(ids: readonly string[], tx: Executor, options: { skipLocked?: boolean } = {}) {
      return tx
        .select({
          id: posts.id,
          status: posts.status,
          version: posts.version,
          publishedAt: posts.publishedAt,
        })
        .from(posts)
        .where(inArray(posts.id, [...ids]))
        .orderBy(asc(posts.id))
        .for('update', options.skipLocked ? { skipLocked: true } : {});
    },
    /** Status changes that follow the publications: one UPDATE and one history insert for the batch. */
    async applyStatusChanges(
      changes: readonly {
        id: string;
        from: PostStatus;
        to: PostStatus;
        version: number;
        publishedAt: Date | null;
        details: Record<string, unknown>;
      }[],
      tx: Executor,
    ): Promise<void> {
      if (changes.length === 0) return;
      await tx.execute(sql`
    UPDATE posts p SET status = v.status, published_at = v.published_at, updated_at = now()
    FROM unnest(${sql.param(changes.map((c) => c.id))}::uuid[], ${sql.param(changes.map((c) => c.to))}::text[],
                ${sql.param(changes.map((c) => c.publishedAt?.toISOString() ?? null))}::timestamptz[])
      AS v(id, status, published_at)
    WHERE p.id = v.id`);
      await tx.execute(sql`
    INSERT INTO post_events (post_id, actor_id, action, version, details)
    SELECT v.post_id, NULL, v.action, v.version, v.details FROM unnest(
      ${sql.param(changes.map((c) => c.id))}::uuid[], ${sql.param(changes.map((c) => c.to))}::text[],
      ${sql.param(changes.map((c) => c.version))}::int[],
      ${sql.param(changes.map((c) => JSON.stringify(c.details)))}::jsonb[])
      AS v(post_id, action, version, details)`);
    },
    /** Posts using a media item, in the given statuses (the media library refuses to delete those). */
    async usingMedia(mediaId: string, statuses: PostStatus[]): Promise<PostRow[]> {
      return db
        .select()
        .from(posts)
        .where(
          and(inArray(posts.status, statuses), sql`${posts.mediaIds} @> ${JSON.stringify([mediaId])}::jsonb`),
        );
    },
    async addEvent(
      event: {
        postId: string;
        actorId: string | null;
        action: string;
        version: number;
        comment?: string | null;
        details?: Record<string, unknown>;
      },
      tx: Executor = db,
    ): Promise<void> {
      await tx
        .insert(postEvents)
        .values({ ...event, comment: event.comment ?? null, details: event.details ?? {} });
    },
    async addEvents(
      events: {
        postId: string;
        actorId: string | null;
        action: string;
        version: number;
        details?: Record<string, unknown>;
      }[],
      tx: Executor = db,
    ): Promise<void> {
      if (events.length === 0) return;
      await tx
        .insert(postEvents)
        .values(events.map((e) => ({ ...e, comment: null, details: e.details ?? {} })));
    },
    /**
     * The post with its publications, history (with the actors' names), removals and cascade
     * children, in one round trip instead of seven: the API's post detail is its busiest read.
     * Each list keeps the order of the read it replaces. Null when the scope does not reach it.
     */
    async findDetail(id: string, scope: UnitScope, tx: Executor = db): Promise<PostDetailRow | undefined> {
      const [row] = await tx
        .select({
          post: posts,
          publications: sql<PostDetailRow['publications']>`(
            SELECT coalesce(json_agg(json_build_object(
                     'id', pub.id, 'channelId', pub.channel_id, 'platform', ch.platform,
                     'channelName', ch.name, 'status', pub.status, 'externalId', pub.external_id,
                     'permalink', pub.permalink, 'publishedAt', pub.published_at,
                     'scheduledAt', pub.scheduled_at, 'attempts', pub.attempts,
                     'lastError', pub.last_error, 'late', pub.late)
                   ORDER BY pub.created_at), '[]'::json)
              FROM ${publications} pub LEFT JOIN ${channels} ch ON ch.id = pub.channel_id
             WHERE pub.post_id = ${posts}.id)`,
          history: sql<PostDetailRow['history']>`(
            SELECT coalesce(json_agg(json_build_object(
                     'at', e.at, 'actorId', e.actor_id, 'actorName', u.name, 'action', e.action,
                     'comment', e.comment, 'version', e.version)
                   ORDER BY e.id), '[]'::json)
              FROM ${postEvents} e LEFT JOIN ${users} u ON u.id = e.actor_id
             WHERE e.post_id = ${posts}.id)`,
          retractions: sql<PostDetailRow['retractions']>`(
            SELECT coalesce(json_agg(json_build_object(
                     'publicationId', r.publication_id, 'channelId', pub.channel_id,
                     'channelName', ch.name, 'platform', ch.platform, 'externalId', pub.external_id,
                     'status', r.status, 'attempts', r.attempts, 'lastError', r.last_error,
                     'lastErrorKind', r.last_error_kind, 'nextAttemptAt', r.next_attempt_at,
                     'requestedAt', r.requested_at, 'retractedAt', r.retracted_at)
                   ORDER BY r.requested_at), '[]'::json)
              FROM ${publicationRetractions} r
              LEFT JOIN ${publications} pub ON pub.id = r.publication_id
              LEFT JOIN ${channels} ch ON ch.id = pub.channel_id
             WHERE r.post_id = ${posts}.id)`,
          cascade: sql<PostDetailRow['cascade']>`(
            SELECT coalesce(json_agg(json_build_object('unitId', k.unit_id, 'postId', k.id, 'status', k.status)
                   ORDER BY k.created_at, k.id), '[]'::json)
              FROM ${posts} k WHERE k.parent_post_id = ${posts}.id AND k.unit_id IS NOT NULL)`,
        })
        .from(posts)
        .where(and(eq(posts.id, id), withinScope(posts.unitId, scope)));
      return row;
    },
    async events(postId: string, tx: Executor = db): Promise<PostEventRow[]> {
      return tx.select().from(postEvents).where(eq(postEvents.postId, postId)).orderBy(asc(postEvents.id));
    },
    /** The latest occurrence of each recurring series (for creating the next one). */
    async latestOccurrences(tx: Executor = db): Promise<PostRow[]> {
      const result = await tx.execute<{ id: string }>(sql`
        SELECT DISTINCT ON (series_id) id FROM ${posts}
        WHERE series_id IS NOT NULL AND recurrence IS NOT NULL
        ORDER BY series_id, scheduled_at DESC`);
      const ids = result.rows.map((r) => r.id);
      return ids.length ? tx.select().from(posts).where(inArray(posts.id, ids)) : [];
    },
  };
}

export type PostsRepo = ReturnType<typeof createPostsRepo>;
