// One embedded PostgreSQL for the whole test run, started by the first test that needs it and
// migrated once; each test makes its own data with factories.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { applyMigrations, connectDatabase, type DatabaseHandle } from '../../server/db/database.ts';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../server/db/embedded.ts';
import { createLogger } from '../../server/logger.ts';
import pg from 'pg';

interface TestDatabase {
  url: string;
  dataDir: string;
  handle: DatabaseHandle;
}

interface State {
  starting?: Promise<TestDatabase>;
  /** Databases of their own on the same server, for files whose data would disturb the others. */
  isolated?: Map<string, Promise<TestDatabase>>;
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

/**
 * A database of its own on the test server, created empty and migrated, for a file that writes
 * what other files count across the whole database (the demo seeds a province with a fortnight
 * of engagement). The same name gives the same database within a run.
 */
export function isolatedTestDatabase(name: string): Promise<TestDatabase> {
  if (!/^[a-z][a-z0-9_]{0,40}$/.test(name)) throw new Error(`bad test database name: ${name}`);
  state.isolated ??= new Map();
  let started = state.isolated.get(name);
  if (!started) {
    started = (async () => {
      const shared = await testDatabase();
      const admin = new pg.Client({ connectionString: shared.url });
      await admin.connect();
      try {
        await admin.query(`DROP DATABASE IF EXISTS loa_test_${name}`);
        await admin.query(`CREATE DATABASE loa_test_${name}`);
      } finally {
        await admin.end();
      }
      const url = new URL(shared.url);
      url.pathname = `/loa_test_${name}`;
      await applyMigrations(url.toString(), testLogger);
      return {
        url: url.toString(),
        dataDir: shared.dataDir,
        handle: connectDatabase(url.toString(), testLogger, { max: 10 }),
      };
    })();
    state.isolated.set(name, started);
  }
  return started;
}

export async function stopTestDatabase(): Promise<void> {
  if (!state.starting) return;
  for (const isolated of state.isolated?.values() ?? []) {
    await (await isolated.catch(() => undefined))?.handle.close();
  }
  state.isolated = undefined;
  const db = await state.starting.catch(() => undefined);
  state.starting = undefined;
  await db?.handle.close();
  await state.embedded?.stop();
  state.embedded = undefined;
  if (state.dataDir) rmSync(state.dataDir, { recursive: true, force: true });
  state.dataDir = undefined;
}
