import assert from 'node:assert/strict';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadCardLayouts } from '../../../server/rendering/card-layouts.ts';
import { createRenderer, renderQrPng } from '../../../server/rendering/index.ts';
import { sharp } from '../../../server/rendering/sharp.ts';

// jsqr is CommonJS with `exports.default`; under NodeNext its default import is the module
// object in the types, though at run time it is also the function itself.
const jsQR = jsQRModule.default;

describe('rendering: QR codes', function () {
  for (const url of [
    'https://loa.example.vn/w/gia-danh-cong-an',
    'http://127.0.0.1:3000/l/Ab3xYz?utm_source=card',
  ]) {
    it(`encodes ${url} so that it decodes back`, async function () {
      const png = PNG.sync.read(await renderQrPng(url, 256));
      assert.equal(png.width, 256);
      const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
      assert.equal(decoded?.data, url);
    });
  }

  it('refuses an empty URL', async function () {
    await assert.rejects(renderQrPng('', 200), RangeError);
  });

  it('stays readable when drawn small in the corner of a card', async function () {
    const url = 'https://loa.example.vn/w/gia-danh-cong-an-goi-dien';
    const cacheDir = mkdtempSync(path.join(tmpdir(), 'loa-qr-'));
    try {
      const card = await createRenderer({ cacheDir }).renderCard({
        layout: 'canh-bao',
        size: 'feed',
        headline: 'Quét mã để xem cảnh báo',
        qrCode: await renderQrPng(url, 300),
      });
      const [left, top, width, height] = loadCardLayouts().get('canh-bao')?.sizes.feed.qr ?? [0, 0, 1, 1];
      const region = await sharp(card.data)
        .extract({ left, top, width, height })
        .ensureAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      const decoded = jsQR(new Uint8ClampedArray(region.data), region.info.width, region.info.height);
      assert.equal(decoded?.data, url);
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });
});
