// Backup and restore of a whole install: the database (server/db/dump.ts), the media files and
// the keys Loa generated into its data directory (the token-encryption key and the Web Push
// keys: without them a restored install could not decrypt its channels' tokens). One gzipped
// tar file; its manifest says what it holds so a restore can check before it writes anything.
//
// A backup holds the keys: keep it as carefully as the data directory itself.
import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tar from 'tar';
import { z } from 'zod';
import { dumpDatabase, restoreDatabase, DUMP_FORMAT, DUMP_VERSION, type DumpManifest } from '../db/dump.ts';

export const BACKUP_FORMAT = 'loa-backup';
/** Files Loa writes into its data directory that a restored install needs. */
const KEY_FILES = ['secret.key', 'secret.key.previous', 'vapid.json'];

const manifestSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  version: z.literal(1),
  createdAt: z.string(),
  loaVersion: z.string(),
  media: z.object({ files: z.number().int().nonnegative(), bytes: z.number().int().nonnegative() }),
  keys: z.array(z.string()),
  secretKeyFromEnvironment: z.boolean(),
  database: z.object({
    format: z.literal(DUMP_FORMAT),
    version: z.literal(DUMP_VERSION),
    createdAt: z.string(),
    migrations: z.number().int().positive(),
    tables: z.array(
      z.object({
        name: z.string(),
        columns: z.array(z.string()),
        rows: z.number().int().nonnegative(),
        file: z.string().regex(/^\d{3}-[a-z0-9_]+\.copy$/),
      }),
    ),
    partitions: z.array(z.object({ name: z.string(), parent: z.string(), bound: z.string() })),
    sequences: z.array(z.object({ name: z.string(), value: z.string(), called: z.boolean() })),
  }),
});
export type BackupManifest = z.infer<typeof manifestSchema>;

export class BackupError extends Error {}

export interface BackupPlace {
  dataDir: string;
  mediaDir: string;
  /** True when LOA_SECRET_KEY is set: the key is then not in the data directory. */
  secretKeyFromEnvironment: boolean;
  loaVersion: string;
}

async function countFiles(dir: string): Promise<{ files: number; bytes: number }> {
  if (!existsSync(dir)) return { files: 0, bytes: 0 };
  let files = 0;
  let bytes = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    files += 1;
    bytes += (await stat(path.join(entry.parentPath, entry.name))).size;
  }
  return { files, bytes };
}

/** Writes the backup to `file` (through a temporary name, so a half-written backup never has its name). */
export async function createBackup(
  place: BackupPlace,
  databaseUrl: string,
  file: string,
): Promise<BackupManifest> {
  const staging = await mkdtemp(path.join(os.tmpdir(), 'loa-backup-'));
  try {
    await mkdir(path.join(staging, 'db'));
    const database: DumpManifest = await dumpDatabase(databaseUrl, path.join(staging, 'db'));
    if (existsSync(place.mediaDir))
      await cp(place.mediaDir, path.join(staging, 'media'), { recursive: true });
    else await mkdir(path.join(staging, 'media'));
    await mkdir(path.join(staging, 'keys'));
    const keys: string[] = [];
    for (const name of KEY_FILES) {
      const source = path.join(place.dataDir, name);
      if (!existsSync(source)) continue;
      await cp(source, path.join(staging, 'keys', name));
      keys.push(name);
    }
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      version: 1,
      createdAt: new Date().toISOString(),
      loaVersion: place.loaVersion,
      media: await countFiles(path.join(staging, 'media')),
      keys,
      secretKeyFromEnvironment: place.secretKeyFromEnvironment,
      database,
    };
    await writeFile(path.join(staging, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    const target = path.resolve(file);
    const temporary = `${target}.partial`;
    await tar.create({ gzip: true, file: temporary, cwd: staging, portable: true }, [
      'manifest.json',
      'db',
      'media',
      'keys',
    ]);
    await rename(temporary, target);
    return manifest;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function isEmptyDirectory(dir: string): Promise<boolean> {
  if (!existsSync(dir)) return true;
  return (await readdir(dir)).length === 0;
}

/** Reads and checks a backup's manifest without restoring anything. */
export async function readBackup(file: string, into: string): Promise<BackupManifest> {
  if (!existsSync(file)) throw new BackupError(`No backup file at ${file}`);
  try {
    await tar.extract({ file, cwd: into, strict: true });
  } catch (error) {
    throw new BackupError(`${file} is not a Loa backup (${(error as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path.join(into, 'manifest.json'), 'utf8'));
  } catch {
    throw new BackupError(`${file} is not a Loa backup (no readable manifest.json)`);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) throw new BackupError(`${file} is not a Loa backup this version can read`);
  return parsed.data;
}

export interface RestoreTarget extends BackupPlace {
  /** Starts (or connects to) the target database and applies Loa's migrations; returns its URL. */
  openDatabase(): Promise<{ url: string; close(): Promise<void> }>;
}

/**
 * Restores into an empty data directory (and an empty media directory, when it lives apart):
 * refused otherwise, so a restore never mixes two installs. On failure what it wrote is removed.
 */
export async function restoreBackup(target: RestoreTarget, file: string): Promise<BackupManifest> {
  for (const dir of new Set([target.dataDir, target.mediaDir])) {
    if (!(await isEmptyDirectory(dir))) {
      throw new BackupError(`${dir} is not empty: restore into an empty data directory`);
    }
  }
  const staging = await mkdtemp(path.join(os.tmpdir(), 'loa-restore-'));
  let wrote = false;
  try {
    const manifest = await readBackup(path.resolve(file), staging);
    if (manifest.secretKeyFromEnvironment && !target.secretKeyFromEnvironment) {
      throw new BackupError(
        'The backed-up install took its key from LOA_SECRET_KEY: set the same LOA_SECRET_KEY to restore it',
      );
    }
    wrote = true;
    await mkdir(target.dataDir, { recursive: true });
    for (const name of manifest.keys) {
      await cp(path.join(staging, 'keys', name), path.join(target.dataDir, name));
    }
    await cp(path.join(staging, 'media'), target.mediaDir, { recursive: true });
    const database = await target.openDatabase();
    try {
      await restoreDatabase(database.url, path.join(staging, 'db'), manifest.database);
    } finally {
      await database.close();
    }
    return manifest;
  } catch (error) {
    if (wrote) {
      for (const dir of new Set([target.dataDir, target.mediaDir])) {
        for (const entry of existsSync(dir) ? await readdir(dir) : []) {
          await rm(path.join(dir, entry), { recursive: true, force: true });
        }
      }
    }
    throw error;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
