// The dashboard after `seed-demo`: the demo province seeded through the services (the worker
// publishing, the mocks' clock moved on, the collector collecting), then the overview's charts
// drawn with that data and its figures equal to the API's, and the province's monthly report
// printed by Chromium to an A4 PDF. Screenshots and the PDF go to test-output/.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { createDemoClock, seedDemo, type SeedResult } from '../../server/demo/seed-demo.ts';
import { DEMO_PROVINCE } from '../../server/demo/demo-data.ts';
import { zonedDay } from '../../server/engagement/engagement.service.ts';
import type { Worker } from '../../server/worker.ts';
import { createTestApp, PASSWORD, type TestApp } from '../support/app.ts';
import { launchBrowser, listen, signInWith } from '../support/browser.ts';
import { testLogger } from '../support/database.ts';
import { startTestPlatforms, type TestPlatforms } from '../support/platforms.ts';
import { startTestWorker } from '../support/worker.ts';

const ZONE = 'Asia/Ho_Chi_Minh';
const FIGURES = ['impressions', 'reactions', 'comments', 'shares', 'clicks'] as const;

describe('e2e: the dashboard on the seeded demo', function () {
  this.timeout(240_000);
  let browser: Browser | undefined;
  let platforms: TestPlatforms | undefined;
  let t: TestApp | undefined;
  let server: Awaited<ReturnType<typeof listen>> | undefined;
  let worker: Worker | undefined;
  let seeded: SeedResult;
  let provinceId: string;

  before(async function () {
    browser = await launchBrowser(this);
    if (!browser) return;
    platforms = await startTestPlatforms();
    const clock = createDemoClock();
    t = await createTestApp(
      {},
      { platformUrls: platforms.urls, mockPlatforms: platforms.mock, clock: clock.now },
      // Its own database: the seeded fortnight of engagement would change other files' totals.
      { database: 'demo_dashboard' },
    );
    server = await listen(t.app);
    worker = await startTestWorker(t, 'e2e-demo-dashboard-worker');
    // The demo's people sign in with the test password, as the browser helpers do.
    seeded = await seedDemo(
      {
        container: t.c,
        mocks: platforms.mock,
        clock,
        logger: testLogger,
        mediaRoot: path.resolve(import.meta.dirname, '../../media'),
      },
      { admin: PASSWORD, editor: PASSWORD, reviewer: PASSWORD, member: PASSWORD },
    );
    assert.equal(seeded.created, true);
    const province = (await t.c.users.listAllUnits()).find(
      (u) => u.parentId === null && u.name === DEMO_PROVINCE.name,
    );
    provinceId = province!.id;
    await mkdir('test-output', { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await worker?.stop(10_000);
    await server?.close();
    await t?.close();
    await platforms?.close();
  });

  async function signedIn(role: string, width: number, height: number): Promise<Page> {
    const login = seeded.logins.find((l) => l.role === role);
    assert.ok(login, role);
    const context = await browser!.newContext({ viewport: { width, height } });
    return signInWith(await context.newPage(), server!.url, login.email);
  }

  /** The Chart.js instance's data of a canvas, and how many pixels were painted on it. */
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

  it('draws the overview with the demo’s collected figures, equal to the API’s', async () => {
    const today = zonedDay(new Date(), ZONE);
    const from = new Date(Date.parse(`${today}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10);
    for (const [role, width, height] of [
      ['reviewer', 1280, 900],
      ['admin', 390, 844],
    ] as const) {
      const page = await signedIn(role, width, height);
      await page.goto(`${server!.url}/stats`);
      await page.waitForFunction(() =>
        Boolean(document.getElementById('chart-trend')?.getAttribute('width')),
      );
      // The same reader's figures through the API (the reviewer sees the province's units).
      const login = seeded.logins.find((l) => l.role === role)!;
      const user = await t!.c.repos.users.findByEmail(login.email);
      const { token } = await t!.c.auth.issueToken(user!, { name: 'e2e-demo-reader', ip: null });
      const api = await request(t!.app)
        .get(`/api/v1/stats/overview?from=${from}&to=${today}`)
        .set({ Authorization: `Bearer ${token}` });
      assert.equal(api.status, 200, JSON.stringify(api.body));
      for (const key of FIGURES) {
        const card = page.locator(`.stats-card[data-figure="${key}"]`);
        assert.equal(
          Number(await card.getAttribute('data-value')),
          api.body.totals[key].value,
          `${key}, ${role}`,
        );
        const printed = await card.locator('.stats-value').innerText();
        assert.equal(Number(printed.replace(/\D/g, '')), api.body.totals[key].value, `${key} as printed`);
      }
      assert.ok(api.body.totals.impressions.value > 0, 'the demo’s impressions reached the page');
      assert.ok(api.body.totals.clicks.value > 0, 'the demo’s tracked-link clicks reached the page');
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
      assert.ok(channels.painted > 100, 'the channels chart is drawn');
      if (width === 390) {
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 1, `the page scrolls sideways by ${overflow}px on a phone`);
      }
      await page.screenshot({ path: `test-output/demo-dashboard-overview-${width}.png`, fullPage: true });
      await page.context().close();
    }
  });

  it('prints the province’s monthly report to an A4 PDF', async () => {
    const page = await signedIn('reviewer', 1280, 900);
    const month = zonedDay(new Date(), ZONE).slice(0, 7);
    await page.goto(`${server!.url}/stats/report?unitId=${provinceId}&month=${month}`);
    await page.getByRole('button', { name: 'In / Lưu PDF' }).waitFor();
    await page.waitForFunction(() => Boolean(document.getElementById('chart-trend')?.getAttribute('width')));
    const top = await page.locator('.stats-top tr[data-post]').count();
    assert.ok(top >= 3, `${top} top warnings listed`);
    await page.screenshot({ path: 'test-output/demo-dashboard-report-1280.png', fullPage: true });
    await page.emulateMedia({ media: 'print' });
    await page.screenshot({ path: 'test-output/demo-dashboard-report-print.png', fullPage: true });
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    await writeFile('test-output/demo-dashboard-report.pdf', pdf);
    const text = pdf.toString('latin1');
    assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
    // A4 is 595 × 842 points.
    const box = /\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]/.exec(text);
    assert.ok(box, 'the PDF names its page size');
    assert.ok(Math.abs(Number(box[1]) - 595) < 2 && Math.abs(Number(box[2]) - 842) < 2, box[0]);
    const pages = text.match(/\/Type\s*\/Page[^s]/g)?.length ?? 0;
    assert.ok(pages >= 1 && pages <= 8, `${pages} pages`);
    assert.ok(pdf.length > 20_000 && pdf.length < 10_000_000, `${pdf.length} bytes`);
    assert.equal(await page.locator('.app-header').isVisible(), false, 'no navigation on paper');
    await page.context().close();
  });
});
