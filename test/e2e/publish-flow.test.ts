// The product's core flow in a browser: an editor composes a warning from a template and sends
// it for review, a reviewer approves it, it appears on the calendar, a worker publishes it to
// the mock Facebook Page and Zalo OA, and its page shows both platforms' ids.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { SYSTEM_ACTOR } from '../../server/auth/actor.ts';
import { instantToLocal } from '../../server/shared/zoned-time.ts';
import { makeUser, type TestApp } from '../support/app.ts';
import { startE2eScene, type E2eScene } from '../support/e2e-scene.ts';
import type { TestPlatforms } from '../support/platforms.ts';

describe('e2e: compose, review, publish', function () {
  this.timeout(120_000);
  let scene: E2eScene | undefined;
  let t: TestApp;
  let platforms: TestPlatforms;
  let server: E2eScene['server'];

  before(async function () {
    scene = await startE2eScene(this, {
      workerId: 'e2e-worker',
      publishingTuning: { zaloVerifyBudgetMs: 20_000 },
    });
    ({ t, platforms, server } = scene);
  });
  after(() => scene?.close());

  const signIn = (email: string): Promise<Page> => scene!.signIn(email);

  it('goes from the composer to Facebook and Zalo, once each', async () => {
    const editor = await makeUser(t, 'editor', { name: 'Biên Tập Viên' });
    const reviewer = await makeUser(t, 'reviewer', { name: 'Người Duyệt' });
    const fbPage = await platforms.createPage('Công an tỉnh E2E');
    const oa = await platforms.createOa('Công an tỉnh E2E OA');
    await t.c.channels.connect(
      { ...SYSTEM_ACTOR },
      {
        platform: 'facebook',
        externalId: fbPage.id,
        accessToken: fbPage.access_token,
        name: 'Trang Công an E2E',
      },
    );
    await t.c.channels.connect(
      { ...SYSTEM_ACTOR },
      {
        platform: 'zalo',
        externalId: oa.oa_id,
        accessToken: oa.access_token,
        refreshToken: oa.refresh_token,
        name: 'Zalo Công an E2E',
      },
    );

    // The editor composes from a template.
    const ed = await signIn(editor.user.email);
    await ed.goto(`${server.url}/compose`);
    await ed.getByLabel('Mẫu bài').selectOption('gia-danh-co-quan-phap-luat');
    await ed.locator('input[name="v.unitName"]').waitFor();
    await ed.locator('input[name="v.unitName"]').fill('Công an tỉnh Quảng Nam');
    await ed.locator('input[name="v.hotline"]').fill('0235 3822 123');
    await ed.locator('input[name="v.area"]').fill('Quảng Nam');
    await ed.locator('input[name="v.date"]').fill('2026-12-01');
    await ed.screenshot({ path: 'test-output/e2e-compose.png', fullPage: true });
    await ed.getByLabel('Trang Công an E2E').check();
    await ed.getByLabel('Zalo Công an E2E').check();
    // Due now: the worker publishes as soon as the reviewer approves.
    await ed.locator('input[name="scheduledAt"]').fill(instantToLocal(new Date(), 'Asia/Ho_Chi_Minh'));
    await ed
      .locator('#compose-preview .compose-card, #compose-preview img')
      .first()
      .waitFor({ timeout: 20_000 });
    await Promise.all([
      ed.waitForURL(/\/posts\/[0-9a-f-]{36}$/),
      ed.getByRole('button', { name: 'Lưu nháp' }).click(),
    ]);
    const postUrl = ed.url();
    const postId = postUrl.split('/').pop()!;
    await ed.getByRole('button', { name: 'Gửi duyệt' }).click();
    await ed.getByText('Đã gửi bài đi duyệt.').waitFor();
    await ed.screenshot({ path: 'test-output/e2e-post-submitted.png', fullPage: true });

    // The reviewer approves it from the review queue.
    const rv = await signIn(reviewer.user.email);
    await rv.goto(`${server.url}/review`);
    const item = rv.locator('article.review-item', { has: rv.locator(`a[href="/posts/${postId}"]`) });
    await item.getByRole('button', { name: 'Duyệt và lên lịch' }).click();
    await rv.waitForURL(`${server.url}/review`);

    // It is on the calendar.
    await rv.goto(`${server.url}/calendar`);
    await rv.locator(`a[href="/posts/${postId}"]`).first().waitFor({ timeout: 20_000 });

    // It goes out, and the detail page shows both platforms' ids.
    const deadline = Date.now() + 60_000;
    let ids: string[] = [];
    while (Date.now() < deadline) {
      await rv.goto(postUrl);
      ids = (await rv.locator('td.external-id').allTextContents()).map((s) => s.trim()).filter(Boolean);
      if (ids.length === 2) break;
      await rv.waitForTimeout(500);
    }
    assert.equal(ids.length, 2, `both publications show a platform id (got ${JSON.stringify(ids)})`);
    assert.ok(
      ids.some((id) => id.startsWith(`${fbPage.id}_`)),
      'the Facebook post id',
    );
    await rv.getByText('Đã đăng').first().waitFor();
    const card = rv.locator('img.post-card');
    await card.evaluate((img: HTMLImageElement) =>
      img.complete ? null : new Promise((resolve) => img.addEventListener('load', resolve)),
    );
    const cardWidth = await card.evaluate((img: HTMLImageElement) => img.naturalWidth);
    assert.equal(cardWidth, 1200, `the card image loads (${await card.getAttribute('src')})`);
    await rv.screenshot({ path: 'test-output/e2e-post-published.png', fullPage: true });

    const onFacebook = await platforms.posts(`page_id=${fbPage.id}`);
    const onZalo = await platforms.posts(`oa_id=${oa.oa_id}`);
    assert.equal(onFacebook.length, 1, 'exactly one Facebook post');
    assert.equal(onZalo.length, 1, 'exactly one Zalo article');
    assert.match(JSON.stringify(onFacebook[0]), /Công an tỉnh Quảng Nam/);
    assert.match(JSON.stringify(onFacebook[0]), /\/l\/[A-Za-z0-9_-]+/, 'the text carries its tracked link');
  });
});
