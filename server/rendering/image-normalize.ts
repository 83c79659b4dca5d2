// Uploaded images for the media library: sniff the format from the bytes, read the size from
// the header, refuse decompression bombs before any pixel is decoded, then auto-orient,
// strip every piece of metadata (EXIF GPS included) and make the variants.
import { createHash } from 'node:crypto';
import { sniffImageFormat, type SniffedFormat } from './image-sniff.ts';
import { sharp, type Sharp } from './sharp.ts';

export type ImageMime = 'image/jpeg' | 'image/png' | 'image/webp';

export interface ImageVariant {
  name: 'thumb' | 'large';
  mime: ImageMime;
  width: number;
  height: number;
  data: Buffer;
}

export type NormalizedImage =
  | {
      ok: true;
      mime: ImageMime;
      width: number;
      height: number;
      data: Buffer;
      /** Hex sha256 of `data`: a content address for storage. */
      sha256: string;
      variants: ImageVariant[];
    }
  | { ok: false; reason: 'unsupported' | 'corrupt' | 'too_many_pixels'; message: string };

export interface NormalizeOptions {
  /** Largest accepted width × height (header values, before any decoding). */
  maxPixels: number;
}

const VARIANT_WIDTHS = { thumb: 320, large: 1080 } as const;
// GIF becomes PNG: only the first frame is kept, and PNG stores it losslessly.
const OUTPUT: Record<SniffedFormat, ImageMime> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/png',
};

const isPixelLimit = (error: unknown): boolean =>
  error instanceof Error && /pixel limit/i.test(error.message);
// libvips repeats its warnings over several lines; the first says what went wrong.
const messageOf = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).split('\n', 1)[0] ?? 'unknown error';

function open(buffer: Buffer, maxPixels: number): Sharp {
  // failOn 'error' refuses truncated and corrupt data instead of returning grey pixels; pages 1
  // takes the first frame of an animation; sequentialRead streams the decode.
  return sharp(buffer, { limitInputPixels: maxPixels, failOn: 'error', sequentialRead: true, pages: 1 });
}

function encode(pipeline: Sharp, mime: ImageMime): Sharp {
  // No keepMetadata/withMetadata: sharp writes no EXIF, XMP, IPTC or ICC (pixels go to sRGB).
  if (mime === 'image/jpeg') return pipeline.jpeg({ quality: 86, chromaSubsampling: '4:2:0' });
  if (mime === 'image/webp') return pipeline.webp({ quality: 86 });
  return pipeline.png({ compressionLevel: 7 });
}

async function render(buffer: Buffer, maxPixels: number, mime: ImageMime, maxWidth?: number) {
  let pipeline = open(buffer, maxPixels).autoOrient();
  if (maxWidth !== undefined) pipeline = pipeline.resize({ width: maxWidth, withoutEnlargement: true });
  const { data, info } = await encode(pipeline, mime).toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

type Refusal = Extract<NormalizedImage, { ok: false }>;
const refuse = (reason: Refusal['reason'], message: string): Refusal => ({ ok: false, reason, message });

function tooManyPixels(maxPixels: number, width?: number, height?: number): string {
  const size = width && height ? `${width}×${height} = ${width * height} pixels` : 'More pixels than allowed';
  return `${size}; the limit is ${maxPixels} pixels`;
}

export async function inspectAndNormalizeImage(
  buffer: Buffer,
  options: NormalizeOptions,
): Promise<NormalizedImage> {
  const maxPixels = Math.max(1, Math.floor(options.maxPixels));
  const sniffed = sniffImageFormat(buffer);
  if (!sniffed.ok) return refuse('unsupported', sniffed.message);

  // The header only: metadata() parses it without decoding pixels, and sharp already checks
  // limitInputPixels against the header's dimensions here.
  let header: { format?: string; width?: number; height?: number };
  try {
    header = await open(buffer, maxPixels).metadata();
  } catch (error) {
    if (isPixelLimit(error)) return refuse('too_many_pixels', tooManyPixels(maxPixels));
    return refuse('corrupt', `Unreadable ${sniffed.format} header: ${messageOf(error)}`);
  }
  if (header.format !== sniffed.format) {
    return refuse(
      'unsupported',
      `Bytes start like ${sniffed.format} but decode as ${header.format ?? 'nothing'}`,
    );
  }
  const { width, height } = header;
  if (!width || !height) return refuse('corrupt', 'The image header has no dimensions');
  if (width * height > maxPixels) return refuse('too_many_pixels', tooManyPixels(maxPixels, width, height));

  const mime = OUTPUT[sniffed.format];
  try {
    const original = await render(buffer, maxPixels, mime);
    const variants: ImageVariant[] = [];
    for (const [name, maxWidth] of Object.entries(VARIANT_WIDTHS) as [ImageVariant['name'], number][]) {
      variants.push({ name, mime, ...(await render(buffer, maxPixels, mime, maxWidth)) });
    }
    const sha256 = createHash('sha256').update(original.data).digest('hex');
    return { ok: true, mime, ...original, sha256, variants };
  } catch (error) {
    if (isPixelLimit(error)) return refuse('too_many_pixels', tooManyPixels(maxPixels));
    return refuse('corrupt', `Corrupt or truncated ${sniffed.format}: ${messageOf(error)}`);
  }
}
