// Builds one card image from a layout and a clean input. The base (colour, or the background
// photo darkened) is one raw RGB buffer; the band, kicker pill, texts, logo and QR code are
// painted into it (raster.ts) as soon as each is ready, and it is encoded once at the end.
import { ValidationError } from '../errors.ts';
import { CARD_SIZES, type Box, type CardLayout, type CardSize, type TextBlock } from './card-layouts.ts';
import type { CleanCardInput } from './card-input.ts';
import { contentHash, imageKeys, type ImageKeys } from './image-keys.ts';
import { fitText } from './pango-text.ts';
import { placeQr, type QrPlacement } from './qr-code.ts';
import { fillPill, fillRect, darken, paint, paintQr, type Canvas, type Layer } from './raster.ts';
import { RecentCache } from './recent-cache.ts';
import { sharp } from './sharp.ts';

export type CardMime = 'image/png' | 'image/jpeg';

/**
 * Output format, chosen deliberately: flat-colour cards are PNG (text stays crisp, files are
 * small); cards on a photo are JPEG q88 with 4:4:4 chroma (PNG of a photo is ~1 MB, and full
 * chroma keeps coloured text edges clean). Platforms re-encode either way.
 */
export function cardMime(input: Pick<CleanCardInput, 'background'>): CardMime {
  return input.background ? 'image/jpeg' : 'image/png';
}

// Images given to us (background, logo, QR) are bounded before decoding.
const DECODE_LIMITS = { limitInputPixels: 50_000_000, failOn: 'error', sequentialRead: true } as const;
const PILL_PAD = { x: 22, y: 10 };

interface Placed extends Layer {
  left: number;
  top: number;
}

function place(item: Layer, box: Box, block: Pick<TextBlock, 'align' | 'valign'>): Placed {
  const [x, y, w, h] = box;
  const left =
    block.align === 'left' ? x : block.align === 'right' ? x + w - item.width : x + (w - item.width) / 2;
  const top =
    block.valign === 'top' ? y : block.valign === 'bottom' ? y + h - item.height : y + (h - item.height) / 2;
  return { ...item, left: Math.round(left), top: Math.round(top) };
}

async function text(
  field: string,
  value: string,
  block: TextBlock,
  color: string,
  box = block.box,
): Promise<Layer> {
  const fitted = await fitText({
    text: value,
    box: { width: box[2], height: box[3] },
    weight: block.weight,
    color,
    align: block.align,
    maxFontPx: block.maxFontPx,
    minFontPx: block.minFontPx,
  });
  if (!fitted.ok) {
    throw new ValidationError(
      [{ path: field, message: `too long to fit the card at a readable size (min ${block.minFontPx}px)` }],
      'Card text does not fit',
    );
  }
  return fitted;
}

async function unreadableAs<T>(field: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).split('\n', 1)[0];
    throw new ValidationError(
      [{ path: field, message: `is not a readable image (${reason})` }],
      'Card image unreadable',
    );
  }
}

// A unit's logo is on every card it issues: its decoded, resized pixels are kept by content.
const decoded = new RecentCache<Layer>(32);

/** A logo or QR code image resized into `box`, as raw RGBA. */
function decodeInto(
  field: string,
  bytes: Buffer,
  bytesKey: string,
  box: Box,
  fit: 'inside' | 'contain',
): Promise<Layer> {
  const key = `${field} ${fit} ${box[2]}x${box[3]} ${bytesKey}`;
  return decoded.get(key, () =>
    unreadableAs(field, async () => {
      const pipeline = sharp(bytes, DECODE_LIMITS).autoOrient();
      const resized =
        fit === 'contain'
          ? pipeline
              .flatten({ background: '#ffffff' })
              .resize(box[2], box[3], { fit, background: '#ffffff', kernel: 'nearest' })
          : pipeline.resize(box[2], box[3], { fit });
      const { data, info } = await resized.ensureAlpha().raw().toBuffer({ resolveWithObject: true });
      return { image: data, width: info.width, height: info.height };
    }),
  );
}

