// SQL on tracked links: following one, the publishers' links and those made for member shares.
import { eq, sql } from 'drizzle-orm';
import type { Executor } from '../db/database.ts';
import { links } from '../db/schema.ts';

export function createLinksRepo(db: Executor) {
  return {
    /** A bot's or link-preview fetcher's visit: only bot_clicks moves. The target, if the code exists. */
    async countBotClick(code: string): Promise<string | undefined> {
      const bot = await db.execute<{ target: string }>(
        sql`UPDATE links SET bot_clicks = bot_clicks + 1 WHERE code = ${code} RETURNING target`,
      );
      return bot.rows[0]?.target;
    },
    /** One statement: the visitor row (if new today) and both counters. The target, if the code exists. */
    async countClick(code: string, visitorHash: string): Promise<string | undefined> {
      const result = await db.execute<{ target: string }>(sql`
        WITH visitor AS (
          INSERT INTO link_visitors (code, visitor_hash)
          SELECT code, ${visitorHash} FROM links WHERE code = ${code}
          ON CONFLICT DO NOTHING
          RETURNING code
        )
        UPDATE links SET clicks = clicks + 1, unique_visitors = unique_visitors + (SELECT count(*)::int FROM visitor)
        WHERE code = ${code}
        RETURNING target`);
      return result.rows[0]?.target;
    },
    async stats(
      code: string,
    ): Promise<{ clicks: number; uniqueVisitors: number; botClicks: number; target: string } | undefined> {
      const result = await db.execute<{
        clicks: number;
        unique_visitors: number;
        bot_clicks: number;
        target: string;
      }>(sql`SELECT clicks, unique_visitors, bot_clicks, target FROM links WHERE code = ${code}`);
      const row = result.rows[0];
      return row
        ? {
            clicks: row.clicks,
            uniqueVisitors: row.unique_visitors,
            botClicks: row.bot_clicks,
            target: row.target,
          }
        : undefined;
    },
    async postIdForCode(code: string): Promise<string | undefined> {
      const [row] = await db.select({ postId: links.postId }).from(links).where(eq(links.code, code));
      return row?.postId ?? undefined;
    },
    async insertForPublication(
      values: { code: string; target: string; postId: string; publicationId: string },
      tx: Executor,
    ): Promise<void> {
      await tx.insert(links).values(values);
    },
    async retarget(code: string, target: string, tx: Executor): Promise<void> {
      await tx.update(links).set({ target }).where(eq(links.code, code));
    },
    async retargetPost(postId: string, target: string, tx: Executor): Promise<void> {
      await tx.update(links).set({ target }).where(eq(links.postId, postId));
    },
    /** Inserts the link unless the code exists; answers whether it was new. */
    async insertIfAbsent(
      values: { code: string; target: string; postId: string; shareId: string },
      tx: Executor = db,
    ): Promise<boolean> {
      const rows = await tx
        .insert(links)
        .values(values)
        .onConflictDoNothing()
        .returning({ code: links.code });
      return rows.length > 0;
    },
    /** Inserts the links whose codes are free; answers the codes that were inserted. */
    async insertManyIfAbsent(
      values: { code: string; target: string; postId: string; shareId: string }[],
      tx: Executor,
    ): Promise<string[]> {
      if (values.length === 0) return [];
      // From arrays (unnest), as the share opens that ask for these links are written.
      const rows = await tx.execute<{ code: string }>(sql`
        INSERT INTO ${links} (code, target, post_id, share_id)
        SELECT * FROM unnest(${sql.param(values.map((v) => v.code))}::text[],
          ${sql.param(values.map((v) => v.target))}::text[], ${sql.param(values.map((v) => v.postId))}::uuid[],
          ${sql.param(values.map((v) => v.shareId))}::uuid[])
        ON CONFLICT DO NOTHING
        RETURNING code`);
      return rows.rows.map((r) => r.code);
    },
    async findByShares(
      shareIds: string[],
      tx: Executor,
    ): Promise<{ shareId: string | null; code: string }[]> {
      if (shareIds.length === 0) return [];
      const rows = await tx.execute<{ share_id: string | null; code: string }>(
        sql`SELECT share_id, code FROM ${links} WHERE share_id = ANY(${sql.param(shareIds)}::uuid[])`,
      );
      return rows.rows.map((r) => ({ shareId: r.share_id, code: r.code }));
    },
    async findByShare(shareId: string, tx: Executor = db) {
      const [row] = await tx.select().from(links).where(eq(links.shareId, shareId));
      return row;
    },
  };
}

export type LinksRepo = ReturnType<typeof createLinksRepo>;
