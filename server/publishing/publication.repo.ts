// All SQL on publications and their attempts. The claim is one conditional UPDATE: only one
// worker can move a publication into `publishing`, and only when its time has come or the
// previous owner's lease ran out.
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../db/database.ts';
import { publicationAttempts, publications, type Platform, type PublicationStatus } from '../db/schema.ts';
import { liveJobPublicationIds } from '../jobs/job-table.ts';

export type PublicationRow = typeof publications.$inferSelect;
export type AttemptRow = typeof publicationAttempts.$inferSelect;

export interface ClaimedPublication {
  row: PublicationRow;
  previousStatus: PublicationStatus;
  platform: Platform;
  /** `lease_owner`: the worker and attempt number; every later write is fenced on it. */
  owner: string;
}

type RawPublication = {
  id: string;
  post_id: string;
  channel_id: string;
  status: PublicationStatus;
  scheduled_at: Date | string;
  not_after: Date | string | null;
  link_code: string;
  external_id: string | null;
  permalink: string | null;
  published_at: Date | string | null;
  attempts: number;
  last_error: string | null;
  last_error_kind: string | null;
  late: boolean;
  lease_expires_at: Date | string | null;
  lease_owner: string | null;
  next_attempt_at: Date | string | null;
  broadcast: Record<string, unknown> | null;
  created_at: Date | string;
  updated_at: Date | string;
};

const date = (value: Date | string): Date => (value instanceof Date ? value : new Date(value));
const maybeDate = (value: Date | string | null): Date | null => (value === null ? null : date(value));

/** Raw rows from `execute`: drizzle's pg driver leaves timestamps as text. */
function fromRaw(r: RawPublication): PublicationRow {
  return {
    id: r.id,
    postId: r.post_id,
    channelId: r.channel_id,
    status: r.status,
    scheduledAt: date(r.scheduled_at),
    notAfter: maybeDate(r.not_after),
    linkCode: r.link_code,
    externalId: r.external_id,
    permalink: r.permalink,
    publishedAt: maybeDate(r.published_at),
    attempts: r.attempts,
    lastError: r.last_error,
    lastErrorKind: r.last_error_kind,
    late: r.late,
    leaseExpiresAt: maybeDate(r.lease_expires_at),
    leaseOwner: r.lease_owner,
    nextAttemptAt: maybeDate(r.next_attempt_at),
    broadcast: r.broadcast,
    createdAt: date(r.created_at),
    updatedAt: date(r.updated_at),
  };
}

