// Compose-time checks: everything a platform is known to refuse, checked against a post and the
// channels it goes to when it is written, edited, submitted and approved (and shown in the
// composer's preview), so that a post that passed can fail at publish time only for reasons the
// platform decides then. The limits themselves are the connectors' (connectors/platform-limits.ts).
import {
  acceptsImageType,
  charCount,
  FACEBOOK_LIMITS,
  imageBytesMax,
  ZALO_LIMITS,
  zaloArticleDescription,
  type Platform,
} from '../connectors/index.ts';
import type { PlatformProblem } from '../errors.ts';
import { composeText, trackedUrl } from '../publishing/compose-text.ts';

export interface CheckedChannel {
  id: string;
  platform: Platform;
  name: string;
}

/** One image as the platform receives it: the variant Loa sends, its type and size. */
export interface CheckedImage {
  /** The post's field it comes from: `card`, `mediaIds.<n>` or `cover` (the generated Zalo cover). */
  field: string;
  mime: string;
  /** null when unknown (a card rendered before sizes were recorded): not judged. */
  bytes: number | null;
}

export interface CheckedPost {
  /** The post text as stored; the tracked link is added at publish time and counted here. */
  text: string;
  title: string;
  card: CheckedImage | null;
  media: CheckedImage[];
  /** The generated Zalo cover, when the post has no picture of its own. */
  zaloCover: CheckedImage | null;
  scheduledAt: Date;
  notAfter: Date | null;
}

/** A tracked-link code is 14 characters (publishing/compose-text.ts). */
const LINK_CODE_SAMPLE = 'x'.repeat(14);

const MB = 1024 * 1024;
const megabytes = (bytes: number): string => (bytes / MB).toFixed(2).replace(/\.?0+$/, '');

type Found = Omit<PlatformProblem, 'channelId' | 'platform'>;

function imageProblems(platform: Platform, images: CheckedImage[]): Found[] {
  const found: Found[] = [];
  for (const image of images) {
    if (!acceptsImageType(platform, image.mime)) {
      found.push({ field: image.field, code: `${platform}_image_type`, params: { mime: image.mime } });
    }
    const max = imageBytesMax(platform);
    if (image.bytes !== null && image.bytes > max) {
      found.push({
        field: image.field,
        code: `${platform}_image_too_large`,
        params: { size: megabytes(image.bytes), max: megabytes(max) },
      });
    }
  }
  return found;
}

function facebookProblems(post: CheckedPost, publicUrl: string): Found[] {
  const found: Found[] = [];
  const published = composeText(post.text, trackedUrl(publicUrl, LINK_CODE_SAMPLE));
  const length = charCount(published);
  if (length > FACEBOOK_LIMITS.textMax) {
    found.push({
      field: 'text',
      code: 'facebook_text_too_long',
      params: { length, max: FACEBOOK_LIMITS.textMax },
    });
  }
  const images = [...(post.card ? [post.card] : []), ...post.media];
  if (images.length > FACEBOOK_LIMITS.imagesMax) {
    found.push({
      field: 'mediaIds',
      code: 'facebook_too_many_images',
      params: { count: images.length, max: FACEBOOK_LIMITS.imagesMax },
    });
  }
  return [...found, ...imageProblems('facebook', images)];
}

function zaloProblems(post: CheckedPost, publicUrl: string): Found[] {
  const found: Found[] = [];
  const titleLength = charCount(post.title.trim());
  if (titleLength < ZALO_LIMITS.titleMin)
    found.push({ field: 'title', code: 'zalo_title_empty', params: {} });
  if (titleLength > ZALO_LIMITS.titleMax) {
    found.push({
      field: 'title',
      code: 'zalo_title_too_long',
      params: { length: titleLength, max: ZALO_LIMITS.titleMax },
    });
  }
  // The summary Loa sends is derived from the text and cut by the connector; checked as sent.
  const description = zaloArticleDescription(composeText(post.text, trackedUrl(publicUrl, LINK_CODE_SAMPLE)));
  if (charCount(description) > ZALO_LIMITS.descriptionMax) {
    found.push({
      field: 'description',
      code: 'zalo_description_too_long',
      params: { length: charCount(description), max: ZALO_LIMITS.descriptionMax },
    });
  }
  // The cover is the card, else the first image, else the generated one (connectors/zalo).
  const images = [...(post.card ? [post.card] : []), ...post.media];
  if (images.length === 0 && post.zaloCover) images.push(post.zaloCover);
  if (images.length === 0) found.push({ field: 'cover', code: 'zalo_cover_missing', params: {} });
  return [...found, ...imageProblems('zalo', images)];
}

function timeProblems(post: CheckedPost, now: Date): Found[] {
  if (!post.notAfter) return [];
  if (post.notAfter <= post.scheduledAt)
    return [{ field: 'notAfter', code: 'not_after_before_schedule', params: {} }];
  // Publishing refuses a publication past its notAfter: a window already closed cannot go out.
  if (post.notAfter <= now) return [{ field: 'notAfter', code: 'not_after_passed', params: {} }];
  return [];
}

/** Every limit the post breaks on every channel it goes to; empty when it fits them all. */
export function checkPost(
  post: CheckedPost,
  channels: readonly CheckedChannel[],
  options: { publicUrl: string; now: Date },
): PlatformProblem[] {
  return channels.flatMap((channel) => {
    const found = [
      ...(channel.platform === 'facebook'
        ? facebookProblems(post, options.publicUrl)
        : zaloProblems(post, options.publicUrl)),
      ...timeProblems(post, options.now),
    ];
    return found.map((p) => ({
      ...p,
      channelId: channel.id,
      platform: channel.platform,
      params: { ...p.params, channel: channel.name },
    }));
  });
}
