// `/verify`: genuine tracked links, public page addresses, bare codes and slugs are recognised
// (with the issuing unit); forged, unknown, look-alike and unpublished ones are "not ours" —
// as an answer, never an error page; per-IP rate limit.
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import request from 'supertest';
import { SYSTEM_ACTOR } from '../../../server/auth/actor.ts';
import { links } from '../../../server/db/schema.ts';
import { parseVerifyInput } from '../../../server/public-pages/verify.service.ts';
import type { PostRow } from '../../../server/posts/posts.repo.ts';
import { createTestApp, randomIp, type TestApp } from '../../support/app.ts';
import { startTestPlatforms, type TestPlatforms } from '../../support/platforms.ts';
import { markPublished, templatePost, unitWithEditor, withPublications } from './fixtures.ts';

const PUBLIC_URL = 'https://loa.example.vn';
const NOT_OURS = 'Liên kết này không do Loa phát hành: hãy cẩn thận';

describe('public pages: verifying a link or code', function () {
  this.timeout(60_000);
  let t: TestApp;
  let platforms: TestPlatforms;
  let post: PostRow;
  let code: string;
  let draftCode: string;

  before(async () => {
    platforms = await startTestPlatforms();
    t = await createTestApp(
      { LOA_PUBLIC_URL: PUBLIC_URL },
      { platformUrls: platforms.urls, mockPlatforms: platforms.mock },
    );
    const { actor, unit } = await unitWithEditor(t, 'Công an tỉnh Huế');
    const page = await platforms.createPage('Công an tỉnh Huế');
    const fb = await t.c.channels.connect(SYSTEM_ACTOR, {
      platform: 'facebook',
      externalId: page.id,
      accessToken: page.access_token,
      unitId: unit.id,
    });
    post = await templatePost(t, actor, 'Công an tỉnh Huế', [fb.id]);
    await withPublications(t, post.id, [fb.id]);
    post = await markPublished(t, post.id);
    code = (await t.c.database.db.select().from(links).where(eq(links.postId, post.id)))[0]!.code;
    const draft = await templatePost(t, actor, 'Công an tỉnh Huế', [fb.id]);
    await withPublications(t, draft.id, [fb.id]);
    draftCode = (await t.c.database.db.select().from(links).where(eq(links.postId, draft.id)))[0]!.code;
  });
  after(async () => {
    await t?.close();
    await platforms?.close();
  });

  const check = (q: string) =>
    request(t.app)
      .get('/verify')
      .query({ q })
      .set('Accept', 'application/json')
      .set('X-Forwarded-For', randomIp());

  it('recognises a genuine tracked link, names the unit and links to the public page', async () => {
    const res = await check(`${PUBLIC_URL}/l/${code}`);
    assert.equal(res.status, 200);
    assert.equal(res.body.genuine, true);
    assert.equal(res.body.kind, 'tracked_link');
    assert.equal(res.body.warning.unitName, 'Công an tỉnh Huế');
    assert.equal(res.body.warning.title, post.title);
    assert.equal(res.body.warning.url, `${PUBLIC_URL}/w/${post.slug}`);
    assert.equal(res.body.warning.state, 'active');
  });

  it('recognises a public page address, a bare code and a bare slug, pasted loosely', async () => {
    for (const [q, kind] of [
      [`${PUBLIC_URL}/w/${post.slug}`, 'public_page'],
      [`loa.example.vn/w/${post.slug}/`, 'public_page'],
      [`  ${code.toUpperCase()} `, 'code'],
      [post.slug, 'slug'],
    ] as const) {
      const res = await check(q);
      assert.equal(res.body.genuine, true, q);
      assert.equal(res.body.kind, kind, q);
      assert.equal(res.body.warning.url, `${PUBLIC_URL}/w/${post.slug}`);
    }
  });

  it('says "not ours" for forged codes, look-alike domains, unpublished posts and junk', async () => {
    const cases: [string, string][] = [
      [`${PUBLIC_URL}/l/abcdefghjkmnpq`, 'unknown'],
      [`https://loa-example.vn/l/${code}`, 'foreign_host'],
      [`https://loa.example.vn.evil.com/w/${post.slug}`, 'foreign_host'],
      [`https://user@loa.example.vn/l/${code}`, 'malformed'],
      [`${PUBLIC_URL}/l/${draftCode}`, 'unknown'],
      [`${PUBLIC_URL}/admin/users`, 'malformed'],
      ['javascript:alert(1)', 'malformed'],
      ['%%%', 'malformed'],
      ['x'.repeat(5000), 'malformed'],
    ];
    for (const [q, reason] of cases) {
      const res = await check(q);
      assert.equal(res.status, 200, q);
      assert.equal(res.body.genuine, false, q);
      assert.equal(res.body.reason, reason, q);
      assert.equal(res.body.message, NOT_OURS);
    }
  });

  it('answers in HTML for a browser: genuine with the unit, forged with the warning, and escapes the input', async () => {
    const good = await request(t.app)
      .get('/verify')
      .query({ q: `${PUBLIC_URL}/l/${code}` })
      .set('X-Forwarded-For', randomIp());
    assert.equal(good.status, 200);
    assert.match(good.text, /Đây là cảnh báo thật, phát hành qua Loa/);
    assert.match(good.text, /Công an tỉnh Huế/);
    assert.ok(good.text.includes(`href="${PUBLIC_URL}/w/${post.slug}"`));
    assert.equal(good.headers['cache-control'], 'no-store');

    const forged = await request(t.app)
      .get('/verify')
      .query({ q: 'https://loa-gov.vn/l/"><script>alert(1)</script>' })
      .set('X-Forwarded-For', randomIp());
    assert.equal(forged.status, 200);
    assert.ok(forged.text.includes(NOT_OURS));
    assert.ok(!forged.text.includes('<script>alert'), 'input escaped');
    assert.match(forged.text, /loa-gov\.vn/);

    const empty = await request(t.app).get('/verify');
    assert.equal(empty.status, 200);
    assert.ok(!empty.text.includes(NOT_OURS), 'no verdict without a question');
  });

  it('does not count a click on the tracked link it checks', async () => {
    const before = await t.c.links.stats(code);
    await check(`${PUBLIC_URL}/l/${code}`);
    assert.deepEqual(await t.c.links.stats(code), before);
  });

  it('limits checks per IP', async () => {
    const ip = randomIp();
    let last = 200;
    for (let i = 0; i < 31; i += 1) {
      last = (
        await request(t.app)
          .get('/verify')
          .query({ q: 'abcdefgh' })
          .set('Accept', 'application/json')
          .set('X-Forwarded-For', ip)
      ).status;
    }
    assert.equal(last, 429);
    const html = await request(t.app).get('/verify').query({ q: 'abcdefgh' }).set('X-Forwarded-For', ip);
    assert.equal(html.status, 429);
    assert.match(html.text, /quá nhiều lần/);
    assert.ok(html.headers['retry-after']);
    assert.equal((await check('abcdefgh')).status, 200, 'another IP is not affected');
  });

  it('parses what people paste', () => {
    assert.deepEqual(parseVerifyInput('https://LOA.example.vn/l/ABCdef234', PUBLIC_URL), {
      kind: 'tracked_link',
      code: 'abcdef234',
    });
    assert.deepEqual(parseVerifyInput('http://loa.example.vn/w/canh-bao-1/leaflet', PUBLIC_URL), {
      kind: 'public_page',
      slug: 'canh-bao-1',
    });
    assert.deepEqual(parseVerifyInput('', PUBLIC_URL), { kind: 'empty' });
    assert.deepEqual(parseVerifyInput('ftp://loa.example.vn/l/abcd', PUBLIC_URL), { kind: 'malformed' });
  });
});
