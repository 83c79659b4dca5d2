// Pixel work on a card's raw RGB buffer, done in place. A card is one buffer from base to
// encoder: every layer (text, pill, logo, QR) is painted into it here instead of being handed
// to sharp's composite, which extends each overlay to the full card and blends it in float.
import type { QrPlacement } from './qr-code.ts';

/** A card being drawn: raw RGB, 3 bytes a pixel, row-major. */
export interface Canvas {
  data: Buffer;
  width: number;
  height: number;
}

/** Raw RGBA pixels (straight alpha) to be painted at a position. */
export interface Layer {
  image: Buffer;
  width: number;
  height: number;
}

/** [left, top, width, height] in card pixels. */
export type Rect = readonly [number, number, number, number];

export function rgb(colour: string): [number, number, number] {
  const n = Number.parseInt(colour.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** Fills `rect` (clipped to the canvas) with a solid colour. */
export function fillRect(canvas: Canvas, rect: Rect, colour: string): void {
  const [r, g, b] = rgb(colour);
  const x0 = Math.max(0, rect[0]);
  const x1 = Math.min(canvas.width, rect[0] + rect[2]);
  if (x1 <= x0) return;
  const row = Buffer.alloc((x1 - x0) * 3);
  for (let i = 0; i < row.length; i += 3) {
    row[i] = r;
    row[i + 1] = g;
    row[i + 2] = b;
  }
  const y1 = Math.min(canvas.height, rect[1] + rect[3]);
  for (let y = Math.max(0, rect[1]); y < y1; y++) row.copy(canvas.data, (y * canvas.width + x0) * 3);
}

/** Multiplies every channel by `factor` (0..1): a photo darkened under white text. */
export function darken(canvas: Canvas, factor: number): void {
  const { data } = canvas;
  const k = Math.round(Math.min(1, Math.max(0, factor)) * 256);
  // Four bytes at a time: the even and the odd bytes of a 32-bit word are each spread over
  // 16-bit lanes, so one multiply scales two channels without carrying into the next.
  const head = (4 - (data.byteOffset % 4)) % 4;
  const words = Math.floor((data.length - head) / 4);
  const view = new Uint32Array(data.buffer, data.byteOffset + head, words);
  for (let i = 0; i < words; i++) {
    const w = view[i]!;
    view[i] = ((((w & 0x00ff00ff) * k) >>> 8) & 0x00ff00ff) | ((((w >>> 8) & 0x00ff00ff) * k) & 0xff00ff00);
  }
  for (let i = 0; i < head; i++) data[i] = (data[i]! * k) >> 8;
  for (let i = head + words * 4; i < data.length; i++) data[i] = (data[i]! * k) >> 8;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Paints an RGBA layer with its top-left corner at (left, top), blending by its alpha. */
export function paint(canvas: Canvas, layer: Layer, left: number, top: number): void {
  const { data, width: cw, height: ch } = canvas;
  const src = layer.image;
  const x0 = Math.max(0, -left);
  const x1 = Math.min(layer.width, cw - left);
  const y0 = Math.max(0, -top);
  const y1 = Math.min(layer.height, ch - top);
  // Text layers are mostly transparent: reading a pixel as one 32-bit word (alpha in the top
  // byte) skips those with a single load. Byte-wise otherwise (a big-endian or odd buffer).
  const words =
    LITTLE_ENDIAN && src.byteOffset % 4 === 0
      ? new Uint32Array(src.buffer, src.byteOffset, layer.width * layer.height)
      : Uint32Array.from({ length: layer.width * layer.height }, (_, i) => src[i * 4 + 3]! * 0x1000000);
  for (let y = y0; y < y1; y++) {
    let p = y * layer.width + x0;
    let d = ((top + y) * cw + left + x0) * 3;
    for (let x = x0; x < x1; x++, p++, d += 3) {
      const a = words[p]! >>> 24;
      if (a === 0) continue;
      const s = p << 2;
      if (a === 255) {
        data[d] = src[s]!;
        data[d + 1] = src[s + 1]!;
        data[d + 2] = src[s + 2]!;
        continue;
      }
      // x / 255 as an integer multiply and shift (exact for every 16-bit x).
      const keep = 255 - a;
      data[d] = ((src[s]! * a + data[d]! * keep + 128) * 257) >>> 16;
      data[d + 1] = ((src[s + 1]! * a + data[d + 1]! * keep + 128) * 257) >>> 16;
      data[d + 2] = ((src[s + 2]! * a + data[d + 2]! * keep + 128) * 257) >>> 16;
    }
  }
}

/**
 * A stadium (a rectangle with fully rounded ends, like a pill) of `rect`, anti-aliased by the
 * distance of each pixel centre to the stadium's spine.
 */
export function fillPill(canvas: Canvas, rect: Rect, colour: string): void {
  const [r, g, b] = rgb(colour);
  const [left, top, w, h] = rect;
  const radius = h / 2;
  const spineFrom = left + radius;
  const spineTo = left + Math.max(radius, w - radius);
  const { data, width: cw } = canvas;
  for (let y = Math.max(0, top); y < Math.min(canvas.height, top + h); y++) {
    const dy = y + 0.5 - (top + radius);
    for (let x = Math.max(0, left); x < Math.min(cw, left + w); x++) {
      const cx = x + 0.5;
      const dx = cx < spineFrom ? cx - spineFrom : cx > spineTo ? cx - spineTo : 0;
      const coverage = Math.min(1, Math.max(0, radius - Math.hypot(dx, dy) + 0.5));
      if (coverage === 0) continue;
      const d = (y * cw + x) * 3;
      data[d] = Math.round(r * coverage + data[d]! * (1 - coverage));
      data[d + 1] = Math.round(g * coverage + data[d + 1]! * (1 - coverage));
      data[d + 2] = Math.round(b * coverage + data[d + 2]! * (1 - coverage));
    }
  }
}

/** A QR symbol on white filling `rect`, centred, each module a whole-pixel black square. */
export function paintQr(canvas: Canvas, rect: Rect, qr: QrPlacement): void {
  fillRect(canvas, rect, '#ffffff');
  const side = qr.modules * qr.scale;
  const left = rect[0] + Math.floor((rect[2] - side) / 2);
  const top = rect[1] + Math.floor((rect[3] - side) / 2);
  const { data, width: cw } = canvas;
  const run = Buffer.alloc(qr.scale * 3); // black
  for (let row = 0; row < qr.modules; row++) {
    for (let col = 0; col < qr.modules; col++) {
      if (qr.dark[row * qr.modules + col] !== 1) continue;
      const x = left + col * qr.scale;
      for (let dy = 0; dy < qr.scale; dy++) {
        run.copy(data, ((top + row * qr.scale + dy) * cw + x) * 3);
      }
    }
  }
}