/** The card's base as raw RGB: the background photo covering the card, darkened. */
export async function photoBase(
  bytes: Buffer,
  width: number,
  height: number,
  brightness: number,
): Promise<Canvas> {
  const data = await unreadableAs('background', () =>
    sharp(bytes, DECODE_LIMITS)
      .autoOrient()
      .flatten({ background: '#000000' })
      .resize(width, height, { fit: 'cover' })
      .removeAlpha()
      .raw()
      .toBuffer(),
  );
  const canvas = { data, width, height };
  // A multiply in RGB, in JS, rather than sharp's modulate, which goes through LCh and back
  // and cost more than the whole resize.
  darken(canvas, brightness);
  return canvas;
}

// A background photo is reused across many cards (a cascade's posts, one unit's campaign):
// its decoded, cover-resized, darkened pixels are kept per size and brightness, and each
// card paints on its own copy. Few entries: one is 2.3–3.5 MB of raw RGB.
const bases = new RecentCache<Canvas>(6);

/** photoBase, remembered by the photo's content: the card gets a copy it may paint on. */
export async function cachedPhotoBase(
  bytes: Buffer,
  width: number,
  height: number,
  brightness: number,
  bytesKey = contentHash(bytes),
): Promise<Canvas> {
  const key = `${width}x${height} ${brightness} ${bytesKey}`;
  const base = await bases.get(key, () => photoBase(bytes, width, height, brightness));
  return { data: Buffer.from(base.data), width, height };
}

function flatBase(width: number, height: number, colour: string): Canvas {
  const canvas = { data: Buffer.allocUnsafe(width * height * 3), width, height };
  fillRect(canvas, [0, 0, width, height], colour);
  return canvas;
}

/** The finished canvas in the card's format (the benchmark times this step on its own too). */
export async function encode(canvas: Canvas, mime: CardMime): Promise<Buffer> {
  const image = sharp(canvas.data, { raw: { width: canvas.width, height: canvas.height, channels: 3 } });
  return mime === 'image/png'
    ? image.png({ compressionLevel: 6, adaptiveFiltering: false }).toBuffer()
    : // Huffman tables optimised per image cost three times the rest of the encode for a few
      // per cent of bytes; the platforms re-encode anyway.
      image.jpeg({ quality: 88, chromaSubsampling: '4:4:4', optimiseCoding: false }).toBuffer();
}

function qrFor(field: string, url: string, box: Box): QrPlacement {
  try {
    return placeQr(url, Math.min(box[2], box[3]));
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new ValidationError([{ path: field, message: error.message }], 'QR code does not fit the card');
  }
}

/** Without a logo, a text box that sits just right of the logo's place widens into it. */
function intoLogoSpace(box: Box, logo: Box): Box {
  const logoRight = logo[0] + logo[2];
  const beside = box[0] >= logoRight && box[0] - logoRight <= 48;
  return beside ? [logo[0], box[1], box[0] + box[2] - logo[0], box[3]] : box;
}

