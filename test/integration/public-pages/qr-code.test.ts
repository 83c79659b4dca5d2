// QR codes to the public page, decoded back with a real decoder (jsqr): the card with a QR in
// its corner, the large QR of the leaflet, and the composer's `withQr` card option.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import sharp from 'sharp';
import request from 'supertest';
import type { PostRow } from '../../../server/posts/posts.repo.ts';
import { createTestApp, type TestApp } from '../../support/app.ts';
import { markPublished, templatePost, unitWithEditor } from './fixtures.ts';

// jsqr is CommonJS with `exports.default` (see test/unit/rendering/qr-code.test.ts).
const jsQR = jsQRModule.default;
const PUBLIC_URL = 'https://loa.example.vn';

function decode(png: Buffer): string | undefined {
  const image = PNG.sync.read(png);
  return jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data;
}

/** The card's top-right corner, where the layouts put the QR code, enlarged as a phone camera would see it. */
async function corner(card: Buffer): Promise<Buffer> {
  const { width = 0 } = await sharp(card).metadata();
  const side = Math.round(width * 0.2);
  return sharp(card)
    .extract({ left: width - side, top: 0, width: side, height: side })
    .resize(side * 3, side * 3, { kernel: 'nearest' })
    .png()
    .toBuffer();
}

describe('public pages: QR codes', function () {
  this.timeout(60_000);
  let t: TestApp;
  let post: PostRow;
  let pageUrl: string;

  before(async () => {
    t = await createTestApp({ LOA_PUBLIC_URL: PUBLIC_URL });
    const { actor } = await unitWithEditor(t, 'Công an tỉnh Đà Nẵng');
    post = await markPublished(t, (await templatePost(t, actor, 'Công an tỉnh Đà Nẵng')).id);
    pageUrl = `${PUBLIC_URL}/w/${post.slug}`;
  });
  after(() => t?.close());

  it('the card as published, with a QR code in its corner, decodes to the public page', async () => {
    const res = await request(t.app).get(`/w/${post.slug}/card-qr.png`).buffer(true);
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'image/png');
    assert.match(res.headers['cache-control'] ?? '', /^public/);
    const card = res.body as Buffer;
    const meta = await sharp(card).metadata();
    assert.equal(meta.width, post.card!.width);
    assert.equal(meta.height, post.card!.height);
    assert.equal(decode(await corner(card)), pageUrl);
    // The stored card was drawn before the post had an address: the QR code is stamped on publication.
    const stored = readFileSync(path.join(t.c.config.mediaDir, post.card!.file));
    assert.equal(decode(await corner(stored)), undefined);
  });

  it('the leaflet QR code decodes to the public page', async () => {
    const res = await request(t.app).get(`/w/${post.slug}/qr.png`).buffer(true);
    assert.equal(res.status, 200);
    assert.equal(decode(res.body as Buffer), pageUrl);
    const leaflet = await request(t.app).get(`/w/${post.slug}/leaflet?size=a5`);
    assert.equal(leaflet.status, 200);
    assert.ok(leaflet.text.includes(`src="/w/${post.slug}/qr.png"`), 'the leaflet shows it');
    assert.ok(leaflet.text.includes(pageUrl), 'and prints the address');
    assert.ok(leaflet.text.includes(`${PUBLIC_URL}/verify`), 'and where to verify');
    assert.ok(leaflet.text.includes('leaflet-a5'));
  });

  it('the templates service draws a QR card on request (withQr + qrUrl)', async () => {
    const rendered = await t.c.templates.renderPost({
      templateId: 'gia-danh-co-quan-phap-luat',
      variables: { unitName: 'Công an tỉnh Đà Nẵng', hotline: '113', area: 'Đà Nẵng', date: '2026-12-01' },
      withCard: true,
      withQr: true,
      qrUrl: pageUrl,
    });
    const card = readFileSync(path.join(t.c.config.mediaDir, rendered.card!.file));
    assert.equal(decode(await corner(card)), pageUrl);
  });
});
