// Builds one card image from a layout and a clean input: a base (colour, or the background
// photo darkened), the kicker pill, headline, body, the band with logo, unit name and
// hotline, and the QR code, composited in one pass.
import { ValidationError } from '../errors.ts';
import { CARD_SIZES, type Box, type CardLayout, type TextBlock } from './card-layouts.ts';
import type { CleanCardInput } from './card-input.ts';
import { fitText } from './pango-text.ts';
import { sharp, type OverlayOptions } from './sharp.ts';

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

interface Placed {
  /** Raw RGBA pixels. */
  image: Buffer;
  width: number;
  height: number;
}

function place(item: Placed, box: Box, block: Pick<TextBlock, 'align' | 'valign'>): OverlayOptions {
  const [x, y, w, h] = box;
  const left =
    block.align === 'left' ? x : block.align === 'right' ? x + w - item.width : x + (w - item.width) / 2;
  const top =
    block.valign === 'top' ? y : block.valign === 'bottom' ? y + h - item.height : y + (h - item.height) / 2;
  return {
    input: item.image,
    raw: { width: item.width, height: item.height, channels: 4 },
    left: Math.round(left),
    top: Math.round(top),
  };
}

async function text(
  field: string,
  value: string,
  block: TextBlock,
  color: string,
  box = block.box,
): Promise<Placed> {
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

function rect(box: Box, colour: string, radius = 0): OverlayOptions {
  // SVG for shapes only: it carries no user text, and colours are validated #rrggbb.
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${box[2]}" height="${box[3]}"><rect width="100%" height="100%" rx="${radius}" fill="${colour}"/></svg>`;
  return { input: Buffer.from(svg), left: box[0], top: box[1] };
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

/** A logo or QR code resized into `box`, as raw RGBA. */
function decodeInto(field: string, bytes: Buffer, box: Box, fit: 'inside' | 'contain'): Promise<Placed> {
  return unreadableAs(field, async () => {
    const pipeline = sharp(bytes, DECODE_LIMITS).autoOrient();
    const resized =
      fit === 'contain'
        ? pipeline
            .flatten({ background: '#ffffff' })
            .resize(box[2], box[3], { fit, background: '#ffffff', kernel: 'nearest' })
        : pipeline.resize(box[2], box[3], { fit });
    const { data, info } = await resized.ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    return { image: data, width: info.width, height: info.height };
  });
}

/** The card's base as raw RGB: the background photo covering the card, darkened. */
function photoBase(bytes: Buffer, width: number, height: number, brightness: number): Promise<Buffer> {
  return unreadableAs('background', () =>
    sharp(bytes, DECODE_LIMITS)
      .autoOrient()
      .flatten({ background: '#000000' })
      .resize(width, height, { fit: 'cover' })
      .modulate({ brightness })
      .removeAlpha()
      .raw()
      .toBuffer(),
  );
}

function rgb(colour: string): [number, number, number] {
  const n = Number.parseInt(colour.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

// Plain rectangles are filled straight into the raw base: far cheaper than compositing
// another full-card layer (sharp extends every overlay to the card's size).
function fillRect(base: Buffer, cardWidth: number, box: Box, colour: string): void {
  const [r, g, b] = rgb(colour);
  const row = Buffer.alloc(box[2] * 3);
  for (let i = 0; i < row.length; i += 3) row.set([r, g, b], i);
  for (let y = box[1]; y < box[1] + box[3]; y++) row.copy(base, (y * cardWidth + box[0]) * 3);
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
): Promise<{ data: Buffer; mime: CardMime; width: number; height: number }> {
  const { width, height } = CARD_SIZES[input.size];
  const geometry = layout.sizes[input.size];
  const { colors } = layout;
  const jobs: Promise<OverlayOptions | OverlayOptions[]>[] = [];

  const kickerBlock = geometry.kicker;
  if (layout.kicker && kickerBlock) {
    const [x, y, w, h] = kickerBlock.box;
    const inner: Box = [x + PILL_PAD.x, y + PILL_PAD.y, w - 2 * PILL_PAD.x, h - 2 * PILL_PAD.y];
    jobs.push(
      text('kicker', layout.kicker, kickerBlock, colors.kickerText, inner).then((label) => {
        const pill: Box = [x, y, label.width + 2 * PILL_PAD.x, h];
        return [
          rect(pill, colors.kicker, Math.round(h / 2)),
          place(label, inner, { ...kickerBlock, align: 'left' }),
        ];
      }),
    );
  }
  jobs.push(
    text('headline', input.headline, geometry.headline, colors.headline).then((t) =>
      place(t, geometry.headline.box, geometry.headline),
    ),
  );
  if (input.body) {
    jobs.push(
      text('body', input.body, geometry.body, colors.body).then((t) =>
        place(t, geometry.body.box, geometry.body),
      ),
    );
  }
  const hasBand = Boolean(input.unitName || input.hotline || input.logo);
  if (input.logo) {
    const logoBox = geometry.logo;
    jobs.push(
      decodeInto('logo', input.logo, logoBox, 'inside').then((l) =>
        place(l, logoBox, { align: 'centre', valign: 'middle' }),
      ),
    );
  }
  if (input.unitName) {
    const block = geometry.unitName;
    const box = input.logo ? block.box : intoLogoSpace(block.box, geometry.logo);
    jobs.push(
      text('unitName', input.unitName, block, colors.bandText, box).then((t) => place(t, box, block)),
    );
  }
  if (input.hotline) {
    const block = geometry.hotline;
    const box = input.logo ? block.box : intoLogoSpace(block.box, geometry.logo);
    // No-break spaces keep "0234 3822 000" on one line; the break goes after the label.
    const line = `${layout.hotlineLabel}: ${input.hotline.replace(/ /g, '\u00A0')}`;
    jobs.push(text('hotline', line, block, colors.bandText, box).then((t) => place(t, box, block)));
  }
  if (input.qrCode) {
    const qrBox = geometry.qr;
    jobs.push(
      decodeInto('qrCode', input.qrCode, qrBox, 'contain').then((q) =>
        place(q, qrBox, { align: 'centre', valign: 'middle' }),
      ),
    );
  }

  const base = input.background
    ? await photoBase(input.background, width, height, layout.backgroundBrightness)
    : Buffer.alloc(width * height * 3);
  if (!input.background) fillRect(base, width, [0, 0, width, height], colors.background);
  if (hasBand) fillRect(base, width, geometry.band, colors.band);
  if (input.qrCode) fillRect(base, width, geometry.qr, '#ffffff');
  const overlays = (await Promise.all(jobs)).flat();
  const card = sharp(base, { raw: { width, height, channels: 3 } }).composite(overlays);
  const mime = cardMime(input);
  const data =
    mime === 'image/png'
      ? await card.png({ compressionLevel: 6, adaptiveFiltering: false }).toBuffer()
      : await card.jpeg({ quality: 88, chromaSubsampling: '4:4:4' }).toBuffer();
  return { data, mime, width, height };
}
