// The dashboard in a browser: engagement collected by the real collector from the mock Facebook
// Page and Zalo OA, the overview's charts drawn with that data at desktop and phone width, its
// figures equal to the API's, and the monthly report saved as an A4 PDF by Chromium.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { AxeBuilder } from '@axe-core/playwright';
import { sql } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import request from 'supertest';
import { SYSTEM_ACTOR } from '../../server/auth/actor.ts';
import { posts } from '../../server/db/schema.ts';
import { zonedDay } from '../../server/engagement/engagement.service.ts';
import { makeUser, type TestApp } from '../support/app.ts';
import { signInWith } from '../support/browser.ts';
import { startE2eScene, type E2eScene } from '../support/e2e-scene.ts';

const ZONE = 'Asia/Ho_Chi_Minh';
const FIGURES = ['impressions', 'reactions', 'comments', 'shares', 'clicks'] as const;

describe('e2e: the engagement dashboard', function () {
  this.timeout(180_000);
  let scene: E2eScene | undefined;
  let t: TestApp;
  let admin: Awaited<ReturnType<typeof makeUser>>;
  let unitId: string;
  let postId: string;

  before(async function () {
    scene = await startE2eScene(this, { workerId: 'e2e-dashboard-worker' });
    t = scene.t;
    const { platforms } = scene;
    admin = await makeUser(t, 'admin', { name: 'Lãnh Đạo' });
    unitId = (await t.c.users.createUnit(SYSTEM_ACTOR, { name: `Công an tỉnh ${randomUUID().slice(0, 6)}` }))
      .id;
    await t.c.users.createUnit(SYSTEM_ACTOR, {
      name: `Công an xã ${randomUUID().slice(0, 6)}`,
      parentId: unitId,
    });
    const page = await platforms.createPage('Công an tỉnh Số liệu');
    const oa = await platforms.createOa('Công an tỉnh Số liệu OA');
    const fb = await t.c.channels.connect(SYSTEM_ACTOR, {
      platform: 'facebook',
      externalId: page.id,
      accessToken: page.access_token,
      name: 'Trang Công an Số liệu',
    });
    const zalo = await t.c.channels.connect(SYSTEM_ACTOR, {
      platform: 'zalo',
      externalId: oa.oa_id,
      accessToken: oa.access_token,
      refreshToken: oa.refresh_token,
      name: 'Zalo Công an Số liệu',
    });
    // A warning published two hours ago on both, its Facebook post made on the mock Page.
    const publishedAt = new Date(Date.now() - 2 * 3_600_000);
    const db = t.c.database.db;
    const [post] = await db
      .insert(posts)
      .values({
        title: 'Cảnh báo giả danh công an gọi điện',
        text: 'Công an không làm việc qua điện thoại. Không chuyển tiền cho người lạ.',
        scheduledAt: publishedAt,
        publishedAt,
        status: 'published',
        authorId: admin.user.id,
        unitId,
        slug: `so-lieu-${randomUUID()}`,
      })
      .returning();
    postId = post!.id;
    const feed = await fetch(`${platforms.mock.facebook}/v26.0/${page.id}/feed`, {
      method: 'POST',
      headers: { authorization: `Bearer ${page.access_token}` },
      body: new URLSearchParams({ message: post!.text, link: 'https://loa.example.vn/l/solieu' }),
    });
    const { id: externalId } = (await feed.json()) as { id: string };
    for (const [channelId, external] of [
      [fb.id, externalId],
      [zalo.id, `zalo-article-${randomUUID()}`],
    ] as const) {
      await db.execute(sql`
        INSERT INTO publications (post_id, channel_id, status, scheduled_at, link_code, external_id, published_at)
        VALUES (${postId}, ${channelId}, 'published', ${publishedAt.toISOString()},
          ${`e${randomUUID().replace(/-/g, '').slice(0, 12)}`}, ${external}, ${publishedAt.toISOString()})`);
    }
    // Engagement grows on the mock as its clock runs; then the real collector takes a snapshot.
    await fetch(`${platforms.mock.facebook}/_mock/clock/advance`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ seconds: 6 * 3600 }),
    });
    const summary = await t.c.engagement.collectDue();
    assert.ok(summary.collected >= 1, JSON.stringify(summary));
    await mkdir('test-output', { recursive: true });
  });
  after(() => scene?.close());

  async function signedIn(width: number, height: number): Promise<Page> {
    const context = await scene!.browser.newContext({ viewport: { width, height } });
    return signInWith(await context.newPage(), scene!.server.url, admin.user.email);
  }

  /** The Chart.js instance's data of a canvas, and whether anything was drawn on it. */
  function chartOf(page: Page, id: string) {
    return page.evaluate((canvasId) => {
      const canvas = document.getElementById(canvasId) as HTMLCanvasElement;
      const chart = (
        window as unknown as {
          Chart: {
            getChart(c: HTMLCanvasElement): { data: { datasets: { label: string; data: number[] }[] } };
          };
        }
      ).Chart.getChart(canvas);
      const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let painted = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) painted++;
      return { datasets: chart.data.datasets.map((d) => ({ label: d.label, data: d.data })), painted };
    }, id);
  }

  it('draws the overview with the collected figures, equal to the API, at 1280 and 390 wide', async () => {
    const today = zonedDay(new Date(), ZONE);
    const from = new Date(Date.parse(`${today}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10);
    for (const [width, height] of [
      [1280, 900],
      [390, 844],
    ] as const) {
      const page = await signedIn(width, height);
      await page.goto(`${scene!.server.url}/stats`);
      await page.locator('[data-section="stats"]').first().waitFor({ state: 'attached' });
      await page.waitForFunction(() =>
        Boolean(document.getElementById('chart-trend')?.getAttribute('width')),
      );
      const api = await request(t.app).get(`/api/v1/stats/overview?from=${from}&to=${today}`).set(admin.auth);
      assert.equal(api.status, 200);
      for (const key of FIGURES) {
        const shown = await page.locator(`.stats-card[data-figure="${key}"]`).getAttribute('data-value');
        assert.equal(Number(shown), api.body.totals[key].value, `${key} at ${width}px`);
        const text = await page.locator(`.stats-card[data-figure="${key}"] .stats-value`).innerText();
        assert.equal(Number(text.replace(/\D/g, '')), api.body.totals[key].value, `${key} as printed`);
      }
      assert.ok(api.body.totals.reactions.value > 0, 'the mock’s engagement reached the page');
      const trend = await chartOf(page, 'chart-trend');
      assert.ok(trend.painted > 500, 'the trend chart is drawn');
      const reactions = trend.datasets.find((d) => d.label === 'Cảm xúc');
      assert.ok(reactions, JSON.stringify(trend.datasets.map((d) => d.label)));
      assert.equal(
        reactions.data.reduce((a, b) => a + b, 0),
        api.body.totals.reactions.value,
        'the chart’s points add up to the total',
      );
      const channels = await chartOf(page, 'chart-channels');
      assert.ok(channels.painted > 100);
      // Zalo's platform figures say why they are missing.
      await page.getByText('Zalo không cung cấp số liệu này').first().waitFor({ state: 'attached' });
      if (width === 390) {
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 1, `the page scrolls sideways by ${overflow}px on a phone`);
      }
      await page.screenshot({ path: `test-output/dashboard-overview-${width}.png`, fullPage: true });
      await page.context().close();
    }
  });

  it('shows a post’s curves per channel and asks for a refresh', async () => {
    const page = await signedIn(390, 844);
    await page.goto(`${scene!.server.url}/posts/${postId}/stats`);
    await page.waitForFunction(() =>
      Boolean(document.getElementById('chart-curve-0')?.getAttribute('width')),
    );
    const api = await request(t.app).get(`/api/v1/posts/${postId}/stats`).set(admin.auth);
    const shown = await page.locator('.stats-card[data-figure="reactions"]').getAttribute('data-value');
    assert.equal(Number(shown), api.body.totals.reactions.value);
    await page.screenshot({ path: 'test-output/dashboard-post-390.png', fullPage: true });
    await page.getByRole('button', { name: 'Lấy số liệu ngay' }).click();
    await page.getByText(/Đã yêu cầu lấy số liệu cho 2 lần đăng/).waitFor();
    await page.context().close();
  });

  it('prints the monthly report to an A4 PDF', async () => {
    const page = await signedIn(1280, 900);
    const month = zonedDay(new Date(), ZONE).slice(0, 7);
    await page.goto(`${scene!.server.url}/stats/report?unitId=${unitId}&month=${month}`);
    await page.getByRole('button', { name: 'In / Lưu PDF' }).waitFor();
    await page.waitForFunction(() => Boolean(document.getElementById('chart-trend')?.getAttribute('width')));
    const top = await page.locator(`.stats-top tr[data-post="${postId}"]`).count();
    assert.equal(top, 1, 'the warning is among the top warnings');
    await page.screenshot({ path: 'test-output/dashboard-report-1280.png', fullPage: true });
    await page.emulateMedia({ media: 'print' });
    await page.screenshot({ path: 'test-output/dashboard-report-print.png', fullPage: true });
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    await writeFile('test-output/dashboard-report.pdf', pdf);
    assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
    const pages = pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g)?.length ?? 0;
    assert.ok(pages >= 1 && pages <= 6, `${pages} pages`);
    assert.ok(pdf.length > 20_000 && pdf.length < 10_000_000, `${pdf.length} bytes`);
    // The printed page carries no navigation.
    assert.equal(await page.locator('.app-header').isVisible(), false);
    await page.context().close();
  });

  it('has nothing serious for axe-core on the dashboard pages, on a phone', async () => {
    const page = await signedIn(390, 844);
    const month = zonedDay(new Date(), ZONE).slice(0, 7);
    const problems: string[] = [];
    for (const path of [
      '/stats',
      `/posts/${postId}/stats`,
      `/stats/report?unitId=${unitId}&month=${month}`,
    ]) {
      await page.goto(`${scene!.server.url}${path}`, { waitUntil: 'networkidle' });
      const results = await new AxeBuilder({ page }).analyze();
      problems.push(
        ...results.violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map(
            (v) =>
              `${path}: ${v.id} ${v.nodes
                .slice(0, 3)
                .map((n) => n.target.join(' '))
                .join(', ')}`,
          ),
      );
    }
    await page.context().close();
    assert.deepEqual(problems, []);
  });
});
