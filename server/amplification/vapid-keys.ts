// The VAPID key pair that signs Web Push messages: generated once into LOA_DATA_DIR and reused,
// so subscriptions made by browsers keep working across restarts and across processes.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import webpush from 'web-push';
import { z } from 'zod';

const keysSchema = z.object({ publicKey: z.string().min(40), privateKey: z.string().min(20) });
export type VapidKeys = z.infer<typeof keysSchema>;

export function loadOrCreateVapidKeys(dataDir: string): VapidKeys {
  const file = path.join(dataDir, 'vapid.json');
  if (existsSync(file)) {
    const parsed = keysSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (parsed.success) return parsed.data;
  }
  mkdirSync(dataDir, { recursive: true });
  const keys = webpush.generateVAPIDKeys();
  try {
    writeFileSync(file, `${JSON.stringify(keys)}\n`, { mode: 0o600, flag: 'wx' });
    return keys;
  } catch (error) {
    // Another process wrote it first: use theirs, so every process signs with the same key.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      return keysSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
    }
    throw error;
  }
}
