// Files of the media library under $LOA_MEDIA_DIR/files: content-addressed names the server
// makes itself (never a client's file name), written atomically so a reader never sees half.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

export type VariantName = 'thumb' | 'large';

const EXTENSIONS: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' };
const KEY = /^files\/[0-9a-f]{2}\/[0-9a-f]{64}(?:-thumb|-large)?\.(?:jpg|png|webp)$/;

export function createMediaStorage(mediaDir: string) {
  const absolute = (key: string): string => {
    // Keys come from our own rows, but a path outside the folder must be impossible anyway.
    if (!KEY.test(key)) throw new Error(`not a media storage key: ${key}`);
    return path.join(mediaDir, ...key.split('/'));
  };

  return {
    /** `files/<aa>/<sha256>[-variant].<ext>` */
    keyFor(sha256: string, mime: string, variant?: VariantName): string {
      const ext = EXTENSIONS[mime];
      if (!ext) throw new Error(`no extension for ${mime}`);
      return `files/${sha256.slice(0, 2)}/${sha256}${variant ? `-${variant}` : ''}.${ext}`;
    },
    async write(key: string, data: Buffer): Promise<void> {
      const file = absolute(key);
      // Same name, same bytes: a second upload of the same image has nothing to write.
      const existing = await stat(file).catch(() => undefined);
      if (existing?.isFile() && existing.size === data.length) return;
      await mkdir(path.dirname(file), { recursive: true });
      const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await writeFile(temp, data, { flag: 'wx' });
        await rename(temp, file);
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
    },
    read(key: string): Promise<Buffer> {
      return readFile(absolute(key));
    },
    async size(key: string): Promise<number> {
      return (await stat(absolute(key))).size;
    },
  };
}

export type MediaStorage = ReturnType<typeof createMediaStorage>;
