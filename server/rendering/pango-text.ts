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
/** Pango layouts per fit at most: enough to bisect the whole grid of sizes. */
const MAX_RENDERS = 10;

// Where the last fit of a box of this shape landed, and for how many characters: texts of one
// layout box fit at similar sizes, so the search starts there (scaled by length) instead of at
// the largest size, whose trial raster is the biggest of all. The search still ends at the
// largest size on the grid that fits, so where it starts does not change the result.
const lastFits = new Map<string, { k: number; chars: number }>();

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
  // Sizes are steps of FIT_PRECISION down from the largest: step k is maxFontPx / 1.03^k.
  // Few distinct sizes mean Pango's glyph caches are warm for the next card too.
  const pxAt = (k: number) => options.maxFontPx / FIT_PRECISION ** k;
  /** The first step no larger than `px`. */
  const stepAtMost = (px: number) =>
    Math.max(0, Math.ceil(Math.log(options.maxFontPx / px) / Math.log(FIT_PRECISION) - 1e-9));
  const lastStep = Math.floor(
    Math.log(options.maxFontPx / options.minFontPx) / Math.log(FIT_PRECISION) + 1e-9,
  );

  type Try = { k: number; px: number; image: Buffer; width: number; height: number };
  const tried = new Set<number>();
  const at = async (k: number): Promise<Try> => {
    tried.add(k);
    const dpi = dpiForPx(pxAt(k));
    return { k, px: pxForDpi(dpi), ...(await renderText(options, { width: box.width, dpi })) };
  };
  const fits = (t: Try) => t.width <= box.width && t.height <= box.height;
  // Shrinking text never wraps it into more lines, so its height shrinks at least in
  // proportion, and so does a word too long for the width: this size fits (up to rounding).
  const surelyFits = (t: Try) =>
    stepAtMost(t.px * Math.min(box.height / t.height, box.width / t.width) * 0.99);
  // Too wide means a word longer than the line (word wrap keeps every other line inside the
  // width), and that word is too wide at every size above its own limit.
  const tooBigFrom = (t: Try) =>
    t.width > box.width ? Math.max(t.k, stepAtMost(t.px * (box.width / t.width) * 1.01) - 1) : t.k;

  const shape = JSON.stringify([box.width, box.height, options.weight, options.maxFontPx, options.minFontPx]);
  const chars = [...options.text].length;
  const previous = lastFits.get(shape);
  const start = previous
    ? Math.min(lastStep, stepAtMost(pxAt(previous.k) * Math.sqrt(previous.chars / chars)))
    : 0;
  let last = await at(start);
  let best: Try | undefined = fits(last) ? last : undefined;
  let tooBig = best ? -1 : tooBigFrom(last); // the largest step known not to fit
  let sure = best ? best.k : surelyFits(last); // a step expected to fit
  for (let renders = 1; renders < MAX_RENDERS && !(best && best.k - tooBig <= 1); renders++) {
    // Growing text never wraps it into fewer lines, so a fit whose height is within the
    // precision of the box is as large as it gets.
    if (best && best.height * FIT_PRECISION >= box.height) break;
    let k: number;
    if (!best || sure < best.k) k = Math.max(sure, tooBig + 1);
    else {
      // Between the smallest overflow and the largest fit, no larger than where the fit's
      // lines would fill the box's height.
      const fill = stepAtMost(best.px * (box.height / best.height) * 0.995);
      // With no overflow seen yet (the search started below the largest size), grow to there.
      k = tooBig < 0 ? fill : Math.max(tooBig + 1, fill, Math.floor((tooBig + best.k) / 2));
      if (k >= best.k) break;
    }
    k = Math.min(k, lastStep);
    if (tried.has(k)) break;
    last = await at(k);
    if (fits(last)) best = !best || last.k < best.k ? last : best;
    else {
      tooBig = Math.max(tooBig, tooBigFrom(last));
      sure = Math.max(sure, surelyFits(last), tooBig + 1);
      if (!best && last.k >= lastStep) break;
    }
  }
  // Steps stop at minFontPx, so any fit is at a readable size.
  if (!best) {
    return { ok: false, reason: 'too_long', fontPx: last.px };
  }
  lastFits.delete(shape);
  lastFits.set(shape, { k: best.k, chars });
  if (lastFits.size > FITTED_CACHE_ITEMS) lastFits.delete(lastFits.keys().next().value ?? shape);
  return { ok: true, image: best.image, width: best.width, height: best.height, fontPx: best.px };
}
