// SQL on tracked links made for member shares (the publisher makes its own in publishing).
import { eq, inArray } from 'drizzle-orm';
import type { Executor } from '../db/database.ts';
import { links } from '../db/schema.ts';

export function createLinksRepo(db: Executor) {
  return {
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
      const rows = await tx
        .insert(links)
        .values(values)
        .onConflictDoNothing()
        .returning({ code: links.code });
      return rows.map((r) => r.code);
    },
    async findByShares(
      shareIds: string[],
      tx: Executor,
    ): Promise<{ shareId: string | null; code: string }[]> {
      if (shareIds.length === 0) return [];
      return tx
        .select({ shareId: links.shareId, code: links.code })
        .from(links)
        .where(inArray(links.shareId, shareIds));
    },
    async findByShare(shareId: string, tx: Executor = db) {
      const [row] = await tx.select().from(links).where(eq(links.shareId, shareId));
      return row;
    },
  };
}

export type LinksRepo = ReturnType<typeof createLinksRepo>;
