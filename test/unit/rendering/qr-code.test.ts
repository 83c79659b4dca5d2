import assert from 'node:assert/strict';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ValidationError } from '../../../server/errors.ts';
import { CARD_SIZE_NAMES, loadCardLayouts } from '../../../server/rendering/card-layouts.ts';
import { createRenderer, renderQrPng } from '../../../server/rendering/index.ts';
import { placeQr } from '../../../server/rendering/qr-code.ts';
import { sharp } from '../../../server/rendering/sharp.ts';
import { syntheticLogo, syntheticPhoto } from './image-helpers.ts';

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

  describe('on the card itself (qrUrl, and stamped on a finished card)', function () {
    // As long as a public page address gets: a 36-character host, /w/, and a 67-character slug.
    const pageUrl =
      'https://canhbao.congan.thuathienhue.vn/w/gia-danh-cong-an-goi-dien-yeu-cau-chuyen-tien-de-xac-minh-a1b2c3';
    let cacheDir: string;
    let renderer: ReturnType<typeof createRenderer>;
    before(() => {
      cacheDir = mkdtempSync(path.join(tmpdir(), 'loa-qr-card-'));
      renderer = createRenderer({ cacheDir });
    });
    after(() => rmSync(cacheDir, { recursive: true, force: true }));

    /** The QR code found anywhere in the whole card, scaled to `scale` of its size. */
    async function decodeCard(card: Buffer, scale: number): Promise<string | undefined> {
      const { width = 0 } = await sharp(card).metadata();
      const { data, info } = await sharp(card)
        .resize(Math.round(width * scale))
        .ensureAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      return jsQR(new Uint8ClampedArray(data), info.width, info.height)?.data;
    }

    for (const layout of ['canh-bao', 'thong-tin']) {
      for (const size of CARD_SIZE_NAMES) {
        it(`${layout} ${size}: the full card decodes at full size and at 50 %`, async function () {
          const card = await renderer.renderCard({
            layout,
            size,
            headline: 'Giả danh công an gọi điện yêu cầu chuyển tiền để xác minh',
            body: 'Công an không bao giờ yêu cầu chuyển tiền qua điện thoại.',
            unitName: 'Công an tỉnh Thừa Thiên Huế',
            hotline: '0234 3822 000',
            background: size === 'feed' ? await syntheticPhoto(800, 420) : undefined,
            logo: await syntheticLogo(),
            qrUrl: pageUrl,
          });
          assert.equal(await decodeCard(card.data, 1), pageUrl, 'full size');
          assert.equal(await decodeCard(card.data, 0.5), pageUrl, 'at 50 %');
        });
      }
    }

    it('stamps the code on a finished PNG or JPEG card, same size and format, cached', async function () {
      for (const background of [undefined, await syntheticPhoto(600, 400)]) {
        const card = await renderer.renderCard({
          layout: 'thong-tin',
          size: 'feed',
          headline: 'Không cung cấp mã OTP cho bất kỳ ai',
          unitName: 'Công an tỉnh Đà Nẵng',
          ...(background ? { background } : {}),
        });
        assert.equal(await decodeCard(card.data, 1), undefined, 'no code before');
        const stamped = await renderer.stampQrCode({
          layout: 'thong-tin',
          size: 'feed',
          card: card.data,
          url: pageUrl,
        });
        assert.equal(stamped.mime, card.mime);
        const meta = await sharp(stamped.data).metadata();
        assert.deepEqual([meta.width, meta.height], [1200, 630]);
        assert.equal(await decodeCard(stamped.data, 1), pageUrl, `${card.mime} full size`);
        assert.equal(await decodeCard(stamped.data, 0.5), pageUrl, `${card.mime} at 50 %`);
        const again = await renderer.stampQrCode({
          layout: 'thong-tin',
          size: 'feed',
          card: card.data,
          url: pageUrl,
        });
        assert.equal(again.cached, true);
        assert.ok(again.data.equals(stamped.data));
      }
    });

    it('refuses a QR address that is not http(s) or too long for the box, naming the field', async function () {
      for (const qrUrl of ['javascript:alert(1)', `https://loa.example.vn/w/${'a'.repeat(470)}`]) {
        const error = await renderer
          .renderCard({ layout: 'canh-bao', size: 'feed', headline: 'Cảnh báo', qrUrl })
          .catch((e: unknown) => e);
        assert.ok(error instanceof ValidationError, String(error));
        assert.deepEqual(
          error.problems.map((p) => p.path),
          ['qrUrl'],
        );
      }
      const stamp = await renderer
        .stampQrCode({ layout: 'no-such-layout', size: 'feed', card: Buffer.from('x'), url: pageUrl })
        .catch((e: unknown) => e);
      assert.ok(stamp instanceof ValidationError);
    });

    it('draws whole-pixel modules at the strongest correction that keeps them largest', function () {
      const short = placeQr('https://loa.vn/w/a', 164);
      const long = placeQr(pageUrl, 164);
      assert.ok(short.scale > long.scale, 'a short address gets bigger modules');
      assert.ok((long.modules + 4) * long.scale <= 164, 'with its quiet zone inside the box');
      assert.equal(long.dark.length, long.modules * long.modules);
      assert.throws(() => placeQr(pageUrl, 40), RangeError);
    });
  });
});
