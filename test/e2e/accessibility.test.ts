// axe-core on the main pages, signed in as an admin (who sees every section), on a desktop and
// on a phone with the menu open: no serious or critical violation.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { markPublished, templatePost, unitWithEditor } from '../integration/public-pages/fixtures.ts';
import { attentionScene, type AttentionScene } from '../support/attention.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { launchBrowser, listen, signInWith } from '../support/browser.ts';
import { startTestPlatforms, type TestPlatforms } from '../support/platforms.ts';

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

/** test-output/a11y-<device>-<page>.png, for a look at each page in the shell. */
function shotPath(device: string, path: string): string {
  const name =
    path === '/'
      ? 'home'
      : path
          .replace(/[0-9a-f-]{36}/, 'id')
          .replace(/^\//, '')
          .replace(/[^a-z0-9]+/gi, '-')
          .slice(0, 40);
  return `test-output/a11y-${device}-${name}.png`;
}

/** The serious and critical violations on the page as it is now, one line each. */
async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} — ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(' '))
          .join(', ')}`,
    );
}

describe('e2e: accessibility (axe-core)', function () {
  this.timeout(180_000);
  let browser: Browser | undefined;
  let t: TestApp;
  let platforms: TestPlatforms;
  let server: Awaited<ReturnType<typeof listen>>;
  let scene: AttentionScene;
  let publicSlug: string;

  before(async function () {
    browser = await launchBrowser(this);
    platforms = await startTestPlatforms();
    t = await createTestApp({}, { platformUrls: platforms.urls, mockPlatforms: platforms.mock });
    server = await listen(t.app);
    scene = await attentionScene(t, platforms, 'Trợ năng');
    const { actor } = await unitWithEditor(t, 'Công an tỉnh Trợ Năng');
    mkdirSync('test-output', { recursive: true });
    publicSlug = (await markPublished(t, (await templatePost(t, actor, 'Công an tỉnh Trợ Năng')).id)).slug;
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
    await platforms?.close();
  });

  async function signIn(viewport: { width: number; height: number }): Promise<Page> {
    const context = await browser!.newContext({ viewport });
    const page = await context.newPage();
    return signInWith(page, server.url, scene.admin.user.email);
  }

  const signedInPages = () => [
    '/',
    '/compose',
    '/posts',
    `/posts/${scene.posts.failed.id}`,
    '/review',
    '/calendar',
    '/media',
    '/templates',
    '/admin/channels',
    '/admin/users',
    '/admin/units',
    '/notifications',
    '/account',
  ];

  it('finds nothing serious on the login page and the public warning page', async () => {
    const context = await browser!.newContext({ viewport: PHONE });
    const page = await context.newPage();
    const problems: string[] = [];
    for (const path of ['/login', `/w/${publicSlug}`]) {
      await page.goto(`${server.url}${path}`, { waitUntil: 'networkidle' });
      problems.push(...(await seriousViolations(page)).map((v) => `${path}: ${v}`));
    }
    await context.close();
    assert.deepEqual(problems, []);
  });

  it('finds nothing serious on the main pages on a desktop', async () => {
    const page = await signIn(DESKTOP);
    const problems: string[] = [];
    for (const path of signedInPages()) {
      await page.goto(`${server.url}${path}`, { waitUntil: 'networkidle' });
      if (path === '/calendar') await page.locator('.fc-view').waitFor();
      problems.push(...(await seriousViolations(page)).map((v) => `${path}: ${v}`));
      await page.screenshot({ path: shotPath('desktop', path) });
    }
    await page.context().close();
    assert.deepEqual(problems, []);
  });

  it('finds nothing serious on the main pages on a phone, with the menu open', async () => {
    const page = await signIn(PHONE);
    const problems: string[] = [];
    for (const path of signedInPages()) {
      await page.goto(`${server.url}${path}`, { waitUntil: 'networkidle' });
      if (path === '/calendar') await page.locator('.fc-view').waitFor();
      problems.push(...(await seriousViolations(page)).map((v) => `${path}: ${v}`));
    }
    await page.goto(`${server.url}/`);
    await page.locator('summary', { hasText: 'Menu' }).click();
    await page.getByRole('navigation', { name: 'Điều hướng chính' }).waitFor();
    problems.push(...(await seriousViolations(page)).map((v) => `menu: ${v}`));
    await page.context().close();
    assert.deepEqual(problems, []);
  });
});
