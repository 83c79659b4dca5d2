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

interface State {
  starting?: Promise<TestDatabase>;
  embedded?: EmbeddedDatabase;
  dataDir?: string;
}

// Kept on globalThis: mocha loads the root hooks (which stop the database) through another
// module loader than the test files, so a module-level variable would exist twice and the
// database started by the tests would outlive the run.
const state: State = ((globalThis as { __loaTestDatabase?: State }).__loaTestDatabase ??= {});

export const testLogger = createLogger(process.env.LOA_TEST_LOG_LEVEL ?? 'silent');

export function testDatabase(): Promise<TestDatabase> {
  state.starting ??= (async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'loa-test-'));
    state.dataDir = dataDir;
    let url = process.env.TEST_DATABASE_URL;
    if (!url) {
      state.embedded = await startEmbeddedPostgres({ dataDir, database: 'loa_test', logger: testLogger });
      url = state.embedded.url;
    }
    await applyMigrations(url, testLogger);
    return { url, dataDir, handle: connectDatabase(url, testLogger, { max: 20 }) };
  })();
  return state.starting;
}

export async function stopTestDatabase(): Promise<void> {
  if (!state.starting) return;
  const db = await state.starting.catch(() => undefined);
  state.starting = undefined;
  await db?.handle.close();
  await state.embedded?.stop();
  state.embedded = undefined;
  if (state.dataDir) rmSync(state.dataDir, { recursive: true, force: true });
  state.dataDir = undefined;
}
