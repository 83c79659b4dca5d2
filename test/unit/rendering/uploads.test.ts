import assert from 'node:assert/strict';
import exifr from 'exifr';
import { inspectAndNormalizeImage, type NormalizedImage } from '../../../server/rendering/index.ts';
import { sharp } from '../../../server/rendering/sharp.ts';
import { readImageFixture, solidImage } from './image-helpers.ts';

const LIMIT = { maxPixels: 40_000_000 };

function crc32(bytes: Buffer): number {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}
function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}
/** A valid PNG signature and IHDR (correct CRC) claiming width × height, with a tiny IDAT. */
function pngHeaderClaiming(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, deflate, no filter, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

function assertOk(result: NormalizedImage): asserts result is Extract<NormalizedImage, { ok: true }> {
  assert.ok(result.ok, result.ok ? '' : `${result.reason}: ${result.message}`);
}
async function assertRefused(buffer: Buffer, reason: 'unsupported' | 'corrupt' | 'too_many_pixels') {
  const result = await inspectAndNormalizeImage(buffer, LIMIT);
  assert.equal(result.ok, false);
  if (!result.ok) {
    assert.equal(result.reason, reason, result.message);
    assert.ok(result.message.length > 0 && !result.message.includes('\n'));
  }
}

describe('rendering: uploaded images', function () {
  it('strips EXIF (GPS included) and applies the EXIF orientation', async function () {
    const input = await solidImage(640, 480, '#c00000')
      .withExif({
        IFD0: { Make: 'Phone', Model: 'X' },
        IFD3: {
          GPSLatitudeRef: 'N',
          GPSLatitude: '16/1 28/1 0/1',
          GPSLongitudeRef: 'E',
          GPSLongitude: '107/1 35/1 0/1',
        },
      })
      .withMetadata({ orientation: 6 })
      .jpeg()
      .toBuffer();
    const before = await exifr.parse(input, { gps: true });
    assert.equal(before?.GPSLatitudeRef, 'N', 'the fixture has GPS');

    const result = await inspectAndNormalizeImage(input, LIMIT);
    assertOk(result);
    assert.equal(result.mime, 'image/jpeg');
    assert.deepEqual([result.width, result.height], [480, 640], 'rotated by orientation 6');
    for (const image of [result.data, ...result.variants.map((v) => v.data)]) {
      assert.equal(await exifr.parse(image, { gps: true, tiff: true, xmp: true, iptc: true }), undefined);
      const meta = await sharp(image).metadata();
      assert.equal(meta.exif, undefined);
      assert.equal(meta.orientation, undefined);
    }
    const described = await sharp(result.data).metadata();
    assert.deepEqual([described.width, described.height], [480, 640]);
    assert.match(result.sha256, /^[0-9a-f]{64}$/);
  });

  it('makes thumb (max 320 wide) and large (max 1080 wide) variants in the same format', async function () {
    const result = await inspectAndNormalizeImage(
      await solidImage(2000, 1000, '#123456').png().toBuffer(),
      LIMIT,
    );
    assertOk(result);
    assert.equal(result.mime, 'image/png');
    assert.deepEqual(
      result.variants.map((v) => [v.name, v.mime, v.width, v.height]),
      [
        ['thumb', 'image/png', 320, 160],
        ['large', 'image/png', 1080, 540],
      ],
    );
    for (const variant of result.variants) {
      const meta = await sharp(variant.data).metadata();
      assert.deepEqual([meta.format, meta.width, meta.height], ['png', variant.width, variant.height]);
    }
  });

  it('never enlarges a small image', async function () {
    const result = await inspectAndNormalizeImage(
      await solidImage(200, 100, '#abcdef').webp().toBuffer(),
      LIMIT,
    );
    assertOk(result);
    assert.equal(result.mime, 'image/webp');
    assert.deepEqual(
      result.variants.map((v) => [v.width, v.height]),
      [
        [200, 100],
        [200, 100],
      ],
    );
  });

  it('accepts WebP and keeps it WebP', async function () {
    const result = await inspectAndNormalizeImage(
      await solidImage(800, 600, '#00aa00').webp().toBuffer(),
      LIMIT,
    );
    assertOk(result);
    assert.deepEqual([result.mime, result.width, result.height], ['image/webp', 800, 600]);
    assert.equal((await sharp(result.data).metadata()).format, 'webp');
  });

  it('keeps only the first frame of an animated GIF, as PNG', async function () {
    const red = await solidImage(50, 40, '#ff0000').png().toBuffer();
    const blue = await solidImage(50, 40, '#0000ff').png().toBuffer();
    const gif = await sharp([red, blue], { join: { animated: true } })
      .gif()
      .toBuffer();
    assert.equal((await sharp(gif).metadata()).pages, 2);

    const result = await inspectAndNormalizeImage(gif, LIMIT);
    assertOk(result);
    assert.deepEqual([result.mime, result.width, result.height], ['image/png', 50, 40]);
    const meta = await sharp(result.data, { animated: true }).metadata();
    assert.equal(meta.format, 'png');
    assert.ok((meta.pages ?? 1) === 1);
    const { channels } = await sharp(result.data).stats();
    assert.ok((channels[0]?.mean ?? 0) > 200 && (channels[2]?.mean ?? 255) < 50, 'the first (red) frame');
  });

  it('accepts the committed fixture images (PNG with alpha)', async function () {
    const result = await inspectAndNormalizeImage(readImageFixture('logo.png'), LIMIT);
    assertOk(result);
    assert.deepEqual([result.mime, result.width, result.height], ['image/png', 64, 64]);
  });

  it('refuses a PNG header claiming 100000×100000 before decoding it', async function () {
    const bomb = pngHeaderClaiming(100_000, 100_000);
    const rssBefore = process.memoryUsage().rss;
    const result = await inspectAndNormalizeImage(bomb, LIMIT);
    assert.equal(result.ok, false);
    if (!result.ok) {
      assert.equal(result.reason, 'too_many_pixels');
      assert.match(result.message, /limit is 40000000 pixels/);
    }
    // Decoding would need 30 GB; a header read needs next to nothing.
    assert.ok(process.memoryUsage().rss - rssBefore < 200 * 1024 * 1024);
  });

  it('refuses an image just over a small pixel limit and accepts one at it', async function () {
    const image = await solidImage(100, 100, '#000000').png().toBuffer();
    assert.equal((await inspectAndNormalizeImage(image, { maxPixels: 10_000 })).ok, true);
    const over = await inspectAndNormalizeImage(image, { maxPixels: 9_999 });
    assert.equal(over.ok ? 'ok' : over.reason, 'too_many_pixels');
  });

  it('refuses truncated and corrupt images as corrupt', async function () {
    const noise = Buffer.from(Array.from({ length: 256 * 256 * 3 }, (_, i) => (i * 7919) % 251));
    const jpeg = await sharp(noise, { raw: { width: 256, height: 256, channels: 3 } })
      .jpeg()
      .toBuffer();
    await assertRefused(jpeg.subarray(0, Math.floor(jpeg.length / 2)), 'corrupt');
    await assertRefused(jpeg.subarray(0, 300), 'corrupt');
    const png = await sharp(noise, { raw: { width: 256, height: 256, channels: 3 } })
      .png()
      .toBuffer();
    await assertRefused(png.subarray(0, Math.floor(png.length / 2)), 'corrupt');
    await assertRefused(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]), 'corrupt');
  });

  it('refuses SVG, text, PDF, TIFF, HEIC and polyglots as unsupported, whatever the name', async function () {
    await assertRefused(
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'),
      'unsupported',
    );
    await assertRefused(
      Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>'),
      'unsupported',
    );
    await assertRefused(Buffer.from('hello, this is plain text'), 'unsupported');
    await assertRefused(Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n'), 'unsupported');
    await assertRefused(await solidImage(10, 10, '#ffffff').tiff().toBuffer(), 'unsupported');
    const heic = Buffer.concat([
      Buffer.from([0, 0, 0, 0x18]),
      Buffer.from('ftypheic\0\0\0\0mif1heic'),
      Buffer.alloc(64),
    ]);
    await assertRefused(heic, 'unsupported');
    await assertRefused(
      Buffer.from('GIF89a<html><body><script>alert(document.cookie)</script></body></html>'),
      'unsupported',
    );
    const gif = await solidImage(4, 4, '#ff0000').gif().toBuffer();
    await assertRefused(
      Buffer.concat([gif.subarray(0, 13), Buffer.from('<script>alert(1)</script>'), gif.subarray(13)]),
      'unsupported',
    );
    await assertRefused(Buffer.alloc(0), 'unsupported');
  });
});
