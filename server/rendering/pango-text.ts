// Text for cards, through sharp's Pango text input. User strings are normalised to NFC,
// cleaned of characters that Pango markup cannot carry, and escaped, so that markup in user
// text (`</span><b>`, `&amp;`) renders literally instead of changing the card or throwing.
import { fontFace, type FontWeight } from './fonts.ts';
import { sharp } from './sharp.ts';

/** NFC, well-formed UTF-16, no control characters, whitespace collapsed (newlines kept). */
export function cleanText(input: string): string {
  return (
    input
      // Lone surrogates (broken copy-paste) would make the markup invalid UTF-8.
      .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
      .normalize('NFC')
      // C0/C1 controls other than \n are invalid in XML markup or invisible; tabs become spaces.
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0009\u000B-\u001F\u007F-\u009F\uFFFE\uFFFF]/g, ' ')
      .replace(/[ \u00A0]+/g, ' ')
      .replace(/ *\n */g, '\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim()
  );
}

/** Escapes the five XML-special characters for Pango markup. */
export function escapeMarkup(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ENTITIES[ch] ?? ch);
}
const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

export interface TextBox {
  width: number;
  height: number;
}

export interface FitTextOptions {
  text: string;
  box: TextBox;
  weight: FontWeight;
  color: string;
  align: 'left' | 'centre' | 'right';
  /** The largest font size wanted, in pixels (em size); short text is not blown up. */
  maxFontPx: number;
  /** Below this the text is unreadable on a phone; refuse instead of shrinking further. */
  minFontPx: number;
}

export type FittedText =
  | { ok: true; image: Buffer; width: number; height: number; fontPx: number } // image: raw RGBA
  | { ok: false; reason: 'too_long'; fontPx: number };

// The font size written in the Pango description. Sizes are set through dpi, so this is only
// the unit: at dpi D the em size in pixels is BASE_PT * D / 72.
const BASE_PT = 12;
const dpiForPx = (px: number): number => Math.max(1, Math.floor((px * 72) / BASE_PT));
const pxForDpi = (dpi: number): number => (dpi * BASE_PT) / 72;

async function renderText(
  options: FitTextOptions,
  size: { width: number; dpi: number },
): Promise<{ image: Buffer; width: number; height: number }> {
  const face = fontFace(options.weight);
  const markup = `<span foreground="${options.color}">${escapeMarkup(options.text)}</span>`;
  const { data, info } = await sharp({
    text: {
      text: markup,
      font: `${face.description} ${BASE_PT}`,
      fontfile: face.file,
      rgba: true,
      // Word wrap only: Pango never breaks inside a word with it, a too-long word overflows
      // the width instead, which the fit below then shrinks away (or we refuse).
      wrap: 'word',
      align: options.align,
      width: size.width,
      dpi: size.dpi,
    },
  })
    // Raw RGBA: the card paints it directly, with no PNG encode and decode in between.
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { image: data, width: info.width, height: info.height };
}

/** The search stops within this ratio of the largest size that fits. */
const FIT_PRECISION = 1.03;
/** Pango layouts per fit at most (libvips' own autofit took about ten for a long headline). */
const MAX_RENDERS = 7;

// A unit's name, its hotline line and a layout's kicker are on every card it issues: their
// fitted rasters are kept (small ones only), keyed by everything that shapes them.
const fitted = new Map<string, Promise<FittedText>>();
const FITTED_CACHE_ITEMS = 64;
const FITTED_CACHE_MAX_BYTES = 512 * 1024;

/**
 * Renders `text` as large as fits in `box` (at most `maxFontPx`), wrapped on word boundaries.
 * Each try is one Pango layout at a fixed size; the next size is estimated from how far the
 * last one overflowed (text area grows with the square of the size, a too-long word with the
 * size), then bisected, so a fit costs a few layouts instead of libvips' autofit search.
 * Word wrap lets an unbreakable word overflow the width, so a fit also shrinks until the
 * longest word fits: no word is ever cut.
 */
export async function fitText(options: FitTextOptions): Promise<FittedText> {
  const key = JSON.stringify([
    options.text,
    options.box.width,
    options.box.height,
    options.weight,
    options.color,
    options.align,
    options.maxFontPx,
    options.minFontPx,
  ]);
  const hit = fitted.get(key);
  if (hit) {
    fitted.delete(key);
    fitted.set(key, hit);
    return hit;
  }
  const job = searchFit(options);
  const result = await job;
  if (!result.ok || result.image.length <= FITTED_CACHE_MAX_BYTES) {
    fitted.set(key, job);
    if (fitted.size > FITTED_CACHE_ITEMS) fitted.delete(fitted.keys().next().value ?? key);
  }
  return result;
}

async function searchFit(options: FitTextOptions): Promise<FittedText> {
  const { box } = options;
  type Try = { px: number; dpi: number; image: Buffer; width: number; height: number };
  const tried = new Set<number>();
  const at = async (px: number): Promise<Try> => {
    const dpi = dpiForPx(px);
    tried.add(dpi);
    return { px: pxForDpi(dpi), dpi, ...(await renderText(options, { width: box.width, dpi })) };
  };
  const fits = (t: Try) => t.width <= box.width && t.height <= box.height;
  // Shrinking text never wraps it into more lines, so its height shrinks at least in
  // proportion, and so does a word too long for the width: this size fits (up to rounding).
  const surelyFits = (t: Try) => t.px * Math.min(box.height / t.height, box.width / t.width) * 0.99;

  let last = await at(options.maxFontPx);
  let best: Try | undefined = fits(last) ? last : undefined;
  let tooBig: number | undefined = best
    ? undefined
    : Math.min(last.px, last.width > box.width ? last.px * (box.width / last.width) * 1.01 : last.px);
  let floor = best ? 0 : surelyFits(last);
  for (let renders = 1; renders < MAX_RENDERS && tooBig !== undefined; renders++) {
    if (best && tooBig / best.px <= FIT_PRECISION) break;
    // Growing text never wraps it into fewer lines, so a fit whose height is within the
    // precision of the box is as large as it gets.
    if (best && best.height * FIT_PRECISION >= box.height) break;
    let guess: number;
    if (!best || floor > best.px * 1.005) guess = Math.max(options.minFontPx, floor);
    else {
      // Between the largest fit and the smallest overflow, no further than where the fit's
      // lines would fill the box's height.
      const fill = best.px * (box.height / best.height) * 0.995;
      guess = Math.max(best.px * 1.005, Math.min(Math.sqrt(best.px * tooBig), fill));
    }
    if (tried.has(dpiForPx(guess))) break;
    last = await at(guess);
    if (fits(last)) best = last;
    else {
      tooBig = last.px;
      // Too wide means a word longer than the line (word wrap keeps every other line inside
      // the width), and that word is too wide at every size above its own limit.
      if (last.width > box.width) tooBig = Math.min(tooBig, last.px * (box.width / last.width) * 1.01);
      // A size that should have fitted and did not (rounding) gives way to this try's own bound.
      floor = last.px <= floor ? surelyFits(last) : Math.max(floor, surelyFits(last));
      if (!best && last.dpi <= dpiForPx(options.minFontPx)) break;
    }
  }
  if (!best || best.px < options.minFontPx) {
    return { ok: false, reason: 'too_long', fontPx: best?.px ?? last.px };
  }
  return { ok: true, image: best.image, width: best.width, height: best.height, fontPx: best.px };
}
