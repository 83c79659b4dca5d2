// What the public sees of a warning: only posts that went out (or were retracted after going
// out), and only what was published — headline, text, card, the issuing unit and its official
// channels, dates, hotline. Never an author, a reviewer or an internal id (the slug is the key).
import { createChannelsRepo } from '../channels/channels.repo.ts';
import type { Database } from '../db/database.ts';
import type { Platform, PostStatus } from '../db/schema.ts';
import { createPostsRepo, type PostRow } from '../posts/posts.repo.ts';
import { createPublicationRepo } from '../publishing/publication.repo.ts';
import { createUnitsRepo } from '../users/users.repo.ts';
import { formatPhone } from '../templates/template-values.ts';

/** A post is public once something of it went out; retracted ones stay public, marked. */
const PUBLIC_STATUSES: readonly PostStatus[] = ['publishing', 'published', 'partially_failed', 'retracted'];

export interface PublicChannel {
  platform: Platform;
  name: string;
  url: string | null;
}

export interface PublicLink {
  title: string;
  url: string;
}

export interface PublicWarning {
  slug: string;
  url: string;
  title: string;
  text: string;
  paragraphs: string[][];
  description: string;
  card: { src: string; absolute: string; width: number; height: number; alt: string } | null;
  unitName: string | null;
  /** The issuing unit's logo (issue 11), shown in the page's and the leaflet's heading. */
  logo: { src: string } | null;
  channels: PublicChannel[];
  publishedAt: Date;
  hotline: { display: string; tel: string } | null;
  state: 'active' | 'retracted' | 'superseded';
  retractedAt: Date | null;
  retractReason: string | null;
  /** The newer warning that replaces this one (when it is public). */
  replacement: PublicLink | null;
  /** Older warnings this one replaces. */
  replaces: PublicLink[];
}

export interface PublicPagesDeps {
  db: Database;
  publicUrl: string;
  /** The unit's hotline and logo from its profile (the hotline when the post carries none). */
  unitBrand?: (
    unitId: string,
  ) => Promise<{ hotline?: string | undefined; logo: { src: string } | null } | null>;
}

export function channelUrl(platform: Platform, externalId: string): string | null {
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(externalId)) return null;
  return platform === 'facebook' ? `https://facebook.com/${externalId}` : `https://zalo.me/${externalId}`;
}

/** Paragraphs (blank-line separated) of lines; the template escapes every line. */
export function paragraphsOf(text: string): string[][] {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n{2,}/)
    .map((p) =>
      p
        .split('\n')
        .map((l) => l.trimEnd())
        .filter((l) => l !== ''),
    )
    .filter((p) => p.length > 0);
}

function describe(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const chars = [...flat];
  return chars.length <= max
    ? flat
    : `${chars
        .slice(0, max - 1)
        .join('')
        .trimEnd()}…`;
}

export function isPublic(post: Pick<PostRow, 'status' | 'publishedAt'>): boolean {
  return post.publishedAt !== null && PUBLIC_STATUSES.includes(post.status);
}

export function createPublicPages(deps: PublicPagesDeps) {
  // Reads only, each through the repository of the module owning the table.
  const posts = createPostsRepo(deps.db);
  const publications = createPublicationRepo(deps.db);
  const channels = createChannelsRepo(deps.db);
  const units = createUnitsRepo(deps.db);
  const base = deps.publicUrl.replace(/\/+$/, '');
  const pageUrl = (slug: string) => `${base}/w/${encodeURIComponent(slug)}`;

  async function findPublicBySlug(slug: string): Promise<PostRow | undefined> {
    if (!/^[a-z0-9-]{1,120}$/.test(slug)) return undefined;
    const row = await posts.findBySlug(slug);
    return row && isPublic(row) ? row : undefined;
  }

  async function findPublicById(id: string): Promise<PostRow | undefined> {
    const row = await posts.findById(id);
    return row && isPublic(row) ? row : undefined;
  }

  /** The unit's connected pages and OAs, and the ones this post went out on. */
  async function officialChannels(post: PostRow): Promise<PublicChannel[]> {
    const ids = await publications.publishedChannelIds(post.id);
    const rows = await channels.officialOf({ ids, unitId: post.unitId });
    return rows.map((r) => ({
      platform: r.platform,
      name: r.name,
      url: channelUrl(r.platform, r.externalId),
    }));
  }

  async function unitName(post: PostRow): Promise<string | null> {
    if (post.unitId) {
      const unit = await units.findById(post.unitId);
      if (unit) return unit.name;
    }
    return post.variables.unitName?.trim() || null;
  }

  async function warning(slug: string): Promise<PublicWarning | undefined> {
    const post = await findPublicBySlug(slug);
    if (!post || !post.publishedAt) return undefined;
    const [unit, channelList, replacementRow, replacedRows, brand] = await Promise.all([
      unitName(post),
      officialChannels(post),
      post.supersededBy ? findPublicById(post.supersededBy) : Promise.resolve(undefined),
      posts.supersededBy(post.id),
      post.unitId && deps.unitBrand ? deps.unitBrand(post.unitId) : Promise.resolve(null),
    ]);
    const replaces = replacedRows.filter(isPublic).map((r) => ({ title: r.title, url: pageUrl(r.slug) }));
    const phone = post.variables.hotline?.trim() || brand?.hotline?.trim();
    const state = post.status !== 'retracted' ? 'active' : post.supersededBy ? 'superseded' : 'retracted';
    return {
      slug: post.slug,
      url: pageUrl(post.slug),
      title: post.title,
      text: post.text,
      paragraphs: paragraphsOf(post.text),
      description: describe(post.text),
      // The card as published, with the QR code to this page (drawn by /w/:slug/card-qr.png).
      card: post.card
        ? {
            src: `/w/${encodeURIComponent(post.slug)}/card-qr.png`,
            absolute: `${pageUrl(post.slug)}/card-qr.png`,
            width: post.card.width,
            height: post.card.height,
            alt: post.card.altText,
          }
        : null,
      unitName: unit,
      logo: brand?.logo ?? null,
      channels: channelList,
      publishedAt: post.publishedAt,
      hotline: phone ? { display: formatPhone(phone), tel: phone.replace(/[^\d+]/g, '') } : null,
      state,
      retractedAt: post.retractedAt,
      retractReason: post.retractReason,
      replacement: replacementRow ? { title: replacementRow.title, url: pageUrl(replacementRow.slug) } : null,
      replaces,
    };
  }

  return { warning, findPublicBySlug, findPublicById, pageUrl, unitName };
}

export type PublicPages = ReturnType<typeof createPublicPages>;
