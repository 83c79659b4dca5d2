// SQL for telling members about published posts: which posts still need telling, who their
// consenting members are, and whose daily digest is due.
import { sql } from 'drizzle-orm';
import type { Executor } from '../db/database.ts';

export interface PendingPost {
  id: string;
  title: string;
  urgent: boolean;
  unitIds: string[];
}

/** Members of these units and every unit below them (everyone when the list is empty). */
const inUnits = (unitIds: string[]) =>
  unitIds.length === 0
    ? sql`TRUE`
    : sql`u.unit_id IN (
        WITH RECURSIVE sub AS (
          SELECT id FROM units WHERE id::text = ANY(${`{${unitIds.join(',')}}`}::text[])
          UNION ALL SELECT c.id FROM units c JOIN sub ON c.parent_id = sub.id)
        SELECT id FROM sub)`;

export function createNoticesRepo(db: Executor) {
  return {
    /**
     * Posts out on their channels recently whose members have not been told yet, urgent ones
     * first; `urgentOnly` at night, so a backlog of posts waiting for the morning cannot hold
     * an urgent one back.
     */
    async pendingPosts(limit: number, urgentOnly = false, tx: Executor = db): Promise<PendingPost[]> {
      const result = await tx.execute<{ id: string; title: string; urgent: boolean; unit_ids: string[] }>(sql`
        SELECT p.id, p.title, p.urgent, p.unit_ids FROM posts p
         WHERE p.published_at > now() - interval '2 days'
           AND p.status IN ('published', 'partially_failed')
           AND (p.not_after IS NULL OR p.not_after > now())
           AND NOT EXISTS (SELECT 1 FROM member_post_notices n WHERE n.post_id = p.id)
           AND (${!urgentOnly} OR p.urgent)
         ORDER BY p.urgent DESC, p.published_at LIMIT ${limit}`);
      return result.rows.map((r) => ({ id: r.id, title: r.title, urgent: r.urgent, unitIds: r.unit_ids }));
    },
    /** Claims the post for telling: false when another worker already did. */
    async claimNotice(postId: string, tx: Executor): Promise<boolean> {
      const result = await tx.execute(
        sql`INSERT INTO member_post_notices (post_id) VALUES (${postId}) ON CONFLICT DO NOTHING RETURNING post_id`,
      );
      return result.rows.length === 1;
    },
    async setNoticeCount(postId: string, members: number, tx: Executor): Promise<void> {
      await tx.execute(sql`UPDATE member_post_notices SET members = ${members} WHERE post_id = ${postId}`);
    },
    /** Active members with the current consent in the post's units who want each post at once. */
    async instantMembers(unitIds: string[], consentVersion: number, tx: Executor = db): Promise<string[]> {
      const result = await tx.execute<{ id: string }>(sql`
        SELECT u.id FROM users u JOIN member_profiles mp ON mp.user_id = u.id
         WHERE u.role = 'member' AND u.active AND mp.consent_version = ${consentVersion}
           AND mp.digest = 'instant' AND ${inUnits(unitIds)}`);
      return result.rows.map((r) => r.id);
    },
    /**
     * Members on the daily digest who have not had one since `since`, with how many posts for
     * them were published after their last digest (at most one day back).
     */
    async dueDigests(
      since: Date,
      consentVersion: number,
      tx: Executor = db,
    ): Promise<{ userId: string; posts: number }[]> {
      const result = await tx.execute<{ id: string; posts: number }>(sql`
        SELECT u.id, (
          SELECT count(*)::int FROM posts p
           WHERE p.published_at > greatest(coalesce(mp.last_digest_at, '-infinity'), now() - interval '1 day')
             AND p.status IN ('published', 'partially_failed')
             AND (p.not_after IS NULL OR p.not_after > now())
             AND (jsonb_array_length(p.unit_ids) = 0 OR p.unit_ids ?| (
               WITH RECURSIVE chain AS (
                 SELECT id, parent_id, 0 AS depth FROM units WHERE id = u.unit_id
                 UNION ALL SELECT x.id, x.parent_id, c.depth + 1 FROM units x JOIN chain c ON x.id = c.parent_id WHERE c.depth < 20
               ) SELECT array_agg(id::text) FROM chain))
        ) AS posts
          FROM users u JOIN member_profiles mp ON mp.user_id = u.id
         WHERE u.role = 'member' AND u.active AND mp.consent_version = ${consentVersion}
           AND mp.digest = 'daily' AND (mp.last_digest_at IS NULL OR mp.last_digest_at < ${since.toISOString()}::timestamptz)`);
      return result.rows.map((r) => ({ userId: r.id, posts: Number(r.posts) }));
    },
    async markDigested(userId: string, at: Date, tx: Executor): Promise<void> {
      await tx.execute(
        sql`UPDATE member_profiles SET last_digest_at = ${at.toISOString()}::timestamptz WHERE user_id = ${userId}`,
      );
    },
  };
}

export type NoticesRepo = ReturnType<typeof createNoticesRepo>;
