// The media library page: thumbnails, the no-JavaScript upload form (CSRF inside the multipart
// body), inline alt-text editing and deletion answered as htmx partials.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestApp, makeUser, signedInAgent, type TestApp } from '../../support/app.ts';
import { solidJpeg } from './media-fixtures.ts';
import { posts } from '../../../server/db/schema.ts';

describe('media library page', function () {
  let t: TestApp;
  let mediaDir: string;

  before(async () => {
    mediaDir = mkdtempSync(path.join(tmpdir(), 'loa-media-'));
    t = await createTestApp({ LOA_MEDIA_DIR: mediaDir });
  });
  after(async () => {
    await t.close();
    rmSync(mediaDir, { recursive: true, force: true });
  });

  it('uploads with a plain form, shows the thumbnail, edits alt text and explains a refused delete', async () => {
    const made = await makeUser(t, 'editor');
    const { agent, csrf, ip } = await signedInAgent(t, made.user.email);
    const page = await agent.get('/media').set('X-Forwarded-For', ip).expect(200);
    assert.match(page.text, /id="media-upload"/);
    assert.match(page.text, /<progress/);
    assert.match(page.text, /\/assets\/media-upload\.js/);

    const posted = await agent
      .post('/media')
      .set('X-Forwarded-For', ip)
      .field('_csrf', csrf)
      .field('altText', 'Ảnh tuyên truyền')
      .attach('file', await solidJpeg(400, 300), 'tuyen-truyen.jpg');
    assert.equal(posted.status, 303, posted.text);
    const after = await agent.get('/media').set('X-Forwarded-For', ip).expect(200);
    assert.match(after.text, /Đã tải ảnh lên/);
    const id = /id="media-([0-9a-f-]{36})"/.exec(after.text)?.[1];
    assert.ok(id);
    assert.match(after.text, /src="\/media\/files\/[0-9a-f]{2}\/[0-9a-f]{64}-thumb\.jpg"/);

    const noCsrf = await agent
      .post('/media')
      .set('X-Forwarded-For', ip)
      .attach('file', await solidJpeg(10, 10), 'a.jpg');
    assert.equal(noCsrf.status, 403);

    const alt = await agent
      .post(`/media/${id}/alt`)
      .set('X-Forwarded-For', ip)
      .set('HX-Request', 'true')
      .set('X-CSRF-Token', csrf)
      .type('form')
      .send({ altText: 'Cán bộ phát tờ rơi' })
      .expect(200);
    assert.match(alt.text, /value="Cán bộ phát tờ rơi"/);
    assert.doesNotMatch(alt.text, /<html/);

    await t.c.database.db.insert(posts).values({
      status: 'in_review',
      title: 'Bài chờ duyệt',
      text: 'x',
      mediaIds: [id],
      scheduledAt: new Date(),
      authorId: made.user.id,
      slug: `cho-duyet-${id.slice(0, 8)}`,
    });
    const refused = await agent
      .post(`/media/${id}/delete`)
      .set('X-Forwarded-For', ip)
      .set('HX-Request', 'true')
      .set('X-CSRF-Token', csrf)
      .expect(200);
    assert.match(refused.text, /role="alert"/);
    assert.match(refused.text, /Bài chờ duyệt/);
  });

  it('shows the library to reviewers without upload, and refuses members', async () => {
    const reviewer = await makeUser(t, 'reviewer');
    const r = await signedInAgent(t, reviewer.user.email);
    const page = await r.agent.get('/media').set('X-Forwarded-For', r.ip).expect(200);
    assert.doesNotMatch(page.text, /id="media-upload"/);
    const member = await makeUser(t, 'member');
    const m = await signedInAgent(t, member.user.email);
    await m.agent.get('/media').set('X-Forwarded-For', m.ip).expect(403);
  });
});
