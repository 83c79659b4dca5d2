// The only file in Loa that imports sharp. It configures the library once, when first
// imported, and re-exports what the rest of server/rendering needs, so a change of image
// library or of its global settings happens here and nowhere else.
import sharp, { type OverlayOptions, type Sharp, type SharpOptions } from 'sharp';

// libvips' operation cache holds decoded images and open files between calls. Uploads and
// cards are rarely repeated (cards have their own file cache), so keep it small and never
// keep input files open: a big cache only raises RSS under load.
sharp.cache({ memory: 32, files: 0, items: 64 });

// Threads per image. sharp picks 1 on glibc without jemalloc (to limit fragmentation) and
// the core count otherwise; we keep its choice and only cap it, so that two renders in
// flight beside the web process do not take every core.
const THREADS_CAP = 4;
if (sharp.concurrency() > THREADS_CAP) sharp.concurrency(THREADS_CAP);

/** Versions that change rendered bytes; part of the card cache key. */
export const imageLibraryVersion = `sharp ${sharp.versions.sharp ?? '?'} vips ${sharp.versions.vips}`;

export { sharp };
export type { OverlayOptions, Sharp, SharpOptions };
