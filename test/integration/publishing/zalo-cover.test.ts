// The generated Zalo cover end to end: a text-only warning for a Page and an OA, written,
// submitted and approved over the API, goes to Facebook without an image and to Zalo with the
// cover Loa drew from its title and unit, which is what the Zalo mock receives and can fetch.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import request from 'supertest';
import { posts } from '../../../server/db/schema.ts';
import { makeUser } from '../../support/app.ts';
import { startPublishingHarness, type Harness } from './harness.ts';

describe('publishing: the generated Zalo cover of a text-only post', function () {
  this.timeout(60_000);
  let h: Harness;

  before(async () => {
    h = await startPublishingHarness();
    await h.startWorker();
  });
  after(async () => h?.close());

  it('is what the Zalo mock receives as the article cover; Facebook gets the text alone', async () => {
    const unit = await h.t.c.repos.units.insert({ name: 'Công an xã Hòa Vang', parentId: null });
    const editor = await makeUser(h.t, 'editor', { unitId: unit.id });
    const reviewer = await makeUser(h.t, 'reviewer');
    const fb = await h.channel('facebook', undefined, unit.id);
    const zalo = await h.channel('zalo', undefined, unit.id);

    const created = await request(h.t.app)
      .post('/api/v1/posts')
      .set(editor.auth)
      .send({
        text: 'Cảnh báo: giả danh cán bộ thuế gọi điện\nKhông cung cấp mã OTP cho bất kỳ ai.',
        channelIds: [fb.row.id, zalo.row.id],
        scheduledAt: new Date().toISOString(),
      });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const postId = created.body.id as string;
    assert.equal(created.body.card, null);
    const cover = created.body.zaloCover as { url: string; altText: string };
    assert.match(cover.url, /^https:\/\/loa\.example\.vn\/media\/cards\/[0-9a-f]{2}\/[0-9a-f]{64}\.png$/);
    assert.match(cover.altText, /Công an xã Hòa Vang/);

    assert.equal(
      (await request(h.t.app).post(`/api/v1/posts/${postId}/submit`).set(editor.auth)).status,
      200,
    );
    const approved = await request(h.t.app)
      .post(`/api/v1/posts/${postId}/approve`)
      .set(reviewer.auth)
      .send({});
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    const byChannel = new Map(
      (approved.body.publications as Array<{ id: string; channelId: string }>).map((p) => [
        p.channelId,
        p.id,
      ]),
    );
    const fbPub = await h.waitForStatus(byChannel.get(fb.row.id)!, ['published', 'failed']);
    const zaloPub = await h.waitForStatus(byChannel.get(zalo.row.id)!, ['published', 'failed']);
    assert.equal(fbPub.status, 'published', fbPub.lastError ?? '');
    assert.equal(zaloPub.status, 'published', zaloPub.lastError ?? '');

    const [article] = await h.ledger('zalo', zalo.row.externalId);
    // The Zalo ledger lists an article's images as URLs, the cover first.
    const zaloMedia = (article?.media ?? []) as unknown[];
    assert.deepEqual(zaloMedia, [cover.url], 'the article cover is the generated card');
    assert.match(article?.title ?? '', /^Cảnh báo: giả danh cán bộ thuế gọi điện/);
    const [fbPost] = await h.ledger('facebook', fb.row.externalId);
    assert.deepEqual(fbPost?.media, [], 'the Facebook post stays text-only');

    // The URL Zalo fetches serves the stored cover file.
    const [row] = await h.t.c.database.db.select().from(posts).where(eq(posts.id, postId));
    const file = await readFile(path.join(h.t.c.config.mediaDir, row!.zaloCover!.file));
    const served = await request(h.t.app).get(new URL(cover.url).pathname).buffer(true);
    assert.equal(served.status, 200);
    assert.ok(Buffer.compare(served.body as Buffer, file) === 0, 'same bytes');
    assert.equal(served.headers['content-type'], 'image/png');
  });
});
