// Rendered cards on disk, named by a hash of everything that affects their pixels. Writes go
// to a temporary file renamed into place, so a reader never sees half a card, and two
// processes rendering the same card both end with the same complete file.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CardLayout } from './card-layouts.ts';
import type { CleanCardInput } from './card-input.ts';
import { cardMime, type CardMime } from './card-compose.ts';
import { imageKeys, type ImageKeys } from './image-keys.ts';

/** Bump when the composition code changes what a card looks like. */
const RENDER_VERSION = 2;

const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

export function cardHash(
  layout: CardLayout,
  input: CleanCardInput,
  engineVersions: string,
  images: ImageKeys = imageKeys(input),
): string {
  const key = {
    v: RENDER_VERSION,
    engine: engineVersions,
    layout: [layout.id, sha256(layout.source)],
    size: input.size,
    text: [input.headline, input.body ?? null, input.unitName ?? null, input.hotline ?? null],
    images: [images.background, images.logo, images.qrCode],
    qrUrl: input.qrUrl ?? null,
  };
  return sha256(JSON.stringify(key));
}

export function cardPath(cacheDir: string, hash: string, input: Pick<CleanCardInput, 'background'>): string {
  return cardFile(cacheDir, hash, cardMime(input));
}

export function cardFile(cacheDir: string, hash: string, mime: CardMime): string {
  return path.join(cacheDir, hash.slice(0, 2), `${hash}.${mime === 'image/png' ? 'png' : 'jpg'}`);
}

/** The key of a finished card with a QR code stamped on it (see stampQrCode). */
export function stampHash(
  layout: CardLayout,
  stamp: { size: string; card: Buffer; url: string },
  engineVersions: string,
): string {
  const key = {
    v: RENDER_VERSION,
    stamp: 'qr',
    engine: engineVersions,
    layout: [layout.id, sha256(layout.source)],
    size: stamp.size,
    card: sha256(stamp.card),
    url: stamp.url,
  };
  return sha256(JSON.stringify(key));
}

/** The cached card, or undefined when there is none yet. */
export async function readCachedCard(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

// Shard directories already made by this process: a card skips the mkdir (one more trip to
// the thread pool per card). One removed behind our back is made again on ENOENT.
const madeDirs = new Set<string>();

export async function writeCardAtomically(file: string, data: Buffer): Promise<void> {
  const dir = path.dirname(file);
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const makeDir = async () => {
    await mkdir(dir, { recursive: true });
    madeDirs.add(dir);
  };
  try {
    if (!madeDirs.has(dir)) await makeDir();
    try {
      await writeFile(temp, data, { flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      madeDirs.delete(dir);
      await makeDir();
      await writeFile(temp, data, { flag: 'wx' });
    }
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
