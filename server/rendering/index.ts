// server/rendering: the image side of Loa (cards, uploads, QR codes) and the only code that
// touches sharp. Callers get a Renderer from createRenderer() at the composition root.
import type { Logger } from 'pino';
import {
  cardFile,
  cardHash,
  cardPath,
  readCachedCard,
  stampHash,
  writeCardAtomically,
} from './card-cache.ts';
import { composeCard, stampQrCode, type CardMime } from './card-compose.ts';
import { cardAltText, parseCardInput, type CardInput, type CleanCardInput } from './card-input.ts';
import {
  CARD_SIZE_NAMES,
  CARD_SIZES,
  DEFAULT_LAYOUTS_DIR,
  loadCardLayouts,
  type CardLayout,
} from './card-layouts.ts';
import { ValidationError } from '../errors.ts';
import { fontVersion } from './fonts.ts';
import { inspectAndNormalizeImage } from './image-normalize.ts';
import { imageKeys, type ImageKeys } from './image-keys.ts';
import { imageLibraryVersion } from './sharp.ts';

export { inspectAndNormalizeImage } from './image-normalize.ts';
export type { ImageMime, ImageVariant, NormalizedImage, NormalizeOptions } from './image-normalize.ts';
export { renderQrPng, renderQrSvg } from './qr-code.ts';
export type { CardInput } from './card-input.ts';
export { CARD_SIZES, CARD_SIZE_NAMES, type CardSize } from './card-layouts.ts';
export { cleanText, escapeMarkup } from './pango-text.ts';

export interface RenderedCard {
  data: Buffer;
  mime: CardMime;
  width: number;
  height: number;
  /** sha256 of the card's inputs (layout, size, texts, image hashes, font and library versions). */
  hash: string;
  altText: string;
  /** true when the card came from the cache directory without rendering. */
  cached: boolean;
  /** Where the card file is, under cacheDir. */
  path: string;
}

/** A rendered card and the address whose QR code is to be painted on it. */
export interface QrStampInput {
  /** The layout and size the card was rendered with (they say where the QR box is). */
  layout: string;
  size: string;
  /** The card's bytes, as renderCard made them. */
  card: Buffer;
  url: string;
}

export type StampedCard = Omit<RenderedCard, 'altText'>;

export interface Renderer {
  renderCard(input: CardInput): Promise<RenderedCard>;
  /**
   * The card with a QR code of `url` in its layout's QR box: the card as published, made from
   * the stored card once its post has a public address. Cached by content like cards.
   */
  stampQrCode(input: QrStampInput): Promise<StampedCard>;
  listLayouts(): string[];
  /** Renders one card, uncached, so missing fonts or a broken fontconfig fail at boot. */
  warmUp(): Promise<void>;
  inspectAndNormalizeImage: typeof inspectAndNormalizeImage;
}

export interface RendererOptions {
  /** Where rendered cards are kept, e.g. `$LOA_MEDIA_DIR/cards`. */
  cacheDir: string;
  logger?: Logger;
  /** Card layouts directory; defaults to the project's templates/cards. */
  layoutsDir?: string;
}

const WARM_UP_TEXT = {
  headline: 'CẢNH BÁO: Giả danh công an gọi điện yêu cầu chuyển tiền',
  body: 'Đường dây nóng ồ ộ ể ề ấ ạ ờ Đ ừ ỹ ỷ',
};

export function createRenderer(options: RendererOptions): Renderer {
  const layouts: ReadonlyMap<string, CardLayout> = loadCardLayouts(options.layoutsDir ?? DEFAULT_LAYOUTS_DIR);
  const engine = `${fontVersion()} ${imageLibraryVersion}`;
  const logger = options.logger?.child({ module: 'rendering' });
  // Two requests for the same new card share one render instead of racing to write it.
  const inFlight = new Map<string, Promise<RenderedCard>>();
  const stampsInFlight = new Map<string, Promise<StampedCard>>();

  const layoutOf = (input: CleanCardInput): CardLayout => {
    const layout = layouts.get(input.layout);
    if (!layout) throw new Error(`layout ${input.layout} vanished after validation`);
    return layout;
  };

  async function renderUncached(
    input: CleanCardInput,
    images: ImageKeys,
    hash: string,
    file: string,
  ): Promise<RenderedCard> {
    const layout = layoutOf(input);
    const started = performance.now();
    const card = await composeCard(layout, input, images);
    await writeCardAtomically(file, card.data);
    logger?.debug(
      { hash, layout: layout.id, size: input.size, ms: Math.round(performance.now() - started) },
      'card rendered',
    );
    return { ...card, hash, altText: cardAltText(input, layout), cached: false, path: file };
  }

  async function renderCard(raw: CardInput): Promise<RenderedCard> {
    const input = parseCardInput(raw, layouts);
    const layout = layoutOf(input);
    const images = imageKeys(input);
    const hash = cardHash(layout, input, engine, images);
    const file = cardPath(options.cacheDir, hash, input);
    const existing = await readCachedCard(file);
    if (existing) {
      const { width, height } = CARD_SIZES[input.size];
      const mime: CardMime = file.endsWith('.png') ? 'image/png' : 'image/jpeg';
      return {
        data: existing,
        mime,
        width,
        height,
        hash,
        altText: cardAltText(input, layout),
        cached: true,
        path: file,
      };
    }
    const pending = inFlight.get(hash);
    if (pending) return pending;
    const job = renderUncached(input, images, hash, file).finally(() => inFlight.delete(hash));
    inFlight.set(hash, job);
    return job;
  }

  async function stampQr(stamp: QrStampInput): Promise<StampedCard> {
    const layout = layouts.get(stamp.layout);
    const size = CARD_SIZE_NAMES.find((name) => name === stamp.size);
    if (!layout || !size) {
      throw new ValidationError(
        [{ path: layout ? 'size' : 'layout', message: 'unknown card layout or size' }],
        'Invalid card input',
      );
    }
    const hash = stampHash(layout, { size, card: stamp.card, url: stamp.url }, engine);
    const { width, height } = CARD_SIZES[size];
    const mime: CardMime =
      stamp.card.subarray(1, 4).toString('latin1') === 'PNG' ? 'image/png' : 'image/jpeg';
    const file = cardFile(options.cacheDir, hash, mime);
    const existing = await readCachedCard(file);
    if (existing) return { data: existing, mime, width, height, hash, cached: true, path: file };
    const pending = stampsInFlight.get(hash);
    if (pending) return pending;
    const job = (async (): Promise<StampedCard> => {
      const card = await stampQrCode(layout, size, stamp.card, stamp.url);
      await writeCardAtomically(file, card.data);
      return { ...card, hash, cached: false, path: file };
    })().finally(() => stampsInFlight.delete(hash));
    stampsInFlight.set(hash, job);
    return job;
  }

  async function warmUp(): Promise<void> {
    const [first] = layouts.values();
    if (!first) throw new Error('no card layouts');
    const started = performance.now();
    const input = parseCardInput(
      { layout: first.id, size: 'feed', ...WARM_UP_TEXT, unitName: 'Công an tỉnh', hotline: '113' },
      layouts,
    );
    const card = await composeCard(first, input);
    logger?.info(
      { ms: Math.round(performance.now() - started), bytes: card.data.length },
      'card renderer warmed up',
    );
  }

  return {
    renderCard,
    stampQrCode: stampQr,
    listLayouts: () => [...layouts.keys()],
    warmUp,
    inspectAndNormalizeImage,
  };
}
