// The key files of `npm run rotate-key`, for an install whose key lives in its data directory
// (without LOA_SECRET_KEY): a new secret.key, the old one kept in secret.key.previous until
// every token is re-encrypted, then the old one removed. Each file is written through a
// temporary name, and the previous keys before the new key, so a rotation cut short at any
// point leaves a key set that still opens every token (running the command again finishes it).
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  PREVIOUS_KEYS_FILE,
  SECRET_KEY_FILE,
  resolvePreviousSecretKeys,
  resolveSecretKey,
} from '../config.ts';

async function writePrivate(file: string, lines: readonly string[]): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${lines.join('\n')}\n`, { mode: 0o600 });
  await rename(temporary, file);
}

export interface KeySet {
  current: string;
  previous: string[];
}

/** Makes a new current key; the old one (and any not yet retired) stays readable as previous. */
export async function startKeyRotation(dataDir: string): Promise<KeySet> {
  const place = { dataDir, secretKey: undefined, previousSecretKeys: [] };
  const old = resolveSecretKey(place);
  const previous = [old, ...resolvePreviousSecretKeys(place).filter((k) => k !== old)];
  await writePrivate(path.join(dataDir, PREVIOUS_KEYS_FILE), previous);
  const current = randomBytes(32).toString('base64url');
  await writePrivate(path.join(dataDir, SECRET_KEY_FILE), [current]);
  return { current, previous };
}

/** Once no stored value needs them: the previous keys are deleted. */
export async function finishKeyRotation(dataDir: string): Promise<void> {
  const file = path.join(dataDir, PREVIOUS_KEYS_FILE);
  if (existsSync(file)) await rm(file);
}
