// QR codes for public warning pages, drawn by the qrcode package (its own PNG encoder).
import QRCode from 'qrcode';

/** A PNG QR code of `url`, `sizePx` wide including the quiet zone, medium error correction. */
export async function renderQrPng(url: string, sizePx: number): Promise<Buffer> {
  if (url.length === 0) throw new RangeError('QR code URL must not be empty');
  const width = Math.min(2048, Math.max(64, Math.round(sizePx)));
  return QRCode.toBuffer(url, { type: 'png', width, margin: 2, errorCorrectionLevel: 'M' });
}
