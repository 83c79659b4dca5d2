// Published posts for the public-page tests, made through the posts service (templates, cards)
// and marked published straight in the database where publishing itself is not the point.
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { SYSTEM_ACTOR, type Actor } from '../../../server/auth/actor.ts';
import { posts, publications, type PostStatus } from '../../../server/db/schema.ts';
import type { PostRow } from '../../../server/posts/posts.repo.ts';
import { makeUser, type TestApp } from '../../support/app.ts';

export const HOTLINE = '0235 3822 123';

export async function unitWithEditor(
  t: TestApp,
  unitName = `Công an tỉnh Thử Nghiệm ${randomUUID().slice(0, 4)}`,
) {
  const unit = await t.c.users.createUnit(SYSTEM_ACTOR, { name: unitName });
  const editor = await makeUser(t, 'editor', { unitId: unit.id, name: 'Nguyễn Biên Tập Viên' });
  const actor: Actor = {
    id: editor.user.id,
    email: editor.user.email,
    name: editor.user.name,
    role: 'editor',
    unitId: unit.id,
    scope: [unit.id],
    via: 'token',
  };
  return { unit, editor, actor };
}

export function inHours(h: number): Date {
  return new Date(Date.now() + h * 3_600_000);
}

/** A post from the built-in template, with its card. */
export async function templatePost(
  t: TestApp,
  actor: Actor,
  unitName: string,
  channelIds: string[] = [],
): Promise<PostRow> {
  return t.c.posts.createPost(actor, {
    templateId: 'gia-danh-co-quan-phap-luat',
    variables: { unitName, hotline: HOTLINE, area: 'Quảng Nam', date: '2026-12-01' },
    withCard: true,
    channelIds,
    scheduledAt: inHours(24),
  });
}

export async function textPost(t: TestApp, actor: Actor, text: string): Promise<PostRow> {
  return t.c.posts.createPost(actor, { text, channelIds: [], scheduledAt: inHours(24) });
}

/** Marks the post (and its publications, if any) as out, as publishing would. */
export async function markPublished(
  t: TestApp,
  postId: string,
  status: PostStatus = 'published',
): Promise<PostRow> {
  const db = t.c.database.db;
  await db
    .update(publications)
    .set({ status: 'published', publishedAt: new Date(), externalId: `ext-${randomUUID().slice(0, 8)}` })
    .where(eq(publications.postId, postId));
  const [row] = await db
    .update(posts)
    .set({ status, publishedAt: new Date() })
    .where(eq(posts.id, postId))
    .returning();
  if (!row) throw new Error(`no post ${postId}`);
  return row;
}

/** Publications (with their tracked links) for a post, created as approval does. */
export async function withPublications(t: TestApp, postId: string, channelIds: string[]): Promise<string[]> {
  return t.c.database.db.transaction((tx) =>
    t.c.publishing.createPublications(tx, { postId, channelIds, scheduledAt: inHours(1), notAfter: null }),
  );
}
