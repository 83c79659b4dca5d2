// A Loa install apart from the shared test database: a database of its own on the test server
// and a data directory of its own, for tests that back up, restore or re-key a whole install.
import { resolveSecretKey, loadConfig } from '../../server/config.ts';
import { createApp } from '../../server/app.ts';
import { buildContainer } from '../../server/container.ts';
import { connectDatabase, type DatabaseHandle } from '../../server/db/database.ts';
import type { TestApp } from './app.ts';
import { testDatabase, testLogger } from './database.ts';
import type { TestPlatforms } from './platforms.ts';

export interface Install {
  dir: string;
  url: string;
  handle: DatabaseHandle;
  t: TestApp;
}

/** A new database on the test server, migrated, with a data directory of its own. */
export async function newDatabase(name: string): Promise<string> {
  const { url, handle } = await testDatabase();
  await handle.pool.query(`CREATE DATABASE ${name}`);
  const target = new URL(url);
  target.pathname = `/${name}`;
  return target.toString();
}

export function install(dir: string, url: string, platforms: TestPlatforms): Install {
  const config = loadConfig({
    NODE_ENV: 'test',
    LOA_DATA_DIR: dir,
    LOA_MOCK_PLATFORMS: 'off',
    LOA_LOG_LEVEL: 'silent',
  });
  const handle = connectDatabase(url, testLogger, { max: 4 });
  const c = buildContainer({
    config,
    database: handle,
    logger: testLogger,
    secretKey: resolveSecretKey(config),
    platformUrls: platforms.urls,
    mockPlatforms: platforms.mock,
  });
  const app = createApp(c);
  const t: TestApp = {
    app,
    c,
    close: async () => {
      await (app.locals.closeSessionStore as () => Promise<void>)();
      await handle.close();
    },
  };
  return { dir, url, handle, t };
}
