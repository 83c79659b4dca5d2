// Tracked links: a 302 to the stored target, clicks and daily unique visitors counted without
// storing an IP, 404 for an unknown code, and never a redirect Loa did not store.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import request from 'supertest';
import { links, linkVisitors } from '../../../server/db/schema.ts';
import { createTestApp, type TestApp } from '../../support/app.ts';

// People's browsers (bots and link-preview fetchers are counted apart, see members tests).
const ZALO_APP =
  'Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36 Zalo android/12100569';
const FACEBOOK_APP =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 [FBAN/FBIOS;FBAV/440.0]';

describe('tracked links /l/:code', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  async function link(target: string): Promise<string> {
    const code = `t${randomUUID().replace(/-/g, '').slice(0, 13)}`;
    await t.c.database.db.insert(links).values({ code, target });
    return code;
  }

  it('redirects with 302 to the stored target and counts clicks and unique visitors', async () => {
    const code = await link('https://canhbao.example.vn/w/gia-danh-cong-an');
    const first = await request(t.app)
      .get(`/l/${code}`)
      .set('User-Agent', ZALO_APP)
      .set('X-Forwarded-For', '10.1.1.1');
    assert.equal(first.status, 302);
    assert.equal(first.headers.location, 'https://canhbao.example.vn/w/gia-danh-cong-an');
    await request(t.app).get(`/l/${code}`).set('User-Agent', ZALO_APP).set('X-Forwarded-For', '10.1.1.1');
    await request(t.app).get(`/l/${code}`).set('User-Agent', FACEBOOK_APP).set('X-Forwarded-For', '10.1.1.1');
    const stats = await t.c.links.stats(code);
    assert.deepEqual({ clicks: stats?.clicks, unique: stats?.uniqueVisitors }, { clicks: 3, unique: 2 });
    const visitors = await t.c.database.db.select().from(linkVisitors).where(eq(linkVisitors.code, code));
    assert.equal(visitors.length, 2);
    assert.ok(
      visitors.every((v) => !v.visitorHash.includes('10.1.1.1')),
      'no IP stored',
    );
  });

  it('answers 404 with a page for an unknown or malformed code', async () => {
    const res = await request(t.app).get('/l/khongtontai123');
    assert.equal(res.status, 404);
    assert.match(res.text, /Không tìm thấy liên kết/);
    assert.equal((await request(t.app).get('/l/%2F%2Fevil.example')).status, 404);
  });

  it('is never an open redirect: only http(s) targets Loa stored are followed', async () => {
    const code = await link('javascript:alert(1)');
    const res = await request(t.app).get(`/l/${code}`);
    assert.equal(res.status, 404);
    assert.equal(res.headers.location, undefined);
    const withQuery = await request(t.app).get('/l/abc?next=https://evil.example');
    assert.equal(withQuery.status, 404);
    const stored = await link('https://canhbao.example.vn/ok');
    const res2 = await request(t.app).get(`/l/${stored}?url=https://evil.example`);
    assert.equal(res2.headers.location, 'https://canhbao.example.vn/ok');
  });

  it('leads a publication link to the post’s own link, or to its public page', async () => {
    const { linkTarget } = await import('../../../server/publishing/publishing.service.ts');
    assert.equal(
      linkTarget('https://loa.vn', { link: 'https://bocongan.gov.vn/canh-bao', slug: 's' }),
      'https://bocongan.gov.vn/canh-bao',
    );
    assert.equal(
      linkTarget('https://loa.vn/', { link: null, slug: 'gia-danh' }),
      'https://loa.vn/w/gia-danh',
    );
    assert.equal(linkTarget('https://loa.vn', { link: 'javascript:x', slug: 'a' }), 'https://loa.vn/w/a');
  });
});
