// The app shell in a browser: where one is (aria-current), the phone's menu, what each role
// sees, and the start page's attention lists. Screenshots of each go to test-output/.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { attentionScene, type AttentionScene } from '../support/attention.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { launchBrowser, listen, signInWith } from '../support/browser.ts';
import { startTestPlatforms, type TestPlatforms } from '../support/platforms.ts';

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

describe('e2e: app shell', function () {
  this.timeout(120_000);
  let browser: Browser | undefined;
  let t: TestApp;
  let platforms: TestPlatforms;
  let server: Awaited<ReturnType<typeof listen>>;
  let scene: AttentionScene;

  before(async function () {
    browser = await launchBrowser(this);
    platforms = await startTestPlatforms();
    t = await createTestApp({}, { platformUrls: platforms.urls, mockPlatforms: platforms.mock });
    server = await listen(t.app);
    scene = await attentionScene(t, platforms, 'Vỏ ứng dụng');
    mkdirSync('test-output', { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
    await platforms?.close();
  });

  async function signIn(
    email: string,
    viewport: { width: number; height: number },
    javaScriptEnabled = true,
  ): Promise<Page> {
    const context = await browser!.newContext({ viewport, javaScriptEnabled });
    const page = await context.newPage();
    return signInWith(page, server.url, email);
  }

  const mainNav = (page: Page) => page.getByRole('navigation', { name: 'Điều hướng chính' });

  async function overflow(page: Page): Promise<number> {
    return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  }

  it('gives an admin on a desktop every section, marks the current one, and lists the day’s work', async () => {
    const page = await signIn(scene.admin.user.email, DESKTOP);
    const nav = mainNav(page);
    assert.ok(await nav.isVisible(), 'the side navigation is shown on a wide screen');
    for (const name of [
      'Soạn bài',
      'Duyệt bài',
      'Lịch đăng',
      'Bài đăng',
      'Số liệu',
      'Thư viện ảnh',
      'Mẫu bài',
      'Kênh',
      'Người dùng',
      'Đơn vị',
    ]) {
      assert.ok(await nav.getByRole('link', { name, exact: true }).isVisible(), `${name} is in the nav`);
    }
    assert.equal(await nav.locator('[aria-current="page"]').textContent(), 'Tổng quan');

    const review = page.locator('#home-review');
    await review.getByRole('link', { name: scene.posts.waiting.title }).waitFor();
    const failures = page.locator('#home-failures');
    await failures.getByRole('link', { name: scene.posts.failed.title }).waitFor();
    assert.match((await failures.textContent()) ?? '', /Nền tảng từ chối bài/);
    await page.locator('#home-reconnect').getByRole('link', { name: 'Trang cũ Vỏ ứng dụng' }).waitFor();
    await page.locator('#home-upcoming').getByRole('link', { name: scene.posts.upcoming.title }).waitFor();
    await page.screenshot({ path: 'test-output/app-shell-admin-desktop.png', fullPage: true });

    // Following a link moves the mark.
    await Promise.all([
      page.waitForURL(`${server.url}/posts/${scene.posts.failed.id}`),
      failures.getByRole('link', { name: scene.posts.failed.title }).click(),
    ]);
    assert.equal(await nav.locator('[aria-current="page"]').textContent(), 'Bài đăng');
    await Promise.all([
      page.waitForURL(`${server.url}/admin/units`),
      nav.getByRole('link', { name: 'Đơn vị' }).click(),
    ]);
    assert.equal(await nav.locator('[aria-current="page"]').textContent(), 'Đơn vị');
    await page.context().close();
  });

  it('folds the sections into a menu on a phone that opens and navigates', async () => {
    const page = await signIn(scene.admin.user.email, PHONE);
    assert.equal(await page.locator('.app-side').isVisible(), false, 'no side column on a phone');
    assert.equal(await mainNav(page).count(), 0, 'the menu starts closed');
    assert.ok(
      await page.locator('#home-review').getByRole('link', { name: scene.posts.waiting.title }).isVisible(),
    );
    assert.ok((await overflow(page)) <= 1, 'nothing wider than the phone');
    await page.screenshot({ path: 'test-output/app-shell-admin-phone.png', fullPage: true });

    await page.locator('summary', { hasText: 'Menu' }).click();
    const nav = mainNav(page);
    await nav.waitFor();
    assert.equal(await nav.locator('[aria-current="page"]').textContent(), 'Tổng quan');
    await page.screenshot({ path: 'test-output/app-shell-admin-phone-menu.png' });
    await Promise.all([
      page.waitForURL(`${server.url}/calendar`),
      nav.getByRole('link', { name: 'Lịch đăng' }).click(),
    ]);
    assert.equal(await mainNav(page).isVisible(), false, 'the new page starts with the menu closed');
    await page.locator('summary', { hasText: 'Menu' }).click();
    assert.equal(await mainNav(page).locator('[aria-current="page"]').textContent(), 'Lịch đăng');
    assert.ok(
      await page.getByRole('button', { name: 'Đăng xuất' }).isVisible(),
      'signing out is in the menu',
    );
    await page.keyboard.press('Escape');
    assert.equal(await mainNav(page).count(), 0, 'Escape closes the menu');
    await page.context().close();
  });

  it('opens the phone menu and navigates without JavaScript', async () => {
    const page = await signIn(scene.reviewer.user.email, PHONE, false);
    await page.locator('summary', { hasText: 'Menu' }).click();
    const nav = mainNav(page);
    await nav.waitFor();
    await Promise.all([
      page.waitForURL(`${server.url}/review`),
      nav.getByRole('link', { name: 'Duyệt bài' }).click(),
    ]);
    await page.locator('summary', { hasText: 'Menu' }).click();
    assert.equal(await mainNav(page).locator('[aria-current="page"]').textContent(), 'Duyệt bài');
    await page.context().close();
  });

  it('shows an editor only what an editor may use, on a desktop and on a phone', async () => {
    const desktop = await signIn(scene.editor.user.email, DESKTOP);
    const nav = mainNav(desktop);
    for (const name of ['Soạn bài', 'Lịch đăng', 'Bài đăng', 'Thư viện ảnh', 'Mẫu bài']) {
      assert.ok(await nav.getByRole('link', { name, exact: true }).isVisible(), `${name} is in the nav`);
    }
    for (const name of ['Người dùng', 'Kênh', 'Đơn vị', 'Duyệt bài']) {
      assert.equal(
        await desktop.getByRole('link', { name, exact: true }).count(),
        0,
        `no ${name} for an editor`,
      );
    }
    assert.equal(await desktop.locator('#home-review').count(), 0);
    assert.equal(await desktop.locator('#home-reconnect').count(), 0);
    await desktop.locator('#home-failures').getByRole('link', { name: scene.posts.failed.title }).waitFor();
    await desktop.screenshot({ path: 'test-output/app-shell-editor-desktop.png', fullPage: true });
    await Promise.all([
      desktop.waitForURL(`${server.url}/compose`),
      nav.getByRole('link', { name: 'Soạn bài' }).click(),
    ]);
    assert.equal(await nav.locator('[aria-current="page"]').textContent(), 'Soạn bài');
    await desktop.context().close();

    const phone = await signIn(scene.editor.user.email, PHONE);
    assert.ok((await overflow(phone)) <= 1, 'nothing wider than the phone');
    await phone.screenshot({ path: 'test-output/app-shell-editor-phone.png', fullPage: true });
    await phone.locator('summary', { hasText: 'Menu' }).click();
    const menu = mainNav(phone);
    await menu.waitFor();
    assert.deepEqual(
      (await menu.getByRole('link').allTextContents()).map((s) => s.trim()),
      ['Tổng quan', 'Soạn bài', 'Lịch đăng', 'Bài đăng', 'Số liệu', 'Thư viện ảnh', 'Mẫu bài'],
    );
    await phone.screenshot({ path: 'test-output/app-shell-editor-phone-menu.png' });
    await phone.context().close();
  });
});
