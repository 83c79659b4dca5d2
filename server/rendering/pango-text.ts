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
  size: { width: number; height?: number; dpi?: number },
): Promise<{ image: Buffer; width: number; height: number; dpi: number | undefined }> {
  const face = fontFace(options.weight);
  const markup = `<span foreground="${options.color}">${escapeMarkup(options.text)}</span>`;
  const { data, info } = await sharp({
    text: {
      text: markup,
      font: `${face.description} ${BASE_PT}`,
      fontfile: face.file,
      rgba: true,
      // Word wrap only: Pango never breaks inside a word with it, a too-long word overflows
      // the width instead, which the autofit below then shrinks away (or we refuse).
      wrap: 'word',
      align: options.align,
      width: size.width,
      ...(size.height === undefined ? {} : { height: size.height }),
      ...(size.dpi === undefined ? {} : { dpi: size.dpi }),
    },
  })
    // Raw RGBA: the card composites it directly, with no PNG encode and decode in between.
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { image: data, width: info.width, height: info.height, dpi: info.textAutofitDpi };
}

/**
 * Renders `text` as large as fits in `box` (at most `maxFontPx`), wrapped on word boundaries.
 * libvips searches the largest size at which the laid-out text fits both width and height;
 * since word wrap lets an unbreakable word overflow the width, that search also shrinks
 * until the longest word fits, so no word is ever cut. We check the result anyway.
 */
export async function fitText(options: FitTextOptions): Promise<FittedText> {
  const { box } = options;
  let rendered = await renderText(options, { width: box.width, height: box.height });
  let fontPx = pxForDpi(rendered.dpi ?? dpiForPx(options.minFontPx));
  if (fontPx > options.maxFontPx) {
    fontPx = pxForDpi(dpiForPx(options.maxFontPx));
    rendered = await renderText(options, { width: box.width, dpi: dpiForPx(options.maxFontPx) });
  }
  // A residual overflow (rounding in Pango's metrics) is fixed by one proportional shrink.
  for (
    let attempt = 0;
    attempt < 3 && (rendered.width > box.width || rendered.height > box.height);
    attempt++
  ) {
    const ratio = Math.min(box.width / rendered.width, box.height / rendered.height) * 0.97;
    fontPx = pxForDpi(dpiForPx(fontPx * ratio));
    rendered = await renderText(options, { width: box.width, dpi: dpiForPx(fontPx) });
  }
  if (fontPx < options.minFontPx || rendered.width > box.width || rendered.height > box.height) {
    return { ok: false, reason: 'too_long', fontPx };
  }
  return { ok: true, image: rendered.image, width: rendered.width, height: rendered.height, fontPx };
}
