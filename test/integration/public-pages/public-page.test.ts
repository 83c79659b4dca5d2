// The public warning page `/w/:slug`: what it shows, what it never shows, its headers, and
// that only posts which went out are public.
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import request from 'supertest';
import { SYSTEM_ACTOR } from '../../../server/auth/actor.ts';
import { channels, posts } from '../../../server/db/schema.ts';
import type { PostRow } from '../../../server/posts/posts.repo.ts';
import { createTestApp, makeUser, type TestApp } from '../../support/app.ts';
import { startTestPlatforms, type TestPlatforms } from '../../support/platforms.ts';
import {
  HOTLINE,
  markPublished,
  templatePost,
  textPost,
  unitWithEditor,
  withPublications,
} from './fixtures.ts';

const PUBLIC_URL = 'https://loa.example.vn';

describe('public pages: the warning page', function () {
  this.timeout(60_000);
  let t: TestApp;
  let platforms: TestPlatforms;
  let fixture: Awaited<ReturnType<typeof unitWithEditor>>;
  let reviewer: Awaited<ReturnType<typeof makeUser>>;
  let page: { id: string; access_token: string };
  let oa: { oa_id: string };
  let channelIds: string[];
  let post: PostRow;

  before(async () => {
    platforms = await startTestPlatforms();
    t = await createTestApp(
      { LOA_PUBLIC_URL: PUBLIC_URL },
      { platformUrls: platforms.urls, mockPlatforms: platforms.mock },
    );
    fixture = await unitWithEditor(t, 'Công an tỉnh Quảng Nam');
    reviewer = await makeUser(t, 'reviewer', { name: 'Lê Người Duyệt' });
    page = await platforms.createPage('Công an tỉnh Quảng Nam');
    const zalo = await platforms.createOa('Công an Quảng Nam OA');
    oa = zalo;
    // The unit's own channels: its editor posts only to channels of their unit.
    const fb = await t.c.channels.connect(SYSTEM_ACTOR, {
      platform: 'facebook',
      externalId: page.id,
      accessToken: page.access_token,
      unitId: fixture.unit.id,
    });
    const za = await t.c.channels.connect(SYSTEM_ACTOR, {
      platform: 'zalo',
      externalId: zalo.oa_id,
      accessToken: zalo.access_token,
      refreshToken: zalo.refresh_token,
      unitId: fixture.unit.id,
    });
    channelIds = [fb.id, za.id];
    post = await templatePost(t, fixture.actor, 'Công an tỉnh Quảng Nam', channelIds);
    await withPublications(t, post.id, channelIds);
    await t.c.database.db.update(posts).set({ approvedBy: reviewer.user.id }).where(eq(posts.id, post.id));
    post = await markPublished(t, post.id);
  });
  after(async () => {
    await t?.close();
    await platforms?.close();
  });

  it('shows the warning to anyone, with the unit, its official channels, hotline, what to do and how to report', async () => {
    const res = await request(t.app).get(`/w/${post.slug}`);
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'] ?? '', /text\/html/);
    const html = res.text;
    assert.ok(html.includes(post.title), 'headline');
    assert.ok(html.includes('Do Công an tỉnh Quảng Nam phát hành'), 'issuing unit');
    assert.ok(html.includes(`href="https://facebook.com/${page.id}"`), 'Facebook page link');
    assert.ok(html.includes(`href="https://zalo.me/${oa.oa_id}"`), 'Zalo OA link');
    assert.ok(html.includes(HOTLINE), 'hotline');
    assert.ok(html.includes('tel:113'), '113');
    assert.ok(html.includes('canhbao.ncsc.gov.vn'), 'where to report');
    assert.ok(html.includes('phát hành qua hệ thống đăng tin chính thức'), 'the plain statement');
    assert.ok(html.includes('action="/verify"'), 'a way to verify a link');
    assert.ok(html.includes(`src="/w/${post.slug}/card-qr.png"`), 'the card as published, with its QR code');
    assert.ok(html.includes(`/w/${post.slug}/leaflet?size=a4`), 'the leaflet');
    // Every paragraph of the text, as published.
    for (const line of post.text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .slice(0, 5)) {
      assert.ok(
        html.includes(
          line.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;').replace(/'/g, '&#x27;'),
        ),
        `text line: ${line}`,
      );
    }
    assert.ok(!/htmx|pico/i.test(html), 'no htmx, no Pico CSS');
  });

  it('carries Open Graph and Twitter tags with the absolute card URL', async () => {
    const html = (await request(t.app).get(`/w/${post.slug}`)).text;
    const meta = (name: string) =>
      new RegExp(`<meta (?:property|name)="${name}" content="([^"]*)"`).exec(html)?.[1];
    assert.equal(meta('og:title'), post.title);
    assert.ok((meta('og:description') ?? '').length > 20);
    assert.equal(meta('og:image'), `${PUBLIC_URL}/w/${post.slug}/card-qr.png`);
    assert.equal(meta('og:url'), `${PUBLIC_URL}/w/${post.slug}`);
    assert.equal(meta('og:type'), 'article');
    assert.equal(meta('og:locale'), 'vi_VN');
    assert.equal(meta('twitter:card'), 'summary_large_image');
  });

  it('is cacheable, has an ETag that answers 304, and sets no cookie', async () => {
    const res = await request(t.app).get(`/w/${post.slug}`);
    assert.equal(res.headers['cache-control'], 'public, max-age=300');
    assert.ok(res.headers.etag, 'ETag');
    assert.equal(res.headers['set-cookie'], undefined);
    const again = await request(t.app).get(`/w/${post.slug}`).set('If-None-Match', res.headers.etag!);
    assert.equal(again.status, 304);
  });

  it('shows no internal data: no author, reviewer, e-mail or ids other than the slug', async () => {
    const html = (await request(t.app).get(`/w/${post.slug}`)).text;
    const channelRows = await t.c.database.db.select().from(channels);
    const secrets = [
      fixture.editor.user.email,
      fixture.editor.user.name,
      fixture.editor.user.id,
      reviewer.user.name,
      reviewer.user.id,
      post.id,
      fixture.unit.id,
      ...channelRows.map((c) => c.id),
      ...channelRows.map((c) => c.accessTokenEnc),
    ];
    for (const secret of secrets) assert.ok(!html.includes(secret), `leaks ${secret}`);
    assert.ok(!/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/.test(html), 'no UUID at all');
  });

  it('escapes user text, in the body and in the meta tags', async () => {
    const evil = 'Cảnh báo <script>alert("x")</script> lừa đảo\n\n"><img src=x onerror=alert(1)> hết';
    let row = await textPost(t, fixture.actor, evil);
    row = await markPublished(t, row.id);
    const html = (await request(t.app).get(`/w/${row.slug}`)).text;
    assert.ok(!html.includes('<script>alert'), 'no live script');
    assert.ok(!html.includes('<img src=x'), 'no injected tag');
    assert.ok(html.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'), 'shown as text');
    assert.ok(!/content="[^"]*<script/.test(html), 'meta content escaped');
  });

  it('answers 404 for posts that did not go out, and for unknown slugs, without their content', async () => {
    const draft = await templatePost(t, fixture.actor, 'Công an tỉnh Quảng Nam');
    const scheduled = await templatePost(t, fixture.actor, 'Công an tỉnh Quảng Nam');
    await t.c.database.db.update(posts).set({ status: 'scheduled' }).where(eq(posts.id, scheduled.id));
    const cancelled = await textPost(t, fixture.actor, 'Bài bị huỷ, không được lộ ra');
    await t.c.database.db
      .update(posts)
      .set({ status: 'cancelled', publishedAt: null })
      .where(eq(posts.id, cancelled.id));
    for (const row of [draft, scheduled, cancelled]) {
      for (const path of [
        `/w/${row.slug}`,
        `/w/${row.slug}/leaflet`,
        `/w/${row.slug}/qr.png`,
        `/w/${row.slug}/card-qr.png`,
      ]) {
        const res = await request(t.app).get(path);
        assert.equal(res.status, 404, `${path} for a ${row.status} post`);
        assert.ok(!res.text.includes(row.title), 'title not shown');
      }
    }
    const unknown = await request(t.app).get('/w/khong-co-bai-nay-abc123');
    assert.equal(unknown.status, 404);
    assert.match(unknown.text, /Không tìm thấy cảnh báo/);
    assert.equal((await request(t.app).get('/w/..%2F..%2Fetc')).status, 404);
  });

  it('has an English version at ?lang=en without a cookie', async () => {
    const res = await request(t.app).get(`/w/${post.slug}?lang=en`);
    assert.equal(res.status, 200);
    assert.match(res.text, /What to do/);
    assert.match(res.text, /<html lang="en">/);
  });
});
