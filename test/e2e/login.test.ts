// A person signs in through the real login page, on a phone-sized screen.
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { createTestApp, makeUser, PASSWORD, type TestApp } from '../support/app.ts';
import { launchBrowser, listen } from '../support/browser.ts';

describe('e2e: login', function () {
  this.timeout(60_000);
  let t: TestApp;
  let browser: Browser | undefined;
  let server: Awaited<ReturnType<typeof listen>>;

  before(async function () {
    browser = await launchBrowser(this);
    t = await createTestApp();
    server = await listen(t.app);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
  });

  it('signs an admin in through the login page and shows the start page in Vietnamese', async () => {
    const { user } = await makeUser(t, 'admin', { name: 'Trần Quản Trị' });
    const page = await browser!.newPage({ viewport: { width: 360, height: 740 } });
    await page.goto(`${server.url}/admin/users`);
    assert.match(page.url(), /\/login\?next=%2Fadmin%2Fusers$/);
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Mật khẩu').fill(PASSWORD);
    await Promise.all([
      page.waitForURL(`${server.url}/admin/users`),
      page.getByRole('button', { name: 'Đăng nhập' }).click(),
    ]);
    assert.ok(await page.getByRole('heading', { name: 'Người dùng' }).isVisible());
    // Nothing wider than the phone's screen.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `page is ${overflow}px wider than the screen`);
    await page.screenshot({ path: 'test-output/e2e-login-admin-users.png', fullPage: true });
    await page.goto(`${server.url}/`);
    assert.ok(await page.getByText('Xin chào, Trần Quản Trị').isVisible());
    await page.close();
  });

  it('shows a clear message for a wrong password', async () => {
    const { user } = await makeUser(t, 'editor');
    const page = await browser!.newPage({ viewport: { width: 360, height: 740 } });
    await page.goto(`${server.url}/login`);
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Mật khẩu').fill('sai mật khẩu rồi');
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.getByText('Email hoặc mật khẩu không đúng.').waitFor();
    assert.match(page.url(), /\/login$/);
    await page.close();
  });
});
