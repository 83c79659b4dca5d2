// All SQL on media, and the one read of posts the library needs: which posts use an image.
import { and, desc, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import type { UnitScope } from '../auth/actor.ts';
import type { Executor } from '../db/database.ts';
import { media, posts, type MediaVariant, type PostStatus } from '../db/schema.ts';
import { withinScope } from '../db/unit-scope.ts';

export type MediaRow = typeof media.$inferSelect;

export interface MediaCursor {
  createdAt: Date;
  id: string;
}

export function createMediaRepo(db: Executor) {
  return {
    async insert(
      values: {
        sha256: string;
        file: string;
        mime: string;
        width: number;
        height: number;
        bytes: number;
        altText: string;
        originalName: string | null;
        variants: MediaVariant[];
        createdBy: string | null;
        unitId: string | null;
      },
      tx: Executor = db,
    ): Promise<MediaRow> {
      // Millisecond precision, as the list cursor carries a JavaScript Date.
      const [row] = await tx
        .insert(media)
        .values({ ...values, createdAt: new Date() })
        .returning();
      if (!row) throw new Error('insert returned no row');
      return row;
    },
    async findById(id: string, tx: Executor = db): Promise<MediaRow | undefined> {
      const [row] = await tx
        .select()
        .from(media)
        .where(and(eq(media.id, id), isNull(media.deletedAt)));
      return row;
    },
    /** The image when the scope reaches it: another unit's image is not found. */
    async findInScope(id: string, scope: UnitScope, tx: Executor = db): Promise<MediaRow | undefined> {
      const [row] = await tx
        .select()
        .from(media)
        .where(and(eq(media.id, id), isNull(media.deletedAt), withinScope(media.unitId, scope)));
      return row;
    },
    async findMany(ids: readonly string[], tx: Executor = db): Promise<MediaRow[]> {
      if (ids.length === 0) return [];
      return tx
        .select()
        .from(media)
        .where(and(inArray(media.id, [...ids]), isNull(media.deletedAt)));
    },
    /** Newest first; only the scope's units' images. */
    async list(
      options: { limit: number; after?: MediaCursor; scope: UnitScope },
      tx: Executor = db,
    ): Promise<MediaRow[]> {
      const after = options.after;
      return tx
        .select()
        .from(media)
        .where(
          and(
            isNull(media.deletedAt),
            withinScope(media.unitId, options.scope),
            after
              ? or(
                  lt(media.createdAt, after.createdAt),
                  and(eq(media.createdAt, after.createdAt), lt(media.id, after.id)),
                )
              : undefined,
          ),
        )
        .orderBy(desc(media.createdAt), desc(media.id))
        .limit(options.limit);
    },
    async updateAltText(id: string, altText: string, tx: Executor = db): Promise<MediaRow | undefined> {
      const [row] = await tx
        .update(media)
        .set({ altText })
        .where(and(eq(media.id, id), isNull(media.deletedAt)))
        .returning();
      return row;
    },
    async softDelete(id: string, tx: Executor = db): Promise<void> {
      await tx.update(media).set({ deletedAt: new Date() }).where(eq(media.id, id));
    },
    /** Posts in one of `statuses` whose media_ids contain this id. */
    async postsUsing(
      id: string,
      statuses: readonly PostStatus[],
      tx: Executor = db,
    ): Promise<{ id: string; status: PostStatus; title: string; unitId: string | null }[]> {
      return tx
        .select({ id: posts.id, status: posts.status, title: posts.title, unitId: posts.unitId })
        .from(posts)
        .where(
          and(sql`${posts.mediaIds} @> ${JSON.stringify([id])}::jsonb`, inArray(posts.status, [...statuses])),
        )
        .limit(20);
    },
  };
}

export type MediaRepo = ReturnType<typeof createMediaRepo>;
