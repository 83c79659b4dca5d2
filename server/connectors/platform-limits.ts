// Every platform limit Loa knows, in one place. The connectors shape requests within them; the
// posts module checks a post against them when it is written, edited, submitted and approved, so
// nothing knowable fails first at publish time. Sources: shared/research/platform-apis.md (A3 for
// Facebook photos and text, B3 for Zalo articles, B5 for Zalo images) and the mocks' own checks.
import type { Platform } from './types.ts';

export const FACEBOOK_LIMITS = {
  /** Characters of a Page post's `message`. */
  textMax: 63_206,
  /** Photos in one post: ten were accepted live, none documented beyond (Mixpost caps at ten too). */
  imagesMax: 10,
  /** "Photos should be smaller than 4 MB" (error 100, subcode 1366046). */
  imageBytesMax: 4 * 1024 * 1024,
  /** The types the same error names: JPG, PNG, GIF, TIFF, HEIF or WebP. */
  imageTypes: ['image/jpeg', 'image/png', 'image/gif', 'image/tiff', 'image/heif', 'image/webp'],
} as const;

export const ZALO_LIMITS = {
  /** Article title, in characters: 150 was refused live ("title allow 1 to 150 characters"). */
  titleMin: 1,
  titleMax: 149,
  /** Article description (summary), in characters. */
  descriptionMax: 300,
  /** Covers and body images: JPG or PNG, at most 1 MB; an article without a cover is refused. */
  imageBytesMax: 1024 * 1024,
  imageTypes: ['image/jpeg', 'image/jpg', 'image/png'],
} as const;

/** How many images a platform takes in one post (Zalo: one cover plus body images, no cap known). */
export function imagesMax(platform: Platform): number {
  return platform === 'facebook' ? FACEBOOK_LIMITS.imagesMax : Number.POSITIVE_INFINITY;
}

export function acceptsImageType(platform: Platform, mime: string): boolean {
  const types: readonly string[] =
    platform === 'facebook' ? FACEBOOK_LIMITS.imageTypes : ZALO_LIMITS.imageTypes;
  return types.includes(mime);
}

export function imageBytesMax(platform: Platform): number {
  return platform === 'facebook' ? FACEBOOK_LIMITS.imageBytesMax : ZALO_LIMITS.imageBytesMax;
}

/** Characters as the platforms count them: code points (an emoji is one, a Vietnamese letter in NFC is one). */
export function charCount(text: string): number {
  return [...text].length;
}

/**
 * The one clipper for derived texts (a title from the first line, a description from the body):
 * at most `max` code points, cut at a word boundary when one is in the second half, so a word or
 * a Vietnamese letter is never split, and marked with "…".
 */
export function clipText(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  const head = chars.slice(0, max - 1).join('');
  const space = head.lastIndexOf(' ');
  return `${(space > max / 2 ? head.slice(0, space) : head).replace(/[\s.,:;!?-]+$/u, '')}…`;
}
