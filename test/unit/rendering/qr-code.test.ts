import assert from 'node:assert/strict';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { renderQrPng } from '../../../server/rendering/index.ts';

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
});
