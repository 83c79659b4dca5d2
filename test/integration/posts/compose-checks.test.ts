// Compose-time checks over the API: every platform limit Loa knows refuses a post when it is
// created (422 naming the channel, the platform and the field), and again when it is edited,
// submitted and approved; a text-only post to a Zalo OA gets a generated cover.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import request from 'supertest';
import { SYSTEM_ACTOR } from '../../../server/auth/actor.ts';
import { FACEBOOK_LIMITS, ZALO_LIMITS } from '../../../server/connectors/index.ts';
import { eq } from 'drizzle-orm';
import { posts } from '../../../server/db/schema.ts';
import { sharp } from '../../../server/rendering/sharp.ts';
import { createTestApp, makeUser, type TestApp } from '../../support/app.ts';
import { startTestPlatforms, type TestPlatforms } from '../../support/platforms.ts';

const inHours = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();

interface Detail {
  channelId: string;
  platform: string;
  field: string;
  code: string;
  message: string;
}

/** Pixels no encoder can compress: the file is as large as its pixels. */
function noisePng(width: number, height: number): Promise<Buffer> {
  return sharp(randomBytes(width * height * 4), { raw: { width, height, channels: 4 } })
    .png({ compressionLevel: 1 })
    .toBuffer();
}

describe('posts: compose-time platform checks', function () {
  this.timeout(90_000);
  let t: TestApp;
  let platforms: TestPlatforms;
  let editor: Awaited<ReturnType<typeof makeUser>>;
  let reviewer: Awaited<ReturnType<typeof makeUser>>;
  let facebookId: string;
  let zaloId: string;
  let unitId: string;

  before(async () => {
    platforms = await startTestPlatforms();
    t = await createTestApp({}, { platformUrls: platforms.urls, mockPlatforms: platforms.mock });
    const unit = await t.c.repos.units.insert({
      name: `Công an phường Hải Châu ${randomUUID().slice(0, 4)}`,
      parentId: null,
    });
    unitId = unit.id;
    editor = await makeUser(t, 'editor', { unitId });
    reviewer = await makeUser(t, 'reviewer');
    const page = await platforms.createPage('Trang kiểm tra giới hạn');
    const oa = await platforms.createOa('OA kiểm tra giới hạn');
    facebookId = (
      await t.c.channels.connect(
        { ...SYSTEM_ACTOR },
        {
          platform: 'facebook',
          externalId: page.id,
          accessToken: page.access_token,
          name: 'Trang Facebook',
          // The editor's unit: a scoped editor posts only to their units' channels.
          unitId,
        },
      )
    ).id;
    zaloId = (
      await t.c.channels.connect(
        { ...SYSTEM_ACTOR },
        {
          platform: 'zalo',
          externalId: oa.oa_id,
          accessToken: oa.access_token,
          refreshToken: oa.refresh_token,
          name: 'Zalo OA',
          unitId,
        },
      )
    ).id;
  });
  after(async () => {
    await t.close();
    await platforms.close();
  });

  async function upload(data: Buffer, name: string): Promise<string> {
    const res = await request(t.app).post('/api/v1/media').set(editor.auth).attach('file', data, name);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.id as string;
  }

  /** A custom template whose Zalo title is exactly the `heading` variable. */
  async function titleTemplate(): Promise<string> {
    const def = await t.c.templates.createTemplate(SYSTEM_ACTOR, {
      name: `Tiêu đề tự chọn ${randomUUID().slice(0, 6)}`,
      body: 'Cảnh báo lừa đảo qua mạng.\n{{heading}}',
      title: '{{heading}}',
      variables: [{ name: 'heading', label: 'Tiêu đề', type: 'text', required: false }],
    });
    return def.id;
  }

  function create(body: Record<string, unknown>, lang?: 'en') {
    return request(t.app)
      .post(`/api/v1/posts${lang ? `?lang=${lang}` : ''}`)
      .set(editor.auth)
      .send({ scheduledAt: inHours(2), ...body });
  }

  function refused(res: request.Response, expected: Array<Pick<Detail, 'channelId' | 'field' | 'code'>>) {
    assert.equal(res.status, 422, JSON.stringify(res.body));
    const details = res.body.error.details as Detail[];
    for (const want of expected) {
      const found = details.find(
        (d) => d.channelId === want.channelId && d.field === want.field && d.code === want.code,
      );
      assert.ok(found, `expected ${JSON.stringify(want)} in ${JSON.stringify(details)}`);
      assert.equal(found.platform, want.channelId === facebookId ? 'facebook' : 'zalo');
      assert.ok(found.message.length > 0 && !found.message.startsWith('checks.'), found.message);
    }
    return details;
  }

  it('refuses a Facebook text over 63,206 characters with its tracked link, naming the Page', async () => {
    // Fits on its own; the tracked link added at publish time takes it over the limit.
    const text = `Cảnh báo ${'lừa đảo '.repeat(Math.ceil(FACEBOOK_LIMITS.textMax / 8))}`.slice(
      0,
      FACEBOOK_LIMITS.textMax - 5,
    );
    const res = await create({ text, channelIds: [facebookId, zaloId] });
    const details = refused(res, [{ channelId: facebookId, field: 'text', code: 'facebook_text_too_long' }]);
    assert.ok(
      details.every((d) => d.channelId === facebookId),
      'Zalo takes the same text',
    );
    assert.match(
      details[0]!.message,
      /Trang Facebook: nội dung kèm liên kết theo dõi dài \d+ ký tự, Facebook chỉ nhận tối đa 63206/,
    );
    const english = await create({ text, channelIds: [facebookId] }, 'en');
    assert.match(
      english.body.error.details[0].message,
      /Trang Facebook: the text with its tracked link is \d+ characters/,
    );
  });

  it('refuses more than ten images on Facebook (the card counts), naming the Page', async () => {
    const ids: string[] = [];
    for (let i = 0; i < FACEBOOK_LIMITS.imagesMax; i += 1) {
      ids.push(
        await upload(
          await sharp({ create: { width: 40 + i, height: 40, channels: 3, background: '#2255aa' } })
            .png()
            .toBuffer(),
          `a${i}.png`,
        ),
      );
    }
    const res = await create({
      text: 'Cảnh báo: mười ảnh và một thẻ',
      withCard: true,
      mediaIds: ids,
      channelIds: [facebookId],
    });
    refused(res, [{ channelId: facebookId, field: 'mediaIds', code: 'facebook_too_many_images' }]);
    const fits = await create({
      text: 'Cảnh báo: mười ảnh, không thẻ',
      mediaIds: ids,
      channelIds: [facebookId],
    });
    assert.equal(fits.status, 201, JSON.stringify(fits.body));
  });

  it('refuses an image of 4 MB or more on Facebook and one over 1 MB on Zalo, as sent after upload', async () => {
    const huge = await upload(await noisePng(1080, 1100), 'huge.png');
    const res = await create({
      text: 'Cảnh báo: ảnh rất nặng',
      mediaIds: [huge],
      channelIds: [facebookId, zaloId],
    });
    refused(res, [
      { channelId: facebookId, field: 'mediaIds.0', code: 'facebook_image_too_large' },
      { channelId: zaloId, field: 'mediaIds.0', code: 'zalo_image_too_large' },
    ]);
    // 600×600 of noise is about 1.4 MB: too heavy for Zalo only.
    const heavy = await upload(await noisePng(600, 600), 'heavy.png');
    const zalo = await create({
      text: 'Cảnh báo: ảnh nặng',
      mediaIds: [heavy],
      channelIds: [facebookId, zaloId],
    });
    const details = refused(zalo, [{ channelId: zaloId, field: 'mediaIds.0', code: 'zalo_image_too_large' }]);
    assert.ok(
      details.every((d) => d.channelId === zaloId),
      JSON.stringify(details),
    );
    assert.equal(
      (await create({ text: 'Cảnh báo: ảnh nặng', mediaIds: [heavy], channelIds: [facebookId] })).status,
      201,
    );
  });

  it('refuses a WebP image on Zalo (JPG and PNG only), naming the OA', async () => {
    const webp = await upload(
      await sharp({ create: { width: 64, height: 64, channels: 3, background: '#aa2200' } })
        .webp()
        .toBuffer(),
      'a.webp',
    );
    const res = await create({
      text: 'Cảnh báo: ảnh WebP',
      mediaIds: [webp],
      channelIds: [facebookId, zaloId],
    });
    const details = refused(res, [{ channelId: zaloId, field: 'mediaIds.0', code: 'zalo_image_type' }]);
    assert.ok(
      details.every((d) => d.channelId === zaloId),
      'Facebook takes WebP',
    );
    assert.match(details[0]!.message, /Zalo chỉ nhận ảnh JPG hoặc PNG \(ảnh này là image\/webp\)/);
  });

  it('refuses a Zalo title over 149 characters, and an empty one, naming the OA', async () => {
    const templateId = await titleTemplate();
    const long = await create({
      templateId,
      variables: { heading: 'Ệ'.repeat(ZALO_LIMITS.titleMax + 1) },
      channelIds: [facebookId, zaloId],
    });
    const details = refused(long, [{ channelId: zaloId, field: 'title', code: 'zalo_title_too_long' }]);
    assert.ok(
      details.every((d) => d.channelId === zaloId),
      'Facebook has no title',
    );
    assert.match(details[0]!.message, /tiêu đề dài 150 ký tự, Zalo chỉ cho phép tối đa 149/);
    const fits = await create({
      templateId,
      variables: { heading: 'Ệ'.repeat(ZALO_LIMITS.titleMax) },
      channelIds: [zaloId],
    });
    assert.equal(fits.status, 201, JSON.stringify(fits.body));
    const empty = await create({ templateId, variables: { heading: '' }, channelIds: [zaloId] });
    refused(empty, [{ channelId: zaloId, field: 'title', code: 'zalo_title_empty' }]);
  });

  it('takes the editor’s own title (API `title`), checks it for Zalo, and keeps it through an edit of the text', async () => {
    const long = await create({ title: 'Tiêu đề '.repeat(20), text: 'Cảnh báo ngắn', channelIds: [zaloId] });
    refused(long, [{ channelId: zaloId, field: 'title', code: 'zalo_title_too_long' }]);
    const res = await create({
      title: '  Cảnh báo:   lừa đảo việc nhẹ lương cao ',
      text: 'Nội dung cảnh báo\nChi tiết',
      channelIds: [zaloId],
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.title, 'Cảnh báo: lừa đảo việc nhẹ lương cao');
    assert.equal(res.body.customTitle, 'Cảnh báo: lừa đảo việc nhẹ lương cao');
    assert.match(res.body.publicUrl, /\/w\/canh-bao-lua-dao-viec-nhe-luong-cao-/);
    const edited = await request(t.app)
      .patch(`/api/v1/posts/${res.body.id}`)
      .set(editor.auth)
      .send({ text: 'Nội dung mới\nChi tiết mới' });
    assert.equal(edited.status, 200, JSON.stringify(edited.body));
    assert.equal(edited.body.title, 'Cảnh báo: lừa đảo việc nhẹ lương cao');
    const tooLong = await request(t.app)
      .patch(`/api/v1/posts/${res.body.id}`)
      .set(editor.auth)
      .send({ title: 'Ô'.repeat(150) });
    refused(tooLong, [{ channelId: zaloId, field: 'title', code: 'zalo_title_too_long' }]);
    const derived = await request(t.app)
      .patch(`/api/v1/posts/${res.body.id}`)
      .set(editor.auth)
      .send({ title: null });
    assert.equal(derived.body.title, 'Nội dung mới');
    assert.equal(derived.body.customTitle, null);
  });

  it('refuses a notAfter before scheduledAt on every channel', async () => {
    const res = await create({
      text: 'Cảnh báo: hạn chót sai',
      channelIds: [facebookId, zaloId],
      scheduledAt: inHours(3),
      notAfter: inHours(2),
    });
    refused(res, [
      { channelId: facebookId, field: 'notAfter', code: 'not_after_before_schedule' },
      { channelId: zaloId, field: 'notAfter', code: 'not_after_before_schedule' },
    ]);
  });

  it('gives a text-only Zalo post a generated cover drawn from its title and unit, and none to Facebook-only posts', async () => {
    const res = await create({
      text: 'Cảnh báo: giả danh nhân viên điện lực\nKẻ gian gọi điện đòi tiền điện.',
      channelIds: [facebookId, zaloId],
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.card, null);
    const cover = res.body.zaloCover as { url: string; width: number; height: number; altText: string };
    assert.equal(cover.width, 1280);
    assert.equal(cover.height, 720);
    assert.match(cover.altText, /giả danh nhân viên điện lực/);
    const [row] = await t.c.database.db.select().from(posts).where(eq(posts.id, res.body.id));
    const file = await readFile(path.join(t.c.config.mediaDir, row!.zaloCover!.file));
    const meta = await sharp(file).metadata();
    assert.equal(meta.width, 1280);
    assert.ok(cover.altText.includes((await t.c.repos.units.findById(unitId))!.name), cover.altText);
    const fbOnly = await create({ text: 'Cảnh báo: chỉ Facebook', channelIds: [facebookId] });
    assert.equal(fbOnly.body.zaloCover, null);
    const withCard = await create({ text: 'Cảnh báo: có thẻ', withCard: true, channelIds: [zaloId] });
    assert.equal(withCard.body.zaloCover, null, 'the card is the cover');
  });

  it('checks again on edit: a WebP image added to a Zalo post is refused and nothing changes', async () => {
    const created = await create({ text: 'Cảnh báo: sửa bài', channelIds: [zaloId] });
    assert.equal(created.status, 201);
    const webp = await upload(
      await sharp({ create: { width: 70, height: 70, channels: 3, background: '#00aa22' } })
        .webp()
        .toBuffer(),
      'b.webp',
    );
    const res = await request(t.app)
      .patch(`/api/v1/posts/${created.body.id}`)
      .set(editor.auth)
      .send({ mediaIds: [webp] });
    refused(res, [{ channelId: zaloId, field: 'mediaIds.0', code: 'zalo_image_type' }]);
    const after = await request(t.app).get(`/api/v1/posts/${created.body.id}`).set(editor.auth);
    assert.deepEqual(after.body.mediaIds, []);
    assert.equal(after.body.version, 1);
    const late = await request(t.app)
      .patch(`/api/v1/posts/${created.body.id}`)
      .set(editor.auth)
      .send({
        notAfter: new Date(Date.now() + 3 * 3_600_000 - 60_000).toISOString(),
        scheduledAt: inHours(3),
      });
    refused(late, [{ channelId: zaloId, field: 'notAfter', code: 'not_after_before_schedule' }]);
  });

  /** A post stored before the checks existed (or changed behind them): straight into the table. */
  async function storedPost(values: Partial<typeof posts.$inferInsert>): Promise<string> {
    const id = randomUUID();
    await t.c.database.db.insert(posts).values({
      id,
      status: 'draft',
      title: 'T'.repeat(ZALO_LIMITS.titleMax + 10),
      text: 'Cảnh báo cũ',
      authorId: editor.user.id,
      // Of the author's unit, as the posts they write.
      unitId,
      slug: `cu-${id.slice(0, 12)}`,
      scheduledAt: new Date(Date.now() + 3_600_000),
      channelIds: [zaloId],
      ...values,
    });
    return id;
  }

  it('checks again on submit: a stored post a platform would refuse stays a draft', async () => {
    const id = await storedPost({});
    const res = await request(t.app).post(`/api/v1/posts/${id}/submit`).set(editor.auth);
    const details = refused(res, [{ channelId: zaloId, field: 'title', code: 'zalo_title_too_long' }]);
    assert.ok(
      details.some((d) => d.code === 'zalo_cover_missing'),
      'no picture and no generated cover',
    );
    assert.equal((await request(t.app).get(`/api/v1/posts/${id}`).set(editor.auth)).body.status, 'draft');
  });

  it('checks again on approve: a post whose notAfter passed while in review is not scheduled', async () => {
    const created = await create({
      text: 'Cảnh báo: hạn chót gần',
      channelIds: [facebookId],
      scheduledAt: new Date().toISOString(),
      notAfter: new Date(Date.now() + 1_500).toISOString(),
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(
      (await request(t.app).post(`/api/v1/posts/${created.body.id}/submit`).set(editor.auth)).status,
      200,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_700));
    const res = await request(t.app)
      .post(`/api/v1/posts/${created.body.id}/approve`)
      .set(reviewer.auth)
      .send({});
    refused(res, [{ channelId: facebookId, field: 'notAfter', code: 'not_after_passed' }]);
    const after = await request(t.app).get(`/api/v1/posts/${created.body.id}`).set(reviewer.auth);
    assert.equal(after.body.status, 'in_review');
    assert.deepEqual(after.body.publications, []);
    const stored = await storedPost({ status: 'in_review' });
    refused(await request(t.app).post(`/api/v1/posts/${stored}/approve`).set(reviewer.auth).send({}), [
      { channelId: zaloId, field: 'title', code: 'zalo_title_too_long' },
    ]);
  });
});
