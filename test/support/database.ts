// One embedded PostgreSQL for the whole test run, started by the first test that needs it and
// migrated once; each test makes its own data with factories.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { applyMigrations, connectDatabase, type DatabaseHandle } from '../../server/db/database.ts';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../server/db/embedded.ts';
import { createLogger } from '../../server/logger.ts';

interface TestDatabase {
  url: string;
  dataDir: string;
  handle: DatabaseHandle;
}

let starting: Promise<TestDatabase> | undefined;
let embedded: EmbeddedDatabase | undefined;
let dataDir: string | undefined;

export const testLogger = createLogger(process.env.LOA_TEST_LOG_LEVEL ?? 'silent');

export function testDatabase(): Promise<TestDatabase> {
  starting ??= (async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'loa-test-'));
    let url = process.env.TEST_DATABASE_URL;
    if (!url) {
      embedded = await startEmbeddedPostgres({ dataDir, database: 'loa_test', logger: testLogger });
      url = embedded.url;
    }
    await applyMigrations(url, testLogger);
    return { url, dataDir, handle: connectDatabase(url, testLogger, { max: 20 }) };
  })();
  return starting;
}

export async function stopTestDatabase(): Promise<void> {
  if (!starting) return;
  const db = await starting.catch(() => undefined);
  starting = undefined;
  await db?.handle.close();
  await embedded?.stop();
  embedded = undefined;
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  dataDir = undefined;
}
