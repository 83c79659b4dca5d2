// The template editor in a browser: copy a built-in, watch the live preview follow the text,
// save it as version 2, and archive it; on a phone the editor fits the screen.
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { createTestApp, makeUser, type TestApp } from '../support/app.ts';
import { launchBrowser, listen, signInWith } from '../support/browser.ts';

describe('e2e: the template editor', function () {
  this.timeout(120_000);
  let browser: Browser | undefined;
  let t: TestApp;
  let server: Awaited<ReturnType<typeof listen>>;
  let editor: Awaited<ReturnType<typeof makeUser>>;

  before(async function () {
    browser = await launchBrowser(this);
    t = await createTestApp();
    await t.c.templates.start();
    server = await listen(t.app);
    editor = await makeUser(t, 'editor', { name: 'Biên Tập Mẫu' });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
  });

  async function signIn(width: number, height: number): Promise<Page> {
    const context = await browser!.newContext({ viewport: { width, height } });
    const page = await context.newPage();
    return signInWith(page, server.url, editor.user.email);
  }

  it('copies a built-in, previews an edit live, saves it as version 2 and archives it', async () => {
    const page = await signIn(1280, 900);
    await page.goto(`${server.url}/templates`);
    const item = page.locator('.template-list li', { hasText: '(dau-tu-tien-ao)' });
    await Promise.all([
      page.waitForURL(/\/templates\/[0-9a-f-]{36}\/edit$/),
      item.getByRole('button', { name: 'Sao chép thành mẫu mới' }).click(),
    ]);
    await page.getByText('Phiên bản 1').first().waitFor();
    const preview = page.locator('#template-preview');
    await preview.locator('img.preview-card').waitFor({ timeout: 20_000 });

    const body = page.locator('textarea[name="body"]');
    await body.fill(`Bản sửa trên trình duyệt: {{area}} cảnh báo.\n${await body.inputValue()}`);
    await preview.getByText(/^Bản sửa trên trình duyệt: .+ cảnh báo\./).waitFor({ timeout: 20_000 });
    await page.screenshot({ path: 'test-output/template-editor.png', fullPage: true });

    await Promise.all([
      page.waitForURL(/\/edit$/),
      page.getByRole('button', { name: 'Lưu thành phiên bản mới' }).click(),
    ]);
    await page.getByText('Phiên bản 2').first().waitFor();
    const id = page.url().split('/').at(-2)!;
    const saved = await t.c.templates.getTemplate(id);
    assert.equal(saved.version, 2);
    assert.match(saved.source, /^Bản sửa trên trình duyệt/);

    page.once('dialog', (dialog) => void dialog.accept());
    await Promise.all([
      page.waitForURL(`${server.url}/templates`),
      page.getByRole('button', { name: 'Ngừng dùng mẫu' }).click(),
    ]);
    assert.ok((await t.c.templates.getTemplate(id)).archivedAt);
    assert.equal(await page.locator(`a[href="/templates/${id}/edit"]`).count(), 0);
  });

  it('fits a phone screen', async () => {
    const page = await signIn(390, 844);
    const res = await fetch(`${server.url}/api/v1/templates/vay-tien-dao-han/copy`, {
      method: 'POST',
      headers: editor.auth,
    });
    assert.equal(res.status, 201);
    const { id } = (await res.json()) as { id: string };
    await page.goto(`${server.url}/templates/${id}/edit`);
    await page.locator('#template-preview img.preview-card').waitFor({ timeout: 20_000 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`);
    await page.screenshot({ path: 'test-output/template-editor-phone.png', fullPage: true });
  });
});
