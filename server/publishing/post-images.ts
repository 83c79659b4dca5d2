// The images a post carries to the platforms: its card first (when it has one), then its media in
// order, as bytes (Facebook uploads them) and as public URLs (Zalo fetches covers itself). The
// card goes out as published: with the QR code of the post's public page in its QR box.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ImageInput } from '../connectors/index.ts';
import type { PostCard, posts } from '../db/schema.ts';
import type { Renderer } from '../rendering/index.ts';

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

/** `file` resolved against the media directory `root`; never a path outside it. */
function mediaFile(root: string, file: string): string {
  const full = path.resolve(root, file);
  // Keys are server-generated, but a path never leaves the media directory.
  if (!full.startsWith(root + path.sep)) throw new Error(`card path outside the media directory: ${file}`);
  return full;
}

/**
 * The card as published. The stored card (`<mediaDir>/<card.file>`) was drawn when the post was
 * written, before it had an address; the QR code of its public page is stamped on it here
 * (cached by content, under the renderer's cache directory inside the media directory).
 */
export async function publishedCard(
  post: Pick<PostRow, 'withCard' | 'card' | 'slug'>,
  deps: CardDeps,
): Promise<ImageInput | undefined> {
  if (!post.withCard || !post.card) return undefined;
  return stampedCard(post.card, post.slug, deps);
}

interface CardDeps {
  cards: Pick<Renderer, 'stampQrCode'>;
  mediaDir: string;
  publicUrl: string;
}

/** A rendered card (the post's own, or its generated Zalo cover) with its public page's QR code. */
async function stampedCard(card: PostCard, slug: string, deps: CardDeps): Promise<ImageInput> {
  const root = path.resolve(deps.mediaDir);
  const base = deps.publicUrl.replace(/\/+$/, '');
  const stamped = await deps.cards.stampQrCode({
    layout: card.layout,
    size: card.size,
    card: await readFile(mediaFile(root, card.file)),
    url: `${base}/w/${encodeURIComponent(slug)}`,
  });
  // The renderer keeps cards inside the media directory (its cards/ folder), served under /media.
  const file = path.relative(root, mediaFile(root, stamped.path));
  return {
    data: stamped.data,
    mime: stamped.mime,
    altText: card.altText,
    url: `${base}/media/${file.split(path.sep).join('/')}`,
  };
}

export function createMediaImageSource<Row extends MediaLike>(deps: {
  media: MediaFiles<Row>;
  cards: Pick<Renderer, 'stampQrCode'>;
  mediaDir: string;
  publicUrl: string;
}): PostImageSource {
  return {
    async imagesFor(post) {
      const card = await publishedCard(post, deps);
      const images: ImageInput[] = card ? [card] : [];
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
      return post.zaloCover ? stampedCard(post.zaloCover, post.slug, deps) : undefined;
    },
  };
}