export async function composeCard(
  layout: CardLayout,
  input: CleanCardInput,
  images: ImageKeys = imageKeys(input),
): Promise<{ data: Buffer; mime: CardMime; width: number; height: number }> {
  const { width, height } = CARD_SIZES[input.size];
  const geometry = layout.sizes[input.size];
  const { colors } = layout;
  // A photo not seen before is the longest step: it starts first, and the layers below (text
  // on the libvips threads, the QR code on this one) are made meanwhile.
  const base = input.background
    ? cachedPhotoBase(
        input.background,
        width,
        height,
        layout.backgroundBrightness,
        images.background ?? undefined,
      )
    : Promise.resolve(flatBase(width, height, colors.background));
  // Awaited below; a layer failing first must not leave this rejection unhandled.
  base.catch(() => undefined);
  // Layers are made concurrently (Pango and libvips work off the main thread) and painted in
  // this order once the base is there: later ones cover earlier ones.
  const layers: Promise<(canvas: Canvas) => void>[] = [];
  const painted = (job: Promise<Placed>) =>
    layers.push(job.then((p) => (c: Canvas) => paint(c, p, p.left, p.top)));

  const kickerBlock = geometry.kicker;
  if (layout.kicker && kickerBlock) {
    const [x, y, w, h] = kickerBlock.box;
    const inner: Box = [x + PILL_PAD.x, y + PILL_PAD.y, w - 2 * PILL_PAD.x, h - 2 * PILL_PAD.y];
    layers.push(
      text('kicker', layout.kicker, kickerBlock, colors.kickerText, inner).then((label) => {
        const placed = place(label, inner, { ...kickerBlock, align: 'left' });
        return (c: Canvas) => {
          fillPill(c, [x, y, label.width + 2 * PILL_PAD.x, h], colors.kicker);
          paint(c, placed, placed.left, placed.top);
        };
      }),
    );
  }
  painted(
    text('headline', input.headline, geometry.headline, colors.headline).then((t) =>
      place(t, geometry.headline.box, geometry.headline),
    ),
  );
  if (input.body) {
    painted(
      text('body', input.body, geometry.body, colors.body).then((t) =>
        place(t, geometry.body.box, geometry.body),
      ),
    );
  }
  const hasBand = Boolean(input.unitName || input.hotline || input.logo);
  if (input.logo) {
    const logoBox = geometry.logo;
    painted(
      decodeInto('logo', input.logo, images.logo ?? contentHash(input.logo), logoBox, 'inside').then((l) =>
        place(l, logoBox, { align: 'centre', valign: 'middle' }),
      ),
    );
  }
  if (input.unitName) {
    const block = geometry.unitName;
    const box = input.logo ? block.box : intoLogoSpace(block.box, geometry.logo);
    painted(text('unitName', input.unitName, block, colors.bandText, box).then((t) => place(t, box, block)));
  }
  if (input.hotline) {
    const block = geometry.hotline;
    const box = input.logo ? block.box : intoLogoSpace(block.box, geometry.logo);
    // No-break spaces keep "0234 3822 000" on one line; the break goes after the label.
    const line = `${layout.hotlineLabel}: ${input.hotline.replace(/ /g, '\u00A0')}`;
    painted(text('hotline', line, block, colors.bandText, box).then((t) => place(t, box, block)));
  }
  const qrBox = geometry.qr;
  if (input.qrUrl) {
    const url = input.qrUrl;
    // Built in a microtask: on this thread while the photo and texts are on libvips' threads.
    layers.push(
      Promise.resolve().then(() => {
        const qr = qrFor('qrUrl', url, qrBox);
        return (c: Canvas) => paintQr(c, qrBox, qr);
      }),
    );
  } else if (input.qrCode) {
    const image = input.qrCode;
    layers.push(
      decodeInto('qrCode', image, images.qrCode ?? contentHash(image), qrBox, 'contain').then((q) => {
        const placed = place(q, qrBox, { align: 'centre', valign: 'middle' });
        return (c: Canvas) => {
          fillRect(c, qrBox, '#ffffff');
          paint(c, placed, placed.left, placed.top);
        };
      }),
    );
  }

  // Every layer gets its handler now: one failing while the photo decodes is reported, once.
  const ready = Promise.all(layers);
  ready.catch(() => undefined);
  const canvas = await base;
  if (hasBand) fillRect(canvas, geometry.band, colors.band);
  for (const draw of await ready) draw(canvas);
  const mime = cardMime(input);
  return { data: await encode(canvas, mime), mime, width, height };
}

/**
 * A finished card with the QR code of `url` painted into its layout's QR box: how a card made
 * before its post had a public address gets one. Same size and format as the card given.
 */
export async function stampQrCode(
  layout: CardLayout,
  size: CardSize,
  card: Buffer,
  url: string,
): Promise<{ data: Buffer; mime: CardMime; width: number; height: number }> {
  const { width, height } = CARD_SIZES[size];
  const { data, info } = await unreadableAs('card', () =>
    sharp(card, DECODE_LIMITS).removeAlpha().raw().toBuffer({ resolveWithObject: true }),
  );
  if (info.width !== width || info.height !== height || info.channels !== 3) {
    throw new ValidationError(
      [{ path: 'card', message: `is ${info.width}×${info.height}, not a ${size} card (${width}×${height})` }],
      'Card image unreadable',
    );
  }
  const canvas = { data, width, height };
  const qrBox = layout.sizes[size].qr;
  paintQr(canvas, qrBox, qrFor('url', url, qrBox));
  const mime: CardMime = card.subarray(1, 4).toString('latin1') === 'PNG' ? 'image/png' : 'image/jpeg';
  return { data: await encode(canvas, mime), mime, width, height };
}
