// Which image format a buffer holds, from its magic bytes only: never from a file name or a
// client's Content-Type. Only the four formats the media library accepts are recognised;
// everything else (SVG, HEIC, TIFF, PDF, text, HTML) is "unsupported".
export type SniffedFormat = 'jpeg' | 'png' | 'webp' | 'gif';

export type SniffResult = { ok: true; format: SniffedFormat } | { ok: false; message: string };

const startsWith = (buffer: Buffer, bytes: readonly number[], offset = 0): boolean =>
  buffer.length >= offset + bytes.length && bytes.every((b, i) => buffer[offset + i] === b);
const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

// Markup near the start of a file that claims to be an image marks a polyglot (an image
// header glued to HTML or script, to be served as a page elsewhere). Real image headers in
// these four formats are binary there, so refusing them costs nothing legitimate.
const MARKUP = /<(?:!doctype|html|head|body|script|iframe|svg|object|embed|\?php)\b/i;
const MARKUP_SCAN_BYTES = 4096;

function describe(buffer: Buffer): string {
  if (startsWith(buffer, ascii('%PDF'))) return 'PDF';
  if (startsWith(buffer, [0x49, 0x49, 0x2a, 0x00]) || startsWith(buffer, [0x4d, 0x4d, 0x00, 0x2a]))
    return 'TIFF';
  if (startsWith(buffer, ascii('ftyp'), 4)) return 'HEIF/AVIF/MP4 (ftyp box)';
  if (startsWith(buffer, ascii('BM'))) return 'BMP';
  if (/^\s*(<\?xml|<svg|<!doctype|<html)/i.test(buffer.subarray(0, 256).toString('latin1')))
    return 'SVG/XML/HTML';
  return 'an unknown format';
}

export function sniffImageFormat(buffer: Buffer): SniffResult {
  let format: SniffedFormat | undefined;
  if (startsWith(buffer, [0xff, 0xd8, 0xff])) format = 'jpeg';
  else if (startsWith(buffer, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) format = 'png';
  else if (startsWith(buffer, ascii('GIF87a')) || startsWith(buffer, ascii('GIF89a'))) format = 'gif';
  else if (startsWith(buffer, ascii('RIFF')) && startsWith(buffer, ascii('WEBP'), 8)) format = 'webp';
  if (!format) {
    return { ok: false, message: `Not a JPEG, PNG, WebP or GIF image (looks like ${describe(buffer)})` };
  }
  if (MARKUP.test(buffer.subarray(0, MARKUP_SCAN_BYTES).toString('latin1'))) {
    return { ok: false, message: `A ${format.toUpperCase()} header followed by markup (polyglot file)` };
  }
  return { ok: true, format };
}
