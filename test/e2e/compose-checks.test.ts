// Compose-time checks in a browser: an editor writes a text-only warning (no card, no image) for
// a Facebook Page and a Zalo OA, sees the Zalo cover Loa generates in the composer's Zalo preview
// and that the post fits both platforms, saves and submits it; a reviewer approves it; a worker
// publishes it on both, and the mocks' ledgers show the text on Facebook and the cover on Zalo.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { SYSTEM_ACTOR } from '../../server/auth/actor.ts';
import { instantToLocal } from '../../server/shared/zoned-time.ts';
import { makeUser, type TestApp } from '../support/app.ts';
import { startE2eScene, type E2eScene } from '../support/e2e-scene.ts';
import type { TestPlatforms } from '../support/platforms.ts';

describe('e2e: a text-only warning gets a Zalo cover and publishes on both platforms', function () {
  this.timeout(120_000);
  let scene: E2eScene | undefined;
  let t: TestApp;
  let platforms: TestPlatforms;
  let server: E2eScene['server'];

  before(async function () {
    scene = await startE2eScene(this, {
      workerId: 'e2e-checks-worker',
      publishingTuning: { zaloVerifyBudgetMs: 20_000 },
    });
    ({ t, platforms, server } = scene);
  });
  after(() => scene?.close());

  const signIn = (email: string): Promise<Page> => scene!.signIn(email);

  it('shows the generated cover in the Zalo preview, and the Zalo mock receives it', async () => {
    const unit = await t.c.repos.units.insert({ name: 'Công an phường Ngũ Hành Sơn', parentId: null });
    const editor = await makeUser(t, 'editor', { name: 'Biên Tập Viên', unitId: unit.id });
    const reviewer = await makeUser(t, 'reviewer', { name: 'Người Duyệt' });
    const fbPage = await platforms.createPage('Công an phường E2E');
    const oa = await platforms.createOa('Công an phường E2E OA');
    await t.c.channels.connect(
      { ...SYSTEM_ACTOR },
      {
        platform: 'facebook',
        externalId: fbPage.id,
        accessToken: fbPage.access_token,
        name: 'Trang Công an phường',
        // The unit's own channels: its editor posts only to channels of their unit.
        unitId: unit.id,
      },
    );
    await t.c.channels.connect(
      { ...SYSTEM_ACTOR },
      {
        platform: 'zalo',
        unitId: unit.id,
        externalId: oa.oa_id,
        accessToken: oa.access_token,
        refreshToken: oa.refresh_token,
        name: 'Zalo Công an phường',
      },
    );

    // The editor writes a warning with no picture: free text, the card unticked, no image.
    const ed = await signIn(editor.user.email);
    await ed.goto(`${server.url}/compose`);
    await ed
      .getByLabel('Nội dung bài')
      .fill(
        'Cảnh báo: giả danh nhân viên ngân hàng gửi tin nhắn\nKhông bấm vào đường link lạ, không cung cấp mã OTP cho bất kỳ ai.',
      );
    await ed.getByLabel('Kèm thẻ ảnh').uncheck();
    await ed.getByLabel('Trang Công an phường').check();
    await ed.getByLabel('Zalo Công an phường').check();
    await ed.locator('input[name="scheduledAt"]').fill(instantToLocal(new Date(), 'Asia/Ho_Chi_Minh'));

    // The Zalo preview shows the generated cover (loaded, at Zalo's cover size) and the checks pass.
    const cover = ed.locator('#compose-preview img.zalo-generated-cover');
    await cover.waitFor({ timeout: 20_000 });
    await ed.locator('#compose-preview [data-checks="ok"]').waitFor({ timeout: 20_000 });
    await cover.evaluate((img: HTMLImageElement) =>
      img.complete ? null : new Promise((resolve) => img.addEventListener('load', resolve)),
    );
    assert.equal(await cover.evaluate((img: HTMLImageElement) => img.naturalWidth), 1280);
    assert.match(
      (await cover.getAttribute('alt')) ?? '',
      /giả danh nhân viên ngân hàng.*Công an phường Ngũ Hành Sơn/,
    );
    const coverPath = await cover.getAttribute('src');
    assert.ok(coverPath?.startsWith('/media/cards/'), coverPath ?? '');
    assert.equal(
      await ed.locator('#compose-preview .fb-post img').count(),
      0,
      'the Facebook post stays text-only',
    );
    await ed.getByText('Ảnh bìa Zalo được tạo tự động').waitFor();
    await cover.scrollIntoViewIfNeeded();
    await ed.screenshot({ path: 'test-output/e2e-compose-checks-preview.png', fullPage: true });

    // "Now" again: on a busy machine the preview may have taken longer than the minute of grace
    // a time in the past is allowed.
    await ed.locator('input[name="scheduledAt"]').fill(instantToLocal(new Date(), 'Asia/Ho_Chi_Minh'));
    await Promise.all([
      ed.waitForURL(/\/posts\/[0-9a-f-]{36}$/),
      ed.getByRole('button', { name: 'Lưu nháp' }).click(),
    ]);
    const postUrl = ed.url();
    const postId = postUrl.split('/').pop()!;
    await Promise.all([
      ed.waitForResponse(
        (r) => r.url().endsWith(`/posts/${postId}/submit`) && r.request().method() === 'POST',
      ),
      ed.getByRole('button', { name: 'Gửi duyệt' }).click(),
    ]);
    // The post page after the submit: in review, or the flash saying why it was refused. (The
    // status, not the success flash: under load the redirect can be read before the session with
    // the flash is saved.)
    const outcome = ed.locator('.post-status.post-in_review, .flash-error').first();
    await outcome.waitFor({ timeout: 30_000 });
    assert.equal(
      await ed.locator('.flash-error').count(),
      0,
      await ed.locator('.flash-error').allInnerTexts().then(String),
    );
    assert.equal(await ed.locator('.post-status.post-in_review').count(), 1);

    // A reviewer approves it from the review queue.
    const rv = await signIn(reviewer.user.email);
    await rv.goto(`${server.url}/review`);
    const item = rv.locator('article.review-item', { has: rv.locator(`a[href="/posts/${postId}"]`) });
    // The queue's URL does not change: wait for the approval itself, then for the queue without it.
    await Promise.all([
      rv.waitForResponse(
        (r) => r.url().endsWith(`/posts/${postId}/approve`) && r.request().method() === 'POST',
      ),
      item.getByRole('button', { name: 'Duyệt và lên lịch' }).click(),
    ]);
    await item.waitFor({ state: 'detached', timeout: 30_000 });

    // It goes out on both platforms.
    const deadline = Date.now() + 60_000;
    let ids: string[] = [];
    while (Date.now() < deadline) {
      await rv.goto(postUrl);
      ids = (await rv.locator('td.external-id').allTextContents()).map((s) => s.trim()).filter(Boolean);
      if (ids.length === 2) break;
      await rv.waitForTimeout(500);
    }
    assert.equal(ids.length, 2, `both publications show a platform id (got ${JSON.stringify(ids)})`);
    await rv.screenshot({ path: 'test-output/e2e-compose-checks-published.png', fullPage: true });

    const onFacebook = await platforms.posts(`page_id=${fbPage.id}`);
    const onZalo = await platforms.posts(`oa_id=${oa.oa_id}`);
    assert.equal(onFacebook.length, 1, 'exactly one Facebook post');
    assert.equal(onZalo.length, 1, 'exactly one Zalo article');
    assert.match(String(onFacebook[0]!.message), /giả danh nhân viên ngân hàng/);
    assert.deepEqual(onFacebook[0]!.media, [], 'no image on Facebook');
    const zaloMedia = onZalo[0]!.media as string[];
    assert.equal(zaloMedia.length, 1);
    assert.equal(new URL(zaloMedia[0]!).pathname, coverPath, 'the Zalo cover is the one the editor saw');
  });
});
