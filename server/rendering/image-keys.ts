// Content keys of a card's images, computed once per card: the card file cache and the
// renderer's caches of decoded images both key by them, and hashing a 2400×1260 photo costs
// about a millisecond, a noticeable part of a card.
import { createHash } from 'node:crypto';
import type { CleanCardInput } from './card-input.ts';

export const contentHash = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** sha256 (hex) of each image given, null where none is. */
export interface ImageKeys {
  background: string | null;
  logo: string | null;
  qrCode: string | null;
}

export function imageKeys(input: Pick<CleanCardInput, 'background' | 'logo' | 'qrCode'>): ImageKeys {
  const key = (bytes: Buffer | undefined) => (bytes ? contentHash(bytes) : null);
  return { background: key(input.background), logo: key(input.logo), qrCode: key(input.qrCode) };
}