export function createPublicationRepo(db: Executor) {
  return {
    async findById(id: string, tx: Executor = db): Promise<PublicationRow | undefined> {
      const [row] = await tx.select().from(publications).where(eq(publications.id, id));
      return row;
    },
    async setBroadcast(id: string, broadcast: Record<string, unknown>, tx: Executor = db): Promise<void> {
      await tx.update(publications).set({ broadcast }).where(eq(publications.id, id));
    },
    /** Moves a waiting broadcast to `broadcast` (sending); false when another worker took it first. */
    async takeWaitingBroadcast(id: string, broadcast: Record<string, unknown>): Promise<boolean> {
      const taken = await db
        .update(publications)
        .set({ broadcast })
        .where(and(eq(publications.id, id), sql`${publications.broadcast}->>'status' = 'waiting'`))
        .returning({ id: publications.id });
      return taken.length > 0;
    },
    /** Status, attempts and publication time of every publication of these posts. */
    async statusesByPost(postIds: readonly string[], tx: Executor = db) {
      if (postIds.length === 0) return [];
      return tx
        .select({
          postId: publications.postId,
          status: publications.status,
          attempts: publications.attempts,
          publishedAt: publications.publishedAt,
        })
        .from(publications)
        .where(inArray(publications.postId, [...postIds]));
    },
    async postIdOf(id: string, tx: Executor = db): Promise<string | undefined> {
      const [row] = await tx
        .select({ postId: publications.postId })
        .from(publications)
        .where(eq(publications.id, id));
      return row?.postId;
    },
    /** The channels a post went out on. */
    async publishedChannelIds(postId: string, tx: Executor = db): Promise<string[]> {
      const rows = await tx
        .select({ channelId: publications.channelId })
        .from(publications)
        .where(and(eq(publications.postId, postId), eq(publications.status, 'published')));
      return rows.map((row) => row.channelId);
    },
    async findByPost(postId: string, tx: Executor = db): Promise<PublicationRow[]> {
      return tx
        .select()
        .from(publications)
        .where(eq(publications.postId, postId))
        .orderBy(asc(publications.createdAt));
    },
    async lockByPost(postId: string, tx: Executor): Promise<PublicationRow[]> {
      return tx
        .select()
        .from(publications)
        .where(eq(publications.postId, postId))
        .orderBy(asc(publications.createdAt))
        .for('update');
    },
    async insert(values: typeof publications.$inferInsert, tx: Executor): Promise<PublicationRow> {
      const [row] = await tx.insert(publications).values(values).returning();
      if (!row) throw new Error('insert returned no row');
      return row;
    },
    async update(
      id: string,
      values: Partial<PublicationRow>,
      tx: Executor = db,
    ): Promise<PublicationRow | undefined> {
      const [row] = await tx
        .update(publications)
        .set({ ...values, updatedAt: new Date() })
        .where(eq(publications.id, id))
        .returning();
      return row;
    },

    /**
     * Takes publications for one attempt each, in one statement: from `scheduled` whose time (and
     * retry time) has come and whose do-not-publish-after has not passed, or from `publishing`
     * whose lease ran out (its owner died: the caller reconciles before anything else). The ids
     * asked for come first; with `more`, other due publications fill the batch up to `limit`.
     * SKIP LOCKED: a row another worker is claiming right now is theirs.
     */
    async claimMany(
      request: { ids: readonly string[]; more: boolean; limit: number },
      settings: { workerId: string; leaseMs: Record<Platform, number>; lateGraceMs: number },
      tx: Executor,
    ): Promise<ClaimedPublication[]> {
      if (request.limit <= 0 || (request.ids.length === 0 && !request.more)) return [];
      const ids = sql.param([...request.ids]);
      const result = await tx.execute<
        RawPublication & { previous_status: PublicationStatus; platform: Platform }
      >(sql`
        WITH target AS (
          SELECT p.id, p.status AS previous_status, c.platform
          FROM publications p JOIN channels c ON c.id = p.channel_id
          WHERE (p.id = ANY(${ids}::uuid[]) OR ${request.more}) AND (
            (p.status = 'scheduled' AND p.scheduled_at <= now()
              AND (p.next_attempt_at IS NULL OR p.next_attempt_at <= now())
              AND (p.not_after IS NULL OR p.not_after > now()))
            OR (p.status = 'publishing' AND p.lease_expires_at < now())
          )
          ORDER BY p.id = ANY(${ids}::uuid[]) DESC, p.scheduled_at
          LIMIT ${request.limit}
          FOR UPDATE OF p SKIP LOCKED
        )
        UPDATE publications p SET
          status = 'publishing',
          attempts = p.attempts + 1,
          lease_owner = ${settings.workerId} || '#' || (p.attempts + 1)::text,
          lease_expires_at = now() + (CASE WHEN target.platform = 'zalo' THEN ${settings.leaseMs.zalo}::int ELSE ${settings.leaseMs.facebook}::int END) * interval '1 millisecond',
          late = p.late OR now() > p.scheduled_at + ${settings.lateGraceMs}::int * interval '1 millisecond',
          next_attempt_at = NULL,
          updated_at = now()
        FROM target
        WHERE p.id = target.id
        RETURNING p.*, target.previous_status, target.platform
      `);
      return result.rows.map((raw) => {
        const row = fromRaw(raw);
        return {
          row,
          previousStatus: raw.previous_status,
          platform: raw.platform,
          owner: row.leaseOwner ?? '',
        };
      });
    },

    /**
     * Milliseconds until the earliest claimable publication waiting for its first attempt (by the
     * database's clock, which the claim also uses); retries are woken by their own jobs.
     */
    async msUntilNextDue(): Promise<number | null> {
      const result = await db.execute<{ ms: number | null }>(sql`
        SELECT ceil(extract(epoch FROM min(scheduled_at) - now()) * 1000)::int AS ms FROM publications
        WHERE status = 'scheduled' AND next_attempt_at IS NULL AND (not_after IS NULL OR not_after > now())`);
      return result.rows[0]?.ms ?? null;
    },

    /**
     * The sweeper's three lists: scheduled publications due for `graceMs` without a live publish
     * job; publishing ones whose lease ran out and whose job is not about to run (the lease is what
     * guards a publication: once it ran out the owner is gone, whatever Agenda's lock says); Zalo
     * broadcasts waiting past their retry time without a live broadcast job.
     */
    async orphaned(input: {
      graceMs: number;
      staleJobLockMs: number;
      publishJob: string;
      broadcastJob: string;
      limit: number;
    }): Promise<{ due: string[]; expired: string[]; broadcasts: string[] }> {
      const { graceMs, limit } = input;
      const live = { lockedMeansLive: true, staleLockMs: input.staleJobLockMs } as const;
      const ids = async (query: ReturnType<typeof sql>): Promise<string[]> =>
        (await db.execute<{ id: string }>(query)).rows.map((r) => r.id);
      const due = await ids(sql`
      SELECT p.id FROM publications p
      WHERE p.status = 'scheduled'
        AND greatest(p.scheduled_at, coalesce(p.next_attempt_at, p.scheduled_at)) <= now() - ${graceMs}::int * interval '1 millisecond'
        AND p.id::text NOT IN (${liveJobPublicationIds(input.publishJob, live)})
      ORDER BY p.scheduled_at LIMIT ${limit}`);
      const expired = await ids(sql`
      SELECT p.id FROM publications p
      WHERE p.status = 'publishing' AND p.lease_expires_at < now()
        AND p.id::text NOT IN (${liveJobPublicationIds(input.publishJob, { lockedMeansLive: false })})
      ORDER BY p.lease_expires_at LIMIT ${limit}`);
      const broadcasts = await ids(sql`
      SELECT p.id FROM publications p
      WHERE p.status = 'published' AND p.broadcast->>'status' = 'waiting'
        AND (p.broadcast->>'retryAt')::timestamptz <= now() - ${graceMs}::int * interval '1 millisecond'
        AND p.id::text NOT IN (${liveJobPublicationIds(input.broadcastJob, live)})
      LIMIT ${limit}`);
      return { due, expired, broadcasts };
    },

    /** Where the publications asked for stand, for those a claim did not take. */
    async timing(ids: readonly string[], tx: Executor = db) {
      if (ids.length === 0) return [];
      return tx
        .select({
          id: publications.id,
          status: publications.status,
          scheduledAt: publications.scheduledAt,
          nextAttemptAt: publications.nextAttemptAt,
          notAfter: publications.notAfter,
        })
        .from(publications)
        .where(inArray(publications.id, [...ids]));
    },

    /** Keeps the leases while the platform calls run; returns the ids whose lease was renewed. */
    async renewLeases(held: readonly { id: string; owner: string; leaseMs: number }[]): Promise<string[]> {
      if (held.length === 0) return [];
      const result = await db.execute<{ id: string }>(sql`
        UPDATE publications p SET lease_expires_at = now() + v.lease_ms * interval '1 millisecond'
        FROM unnest(${sql.param(held.map((h) => h.id))}::uuid[], ${sql.param(held.map((h) => h.owner))}::text[],
                    ${sql.param(held.map((h) => h.leaseMs))}::int[]) AS v(id, owner, lease_ms)
        WHERE p.id = v.id AND p.status = 'publishing' AND p.lease_owner = v.owner
          -- A row being settled right now needs no renewal; waiting for it could deadlock with
          -- the settlement, which locks the same rows in another order.
          AND p.id IN (SELECT id FROM publications WHERE id = ANY(${sql.param(held.map((h) => h.id))}::uuid[])
                       FOR UPDATE SKIP LOCKED)
        RETURNING p.id`);
      return result.rows.map((r) => r.id);
    },

    /**
     * Marks publications published in one statement, each fenced on its lease owner; returns the
     * rows that were still held (a lost lease changes nothing: its next owner reconciles).
     */
    async settlePublished(
      items: readonly {
        id: string;
        owner: string;
        externalId: string;
        permalink: string | null;
        publishedAt: Date;
        broadcast: Record<string, unknown> | null;
      }[],
      tx: Executor,
    ): Promise<PublicationRow[]> {
      if (items.length === 0) return [];
      const result = await tx.execute<RawPublication>(sql`
        UPDATE publications p SET
          status = 'published', external_id = v.external_id, permalink = v.permalink,
          published_at = v.published_at, last_error = NULL, last_error_kind = NULL,
          next_attempt_at = NULL, broadcast = coalesce(v.broadcast, p.broadcast),
          lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
        FROM unnest(
          ${sql.param(items.map((i) => i.id))}::uuid[],
          ${sql.param(items.map((i) => i.owner))}::text[],
          ${sql.param(items.map((i) => i.externalId))}::text[],
          ${sql.param(items.map((i) => i.permalink))}::text[],
          ${sql.param(items.map((i) => i.publishedAt.toISOString()))}::timestamptz[],
          ${sql.param(items.map((i) => (i.broadcast ? JSON.stringify(i.broadcast) : null)))}::jsonb[]
        ) AS v(id, owner, external_id, permalink, published_at, broadcast)
        WHERE p.id = v.id AND p.status = 'publishing' AND p.lease_owner = v.owner
        RETURNING p.*`);
      return result.rows.map(fromRaw);
    },

    /** Writes the outcome of an attempt, fenced on the lease owner; undefined when it was lost. */
    async settle(
      id: string,
      owner: string,
      values: Partial<PublicationRow>,
      tx: Executor,
    ): Promise<PublicationRow | undefined> {
      const [row] = await tx
        .update(publications)
        .set({ ...values, leaseOwner: null, leaseExpiresAt: null, updatedAt: new Date() })
        .where(
          and(
            eq(publications.id, id),
            eq(publications.status, 'publishing'),
            eq(publications.leaseOwner, owner),
          ),
        )
        .returning();
      return row;
    },

    /** A scheduled publication whose do-not-publish-after passed before anyone claimed it. */
    async failPastNotAfter(id: string, reason: string, tx: Executor): Promise<PublicationRow | undefined> {
      const [row] = await tx
        .update(publications)
        .set({
          status: 'failed',
          lastError: reason,
          lastErrorKind: 'not_after',
          nextAttemptAt: null,
          updatedAt: new Date(),
        })
        .where(
          and(
            eq(publications.id, id),
            eq(publications.status, 'scheduled'),
            sql`${publications.notAfter} <= now()`,
          ),
        )
        .returning();
      return row;
    },

    /** Every queued publication on a channel fails with the same reason (expired token). */
    async failQueuedOnChannel(
      channelId: string,
      reason: string,
      kind: string,
      tx: Executor,
    ): Promise<PublicationRow[]> {
      return tx
        .update(publications)
        .set({
          status: 'failed',
          lastError: reason,
          lastErrorKind: kind,
          nextAttemptAt: null,
          updatedAt: new Date(),
        })
        .where(and(eq(publications.channelId, channelId), eq(publications.status, 'scheduled')))
        .returning();
    },

    /** One attempt row per claimed publication, started now; their ids in the same order. */
    async insertAttempts(
      values: readonly { publicationId: string; number: number; workerId: string }[],
      tx: Executor,
    ): Promise<number[]> {
      if (values.length === 0) return [];
      const result = await tx.execute<{ id: string | number; publication_id: string }>(sql`
        INSERT INTO publication_attempts (publication_id, number, worker_id, started_at)
        SELECT v.publication_id, v.number, v.worker_id, now() FROM unnest(
          ${sql.param(values.map((v) => v.publicationId))}::uuid[], ${sql.param(values.map((v) => v.number))}::int[],
          ${sql.param(values.map((v) => v.workerId))}::text[]) AS v(publication_id, number, worker_id)
        RETURNING id, publication_id`);
      const ids = new Map(result.rows.map((r) => [r.publication_id, Number(r.id)]));
      return values.map((v) => {
        const id = ids.get(v.publicationId);
        if (id === undefined) throw new Error('insert returned no row');
        return id;
      });
    },
    async finishAttempt(
      id: number,
      values: { outcome: string; errorKind?: string | null; errorMessage?: string | null },
      tx: Executor,
    ): Promise<void> {
      await tx
        .update(publicationAttempts)
        .set({
          outcome: values.outcome,
          errorKind: values.errorKind ?? null,
          errorMessage: values.errorMessage ?? null,
          finishedAt: new Date(),
        })
        .where(eq(publicationAttempts.id, id));
    },
    /** Several attempts ending the same way (published together). */
    async finishAttempts(ids: readonly number[], outcome: string, tx: Executor): Promise<void> {
      if (ids.length === 0) return;
      await tx
        .update(publicationAttempts)
        .set({ outcome, errorKind: null, errorMessage: null, finishedAt: new Date() })
        .where(inArray(publicationAttempts.id, [...ids]));
    },
    async attemptsFor(publicationIds: string[], tx: Executor = db): Promise<AttemptRow[]> {
      if (publicationIds.length === 0) return [];
      return tx
        .select()
        .from(publicationAttempts)
        .where(inArray(publicationAttempts.publicationId, publicationIds))
        .orderBy(
          asc(publicationAttempts.publicationId),
          asc(publicationAttempts.number),
          asc(publicationAttempts.id),
        );
    },
    /** The attempt before `number`: an unfinished or `unknown` one means the platform may have the post. */
    async previousAttempt(
      publicationId: string,
      number: number,
      tx: Executor = db,
    ): Promise<AttemptRow | undefined> {
      const [row] = await tx
        .select()
        .from(publicationAttempts)
        .where(
          and(
            eq(publicationAttempts.publicationId, publicationId),
            sql`${publicationAttempts.number} < ${number}`,
          ),
        )
        .orderBy(sql`${publicationAttempts.number} desc`, sql`${publicationAttempts.id} desc`)
        .limit(1);
      return row;
    },
    async firstAttemptStart(publicationId: string, tx: Executor = db): Promise<Date | undefined> {
      const [row] = await tx
        .select({ at: sql<string | null>`min(${publicationAttempts.startedAt})` })
        .from(publicationAttempts)
        .where(eq(publicationAttempts.publicationId, publicationId));
      return row?.at ? new Date(row.at) : undefined;
    },
  };
}

export type PublicationRepo = ReturnType<typeof createPublicationRepo>;
