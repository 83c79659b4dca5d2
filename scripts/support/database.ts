// For command-line tools: the same database Loa uses (DATABASE_URL, or the embedded one under
// LOA_DATA_DIR, started for the duration of the command if Loa is not running).
import { loadConfig, ConfigError } from '../../server/config.ts';
import { applyMigrations, connectDatabase, type DatabaseHandle } from '../../server/db/database.ts';
import { startEmbeddedPostgres } from '../../server/db/embedded.ts';
import { createLogger } from '../../server/logger.ts';
import type { Config } from '../../server/config.ts';

export async function withDatabase(
  task: (handle: DatabaseHandle, config: Readonly<Config>) => Promise<number>,
): Promise<never> {
  let config: Readonly<Config>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const embedded = config.databaseUrl
    ? undefined
    : await startEmbeddedPostgres({ dataDir: config.dataDir, logger });
  const url = config.databaseUrl ?? embedded!.url;
  await applyMigrations(url, logger);
  const handle = connectDatabase(url, logger, { max: 2 });
  let code: number;
  try {
    code = await task(handle, config);
  } finally {
    await handle.close();
    await embedded?.stop();
  }
  process.exit(code);
}
