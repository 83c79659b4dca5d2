// A citizen opens a public warning page on a cheap phone: it renders at 360 px without
// overflowing, weighs (HTML + CSS + JS) under 100 KB without the card image, and shows the card.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import type { PostRow } from '../../server/posts/posts.repo.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { launchBrowser, listen } from '../support/browser.ts';
import { markPublished, templatePost, unitWithEditor } from '../integration/public-pages/fixtures.ts';

const BUDGET_BYTES = 100 * 1024;

describe('e2e: public warning page on a phone', function () {
  this.timeout(60_000);
  let t: TestApp;
  let browser: Browser | undefined;
  let server: Awaited<ReturnType<typeof listen>>;
  let post: PostRow;

  before(async function () {
    browser = await launchBrowser(this);
    t = await createTestApp({ LOA_PUBLIC_URL: 'https://loa.example.vn' });
    server = await listen(t.app);
    const { actor } = await unitWithEditor(t, 'Công an tỉnh Quảng Nam');
    post = await markPublished(t, (await templatePost(t, actor, 'Công an tỉnh Quảng Nam')).id);
    mkdirSync('test-output', { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
  });

  it('is light, fits the screen, shows the card and takes no session', async () => {
    const context = await browser!.newContext({
      viewport: { width: 360, height: 740 },
      deviceScaleFactor: 2,
      isMobile: true,
    });
    const page = await context.newPage();
    const sizes: { url: string; type: string; bytes: number }[] = [];
    page.on('response', async (response) => {
      const body = await response.body().catch(() => Buffer.alloc(0));
      sizes.push({ url: response.url(), type: response.headers()['content-type'] ?? '', bytes: body.length });
    });
    await page.goto(`${server.url}/w/${post.slug}`, { waitUntil: 'networkidle' });

    assert.ok(await page.getByRole('heading', { level: 1, name: post.title }).isVisible());
    assert.match((await page.locator('.pw-meta').textContent()) ?? '', /Do Công an tỉnh Quảng Nam phát hành/);
    const card = page.locator('img.pw-card');
    assert.ok(
      await card.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0),
      'the card loaded',
    );
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `page is ${overflow}px wider than the screen`);

    const pageBytes = sizes.filter((s) => !s.type.startsWith('image/')).reduce((sum, s) => sum + s.bytes, 0);
    const kinds = sizes.map((s) => `${s.type.split(';')[0]} ${s.bytes}`).join(', ');
    assert.ok(
      sizes.some((s) => s.type.startsWith('text/css')),
      'its stylesheet was loaded',
    );
    assert.ok(pageBytes < BUDGET_BYTES, `HTML+CSS+JS is ${pageBytes} bytes (${kinds})`);
    assert.ok(!sizes.some((s) => s.type.includes('javascript')), 'no script at all');
    assert.deepEqual(await context.cookies(), [], 'no cookie');
    // Measured for the report.
    process.stdout.write(`      public page weight without the card: ${pageBytes} bytes (${kinds})\n`);

    await page.screenshot({ path: 'test-output/e2e-public-page-360.png', fullPage: true });
    await context.close();
  });
});
