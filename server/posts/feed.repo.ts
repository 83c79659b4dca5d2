// SQL for the members' share feed on posts (server/amplification/feed.service.ts): which
// published posts a unit's members see. The amplification module reads posts only through here.
import { sql } from 'drizzle-orm';
import type { Executor } from '../db/database.ts';
import type { PostCard } from '../db/schema.ts';

export interface FeedPostRow {
  id: string;
  title: string;
  text: string;
  card: PostCard | null;
  slug: string;
  templateId: string | null;
  variables: Record<string, string>;
  urgent: boolean;
  publishedAt: Date;
  notAfter: Date | null;
  supersededBy: string | null;
  successorSlug: string | null;
}

/** The member's unit and its ancestors as a text[] for `unit_ids ?| …` (NULL without a unit). */
const unitChain = (unitId: string | null) =>
  unitId === null
    ? sql`NULL::text[]`
    : sql`(WITH RECURSIVE chain AS (
        SELECT id, parent_id, 0 AS depth FROM units WHERE id = ${unitId}
        UNION ALL SELECT u.id, u.parent_id, c.depth + 1 FROM units u JOIN chain c ON u.id = c.parent_id WHERE c.depth < 20
      ) SELECT array_agg(id::text) FROM chain)`;

/** Targeted at everyone, or at the member's unit or one above it. */
export const targetsMember = (unitId: string | null) =>
  sql`(jsonb_array_length(p.unit_ids) = 0 OR p.unit_ids ?| ${unitChain(unitId)})`;

export function createPostsFeedRepo(db: Executor) {
  return {
    /** Published posts for a unit's members (the same for every member of the unit), newest first. */
    async feed(
      unitId: string | null,
      page: { limit: number; before?: { at: Date; id: string } },
      tx: Executor = db,
    ): Promise<FeedPostRow[]> {
      const before = page.before
        ? sql`AND (p.published_at, p.id) < (${page.before.at.toISOString()}::timestamptz, ${page.before.id}::uuid)`
        : sql``;
      const result = await tx.execute<{
        id: string;
        title: string;
        text: string;
        card: PostCard | null;
        slug: string;
        template_id: string | null;
        variables: Record<string, string>;
        urgent: boolean;
        published_at: string;
        not_after: string | null;
        superseded_by: string | null;
        successor_slug: string | null;
      }>(sql`
        SELECT p.id, p.title, p.text, p.card, p.slug, p.template_id, p.variables, p.urgent,
               p.published_at, p.not_after, p.superseded_by, s.slug AS successor_slug
          FROM posts p
          LEFT JOIN posts s ON s.id = p.superseded_by
         WHERE p.published_at IS NOT NULL
           AND (p.status IN ('published', 'partially_failed') OR (p.status = 'retracted' AND p.superseded_by IS NOT NULL))
           AND (p.not_after IS NULL OR p.not_after > now())
           AND ${targetsMember(unitId)}
           ${before}
         ORDER BY p.published_at DESC, p.id DESC
         LIMIT ${page.limit}`);
      return result.rows.map((r) => ({
        id: r.id,
        title: r.title,
        text: r.text,
        card: r.card,
        slug: r.slug,
        templateId: r.template_id,
        variables: r.variables,
        urgent: r.urgent,
        publishedAt: new Date(r.published_at),
        notAfter: r.not_after === null ? null : new Date(r.not_after),
        supersededBy: r.superseded_by,
        successorSlug: r.successor_slug,
      }));
    },
  };
}

export type PostsFeedRepo = ReturnType<typeof createPostsFeedRepo>;
