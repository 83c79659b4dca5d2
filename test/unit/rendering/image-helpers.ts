// Helpers for the rendering tests: decoding to RGBA, comparing against golden PNGs, and the
// deterministic images the tests feed in (through server/rendering/sharp.ts, the one place
// that imports sharp).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pixelmatch from 'pixelmatch';
import { sharp } from '../../../server/rendering/sharp.ts';

export const CARD_FIXTURES = fileURLToPath(new URL('../../fixtures/cards/', import.meta.url));
export const IMAGE_FIXTURES = fileURLToPath(new URL('../../fixtures/images/', import.meta.url));
/** Set UPDATE_CARD_FIXTURES=1 to rewrite the golden cards from the current renderer. */
export const UPDATING_FIXTURES = process.env.UPDATE_CARD_FIXTURES === '1';

export interface Rgba {
  data: Buffer;
  width: number;
  height: number;
}

export async function toRgba(image: Buffer): Promise<Rgba> {
  const { data, info } = await sharp(image).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** Fraction of pixels that differ beyond anti-aliasing noise. */
export function differingFraction(a: Rgba, b: Rgba): number {
  if (a.width !== b.width || a.height !== b.height) return 1;
  const changed = pixelmatch(a.data, b.data, undefined, a.width, a.height, { threshold: 0.1 });
  return changed / (a.width * a.height);
}

/**
 * Compares a rendered card with its golden file (or rewrites the file when updating). The
 * golden is the renderer's own bytes (PNG, or JPEG for photo cards), compared as pixels.
 */
export async function compareWithGolden(name: string, rendered: Buffer, mime: string): Promise<number> {
  const file = path.join(CARD_FIXTURES, `${name}.${mime === 'image/png' ? 'png' : 'jpg'}`);
  if (UPDATING_FIXTURES) {
    mkdirSync(CARD_FIXTURES, { recursive: true });
    writeFileSync(file, rendered);
    return 0;
  }
  if (!existsSync(file)) throw new Error(`missing golden card ${file}; run with UPDATE_CARD_FIXTURES=1`);
  return differingFraction(await toRgba(rendered), await toRgba(readFileSync(file)));
}

/** A colourful, deterministic "photo" (gradient and stripes) as JPEG. */
export async function syntheticPhoto(width: number, height: number): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      raw[i] = Math.floor((x * 255) / width);
      raw[i + 1] = Math.floor((y * 255) / height);
      raw[i + 2] = ((x + y) % 64) * 4;
    }
  }
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
}

/** A round emblem as a PNG with transparency, standing in for a unit logo. */
export async function syntheticLogo(): Promise<Buffer> {
  const svg =
    '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="200"><circle cx="100" cy="100" r="94" fill="#c8102e" stroke="#ffcd00" stroke-width="10"/>' +
    '<polygon points="100,40 118,90 170,90 128,120 145,170 100,140 55,170 72,120 30,90 82,90" fill="#ffcd00"/></svg>';
  return sharp(Buffer.from(svg)).png().toBuffer();
}

export function solidImage(width: number, height: number, colour: string) {
  return sharp({ create: { width, height, channels: 3, background: colour } });
}

export function readImageFixture(name: string): Buffer {
  return readFileSync(path.join(IMAGE_FIXTURES, name));
}
