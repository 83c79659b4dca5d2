// QR codes for public warning pages, drawn by the qrcode package: as a PNG (its own encoder) for
// the leaflet and downloads, or as a module matrix that cards paint straight into their pixels.
import QRCode from 'qrcode';

/** A PNG QR code of `url`, `sizePx` wide including the quiet zone, medium error correction. */
export async function renderQrPng(url: string, sizePx: number): Promise<Buffer> {
  if (url.length === 0) throw new RangeError('QR code URL must not be empty');
  const width = Math.min(2048, Math.max(64, Math.round(sizePx)));
  return QRCode.toBuffer(url, { type: 'png', width, margin: 2, errorCorrectionLevel: 'M' });
}

/**
 * An SVG QR code of `url` for a page (an invitation link shown to be scanned from the screen):
 * vector, so it stays sharp at any zoom; medium error correction, a quiet zone of 2 modules.
 */
export async function renderQrSvg(url: string, title: string): Promise<string> {
  if (url.length === 0) throw new RangeError('QR code URL must not be empty');
  const svg = await QRCode.toString(url, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
  // The library's SVG has no accessible name: a role and a title make it an image with one.
  const escaped = title.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return svg.replace('<svg ', `<svg role="img" aria-label="${escaped}" `);
}

/** Modules of white border kept inside the box; decoders need a quiet zone, 2 is enough for phones. */
export const QR_QUIET_MODULES = 2;
/** Error-correction levels, weakest (smallest symbol) to strongest. */
type Level = 'L' | 'M' | 'Q' | 'H';
const MAX_URL_CHARS = 1000;
/**
 * Below 3 pixels a module, a code on a card shown at half size (a phone feed) no longer
 * scans. A public page address (host, /w/, a slug of at most 67 characters) stays far above.
 */
export const QR_MIN_SCALE = 3;

export interface QrPlacement {
  /** Modules per side, without the quiet zone. */
  modules: number;
  /** Pixels per module (an integer, so every module edge is sharp). */
  scale: number;
  /** The symbol's dark modules, row-major, `modules × modules` entries of 0 or 1. */
  dark: Uint8Array;
}

const symbols = new Map<string, QrPlacement>();
const SYMBOL_CACHE_ITEMS = 256;

/** Modules per side of the symbol at `level`; the mask is fixed, as it does not change the size. */
function modulesAt(url: string, level: Level): number {
  return QRCode.create(url, { errorCorrectionLevel: level, maskPattern: 0 }).modules.size;
}

/**
 * The QR symbol of `url` for a square of `sidePx`: the error-correction level that gives the
 * largest whole-pixel modules (module size is what makes a code readable when the card is shown
 * small), and among those the strongest. Symbols are cached: a post's URL is drawn on every size.
 */
export function placeQr(url: string, sidePx: number): QrPlacement {
  if (url.length === 0 || url.length > MAX_URL_CHARS) {
    throw new RangeError(`QR code URL must be 1 to ${MAX_URL_CHARS} characters`);
  }
  const key = `${sidePx} ${url}`;
  const hit = symbols.get(key);
  if (hit) {
    // Re-inserted to keep the Map in least-recently-used order.
    symbols.delete(key);
    symbols.set(key, hit);
    return hit;
  }
  const scaleOf = (modules: number) => Math.floor(sidePx / (modules + 2 * QR_QUIET_MODULES));
  // Sizes first, with a fixed mask (cheap); the weakest level draws the largest modules.
  const largest = scaleOf(modulesAt(url, 'L'));
  if (largest < QR_MIN_SCALE) {
    throw new RangeError(`an address of ${url.length} characters is too long for a readable QR code here`);
  }
  // Stronger levels only ever need more modules: climb while the modules stay as large.
  let level: Level = 'L';
  for (const stronger of ['M', 'Q', 'H'] as const) {
    if (scaleOf(modulesAt(url, stronger)) < largest) break;
    level = stronger;
  }
  // Then the symbol itself, with the mask chosen by the standard's penalty rules.
  const { modules } = QRCode.create(url, { errorCorrectionLevel: level });
  const placed = {
    modules: modules.size,
    scale: scaleOf(modules.size),
    dark: Uint8Array.from(modules.data, (v) => (v ? 1 : 0)),
  };
  symbols.set(key, placed);
  if (symbols.size > SYMBOL_CACHE_ITEMS) symbols.delete(symbols.keys().next().value ?? key);
  return placed;
}
