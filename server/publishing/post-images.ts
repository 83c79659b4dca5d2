// The images a post carries to the platforms: its card first (when it has one), then its media in
// order, as bytes (Facebook uploads them) and as public URLs (Zalo fetches covers itself).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ImageInput } from '../connectors/index.ts';
import type { PostCard, posts } from '../db/schema.ts';

export type PostRow = typeof posts.$inferSelect;

export interface PostImageSource {
  imagesFor(post: PostRow): Promise<ImageInput[]>;
  /** The generated Zalo cover of a post without a picture of its own (posts.zalo_cover), if any. */
  zaloCoverFor(post: PostRow): Promise<ImageInput | undefined>;
}

/** The variant sent to the platforms: large enough to look good, small enough for Zalo's 1 MB. */
const PREFERRED_VARIANT = 'large';

/** The media module's shape, as far as publishing needs it. */
export interface MediaFiles<Row> {
  getMany(ids: readonly string[]): Promise<Row[]>;
  readFile(row: Row, variant?: 'large' | 'thumb'): Promise<Buffer>;
  publicUrl(row: Row, variant?: 'large' | 'thumb'): string;
}

interface MediaLike {
  mime: string;
  altText: string;
  variants: { name: string; mime: string }[];
}

/** Cards are rendered files under `<mediaDir>/<card.file>`, served at `/media/<card.file>`. */
async function cardImage(card: PostCard, mediaDir: string, publicUrl: string): Promise<ImageInput> {
  const root = path.resolve(mediaDir);
  const full = path.resolve(root, card.file);
  // Keys are server-generated, but a path never leaves the media directory.
  if (!full.startsWith(root + path.sep))
    throw new Error(`card path outside the media directory: ${card.file}`);
  return {
    data: await readFile(full),
    mime: card.mime,
    altText: card.altText,
    url: `${publicUrl.replace(/\/+$/, '')}/media/${card.file}`,
  };
}

export function createMediaImageSource<Row extends MediaLike>(deps: {
  media: MediaFiles<Row>;
  mediaDir: string;
  publicUrl: string;
}): PostImageSource {
  return {
    async imagesFor(post) {
      const images: ImageInput[] =
        post.withCard && post.card ? [await cardImage(post.card, deps.mediaDir, deps.publicUrl)] : [];
      for (const row of await deps.media.getMany(post.mediaIds)) {
        const variant = row.variants.find((v) => v.name === PREFERRED_VARIANT)
          ? PREFERRED_VARIANT
          : undefined;
        images.push({
          data: await deps.media.readFile(row, variant),
          mime: row.variants.find((v) => v.name === variant)?.mime ?? row.mime,
          altText: row.altText,
          url: deps.media.publicUrl(row, variant),
        });
      }
      return images;
    },
    async zaloCoverFor(post) {
      return post.zaloCover ? cardImage(post.zaloCover, deps.mediaDir, deps.publicUrl) : undefined;
    },
  };
}
