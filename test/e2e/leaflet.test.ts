// The leaflet prints to one A4 or A5 page with the card, the text, the hotline and a large QR
// code that a phone can read back to the public page.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import type { Browser } from 'playwright-core';
import type { PostRow } from '../../server/posts/posts.repo.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { launchBrowser, listen } from '../support/browser.ts';
import {
  HOTLINE,
  markPublished,
  templatePost,
  unitWithEditor,
} from '../integration/public-pages/fixtures.ts';

const jsQR = jsQRModule.default;
const PUBLIC_URL = 'https://loa.example.vn';
/** PDF points (1/72 in): A4 is 210 × 297 mm, A5 148 × 210 mm. */
const PAGE_POINTS = { a4: [595.3, 841.9], a5: [419.5, 595.3] } as const;

function pdfPages(pdf: Buffer): { count: number; boxes: number[][] } {
  const text = pdf.toString('latin1');
  const count = (text.match(/\/Type\s*\/Page[^s]/g) ?? []).length;
  const boxes = [...text.matchAll(/\/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]/g)].map(
    (m) => m.slice(1, 5).map(Number),
  );
  return { count, boxes };
}

describe('e2e: printed leaflet', function () {
  this.timeout(60_000);
  let t: TestApp;
  let browser: Browser | undefined;
  let server: Awaited<ReturnType<typeof listen>>;
  let post: PostRow;

  before(async function () {
    browser = await launchBrowser(this);
    t = await createTestApp({ LOA_PUBLIC_URL: PUBLIC_URL });
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

  for (const size of ['a4', 'a5'] as const) {
    it(`prints on one ${size.toUpperCase()} page with a QR code that reads back to the public page`, async () => {
      const page = await browser!.newPage();
      await page.goto(`${server.url}/w/${post.slug}/leaflet?size=${size}`, { waitUntil: 'networkidle' });
      await page.emulateMedia({ media: 'print' });
      const qr = page.locator('img.lf-qr');
      assert.ok(
        await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0),
        'the QR code loaded',
      );
      assert.ok(await page.getByText(HOTLINE).first().isVisible(), 'hotline');
      assert.ok(
        await page.locator('img.lf-card').evaluate((img: HTMLImageElement) => img.naturalWidth > 0),
        'the card loaded',
      );

      // What the printed QR code says, read from the rendered page as a camera would.
      const shot = PNG.sync.read(await qr.screenshot());
      assert.equal(
        jsQR(new Uint8ClampedArray(shot.data), shot.width, shot.height)?.data,
        `${PUBLIC_URL}/w/${post.slug}`,
      );

      const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
      writeFileSync(`test-output/e2e-leaflet-${size}.pdf`, pdf);
      assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
      const { count, boxes } = pdfPages(pdf);
      assert.equal(count, 1, 'one page');
      const [, , width, height] = boxes[0] ?? [];
      const [w, h] = PAGE_POINTS[size];
      assert.ok(
        Math.abs((width ?? 0) - w) < 2 && Math.abs((height ?? 0) - h) < 2,
        `page is ${width}×${height} pt, expected ${w}×${h}`,
      );
      assert.ok(
        pdf.toString('latin1').includes('/Subtype /Image') || /\/Image/.test(pdf.toString('latin1')),
        'the PDF carries images',
      );
      await page.screenshot({ path: `test-output/e2e-leaflet-${size}.png`, fullPage: true });
      await page.close();
    });
  }
});
