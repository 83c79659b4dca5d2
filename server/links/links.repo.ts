// SQL on tracked links made for member shares (the publisher makes its own in publishing).
import { eq } from 'drizzle-orm';
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
    async findByShare(shareId: string, tx: Executor = db) {
      const [row] = await tx.select().from(links).where(eq(links.shareId, shareId));
      return row;
    },
  };
}

export type LinksRepo = ReturnType<typeof createLinksRepo>;
