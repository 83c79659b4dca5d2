// The card as the platforms receive it carries the QR code of the post's public page: decoded
// with a real decoder (jsqr) from the bytes the Facebook mock was sent and from the cover URL the
// Zalo mock was given, at full size and at half size, and followed to the page it names.
import assert from 'node:assert/strict';
import path from 'node:path';
import jsQRModule from 'jsqr';
import request from 'supertest';
import { sharp } from '../../../server/rendering/sharp.ts';
import { startPublishingHarness, type Harness } from './harness.ts';

// jsqr is CommonJS with `exports.default` (see test/unit/rendering/qr-code.test.ts).
const jsQR = jsQRModule.default;
const PUBLIC_URL = 'https://loa.example.vn';

/** The QR code in the whole card, with the card scaled to `width` pixels wide. */
async function decodeAt(card: Buffer, width: number): Promise<string | undefined> {
  const { data, info } = await sharp(card)
    .resize(width)
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return jsQR(new Uint8ClampedArray(data), info.width, info.height)?.data;
}

describe('publishing: the card as published carries the public page QR code', function () {
  this.timeout(90_000);
  let h: Harness;

  before(async () => {
    h = await startPublishingHarness();
    await h.startWorker();
  });
  after(async () => h?.close());

  it('Facebook gets the card bytes and Zalo the cover URL of a card whose QR code opens /w/:slug', async () => {
    const rendered = await h.t.c.renderer.renderCard({
      layout: 'canh-bao',
      size: 'feed',
      headline: 'Giả danh công an gọi điện yêu cầu chuyển tiền để "xác minh"',
      body: 'Công an không bao giờ yêu cầu chuyển tiền qua điện thoại.',
      unitName: 'Công an tỉnh Thừa Thiên Huế',
      hotline: '0234 3822 000',
    });
    const postId = await h.cardPost({
      slug: 'gia-danh-cong-an-goi-dien-yeu-cau-chuyen-tien-de-xac-minh-a1b2c3',
      card: {
        layout: 'canh-bao',
        size: 'feed',
        headline: 'Giả danh công an gọi điện yêu cầu chuyển tiền để "xác minh"',
        body: 'Công an không bao giờ yêu cầu chuyển tiền qua điện thoại.',
        file: path.relative(h.t.c.config.mediaDir, rendered.path).split(path.sep).join('/'),
        mime: rendered.mime,
        width: rendered.width,
        height: rendered.height,
        altText: rendered.altText,
      },
    });
    const fb = await h.channel('facebook');
    const zalo = await h.channel('zalo');
    const [fbPub, zaloPub] = await h.schedule(postId, [fb.row.id, zalo.row.id], new Date());
    for (const id of [fbPub!, zaloPub!]) {
      const p = await h.waitForStatus(id, ['published', 'failed']);
      assert.equal(p.status, 'published', p.lastError ?? '');
    }
    const pageUrl = `${PUBLIC_URL}/w/gia-danh-cong-an-goi-dien-yeu-cau-chuyen-tien-de-xac-minh-a1b2c3`;

    const [fbPost] = await h.ledger('facebook', fb.row.externalId);
    const photoId = fbPost?.media[0]?.id;
    assert.ok(photoId, 'the Facebook post has the card as its photo');
    const uploaded = await fetch(`${h.mocks.facebookUrl}/_mock/photos/${photoId}`);
    assert.equal(uploaded.status, 200);
    const fbCard = Buffer.from(await uploaded.arrayBuffer());

    const [article] = await h.ledger('zalo', zalo.row.externalId);
    // The Zalo ledger lists media as URLs, the cover first.
    const cover: unknown = (article?.media as unknown[] | undefined)?.[0];
    assert.ok(
      typeof cover === 'string' && cover.startsWith(`${PUBLIC_URL}/media/cards/`),
      `the Zalo cover is a Loa card URL: ${String(cover)}`,
    );
    const served = await request(h.t.app).get(new URL(cover).pathname).buffer(true);
    assert.equal(served.status, 200);
    const zaloCard = served.body as Buffer;
    assert.ok(zaloCard.equals(fbCard), 'both platforms get the same card');

    const stored = await sharp(rendered.data).metadata();
    const sent = await sharp(fbCard).metadata();
    assert.deepEqual([sent.width, sent.height, sent.format], [stored.width, stored.height, 'png']);
    for (const width of [1200, 600]) {
      assert.equal(await decodeAt(fbCard, width), pageUrl, `decoded at ${width} px wide`);
    }
    assert.equal(await decodeAt(rendered.data, 1200), undefined, 'the stored card had no QR code');

    // The address leads to the post's public page, which shows the same card.
    const page = await request(h.t.app).get(new URL(pageUrl).pathname);
    assert.equal(page.status, 200);
    assert.ok(page.text.includes('Cảnh báo: giả danh công an gọi điện'), 'the post’s public page');
    const shown = /<img class="pw-card" src="([^"]+)"/.exec(page.text)?.[1];
    assert.ok(shown, 'the page shows a card');
    const onPage = await request(h.t.app).get(shown).buffer(true);
    assert.ok((onPage.body as Buffer).equals(fbCard), 'the public page shows the card as published');
  });
});
