// Members tests: the app listening on a real port (the mock's Share Dialog fetches the shared
// link's preview from it, like Facebook's crawler), the mocks on free ports, units, members who
// consented, and posts marked published straight in the database.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { eq } from 'drizzle-orm';
import { SYSTEM_ACTOR, type Actor } from '../../../server/auth/actor.ts';
import { posts } from '../../../server/db/schema.ts';
import { listen } from '../../support/browser.ts';
import { createTestApp, makeUser, type TestApp } from '../../support/app.ts';
import { startTestPlatforms, type TestPlatforms } from '../../support/platforms.ts';
import { markPublished, templatePost, unitWithEditor } from '../public-pages/fixtures.ts';

export interface MembersHarness {
  t: TestApp;
  platforms: TestPlatforms;
  url: string;
  unit(name: string, parentId?: string | null): Promise<{ id: string; name: string }>;
  member(
    unitId: string | null,
    options?: { consent?: boolean; name?: string },
  ): Promise<Awaited<ReturnType<typeof makeUser>> & { actor: Actor }>;
  /** A post from a built-in template, published, for the members of `unitIds` (everyone: []). */
  publishedPost(
    unitIds: string[],
    overrides?: { notAfter?: Date },
  ): Promise<{ id: string; slug: string; title: string }>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startMembersHarness(): Promise<MembersHarness> {
  const platforms = await startTestPlatforms();
  const port = await freePort();
  const t = await createTestApp(
    {
      LOA_PUBLIC_URL: `http://127.0.0.1:${port}`,
      PORT: String(port),
      FACEBOOK_WWW_URL: platforms.mock.facebook,
    },
    { platformUrls: platforms.urls, mockPlatforms: platforms.mock },
  );
  const server = await new Promise<import('node:http').Server>((resolve) => {
    const s = t.app.listen(port, '127.0.0.1', () => resolve(s));
  });
  const author = await unitWithEditor(t);
  const h: MembersHarness = {
    t,
    platforms,
    url: `http://127.0.0.1:${port}`,
    async unit(name, parentId = null) {
      const row = await t.c.users.createUnit(SYSTEM_ACTOR, {
        name: `${name} ${randomUUID().slice(0, 4)}`,
        parentId,
      });
      return { id: row.id, name: row.name };
    },
    async member(unitId, options = {}) {
      const made = await makeUser(t, 'member', { unitId, ...(options.name && { name: options.name }) });
      const actor: Actor = await t.c.auth.actorFor(made.user, 'token', null);
      if (options.consent !== false) {
        await t.c.amplification.members.acceptConsent(actor, t.c.amplification.members.consent.version);
      }
      return { ...made, actor };
    },
    async publishedPost(unitIds, overrides = {}) {
      const post = await templatePost(t, author.actor, author.unit.name);
      await t.c.database.db
        .update(posts)
        .set({ unitIds, ...(overrides.notAfter && { notAfter: overrides.notAfter }) })
        .where(eq(posts.id, post.id));
      const row = await markPublished(t, post.id);
      return { id: row.id, slug: row.slug, title: row.title };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await t.close();
      await platforms.close();
    },
  };
  return h;
}

/** A person on the mock Facebook, signed in to its www pages: the cookie to send with the dialog. */
export async function mockFacebookPerson(h: MembersHarness, name: string) {
  const created = (await (
    await fetch(`${h.platforms.mock.facebook}/_mock/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
    })
  ).json()) as { id: string; access_token: string };
  const login = await fetch(`${h.platforms.mock.facebook}/_mock/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId: created.id }),
  });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  return { id: created.id, cookie };
}

export { listen };

/** A person on the mock Facebook, not signed in anywhere yet (a browser signs in itself). */
export async function mockFacebookPersonId(h: MembersHarness, name: string): Promise<string> {
  const res = await fetch(`${h.platforms.mock.facebook}/_mock/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  return ((await res.json()) as { id: string }).id;
}
