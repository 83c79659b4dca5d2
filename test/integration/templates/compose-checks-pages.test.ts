// The compose-time checks in the pages: the composer's preview shows them per chosen channel
// before anything is saved, with the generated Zalo cover; saving re-renders with 422 and the
// message; a refused submit from the post page says why in a flash.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { SYSTEM_ACTOR } from '../../../server/auth/actor.ts';
import { posts } from '../../../server/db/schema.ts';
import { sharp } from '../../../server/rendering/sharp.ts';
import { instantToLocal } from '../../../server/shared/zoned-time.ts';
import { createTestApp, makeUser, signedInAgent, type TestApp } from '../../support/app.ts';
import { startTestPlatforms, type TestPlatforms } from '../../support/platforms.ts';

describe('composer: compose-time checks and the generated Zalo cover', function () {
  this.timeout(60_000);
  let t: TestApp;
  let platforms: TestPlatforms;
  let editor: Awaited<ReturnType<typeof signedInAgent>>;
  let editorUser: Awaited<ReturnType<typeof makeUser>>;
  let unitId: string;
  let facebookId: string;
  let zaloId: string;

  before(async () => {
    platforms = await startTestPlatforms();
    t = await createTestApp({}, { platformUrls: platforms.urls, mockPlatforms: platforms.mock });
    const unit = await t.c.repos.units.insert({
      name: `Công an phường Thạc Gián ${randomUUID().slice(0, 4)}`,
      parentId: null,
    });
    unitId = unit.id;
    editorUser = await makeUser(t, 'editor', { unitId });
    editor = await signedInAgent(t, editorUser.user.email);
    const page = await platforms.createPage('Trang xem trước');
    const oa = await platforms.createOa('OA xem trước');
    facebookId = (
      await t.c.channels.connect(SYSTEM_ACTOR, {
        platform: 'facebook',
        unitId: unit.id,
        externalId: page.id,
        accessToken: page.access_token,
        name: 'Trang Công an phường',
      })
    ).id;
    zaloId = (
      await t.c.channels.connect(SYSTEM_ACTOR, {
        platform: 'zalo',
        unitId: unit.id,
        externalId: oa.oa_id,
        accessToken: oa.access_token,
        refreshToken: oa.refresh_token,
        name: 'Zalo Công an phường',
      })
    ).id;
  });
  after(async () => {
    await t.close();
    await platforms.close();
  });

  const form = (values: Record<string, string | string[]>) => ({
    _csrf: editor.csrf,
    text: 'Cảnh báo: giả danh shipper giao hàng\nKhông chuyển khoản trước khi nhận hàng.',
    scheduledAt: instantToLocal(new Date(Date.now() + 3_600_000), 'Asia/Ho_Chi_Minh'),
    ...values,
  });
  const preview = (values: Record<string, string | string[]>) =>
    editor.agent
      .post('/compose/preview')
      .set('X-Forwarded-For', editor.ip)
      .set('X-CSRF-Token', editor.csrf)
      .type('form')
      .send(form(values));

  async function webp(): Promise<string> {
    const data = await sharp({ create: { width: 50, height: 50, channels: 3, background: '#0044aa' } })
      .webp()
      .toBuffer();
    const res = await request(t.app)
      .post('/api/v1/media')
      .set(editorUser.auth)
      .attach('file', data, 'a.webp');
    assert.equal(res.status, 201);
    return res.body.id as string;
  }

  it('shows the generated Zalo cover in the Zalo preview of a text-only post, and that it fits', async () => {
    const res = await preview({ channelIds: [facebookId, zaloId] }).expect(200);
    const img =
      /<img class="preview-card zalo-generated-cover" src="(\/media\/cards\/[0-9a-f]{2}\/[0-9a-f]{64}\.png)" alt="([^"]+)"/.exec(
        res.text,
      );
    assert.ok(img, res.text);
    assert.match(img[2]!, /giả danh shipper giao hàng.*Công an phường Thạc Gián/);
    assert.match(res.text, /Ảnh bìa Zalo được tạo tự động từ tiêu đề và tên đơn vị/);
    assert.match(res.text, /data-checks="ok"/);
    const file = await editor.agent.get(img[1]!).set('X-Forwarded-For', editor.ip).expect(200);
    assert.equal((await sharp(file.body as Buffer).metadata()).width, 1280);
    const noZalo = await preview({ channelIds: [facebookId] }).expect(200);
    assert.doesNotMatch(noZalo.text, /zalo-generated-cover/);
  });

  it('shows each chosen channel’s problems next to its preview before saving', async () => {
    const mediaId = await webp();
    const res = await preview({ channelIds: [facebookId, zaloId], mediaIds: [mediaId] }).expect(200);
    assert.match(
      res.text,
      new RegExp(
        `data-channel="${zaloId}" data-field="mediaIds.0">Zalo Công an phường: Zalo chỉ nhận ảnh JPG hoặc PNG`,
      ),
    );
    assert.doesNotMatch(res.text, new RegExp(`data-channel="${facebookId}"`));
    assert.doesNotMatch(res.text, /data-checks="ok"/);
    const english = await editor.agent
      .post('/compose/preview?lang=en')
      .set('X-Forwarded-For', editor.ip)
      .set('X-CSRF-Token', editor.csrf)
      .type('form')
      .send(form({ channelIds: [zaloId], mediaIds: [mediaId] }))
      .expect(200);
    assert.match(
      english.text,
      /Zalo Công an phường: Zalo takes only JPG or PNG images \(this one is image\/webp\)/,
    );
    await editor.agent.get('/?lang=vi').set('X-Forwarded-For', editor.ip);
  });

  it('previews and checks the editor’s own title as the Zalo title', async () => {
    const res = await preview({ title: 'Cảnh báo: lừa đảo trúng thưởng', channelIds: [zaloId] }).expect(200);
    assert.match(res.text, /<h4 class="zalo-title">Cảnh báo: lừa đảo trúng thưởng<\/h4>/);
    const long = await preview({ title: 'Ư'.repeat(150), channelIds: [zaloId] }).expect(200);
    assert.match(
      long.text,
      /data-field="title">Zalo Công an phường: tiêu đề dài 150 ký tự, Zalo chỉ cho phép tối đa 149/,
    );
  });

  it('re-renders the composer with 422 and the message when saving a post a platform would refuse', async () => {
    const mediaId = await webp();
    const res = await editor.agent
      .post('/compose')
      .set('X-Forwarded-For', editor.ip)
      .type('form')
      .send(form({ action: 'save', channelIds: [zaloId], mediaIds: [mediaId] }));
    assert.equal(res.status, 422);
    assert.match(res.text, /Zalo Công an phường: Zalo chỉ nhận ảnh JPG hoặc PNG/);
  });

  it('saves a text-only post with its generated cover, which the post page shows the reviewer', async () => {
    const res = await editor.agent
      .post('/compose')
      .set('X-Forwarded-For', editor.ip)
      .type('form')
      .send(form({ action: 'save', channelIds: [facebookId, zaloId] }));
    assert.equal(res.status, 303, res.text);
    const page = await editor.agent.get(res.headers.location!).set('X-Forwarded-For', editor.ip).expect(200);
    assert.match(
      page.text,
      /<img class="post-zalo-cover" src="http:\/\/[^"]+\/media\/cards\/[0-9a-f]{2}\/[0-9a-f]{64}\.png"/,
    );
    assert.match(page.text, /Ảnh bìa Zalo được tạo tự động/);
  });

  it('says why in a flash when the post page’s submit is refused', async () => {
    const id = randomUUID();
    await t.c.database.db.insert(posts).values({
      id,
      status: 'draft',
      title: 'T'.repeat(160),
      text: 'Cảnh báo cũ',
      authorId: editorUser.user.id,
      unitId: editorUser.user.unitId,
      slug: `cu-${id.slice(0, 12)}`,
      scheduledAt: new Date(Date.now() + 3_600_000),
      channelIds: [zaloId],
    });
    const res = await editor.agent
      .post(`/posts/${id}/submit`)
      .set('X-Forwarded-For', editor.ip)
      .type('form')
      .send({ _csrf: editor.csrf });
    assert.equal(res.status, 303);
    const page = await editor.agent.get(`/posts/${id}`).set('X-Forwarded-For', editor.ip).expect(200);
    assert.match(
      page.text,
      /Bài chưa thể đăng trên mọi kênh đã chọn: Zalo Công an phường: tiêu đề dài 160 ký tự/,
    );
  });
});
