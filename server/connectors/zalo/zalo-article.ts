// Turns plain post values into the body of POST /v2.0/article/create (research B3), within Zalo's
// limits: title 1–149 characters, description ≤ 300, status `show` (the default `hide` would create an
// invisible article), covers and body images by public URL.
import { acceptsImageType, charCount, clipText, ZALO_LIMITS } from '../platform-limits.ts';
import { ConnectorFailure, type ImageInput, type PublishInput } from '../types.ts';

const TITLE_MAX = ZALO_LIMITS.titleMax;
const DESCRIPTION_MAX = ZALO_LIMITS.descriptionMax;

export interface ArticleBody {
  type: 'normal';
  title: string;
  description: string;
  cover: { cover_type: 'photo'; photo_url: string; status: 'show' };
  body: ({ type: 'text'; content: string } | { type: 'image'; url: string })[];
  tracking_link?: string;
  status: 'show';
  comment: 'show';
}

export function buildArticle(input: PublishInput): ArticleBody {
  const cover = input.coverImage ?? input.images?.[0];
  // Zalo requires a cover and fetches it itself: it takes a URL, never uploaded bytes (research B3, B5).
  if (!cover?.url) {
    throw new ConnectorFailure('zalo', {
      kind: 'rejected',
      message: 'A Zalo article needs a cover image that Zalo can fetch from a public URL.',
    });
  }
  checkZaloImage(cover, 'cover image');
  const bodyImages = (input.images ?? []).filter((image) => image !== cover && image.url);
  bodyImages.forEach((image) => checkZaloImage(image, 'image'));

  const paragraphs = input.text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
    .map((p) => ({ type: 'text' as const, content: `<p>${linkify(p).replace(/\n/g, '<br>')}</p>` }));
  if (input.link && !input.text.includes(input.link)) {
    paragraphs.push({ type: 'text', content: `<p>${linkify(input.link)}</p>` });
  }
  return {
    type: 'normal',
    title: articleTitle(input),
    description: articleDescription(input.text),
    cover: { cover_type: 'photo', photo_url: encodedUrl(cover.url), status: 'show' },
    body: [...paragraphs, ...bodyImages.map((image) => ({ type: 'image' as const, url: image.url ?? '' }))],
    ...(input.link ? { tracking_link: input.link } : {}),
    status: 'show',
    comment: 'show',
  };
}

/** The article's summary: the text as one line, cut to Zalo's limit. */
export function articleDescription(text: string): string {
  return clipText(text.replace(/\s+/g, ' ').trim(), DESCRIPTION_MAX);
}

/** An explicit title that is too long is the composer's mistake: refuse rather than cut the editor's words. */
export function articleTitle(input: Pick<PublishInput, 'title' | 'text'>): string {
  if (input.title !== undefined) {
    const title = input.title.trim();
    const length = charCount(title);
    if (length < ZALO_LIMITS.titleMin || length > TITLE_MAX) {
      throw new ConnectorFailure('zalo', {
        kind: 'rejected',
        message: `A Zalo article title must be 1–${TITLE_MAX} characters (this one has ${length}).`,
      });
    }
    return title;
  }
  const firstLine =
    input.text
      .split('\n')
      .find((line) => line.trim().length > 0)
      ?.trim() ?? '';
  if (!firstLine) {
    throw new ConnectorFailure('zalo', {
      kind: 'rejected',
      message: 'A Zalo article needs a title or some text.',
    });
  }
  return truncate(firstLine, TITLE_MAX);
}

/** jpg/png up to 1 MB; resizing belongs to the rendering module, so a larger image is refused here. */
export function checkZaloImage(image: ImageInput, what: string): void {
  if (!acceptsImageType('zalo', image.mime)) {
    throw new ConnectorFailure('zalo', {
      kind: 'rejected',
      message: `Zalo accepts only JPG or PNG for the ${what} (got ${image.mime}).`,
    });
  }
  if (image.data.length > ZALO_LIMITS.imageBytesMax) {
    throw new ConnectorFailure('zalo', {
      kind: 'rejected',
      message: `The ${what} is ${(image.data.length / 1024 / 1024).toFixed(2)} MB; Zalo accepts at most 1 MB.`,
    });
  }
}

/** Derived titles and descriptions are cut by the one clipper every part of Loa uses. */
export const truncate = clipText;

/** Zalo rejects cover URLs that are not percent-encoded; URL.href encodes what needs it. */
function encodedUrl(url: string): string {
  try {
    return new URL(url).href;
  } catch {
    throw new ConnectorFailure('zalo', { kind: 'rejected', message: `Not a valid image URL: ${url}` });
  }
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Escapes the text and makes its http(s) URLs clickable (the tracked link must be a real link). */
export function linkify(text: string): string {
  const parts = text.split(/(https?:\/\/[^\s<>"]+)/g);
  return parts
    .map((part, index) => {
      if (index % 2 === 0) return escapeHtml(part);
      const url = escapeHtml(part);
      return `<a href="${url}">${url}</a>`;
    })
    .join('');
}
