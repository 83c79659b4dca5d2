// SQL for members' shares: the share rows, the guard rails that apply to them, and each share's
// clicks.
import { and, eq, gte, ne, sql } from 'drizzle-orm';
import type { Executor } from '../db/database.ts';
import { memberShares, unitShareRules, type SharePlatform, type ShareStatus } from '../db/schema.ts';

export type ShareRow = typeof memberShares.$inferSelect;
export type ShareRulesRow = typeof unitShareRules.$inferSelect;

export interface OpenValues {
  userId: string;
  postId: string;
  platform: SharePlatform;
  unitId: string | null;
  status: 'opened' | 'shared';
  openedAt: Date;
  completedAt: Date | null;
}

export interface OpenContext {
  consentVersion: number | null;
  post: { id: string; slug: string; link: string | null } | undefined;
  rules: ShareRulesRow | undefined;
}

/** A post a member may share: out on its channels, not retracted, not past notAfter. */
const SHAREABLE = sql`p.published_at IS NOT NULL AND p.status IN ('published', 'partially_failed')
  AND (p.not_after IS NULL OR p.not_after > now())`;

export function createSharesRepo(db: Executor) {
  return {
    /**
     * In one query: the consent version this member accepted (null: none) and their completed
     * shares of these posts.
     */
    async consentAndMarks(
      userId: string,
      postIds: string[],
      tx: Executor = db,
    ): Promise<{
      consentVersion: number | null;
      marks: { postId: string; platform: SharePlatform; at: Date }[];
    }> {
      const ids = `{${postIds.join(',')}}`;
      const result = await tx.execute<{
        consent_version: number | null;
        marks: { postId: string; platform: SharePlatform; at: string }[] | null;
      }>(sql`
        SELECT (SELECT consent_version FROM member_profiles WHERE user_id = ${userId}) AS consent_version,
               (SELECT json_agg(json_build_object('postId', ms.post_id, 'platform', ms.platform, 'at', ms.completed_at)
                                ORDER BY ms.completed_at)
                  FROM member_shares ms
                 WHERE ms.user_id = ${userId} AND ms.status = 'shared' AND ms.post_id = ANY(${ids}::uuid[])) AS marks`);
      const row = result.rows[0];
      return {
        consentVersion: row?.consent_version ?? null,
        marks: (row?.marks ?? []).map((m) => ({
          postId: m.postId,
          platform: m.platform,
          at: new Date(m.at),
        })),
      };
    },
    /**
     * What opening a share needs to know, for many opens in one round trip (a crowd opening
     * their links after a notification): per open, the member's accepted consent version, the
     * post when they may share it now (published, not past notAfter, targeted at their unit or
     * an ancestor), and the rules of the nearest unit up the chain that has some. In input order.
     */
    async openContexts(
      opens: { userId: string; unitId: string | null; postId: string }[],
    ): Promise<OpenContext[]> {
      if (opens.length === 0) return [];
      const result = await db.execute<{
        n: number;
        consent_version: number | null;
        post: { id: string; slug: string; link: string | null } | null;
        rules: {
          unit_id: string;
          daily_cap: number | null;
          hours_from: number | null;
          hours_to: number | null;
          updated_by: string | null;
          updated_at: string;
        } | null;
      }>(sql`
        SELECT i.n::int AS n,
               (SELECT consent_version FROM member_profiles WHERE user_id = i.user_id) AS consent_version,
               (SELECT json_build_object('id', p.id, 'slug', p.slug, 'link', p.link) FROM posts p
                 WHERE p.id = i.post_id AND ${SHAREABLE}
                   AND (jsonb_array_length(p.unit_ids) = 0 OR p.unit_ids ?| ch.ids)) AS post,
               ch.rules
          FROM unnest(${sql.param(opens.map((o) => o.userId))}::uuid[],
                      ${sql.param(opens.map((o) => o.unitId))}::uuid[],
                      ${sql.param(opens.map((o) => o.postId))}::uuid[]) WITH ORDINALITY AS i(user_id, unit_id, post_id, n)
          CROSS JOIN LATERAL (
            WITH RECURSIVE chain AS (
              SELECT id, parent_id, 0 AS depth FROM units WHERE id = i.unit_id
              UNION ALL SELECT u.id, u.parent_id, c.depth + 1 FROM units u JOIN chain c ON u.id = c.parent_id WHERE c.depth < 20
            )
            SELECT (SELECT array_agg(id::text) FROM chain) AS ids,
                   (SELECT row_to_json(r) FROM unit_share_rules r JOIN chain c ON c.id = r.unit_id
                     ORDER BY c.depth LIMIT 1) AS rules
          ) ch
         ORDER BY i.n`);
      return result.rows.map((row) => {
        const r = row.rules;
        return {
          consentVersion: row.consent_version ?? null,
          post: row.post ?? undefined,
          rules: r
            ? {
                unitId: r.unit_id,
                dailyCap: r.daily_cap,
                hoursFrom: r.hours_from,
                hoursTo: r.hours_to,
                updatedBy: r.updated_by,
                updatedAt: new Date(r.updated_at),
              }
            : undefined,
        };
      });
    },
    /** Serialises one member's share writes, so the daily cap holds under parallel taps. */
    async lockMember(userId: string, tx: Executor): Promise<void> {
      await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext('member-share'), hashtext(${userId}))`);
    },
    async find(
      key: { userId: string; postId: string; platform: SharePlatform },
      tx: Executor = db,
    ): Promise<ShareRow | undefined> {
      const [row] = await tx
        .select()
        .from(memberShares)
        .where(
          and(
            eq(memberShares.userId, key.userId),
            eq(memberShares.postId, key.postId),
            eq(memberShares.platform, key.platform),
          ),
        );
      return row;
    },
    async insert(
      values: {
        userId: string;
        postId: string;
        platform: SharePlatform;
        unitId: string | null;
        status: ShareStatus;
        openedAt: Date;
        completedAt?: Date | null;
      },
      tx: Executor = db,
    ): Promise<ShareRow> {
      const [row] = await tx.insert(memberShares).values(values).returning();
      if (!row) throw new Error('insert returned no row');
      return row;
    },
    /**
     * One statement for a share without a cap to check: the new row, or the existing one with
     * one more open (a cancelled share starts again; an opened one becomes shared if it was).
     */
    async upsertOpen(
      values: {
        userId: string;
        postId: string;
        platform: SharePlatform;
        unitId: string | null;
        status: 'opened' | 'shared';
        openedAt: Date;
        completedAt: Date | null;
      },
      tx: Executor = db,
    ): Promise<ShareRow> {
      const moves = sql`(${memberShares.status} = 'cancelled' OR (${memberShares.status} = 'opened' AND excluded.status = 'shared'))`;
      const [row] = await tx
        .insert(memberShares)
        .values(values)
        .onConflictDoUpdate({
          target: [memberShares.userId, memberShares.postId, memberShares.platform],
          set: {
            opens: sql`${memberShares.opens} + 1`,
            status: sql`CASE WHEN ${moves} THEN excluded.status ELSE ${memberShares.status} END`,
            completedAt: sql`CASE WHEN ${moves} THEN excluded.completed_at ELSE ${memberShares.completedAt} END`,
          },
        })
        .returning();
      if (!row) throw new Error('upsert returned no row');
      return row;
    },
    /**
     * Many opens in one statement, each row at most once (the caller merges repeats of the same
     * member × post × platform and passes how many opens it stands for). Same rules as upsertOpen.
     */
    /** `fresh`: the row was created by this statement, not an earlier open's row counted on. */
    async upsertOpens(
      values: (OpenValues & { opens: number })[],
      tx: Executor,
    ): Promise<Array<ShareRow & { fresh: boolean }>> {
      if (values.length === 0) return [];
      // One statement from arrays (unnest), not a built multi-row insert: a crowd's batch of a
      // hundred opens is built in a few microseconds instead of a few milliseconds.
      const column = <T>(pick: (v: OpenValues & { opens: number }) => T) => sql.param(values.map(pick));
      const result = await tx.execute<{
        id: string;
        user_id: string;
        post_id: string;
        platform: SharePlatform;
        unit_id: string | null;
        status: ShareStatus;
        link_code: string | null;
        opened_at: string | Date;
        opens: number;
        completed_at: string | Date | null;
        fresh: boolean;
      }>(sql`
        INSERT INTO ${memberShares} AS s (user_id, post_id, platform, unit_id, status, opened_at, opens, completed_at)
        SELECT * FROM unnest(${column((v) => v.userId)}::uuid[], ${column((v) => v.postId)}::uuid[],
          ${column((v) => v.platform)}::text[], ${column((v) => v.unitId)}::uuid[], ${column((v) => v.status)}::text[],
          ${column((v) => v.openedAt.toISOString())}::timestamptz[], ${column((v) => v.opens)}::int[],
          ${column((v) => v.completedAt?.toISOString() ?? null)}::timestamptz[])
        ON CONFLICT (user_id, post_id, platform) DO UPDATE SET
          opens = s.opens + excluded.opens,
          status = CASE WHEN s.status = 'cancelled' OR (s.status = 'opened' AND excluded.status = 'shared')
                        THEN excluded.status ELSE s.status END,
          completed_at = CASE WHEN s.status = 'cancelled' OR (s.status = 'opened' AND excluded.status = 'shared')
                        THEN excluded.completed_at ELSE s.completed_at END
        RETURNING s.id, s.user_id, s.post_id, s.platform, s.unit_id, s.status, s.link_code, s.opened_at, s.opens,
          s.completed_at, (s.xmax = 0) AS fresh`);
      return result.rows.map((r) => ({
        id: r.id,
        userId: r.user_id,
        postId: r.post_id,
        platform: r.platform,
        unitId: r.unit_id,
        status: r.status,
        linkCode: r.link_code,
        openedAt: new Date(r.opened_at),
        opens: Number(r.opens),
        completedAt: r.completed_at === null ? null : new Date(r.completed_at),
        fresh: r.fresh,
      }));
    },
    /** Sets several shares' tracked-link codes in one statement. */
    async setLinkCodes(pairs: { id: string; linkCode: string }[], tx: Executor): Promise<void> {
      if (pairs.length === 0) return;
      const result = await tx.execute<{ id: string; link_code: string }>(sql`
        UPDATE ${memberShares} s SET link_code = v.code
          FROM unnest(${sql.param(pairs.map((p) => p.id))}::uuid[], ${sql.param(pairs.map((p) => p.linkCode))}::text[]) AS v(id, code)
         WHERE s.id = v.id
        RETURNING s.id, s.link_code`);
      if (result.rows.length !== pairs.length) throw new Error('share vanished');
    },
    async update(
      id: string,
      values: Partial<Pick<ShareRow, 'status' | 'linkCode' | 'completedAt' | 'opens'>>,
      tx: Executor = db,
    ): Promise<ShareRow> {
      const [row] = await tx.update(memberShares).set(values).where(eq(memberShares.id, id)).returning();
      if (!row) throw new Error('share vanished');
      return row;
    },
    /** Shares this member started since `since` that were not cancelled: what the daily cap counts. */
    async countSince(userId: string, since: Date, tx: Executor = db): Promise<number> {
      const [row] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(memberShares)
        .where(
          and(
            eq(memberShares.userId, userId),
            gte(memberShares.openedAt, since),
            ne(memberShares.status, 'cancelled'),
          ),
        );
      return row?.n ?? 0;
    },
    async setRules(
      values: {
        unitId: string;
        dailyCap: number | null;
        hoursFrom: number | null;
        hoursTo: number | null;
        updatedBy: string | null;
      },
      tx: Executor = db,
    ): Promise<ShareRulesRow> {
      const [row] = await tx
        .insert(unitShareRules)
        .values(values)
        .onConflictDoUpdate({
          target: unitShareRules.unitId,
          set: {
            dailyCap: values.dailyCap,
            hoursFrom: values.hoursFrom,
            hoursTo: values.hoursTo,
            updatedBy: values.updatedBy,
            updatedAt: new Date(),
          },
        })
        .returning();
      if (!row) throw new Error('upsert returned no row');
      return row;
    },
    /** The member's shares, newest first, with their link's people clicks and the post's title. */
    async memberShares(userId: string, tx: Executor = db) {
      const result = await tx.execute<{
        id: string;
        post_id: string;
        title: string;
        platform: SharePlatform;
        status: ShareStatus;
        opened_at: string;
        completed_at: string | null;
        link_code: string | null;
        clicks: number | null;
        unique_visitors: number | null;
        bot_clicks: number | null;
      }>(sql`
        SELECT ms.id, ms.post_id, p.title, ms.platform, ms.status, ms.opened_at, ms.completed_at, ms.link_code,
               l.clicks, l.unique_visitors, l.bot_clicks
          FROM member_shares ms
          JOIN posts p ON p.id = ms.post_id
          LEFT JOIN links l ON l.code = ms.link_code
         WHERE ms.user_id = ${userId}
         ORDER BY ms.opened_at DESC, ms.id DESC`);
      return result.rows.map((r) => ({
        id: r.id,
        postId: r.post_id,
        title: r.title,
        platform: r.platform,
        status: r.status,
        openedAt: new Date(r.opened_at),
        completedAt: r.completed_at ? new Date(r.completed_at) : null,
        linkCode: r.link_code,
        clicks: r.clicks ?? 0,
        uniqueVisitors: r.unique_visitors ?? 0,
        botClicks: r.bot_clicks ?? 0,
      }));
    },
  };
}

export type SharesRepo = ReturnType<typeof createSharesRepo>;
