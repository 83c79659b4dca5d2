// zod schemas for the media API.
import { z } from 'zod';
import type { MediaCursor } from './media.repo.ts';

export const mediaIdSchema = z.uuid();

export const altTextSchema = z.strictObject({ altText: z.string().max(2000) });

/** Text fields sent with the multipart upload. */
export const uploadFieldsSchema = z.object({ altText: z.string().max(2000).optional() });

/** The list cursor is opaque to clients: the last item's time and id. */
export function encodeCursor(cursor: MediaCursor): string {
  return Buffer.from(`${cursor.createdAt.toISOString()}|${cursor.id}`).toString('base64url');
}

export const mediaListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z
    .string()
    .max(200)
    .optional()
    .transform((value, ctx): MediaCursor | undefined => {
      if (value === undefined) return undefined;
      const [at, id] = Buffer.from(value, 'base64url').toString('utf8').split('|');
      const createdAt = new Date(at ?? '');
      if (Number.isNaN(createdAt.getTime()) || !id || !mediaIdSchema.safeParse(id).success) {
        ctx.addIssue({ code: 'custom', message: 'is not a cursor from this list' });
        return z.NEVER;
      }
      return { createdAt, id };
    }),
});

export const mediaResponseSchema = z.object({
  id: z.string(),
  url: z.string(),
  mime: z.string(),
  width: z.number(),
  height: z.number(),
  bytes: z.number(),
  altText: z.string(),
  variants: z.array(z.object({ name: z.string(), url: z.string(), width: z.number(), height: z.number() })),
  createdAt: z.string(),
});
