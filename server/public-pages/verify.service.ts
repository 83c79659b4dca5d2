// "Is this link really from Loa?": a citizen pastes a tracked link (…/l/<code>), a public page
// address (…/w/<slug>) or a bare code or slug. Only an address on Loa's own host that names a
// warning which went out is genuine; anything else — a look-alike domain carrying a real code
// included — is "not ours". Never an error: every input gets an answer.
import type { Database } from '../db/database.ts';
import { createLinksRepo } from '../links/links.repo.ts';
import type { PublicPages } from './public-pages.service.ts';

export type VerifyKind = 'tracked_link' | 'public_page' | 'code' | 'slug';
export type NotOursReason = 'empty' | 'unknown' | 'foreign_host' | 'malformed';

export type VerifyResult =
  | {
      genuine: true;
      kind: VerifyKind;
      title: string;
      url: string;
      unitName: string | null;
      publishedAt: Date;
      state: 'active' | 'retracted' | 'superseded';
    }
  | { genuine: false; reason: NotOursReason; host: string | null };

type Parsed =
  | { kind: 'tracked_link'; code: string }
  | { kind: 'public_page'; slug: string }
  | { kind: 'bare'; token: string }
  | { kind: 'foreign_host'; host: string }
  | { kind: 'malformed' }
  | { kind: 'empty' };

const TOKEN = /^[a-z0-9][a-z0-9-]{2,119}$/;
const MAX_INPUT = 2_000;

/** Reads what was pasted: a URL on our host, a URL elsewhere, or a bare code or slug. */
export function parseVerifyInput(raw: string, publicUrl: string): Parsed {
  const q = raw.normalize('NFC').trim().slice(0, MAX_INPUT);
  if (q === '') return { kind: 'empty' };
  if (!/[/.:]/.test(q)) {
    const token = q.toLowerCase();
    return TOKEN.test(token) ? { kind: 'bare', token } : { kind: 'malformed' };
  }
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(q) ? q : `https://${q}`);
  } catch {
    return { kind: 'malformed' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { kind: 'malformed' };
  // user@host links are a classic disguise: never ours.
  if (url.username || url.password) return { kind: 'malformed' };
  const ours = new URL(publicUrl);
  if (url.host.toLowerCase() !== ours.host.toLowerCase()) {
    return { kind: 'foreign_host', host: url.host.toLowerCase() };
  }
  const match = /^\/(l|w)\/([^/]+)(?:\/(?:leaflet)?)?$/.exec(url.pathname);
  if (!match?.[2]) return { kind: 'malformed' };
  let token: string;
  try {
    token = decodeURIComponent(match[2]).toLowerCase();
  } catch {
    return { kind: 'malformed' };
  }
  if (!TOKEN.test(token)) return { kind: 'malformed' };
  return match[1] === 'l' ? { kind: 'tracked_link', code: token } : { kind: 'public_page', slug: token };
}

export function createVerifier(deps: { db: Database; publicUrl: string; pages: PublicPages }) {
  const { pages } = deps;
  // A read through the links module's repository: the code's post, nothing else.
  const postIdForCode = createLinksRepo(deps.db).postIdForCode;

  async function describeGenuine(
    kind: VerifyKind,
    post: NonNullable<Awaited<ReturnType<PublicPages['findPublicById']>>>,
  ): Promise<VerifyResult> {
    return {
      genuine: true,
      kind,
      title: post.title,
      url: pages.pageUrl(post.slug),
      unitName: await pages.unitName(post),
      publishedAt: post.publishedAt ?? post.createdAt,
      state: post.status !== 'retracted' ? 'active' : post.supersededBy ? 'superseded' : 'retracted',
    };
  }

  async function byCode(code: string, kind: VerifyKind): Promise<VerifyResult | undefined> {
    const postId = await postIdForCode(code);
    const post = postId ? await pages.findPublicById(postId) : undefined;
    return post ? describeGenuine(kind, post) : undefined;
  }

  async function bySlug(slug: string, kind: VerifyKind): Promise<VerifyResult | undefined> {
    const post = await pages.findPublicBySlug(slug);
    return post ? describeGenuine(kind, post) : undefined;
  }

  async function verify(raw: string): Promise<VerifyResult> {
    const parsed = parseVerifyInput(raw, deps.publicUrl);
    const notOurs = (reason: NotOursReason, host: string | null = null): VerifyResult => ({
      genuine: false,
      reason,
      host,
    });
    switch (parsed.kind) {
      case 'empty':
        return notOurs('empty');
      case 'malformed':
        return notOurs('malformed');
      case 'foreign_host':
        return notOurs('foreign_host', parsed.host);
      case 'tracked_link':
        return (await byCode(parsed.code, 'tracked_link')) ?? notOurs('unknown');
      case 'public_page':
        return (await bySlug(parsed.slug, 'public_page')) ?? notOurs('unknown');
      case 'bare':
        return (
          (await byCode(parsed.token, 'code')) ?? (await bySlug(parsed.token, 'slug')) ?? notOurs('unknown')
        );
    }
  }

  return { verify };
}

export type Verifier = ReturnType<typeof createVerifier>;
