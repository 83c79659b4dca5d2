// What the backup and restore commands share: the file argument, the configured database
// (DATABASE_URL, or the embedded one under LOA_DATA_DIR) and where the files live.
import pg from 'pg';
import { ConfigError, loadConfig, type Config } from '../../server/config.ts';
import { applyMigrations } from '../../server/db/database.ts';
import { startEmbeddedPostgres } from '../../server/db/embedded.ts';
import { createLogger } from '../../server/logger.ts';
import type { BackupPlace } from '../../server/system/backup.ts';

export function readFileArgument(command: 'backup' | 'restore'): string {
  const file = process.argv.slice(2).find((arg) => !arg.startsWith('-'));
  if (!file) {
    console.error(`Usage: npm run ${command} -- <file>`);
    process.exit(2);
  }
  return file;
}

export function loadCliConfig(): Readonly<Config> {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
}

export function backupPlace(config: Readonly<Config>): BackupPlace {
  return {
    dataDir: config.dataDir,
    mediaDir: config.mediaDir,
    secretKeyFromEnvironment: config.secretKey !== undefined,
    loaVersion: config.version,
  };
}

export async function openConfiguredDatabase(options: {
  migrate: boolean;
  config?: Readonly<Config>;
}): Promise<{
  config: Readonly<Config>;
  url: string;
  /** Whether other clients (a running Loa) are connected to this database right now. */
  othersConnected: boolean;
  close(): Promise<void>;
}> {
  const config = options.config ?? loadCliConfig();
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const embedded = config.databaseUrl
    ? undefined
    : await startEmbeddedPostgres({ dataDir: config.dataDir, logger });
  const url = config.databaseUrl ?? embedded!.url;
  if (options.migrate) await applyMigrations(url, logger);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const others = await client
    .query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
    )
    .finally(() => client.end());
  return {
    config,
    url,
    othersConnected: (others.rows[0]?.n ?? 0) > 0,
    close: async () => void (await embedded?.stop()),
  };
}
